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
    const [net, vlan] = await Promise.all([
      ok('network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '4242', 'cli-net', '-f', 'json'),
      ok('network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '150', 'cli-vlan', '-f', 'json'),
    ])
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
    const [p1, p2] = await Promise.all([
      ok('port', 'create', '--network', 'cli-net', '--host', 'test-host-7', 'cli-port', '-f', 'json'),
      ok('port', 'create', '--network', 'cli-net', '--fixed-ip', 'subnet=cli-sub,ip-address=198.51.100.77', 'cli-port2', '-f', 'json'),
    ])
    assert.equal(p1.name, 'cli-port')
    assert.equal(p1.binding_host_id, 'test-host-7')
    assert.equal(p1.binding_vif_type, 'test')
    assert.match(p1.mac_address, /^fa:16:3e:/)
    assert.equal(p1.fixed_ips.length, 1)
    assert.match(p1.fixed_ips[0].ip_address, /^198\.51\.100\./)
    assert.deepEqual(p2.fixed_ips.map((f: any) => f.ip_address), ['198.51.100.77'])
  })

  it('lists and shows', async () => {
    const [nets, ports, show, pshow, subs] = await Promise.all([
      ok('network', 'list', '-f', 'json'),
      ok('port', 'list', '--network', 'cli-net', '-f', 'json'),
      ok('network', 'show', 'cli-net', '-f', 'json'),
      ok('port', 'show', 'cli-port2', '-f', 'json'),
      ok('subnet', 'list', '--network', 'cli-net', '-f', 'json'),
    ])
    assert.deepEqual(nets.map((n: any) => n.Name).sort(), ['cli-net', 'cli-vlan'])
    assert.deepEqual(ports.map((p: any) => p.Name).sort(), ['cli-port', 'cli-port2'])
    assert.ok(ports.every((p: any) => p['MAC Address'] && p['Fixed IP Addresses'] && p.Status))
    assert.equal(show.name, 'cli-net')
    assert.equal(show.subnets.length, 1)
    assert.equal(pshow.fixed_ips[0].ip_address, '198.51.100.77')
    assert.deepEqual(subs.map((x: any) => x.Name), ['cli-sub'])
  })

  it('sets attributes on a network, a subnet and a port', async () => {
    await Promise.all([
      ok('network', 'set', '--name', 'cli-net-renamed', '--description', 'from the CLI', 'cli-net'),
      ok('port', 'set', '--name', 'cli-port-renamed', '--description', 'port from the CLI', 'cli-port'),
      ok('subnet', 'set', '--name', 'cli-sub-renamed', 'cli-sub'),
    ])
    const [net, port] = await Promise.all([
      ok('network', 'show', 'cli-net-renamed', '-f', 'json'),
      ok('port', 'show', 'cli-port-renamed', '-f', 'json'),
    ])
    assert.equal(net.description, 'from the CLI')
    assert.ok(net.revision_number > 1)
    assert.equal(port.description, 'port from the CLI')
  })

  it('reports errors with a non-zero exit', async () => {
    const [missing, inUse] = await Promise.all([
      os('network', 'show', 'no-such-net'),
      os('port', 'create', '--network', 'cli-net-renamed', '--fixed-ip', 'subnet=cli-sub-renamed,ip-address=198.51.100.77', 'dup'),
    ])
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /No Network found for no-such-net/)
    assert.notEqual(inUse.code, 0)
    assert.match(inUse.stderr, /198\.51\.100\.77 already allocated/)
  })

  it('deletes everything', async () => {
    await ok('port', 'delete', 'cli-port-renamed', 'cli-port2')
    await ok('subnet', 'delete', 'cli-sub-renamed')
    await ok('network', 'delete', 'cli-net-renamed', 'cli-vlan')
    const [nets, ports] = await Promise.all([ok('network', 'list', '-f', 'json'), ok('port', 'list', '-f', 'json')])
    assert.deepEqual(nets, [])
    assert.deepEqual(ports, [])
    assert.doesNotMatch(s.stderr(), /ERROR neutrino\.api/)
  })
})
