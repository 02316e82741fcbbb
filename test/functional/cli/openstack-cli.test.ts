/**
 * The real `openstack` CLI (python3-openstackclient, noauth: --os-auth-type none --os-endpoint)
 * against the real server process: network / subnet / port create, list, show, set, delete, as
 * an operator types them (compare /work/shared/reference/neutron/cli-debug.txt). Each command is
 * its own process; exit codes and `-f json` output are checked.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { builtSkipReason, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const skip = needComponent('openstack CLI', ['openstack']) ?? builtSkipReason()

describe('openstack CLI against neutrino', { skip }, () => {
  let s: ServerProcess
  before(async () => {
    s = await startServerProcess()
  })
  after(() => s?.stop())

  /** Runs `openstack ARGS` with noauth against the server; resolves even on failure. */
  function os(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((res) => {
      execFile(
        'openstack',
        ['--os-auth-type', 'none', '--os-endpoint', s.url, ...args],
        // no OS_* from the environment may point the CLI elsewhere
        { env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' }, timeout: 60_000 },
        (err, stdout, stderr) => res({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
      )
    })
  }
  async function ok(...args: string[]): Promise<any> {
    const r = await os(...args)
    assert.equal(r.code, 0, `openstack ${args.join(' ')}\n${r.stderr}`)
    return args.includes('json') ? JSON.parse(r.stdout) : r.stdout
  }

  it('creates networks (vxlan with a given VNI, vlan on physnet1) and a subnet', async () => {
    const net = await ok('network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '4242', 'cli-net', '-f', 'json')
    const vlan = await ok('network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '150', 'cli-vlan', '-f', 'json')
    assert.equal(net.name, 'cli-net')
    assert.equal(net['provider:network_type'], 'vxlan')
    assert.equal(net['provider:segmentation_id'], 4242)
    assert.equal(net.mtu, 1450)
    assert.equal(net.status, 'ACTIVE')
    assert.equal(vlan['provider:physical_network'], 'physnet1')
    assert.equal(vlan['provider:segmentation_id'], 150)
    const sub = await ok('subnet', 'create', '--network', 'cli-net', '--subnet-range', '198.51.100.0/24', 'cli-sub', '-f', 'json')
    assert.equal(sub.cidr, '198.51.100.0/24')
    assert.equal(sub.gateway_ip, '198.51.100.1')
    assert.equal(sub.network_id, net.id)
  })

  it('creates ports: bound on a host, and with a fixed IP', async () => {
    const p1 = await ok('port', 'create', '--network', 'cli-net', '--host', 'test-host-7', 'cli-port', '-f', 'json')
    const p2 = await ok('port', 'create', '--network', 'cli-net', '--fixed-ip', 'subnet=cli-sub,ip-address=198.51.100.77', 'cli-port2', '-f', 'json')
    assert.equal(p1.name, 'cli-port')
    assert.equal(p1.binding_host_id, 'test-host-7')
    assert.equal(p1.binding_vif_type, 'test')
    assert.match(p1.mac_address, /^fa:16:3e:/)
    assert.equal(p1.fixed_ips.length, 1)
    assert.match(p1.fixed_ips[0].ip_address, /^198\.51\.100\./)
    assert.deepEqual(p2.fixed_ips.map((f: any) => f.ip_address), ['198.51.100.77'])
  })

  it('lists and shows', async () => {
    const nets = await ok('network', 'list', '-f', 'json')
    assert.deepEqual(nets.map((n: any) => n.Name).sort(), ['cli-net', 'cli-vlan'])
    const ports = await ok('port', 'list', '--network', 'cli-net', '-f', 'json')
    assert.deepEqual(ports.map((p: any) => p.Name).sort(), ['cli-port', 'cli-port2'])
    assert.ok(ports.every((p: any) => p['MAC Address'] && p['Fixed IP Addresses'] && p.Status))
    const show = await ok('network', 'show', 'cli-net', '-f', 'json')
    assert.equal(show.name, 'cli-net')
    assert.equal(show.subnets.length, 1)
  })

  it('sets attributes on a network and a port, shows the port', async () => {
    await ok('network', 'set', '--name', 'cli-net-renamed', '--description', 'from the CLI', 'cli-net')
    await ok('port', 'set', '--name', 'cli-port-renamed', '--description', 'port from the CLI', 'cli-port2')
    const port = await ok('port', 'show', 'cli-port-renamed', '-f', 'json')
    assert.equal(port.description, 'port from the CLI')
    assert.equal(port.fixed_ips[0].ip_address, '198.51.100.77')
    assert.ok(port.revision_number > 1)
  })

  it('reports an error with a non-zero exit', async () => {
    const inUse = await os('port', 'create', '--network', 'cli-net-renamed', '--fixed-ip', 'subnet=cli-sub,ip-address=198.51.100.77', 'dup')
    assert.notEqual(inUse.code, 0)
    assert.match(inUse.stderr, /198\.51\.100\.77 already allocated/)
  })

  it('deletes everything', async () => {
    await ok('port', 'delete', 'cli-port', 'cli-port-renamed')
    await ok('subnet', 'delete', 'cli-sub')
    await ok('network', 'delete', 'cli-net-renamed', 'cli-vlan')
    const missing = await os('network', 'show', 'cli-vlan')
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /No Network found for cli-vlan/)
    assert.deepEqual((await s.call('GET', '/v2.0/networks')).body.networks, [])
    assert.deepEqual((await s.call('GET', '/v2.0/ports')).body.ports, [])
    assert.doesNotMatch(s.stderr(), /ERROR neutrino\.api/)
  })
})
