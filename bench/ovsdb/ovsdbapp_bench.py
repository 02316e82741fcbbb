#!/usr/bin/python3
"""ovsdbapp side of bench/ovsdb/bench.ts (run with Debian's python3-ovsdbapp).

  ovsdbapp_bench.py single  ENDPOINT N      N add_port commands, one transaction each
  ovsdbapp_bench.py batch   ENDPOINT N      one transaction adding N ports
  ovsdbapp_bench.py replica ENDPOINT        connect + populate the IDL (all tables)

Prints one JSON line: {"seconds": <float>, ...}. Bridge br0 must exist for single/batch.
"""
import json
import sys
import time

from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.schema.open_vswitch import impl_idl


class NoWaitTransaction(impl_idl.OvsVsctlTransaction):
    """OvsVsctlTransaction minus the wait for ovs-vswitchd.

    After committing, OvsVsctlTransaction blocks until ovs-vswitchd reports cur_cfg >= next_cfg;
    the benchmark runs a bare ovsdb-server (like `ovs-vsctl --no-wait`), so skip that wait.
    """

    def do_post_commit(self, txn):
        pass


class NoWaitOvsdbIdl(impl_idl.OvsdbIdl):
    def create_transaction(self, check_error=False, log_errors=True, **kwargs):
        return NoWaitTransaction(self, self.ovsdb_connection,
                                 check_error=check_error, log_errors=log_errors)


def connect(endpoint):
    idl = connection.OvsdbIdl.from_server(endpoint, 'Open_vSwitch')
    conn = connection.Connection(idl=idl, timeout=600)
    return NoWaitOvsdbIdl(conn), conn


def main():
    mode, endpoint = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if mode == 'replica':
        t0 = time.perf_counter()
        api, conn = connect(endpoint)
        secs = time.perf_counter() - t0
        rows = len(api.tables['Port'].rows)
        print(json.dumps({'seconds': secs, 'ports': rows}))
        conn.stop()
        return
    api, conn = connect(endpoint)
    t0 = time.perf_counter()
    if mode == 'single':
        for i in range(n):
            api.add_port('br0', 'p%d' % i).execute(check_error=True)
    elif mode == 'batch':
        with api.transaction(check_error=True) as txn:
            for i in range(n):
                txn.add(api.add_port('br0', 'p%d' % i))
    else:
        raise SystemExit('unknown mode %s' % mode)
    secs = time.perf_counter() - t0
    print(json.dumps({'seconds': secs, 'ports': len(api.tables['Port'].rows)}))
    conn.stop()


if __name__ == '__main__':
    main()
