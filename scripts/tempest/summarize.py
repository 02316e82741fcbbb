"""Summarizes a tempest subunit v2 stream: per-family counts (networks, subnets, ports,
extensions, ...) and a final `N passed, N failed, N skipped` line. A class-level setup failure
(`setUpClass (tempest.api.network.x.Y)`) counts as one failure of its family. Failure details
(test id and traceback) go to --failures."""
import argparse
import collections
import re
import sys

import subunit
import testtools


def family(test_id):
    m = re.search(r'tempest\.api\.network\.(?:admin\.)?test_([a-z0-9_]+?)(?:_negative)?(?:\.|$)', test_id)
    fam = m.group(1) if m else 'other'
    name = test_id.rsplit('.', 1)[-1].lower()
    if fam == 'networks' and 'subnet' in name and 'network' not in name.replace('subnet', ''):
        return 'subnets'
    if fam.startswith('port') or fam.startswith('ports'):
        return 'ports'
    return fam


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('stream')
    ap.add_argument('--failures')
    a = ap.parse_args()
    results = {}
    details = {}

    class Collector(testtools.StreamResult):
        def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **kw):
            if not test_id:
                return
            if file_name in ('traceback', 'reason') and file_bytes:
                details.setdefault(test_id, []).append(bytes(file_bytes).decode('utf8', 'replace'))
            if test_status in ('success', 'fail', 'skip', 'xfail', 'uxsuccess'):
                results[test_id] = test_status

    with open(a.stream, 'rb') as f:
        case = subunit.ByteStreamToStreamResult(f, non_subunit_name='stdout')
        r = Collector()
        r.startTestRun()
        case.run(r)
        r.stopTestRun()

    per = collections.defaultdict(collections.Counter)
    for tid, st in results.items():
        key = {'success': 'passed', 'xfail': 'passed', 'fail': 'failed', 'uxsuccess': 'failed', 'skip': 'skipped'}[st]
        clean = re.sub(r'\[.*\]$', '', tid)
        m = re.match(r'(setUpClass|tearDownClass) \((.*)\)', clean)
        per[family(m.group(2) if m else clean)][key] += 1
    total = collections.Counter()
    print(f"{'family':<28} {'passed':>7} {'failed':>7} {'skipped':>8}")
    for fam in sorted(per):
        c = per[fam]
        total.update(c)
        print(f"{fam:<28} {c['passed']:>7} {c['failed']:>7} {c['skipped']:>8}")
    if a.failures:
        with open(a.failures, 'w') as f:
            for tid, st in sorted(results.items()):
                if st in ('fail', 'uxsuccess'):
                    f.write(f'=== {tid}\n')
                    f.write(''.join(details.get(tid, []))[-4000:] + '\n')
            f.write('\n=== skipped\n')
            for tid, st in sorted(results.items()):
                if st == 'skip':
                    reason = ''.join(details.get(tid, [])).strip().splitlines()
                    f.write(f'{tid}: {reason[-1] if reason else ""}\n')
    print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 0


if __name__ == '__main__':
    sys.exit(main())
