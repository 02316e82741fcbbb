/**
 * Policy over HTTP: operator overrides in a policy file ([oslo_policy] policy_file), Neutron's
 * 404-versus-403 answers, reloads, a broken file stopping the real server, and tempest-like flows
 * between projects under the default rules (noauth identities: X-Project-Id / X-Roles).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { BIN, builtSkipReason, configFor, makeTempDir, runNeutrino } from '../../helpers/server-process.js'
import { httpCall } from '../../helpers/http.js'
import { spawn } from 'node:child_process'

const ADMIN = {} // no project header: noauth admin of default_project_id
const A = { 'X-Project-Id': 'pa', 'X-Roles': 'member' }
const B = { 'X-Project-Id': 'pb', 'X-Roles': 'member' }
const PROVIDER = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id']

async function withPolicy(rules: string): Promise<{ s: TestServer; file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'neutrino-policy-'))
  const file = join(dir, 'policy.yaml')
  writeFileSync(file, rules)
  const s = await startNeutrino({ ini: `[oslo_policy]\npolicy_file = ${file}\n` })
  return { s, file, dir }
}

describe('a policy file overrides the defaults', () => {
  let s: TestServer
  let dir: string
  let aNet: string
  let sharedNet: string
  before(async () => {
    ;({ s, dir } = await withPolicy([
      '# members may no longer create networks; owners may read their provider attributes',
      '"create_network": "rule:admin_only"',
      '"get_network:provider:network_type": "rule:admin_or_owner"',
      '"get_network:provider:physical_network": "rule:admin_or_owner"',
      "'get_network:provider:segmentation_id': 'rule:admin_or_owner'",
      'context_is_admin: role:admin or role:cloud_admin',
    ].join('\n')))
    aNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'a-net', project_id: 'pa' } }, ADMIN)).body.network.id
    sharedNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } }, ADMIN)).body.network.id
  })
  after(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('create_network: "rule:admin_only" → 403 for members, 201 for admins', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'x', project_id: 'pa' } }, A)
    assert.equal(r.status, 403)
    assert.deepEqual(r.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:create_network is disallowed by policy', detail: '' })
    const bulk = await s.call('POST', '/v2.0/networks', { networks: [{ name: 'x', project_id: 'pa' }] }, A)
    assert.equal(bulk.status, 403)
    assert.equal((await s.call('POST', '/v2.0/networks', { network: { name: 'x' } }, ADMIN)).status, 201)
  })

  it('owners now see the provider attributes of their networks (show, list, fields), not of others', async () => {
    const shown = (await s.call('GET', `/v2.0/networks/${aNet}`, undefined, A)).body.network
    assert.equal(shown['provider:network_type'], 'vxlan')
    for (const k of PROVIDER) assert.ok(k in shown, k)
    assert.ok(!('segments' in shown) || true)
    const list = (await s.call('GET', '/v2.0/networks', undefined, A)).body.networks
    const mine = list.find((n: any) => n.id === aNet)
    const theirs = list.find((n: any) => n.id === sharedNet)
    assert.equal(mine['provider:network_type'], 'vxlan')
    assert.ok(theirs, 'the shared network is listed')
    for (const k of PROVIDER) assert.ok(!(k in theirs), k)
    const f = (await s.call('GET', `/v2.0/networks?fields=id&fields=provider:segmentation_id`, undefined, A)).body.networks
    assert.deepEqual(Object.keys(f.find((n: any) => n.id === aNet)).sort(), ['id', 'provider:segmentation_id'])
    assert.deepEqual(Object.keys(f.find((n: any) => n.id === sharedNet)), ['id'])
    // Filtering on them is allowed now (a rule that depends on the item is not a blanket hide).
    const byType = (await s.call('GET', '/v2.0/networks?provider:network_type=vxlan', undefined, A)).body.networks
    assert.ok(byType.some((n: any) => n.id === aNet))
  })

  it('context_is_admin: "role:admin or role:cloud_admin" makes cloud_admin an admin', async () => {
    const C = { 'X-Project-Id': 'pz', 'X-Roles': 'cloud_admin' }
    const r = await s.call('GET', `/v2.0/networks/${aNet}`, undefined, C)
    assert.equal(r.status, 200, 'sees other projects\' networks')
    const created = await s.call('POST', '/v2.0/networks', { network: { name: 'vlan', project_id: 'pz', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' } }, C)
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.network['provider:network_type'], 'vlan')
  })
})

describe('404 or 403: Neutron hides what the caller may not see', () => {
  let s: TestServer
  let dir: string
  let aNet: string
  let sharedNet: string
  before(async () => {
    ;({ s, dir } = await withPolicy(JSON.stringify({
      get_network: 'rule:admin_only or rule:shared',
      update_network: 'rule:admin_only',
      delete_network: 'rule:admin_only',
    })))
    aNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'a-net', project_id: 'pa' } }, A)).body.network.id
    sharedNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } }, ADMIN)).body.network.id
  })
  after(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('own private network: now invisible — show 404, not listed, update and delete 404', async () => {
    const show = await s.call('GET', `/v2.0/networks/${aNet}`, undefined, A)
    assert.equal(show.status, 404)
    assert.deepEqual(show.body.NeutronError, { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' })
    assert.deepEqual((await s.call('GET', '/v2.0/networks', undefined, A)).body.networks.map((n: any) => n.id), [sharedNet])
    for (const [m, body] of [['PUT', { network: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const r = await s.call(m, `/v2.0/networks/${aNet}`, body, A)
      assert.equal(r.status, 404, m)
      assert.equal(r.body.NeutronError.message, 'The resource could not be found.')
    }
  })

  it('shared network: visible, so update and delete are 403 PolicyNotAuthorized', async () => {
    assert.equal((await s.call('GET', `/v2.0/networks/${sharedNet}`, undefined, A)).status, 200)
    const upd = await s.call('PUT', `/v2.0/networks/${sharedNet}`, { network: { name: 'x' } }, A)
    assert.equal(upd.status, 403)
    assert.equal(upd.body.NeutronError.message, 'rule:update_network is disallowed by policy')
    const del = await s.call('DELETE', `/v2.0/networks/${sharedNet}`, undefined, A)
    assert.deepEqual(del.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:delete_network is disallowed by policy', detail: '' })
  })

  it('the admin is unaffected', async () => {
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}`, { network: { name: 'renamed' } }, ADMIN)).status, 200)
    assert.equal((await s.call('DELETE', `/v2.0/networks/${aNet}`, undefined, ADMIN)).status, 204)
  })
})

describe('a policy file overrides the tag rules and widens subnet pool updates', () => {
  let s: TestServer
  let dir: string
  let aNet: string
  let sharedNet: string
  let sharedPool: string
  before(async () => {
    ;({ s, dir } = await withPolicy([
      '# members may change their networks, but only admins their tags; anyone may tag shared networks',
      '"update_networks_tags": "rule:admin_only or rule:shared"',
      '"delete_networks_tags": "rule:admin_only"',
      '# router tags are private to admins (the router itself stays visible to its owner)',
      '"get_routers_tags": "rule:admin_only"',
      '# ports and their tags are admin-only: hidden (404), as the port is',
      '"get_port": "rule:admin_only"',
      '"get_ports_tags": "rule:admin_only"',
      '"update_ports_tags": "rule:admin_only"',
      '"delete_ports_tags": "rule:admin_only"',
      '# any member may update or delete a shared pool',
      '"update_subnetpool": "rule:admin_or_owner or rule:shared_subnetpools"',
      '"delete_subnetpool": "rule:admin_or_owner or rule:shared_subnetpools"',
    ].join('\n')))
    aNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'a-net', project_id: 'pa' } }, A)).body.network.id
    sharedNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } }, ADMIN)).body.network.id
    sharedPool = (await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'pool', prefixes: ['10.80.0.0/16'], shared: true } }, ADMIN)).body.subnetpool.id
  })
  after(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('update_/delete_networks_tags: the owner may rename the network but no longer tag it', async () => {
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}`, { network: { name: 'renamed' } }, A)).status, 200)
    const put = await s.call('PUT', `/v2.0/networks/${aNet}/tags/x`, undefined, A)
    assert.deepEqual(put.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:update_networks_tags is disallowed by policy', detail: '' })
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}/tags`, { tags: ['y'] }, A)).status, 403)
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}/tags/x`, undefined, ADMIN)).status, 201)
    const del = await s.call('DELETE', `/v2.0/networks/${aNet}/tags`, undefined, A)
    assert.equal(del.body.NeutronError.message, 'rule:delete_networks_tags is disallowed by policy')
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${aNet}/tags`, undefined, A)).body, { tags: ['x'] })
  })

  it('a widened rule lets another project tag a shared network (the default would not)', async () => {
    assert.equal((await s.call('PUT', `/v2.0/networks/${sharedNet}/tags/from-b`, undefined, B)).status, 201)
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${sharedNet}`, undefined, ADMIN)).body.network.tags, ['from-b'])
    assert.equal((await s.call('DELETE', `/v2.0/networks/${sharedNet}/tags/from-b`, undefined, B)).status, 403)
  })

  it('get_routers_tags: the owner sees the router and its tags attribute, but GET …/tags is 403', async () => {
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'r', tenant_id: 'pa' } }, A)).body.router.id
    assert.equal((await s.call('PUT', `/v2.0/routers/${router}/tags/t`, undefined, A)).status, 201)
    assert.deepEqual((await s.call('GET', `/v2.0/routers/${router}`, undefined, A)).body.router.tags, ['t'])
    const get = await s.call('GET', `/v2.0/routers/${router}/tags`, undefined, A)
    assert.deepEqual(get.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:get_routers_tags is disallowed by policy', detail: '' })
    assert.equal((await s.call('GET', `/v2.0/routers/${router}/tags/t`, undefined, A)).status, 403)
    assert.deepEqual((await s.call('GET', `/v2.0/routers/${router}/tags`, undefined, ADMIN)).body, { tags: ['t'] })
  })

  it('tag rules and get_port denied: the tags of a port are 404 "The resource could not be found.", as the port is', async () => {
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: aNet, project_id: 'pa' } }, A)).body.port.id
    assert.equal((await s.call('GET', `/v2.0/ports/${port}`, undefined, A)).status, 404)
    for (const [m, body] of [['GET', undefined], ['PUT', { tags: ['x'] }], ['DELETE', undefined]] as const) {
      const r = await s.call(m, `/v2.0/ports/${port}/tags`, body, A)
      assert.deepEqual(r.body.NeutronError, { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' }, m)
    }
  })

  it('update_/delete_subnetpool: a widened rule lets another project change and delete a shared pool', async () => {
    const upd = await s.call('PUT', `/v2.0/subnetpools/${sharedPool}`, { subnetpool: { name: 'by-b' } }, B)
    assert.equal(upd.status, 200, JSON.stringify(upd.body))
    assert.equal(upd.body.subnetpool.name, 'by-b')
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${sharedPool}`, undefined, B)).status, 204)
    assert.equal((await s.call('GET', `/v2.0/subnetpools/${sharedPool}`, undefined, ADMIN)).status, 404)
  })
})

describe('policy file reload', () => {
  it('a changed file takes effect within a second; a broken change keeps the rules in force', async () => {
    const { s, file, dir } = await withPolicy('create_network: rule:admin_only\n')
    try {
      const create = () => s.call('POST', '/v2.0/networks', { network: { name: 'x', project_id: 'pa' } }, A)
      assert.equal((await create()).status, 403)
      writeFileSync(file, '# back to the defaults\n')
      utimesSync(file, new Date(), new Date(Date.now() + 10_000))
      await new Promise((r) => setTimeout(r, 1100))
      assert.equal((await create()).status, 201)
      writeFileSync(file, 'create_network: role:admin and\n')
      utimesSync(file, new Date(), new Date(Date.now() + 20_000))
      await new Promise((r) => setTimeout(r, 1100))
      assert.equal((await create()).status, 201, 'the broken rule is not applied')
      assert.ok(s.log.lines.some((l: string) => l.includes('not reloaded') && l.includes('create_network')), s.log.lines.join('\n'))
    } finally {
      await s.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('tempest-like flows under the default policy', () => {
  let s: TestServer
  let shared: string // the admin's shared network with a subnet
  let aNet: string
  let aPort: string
  let bPort: string // B's port on the shared network
  let hostedForA: string // the admin's network owned by A, shared
  before(async () => {
    s = await startNeutrino()
    shared = (await s.call('POST', '/v2.0/networks', { network: { name: 'public', shared: true } }, ADMIN)).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: shared, ip_version: 4, cidr: '192.0.2.0/24' } }, ADMIN)
    aNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'a', project_id: 'pa' } }, A)).body.network.id
    aPort = (await s.call('POST', '/v2.0/ports', { port: { network_id: aNet, project_id: 'pa' } }, A)).body.port.id
    hostedForA = (await s.call('POST', '/v2.0/networks', { network: { name: 'a-shared', project_id: 'pa', shared: true } }, ADMIN)).body.network.id
  })
  after(() => s.close())

  it("a member of project B cannot see A's network or port; the admin can", async () => {
    assert.equal((await s.call('GET', `/v2.0/ports/${aPort}`, undefined, B)).status, 404)
    assert.equal((await s.call('GET', `/v2.0/networks/${aNet}`, undefined, B)).status, 404)
    assert.ok(!(await s.call('GET', '/v2.0/ports', undefined, B)).body.ports.some((p: any) => p.id === aPort))
    const adm = await s.call('GET', `/v2.0/ports/${aPort}`, undefined, ADMIN)
    assert.equal(adm.status, 200)
    assert.equal(adm.body.port['binding:vif_type'], 'unbound', 'admins see binding attributes')
    const own = (await s.call('GET', `/v2.0/ports/${aPort}`, undefined, A)).body.port
    assert.ok(!('binding:vif_type' in own) && own['binding:vnic_type'] === 'normal')
    assert.equal((await s.call('PUT', `/v2.0/ports/${aPort}`, { port: { name: 'x' } }, B)).status, 404)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${aPort}`, undefined, B)).status, 404)
    const onA = await s.call('POST', '/v2.0/ports', { port: { network_id: aNet, project_id: 'pb' } }, B)
    assert.equal(onA.status, 404)
    assert.equal(onA.body.NeutronError.type, 'NetworkNotFound')
  })

  it('the shared network is visible to B, who creates a port on it; A does not see that port', async () => {
    const list = (await s.call('GET', '/v2.0/networks', undefined, B)).body.networks.map((n: any) => n.id)
    assert.ok(list.includes(shared) && !list.includes(aNet))
    assert.equal((await s.call('GET', `/v2.0/subnets?network_id=${shared}`, undefined, B)).body.subnets.length, 1)
    const p = await s.call('POST', '/v2.0/ports', { port: { network_id: shared, project_id: 'pb', name: 'b-on-public' } }, B)
    assert.equal(p.status, 201, JSON.stringify(p.body))
    bPort = p.body.port.id
    assert.equal(p.body.port.fixed_ips.length, 1)
    assert.equal((await s.call('GET', `/v2.0/ports/${bPort}`, undefined, B)).status, 200)
    assert.equal((await s.call('GET', `/v2.0/ports/${bPort}`, undefined, A)).status, 404)
    assert.equal((await s.call('GET', `/v2.0/ports/${bPort}`, undefined, ADMIN)).status, 200)
    // Only the network owner picks addresses or MACs on a shared network.
    const ip = await s.call('POST', '/v2.0/ports', { port: { network_id: shared, project_id: 'pb', fixed_ips: [{ ip_address: '192.0.2.50' }] } }, B)
    assert.equal(ip.status, 403)
    assert.equal(ip.body.NeutronError.message, '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:ip_address))) is disallowed by policy')
    const mac = await s.call('POST', '/v2.0/ports', { port: { network_id: shared, project_id: 'pb', mac_address: 'fa:16:3e:aa:bb:cc' } }, B)
    assert.equal(mac.body.NeutronError.message, '(rule:create_port and rule:create_port:mac_address) is disallowed by policy')
    const dhcp = await s.call('POST', '/v2.0/ports', { port: { network_id: shared, project_id: 'pb', device_owner: 'network:dhcp' } }, B)
    assert.equal(dhcp.body.NeutronError.message, '(rule:create_port and rule:create_port:device_owner) is disallowed by policy')
  })

  it('B may not change, delete, or add subnets to the shared network (403: it can see it)', async () => {
    const upd = await s.call('PUT', `/v2.0/networks/${shared}`, { network: { name: 'mine' } }, B)
    assert.deepEqual(upd.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:update_network is disallowed by policy', detail: '' })
    assert.equal((await s.call('DELETE', `/v2.0/networks/${shared}`, undefined, B)).status, 403)
    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: shared, project_id: 'pb', ip_version: 4, cidr: '198.51.100.0/24' } }, B)
    assert.equal(sub.status, 403)
    assert.equal(sub.body.NeutronError.message, 'rule:create_subnet is disallowed by policy')
  })

  it("the owner of a shared network sees, and may delete, other projects' ports on it", async () => {
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: hostedForA, ip_version: 4, cidr: '10.9.0.0/24' } }, ADMIN)
    const p = await s.call('POST', '/v2.0/ports', { port: { network_id: hostedForA, project_id: 'pb' } }, B)
    assert.equal(p.status, 201, JSON.stringify(p.body))
    const seen = (await s.call('GET', `/v2.0/ports?network_id=${hostedForA}`, undefined, A)).body.ports
    assert.deepEqual(seen.map((x: any) => x.id), [p.body.port.id])
    assert.equal((await s.call('PUT', `/v2.0/ports/${p.body.port.id}`, { port: { name: 'x' } }, A)).status, 403)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${p.body.port.id}`, undefined, A)).status, 204)
  })

  it('external networks: visible to all, but nobody else may put ports or subnets on them', async () => {
    const ext = (await s.call('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true } }, ADMIN)).body.network.id
    assert.equal((await s.call('GET', `/v2.0/networks/${ext}`, undefined, B)).status, 200)
    const port = await s.call('POST', '/v2.0/ports', { port: { network_id: ext, project_id: 'pb' } }, B)
    assert.equal(port.status, 403)
    assert.deepEqual(port.body.NeutronError, { type: 'HTTPForbidden', message: 'Tenant pb not allowed to create port on this network', detail: '' })
  })
})

describe('the server process and the policy file', { skip: builtSkipReason() }, () => {
  it('finds a relative policy_file next to its config file and enforces it', async () => {
    const dir = makeTempDir('neutrino-policy-proc-')
    try {
      writeFileSync(join(dir, 'my-policy.yaml'), '"create_network": "role:admin"\n')
      const conf = configFor(dir, { ini: '[oslo_policy]\npolicy_file = my-policy.yaml\n' })
      const p = await startServerProcessWith(conf)
      try {
        const r = await p.call('POST', '/v2.0/networks', { network: { name: 'x', project_id: 'pa' } }, A)
        assert.equal(r.status, 403)
        assert.equal(r.body.NeutronError.message, 'rule:create_network is disallowed by policy')
      } finally {
        await p.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  for (const c of [
    { text: 'create_network: role:admin and\n', why: /rule "create_network": unexpected end of rule/ },
    { text: 'create_network: admin\n', why: /rule "create_network": "admin" is not a check/ },
    { text: 'a: rule:b\nb: rule:a\n', why: /rules refer to each other in a cycle: a -> b -> a/ },
    { text: 'create_network:\n  - - role:admin\n', why: /policy\.yaml:2: list items must be rule strings/ },
    { text: '"get_port": "tenant_id:abc"\n', why: /rule "get_port": "tenant_id:abc": a tenant_id check must match %\(<field>\)s/ },
  ]) {
    it(`a broken policy file (${JSON.stringify(c.text.trim())}) stops the server: exit 2, one line naming file and rule`, async () => {
      const dir = makeTempDir('neutrino-policy-bad-')
      try {
        writeFileSync(join(dir, 'policy.yaml'), c.text)
        const conf = configFor(dir, {})
        const r = await runNeutrino(['server', '--config-file', conf], { cwd: dir })
        assert.equal(r.code, 2, `stdout: ${r.stdout} stderr: ${r.stderr}`)
        const lines = r.stderr.split('\n').filter((l) => l !== '')
        assert.equal(lines.length, 1, r.stderr)
        assert.ok(lines[0]!.startsWith(`neutrino: ${join(dir, 'policy.yaml')}`), lines[0])
        assert.match(lines[0]!, c.why)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})

/** startServerProcess for an existing config file (its directory is removed by the caller). */
async function startServerProcessWith(configFile: string) {
  const child = spawn(process.execPath, [BIN, 'server', '--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
  const port = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no start: ${err}`)), 20000)
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out)
      if (m) {
        clearTimeout(t)
        res(Number(m[1]))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(t)
      rej(new Error(`exited ${code}: ${err}`))
    })
  })
  const url = `http://127.0.0.1:${port}`
  return {
    call: (m: string, path: string, body?: unknown, headers?: Record<string, string>) => httpCall(url, m, path, body, headers),
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res()
        child.once('exit', () => res())
        process.kill(child.pid!, 'SIGTERM')
      }),
  }
}
