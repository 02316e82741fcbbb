/**
 * Conntrack flows built with this library, driving real traffic through ovs-vswitchd's
 * userspace conntrack (netdev bridge, two namespaces, addresses from 192.0.2.0/24): a stateful
 * rule lets ping out of A and its replies back, refuses pings from B, commits in the right zone
 * with the ct_mark written by exec(), and ct_clear untracks.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { act, flowMod, type FlowStats, type SwitchConnection, SwitchListener } from '../../../src/openflow/index.js'
import { needComponent } from '../../helpers/components.js'
import { OvsSwitch } from '../../helpers/ovs-switch.js'

const execFileP = promisify(execFile)
const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ovs-appctl', 'ping'])

/** True when at least one of `count` echo requests from `ns` to `ip` is answered. */
async function ping(ns: string, ip: string, count: number, waitS: number): Promise<boolean> {
  try {
    await execFileP('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', String(count), '-i', '0.3', '-W', String(waitS), ip])
    return true
  } catch {
    return false
  }
}

describe('conntrack on ovs-vswitchd (real packets)', { skip }, () => {
  let ovs: OvsSwitch
  let ctl: SwitchListener
  let sw: SwitchConnection
  let a: ReturnType<OvsSwitch['addNamespacePort']>
  let b: ReturnType<OvsSwitch['addNamespacePort']>
  const ZONE = 7
  const MARK = 5

  before(async () => {
    ovs = OvsSwitch.start()
    ctl = new SwitchListener({ echoInterval: 2000 })
    const path = ovs.unixPath()
    await ctl.listen({ path })
    const br = ovs.addBridge({ controller: `unix:${path}`, dpid: 0xc7n })
    sw = await ctl.waitForSwitch(0xc7n, 20000)
    a = ovs.addNamespacePort(br, '192.0.2.31/24')
    b = ovs.addNamespacePort(br, '192.0.2.32/24')
    const other = (p: number): number => (p === a.ofport ? b.ofport : a.ofport)
    await sw.apply([
      flowMod({ table: 0, priority: 100, match: { eth_type: 0x0806 }, actions: [act.output(0xfffffffa)] }), // NORMAL
      // untracked IP goes through conntrack in ZONE (zone from a register, as a pipeline would)
      flowMod({ table: 0, priority: 90, match: { eth_type: 0x0800, ct_state: { value: 0, mask: 0x20 } },
        actions: [act.regLoad('reg6', ZONE), act.ct({ zone: { field: 'reg6', ofs: 0, nbits: 16 }, table: 1 })] }),
      // new: ICMP echo from A only, committed with a mark
      flowMod({ table: 1, priority: 50, match: { in_port: a.ofport, eth_type: 0x0800, ip_proto: 1, icmpv4_type: 8,
        ct_state: { value: 0x21, mask: 0x23 }, ct_zone: ZONE },
      actions: [act.ct({ commit: true, zone: ZONE, actions: [act.setField('ct_mark', MARK)] }), act.output(b.ofport)] }),
      // established (either direction) of a marked connection
      ...[a.ofport, b.ofport].map((p) => flowMod({ table: 1, priority: 40, match: { in_port: p, eth_type: 0x0800,
        ct_state: { value: 0x22, mask: 0x33 }, ct_zone: ZONE, ct_mark: MARK }, actions: [act.ctClear(), act.output(other(p))] })),
      flowMod({ table: 1, priority: 0, actions: [] }),
    ])
  })

  after(async () => {
    await ctl?.close()
    ovs?.stop()
  })

  const stats = async (priority: number): Promise<FlowStats[]> => (await sw.flowStats({ table: 1 })).filter((f) => f.priority === priority)

  it('lets a ping out of A and its replies back, committing in the zone with the mark', async () => {
    assert.ok(await ping(a.ns, '192.0.2.32', 3, 5), 'ping A -> B through conntrack')
    const n = (fs: FlowStats[]): bigint => fs.reduce((s, f) => s + f.packetCount, 0n)
    assert.ok(n(await stats(50)) >= 1n, 'the +new flow committed the request')
    assert.ok(n(await stats(40)) >= 1n, 'the reply matched +est with the mark')
    const ct = ovs.appctl('dpctl/dump-conntrack', 'zone=7')
    assert.match(ct, /icmp,orig=\(src=192\.0\.2\.31,dst=192\.0\.2\.32,.*zone=7,mark=5/)
  })

  it('refuses pings started by B (new in the other direction)', async () => {
    const before = (await stats(0))[0]!.packetCount
    assert.equal(await ping(b.ns, '192.0.2.31', 2, 2), false)
    assert.ok((await stats(0))[0]!.packetCount > before, 'B\'s requests were dropped by the table-1 miss flow')
  })
})
