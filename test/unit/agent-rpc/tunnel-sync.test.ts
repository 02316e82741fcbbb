/**
 * tunnel_sync's endpoint table (type_tunnel.py TunnelRpcCallbackMixin): new endpoints, a host
 * whose local_ip changed (tunnel_delete for the old IP), an IP taken over by another host, a
 * legacy endpoint without host; every reply lists all endpoints of the type, tunnel_update goes out.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TOPIC_PLUGIN } from '../../../src/agent-rpc/agent-rpc-server.js'
import { startHarness, type Harness } from '../../helpers/agent-rpc-harness.js'

describe('tunnel_sync endpoints', () => {
  let h: Harness
  const sync = (tunnel_ip: string, host: string | undefined, tunnel_type = 'vxlan') =>
    h.call(TOPIC_PLUGIN, 'tunnel_sync', '1.4', { tunnel_ip, tunnel_type, ...(host ? { host } : {}) })
  const casts = () => h.t.casts.filter((c) => c.method.startsWith('tunnel_')).map((c) => [c.method, c.args.tunnel_ip, c.args.tunnel_type])

  before(async () => {
    h = await startHarness()
  })
  after(() => h.close())

  it('registers, moves, takes over and upgrades endpoints as Zed does', async () => {
    assert.deepEqual(await sync('198.51.100.1', 'hv1'), { tunnels: [{ ip_address: '198.51.100.1', udp_port: 4789, host: 'hv1' }] })
    assert.deepEqual((await sync('198.51.100.2', 'hv2')).tunnels.map((t: any) => t.host), ['hv1', 'hv2'])
    // hv1's local_ip changed: the others drop the old tunnel.
    assert.deepEqual(await sync('198.51.100.11', 'hv1'), { tunnels: [
      { ip_address: '198.51.100.11', udp_port: 4789, host: 'hv1' }, { ip_address: '198.51.100.2', udp_port: 4789, host: 'hv2' },
    ] })
    assert.deepEqual(casts().slice(-2), [['tunnel_delete', '198.51.100.1', 'vxlan'], ['tunnel_update', '198.51.100.11', 'vxlan']])
    // hv3 takes over hv1's IP: hv1's rows go.
    assert.deepEqual((await sync('198.51.100.11', 'hv3')).tunnels.map((t: any) => [t.ip_address, t.host]), [['198.51.100.11', 'hv3'], ['198.51.100.2', 'hv2']])
    // A legacy endpoint (no host) adopted by the host that reports it.
    await sync('198.51.100.5', undefined)
    assert.deepEqual((await sync('198.51.100.5', 'hv5')).tunnels.find((t: any) => t.ip_address === '198.51.100.5'), { ip_address: '198.51.100.5', udp_port: 4789, host: 'hv5' })
    // gre endpoints have no udp_port and a table of their own.
    assert.deepEqual(await sync('198.51.100.1', 'hv1', 'gre'), { tunnels: [{ ip_address: '198.51.100.1', host: 'hv1' }] })
  })
})
