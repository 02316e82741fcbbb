/** ssl: (active) and pssl: (passive, switch dials us over TLS) with client certificates. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox, makeCerts, type TlsFiles } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { OvsdbDialer } from '../../../src/ovsdb/dialer.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { OvsdbManager } from '../../../src/ovsdb/manager.js'
import type { TlsOptions } from '../../../src/ovsdb/transport.js'
import { VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl', 'openssl'])
const load = (f: TlsFiles): TlsOptions => ({ key: readFileSync(f.key), cert: readFileSync(f.cert), ca: readFileSync(f.ca) })
/** "AB:CD:…" as Node reports it, from openssl. */
const fingerprint = (certFile: string): string => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile], { encoding: 'utf8' }).trim().split('=')[1]!

describe('TLS', { skip, timeout: 60_000 }, () => {
  let certs: ReturnType<typeof makeCerts>
  let sb: OvsdbSandbox
  before(async () => {
    certs = makeCerts()
    sb = await OvsdbSandbox.start({ remote: 'pssl', tls: certs.server })
  })
  after(async () => {
    await sb?.stop()
    certs?.cleanup()
  })

  it('active ssl: with a client certificate signed by the CA', async () => {
    const c = await OvsdbClient.connect(`ssl:127.0.0.1:${sb.port}`, { tls: load(certs.client), logger: silentLogger })
    try {
      const api = await VswitchApi.create(c)
      await api.addBridge('br-tls')
      assert.equal(sb.vsctl('list-br'), 'br-tls')
    } finally {
      c.close()
    }
  })

  it('active ssl: a certificate from another CA is refused', async () => {
    // With TLS 1.3 the client's handshake completes before the server has checked the client
    // certificate, so the refusal may surface on the first request instead of at connect.
    await assert.rejects(async () => {
      const c = await OvsdbClient.connect(`ssl:127.0.0.1:${sb.port}`, { tls: load(certs.rogue), logger: silentLogger, connectTimeoutMs: 3000, requestTimeoutMs: 3000 })
      try {
        await c.listDbs()
      } finally {
        c.close()
      }
    })
  })

  it('passive pssl: ovsdb-server dials our TLS manager port', async () => {
    const mgr = await OvsdbManager.listen('pssl:0:127.0.0.1', { tls: load(certs.client), logger: silentLogger })
    try {
      sb.vsctl('set-manager', `ssl:127.0.0.1:${mgr.port}`)
      const sw = await mgr.waitForNode()
      assert.equal(sw.id, sb.vsctl('get', 'Open_vSwitch', '.', '_uuid'))
      assert.ok((await sw.client.listDbs()).includes('Open_vSwitch'))
      // The switch's certificate is its identity: CN and fingerprint, verified against our CA.
      assert.equal(sw.peerCertificate?.subjectCN, 'server')
      assert.equal(sw.peerCertificate?.fingerprint256, fingerprint(certs.server.cert))
    } finally {
      sb.vsctl('del-manager')
      await mgr.close()
    }
  })

  it('passive pssl: a switch with a certificate from another CA never becomes a node', async () => {
    const rogue = await OvsdbSandbox.start({ tls: certs.rogue })
    const mgr = await OvsdbManager.listen('pssl:0:127.0.0.1', { tls: load(certs.client), logger: silentLogger })
    try {
      const refused = new Promise<Error>((r) => mgr.server.once('tlsClientError', r))
      rogue.vsctl('set-manager', `ssl:127.0.0.1:${mgr.port}`)
      assert.ok(await refused)
      assert.equal(mgr.nodes.size, 0)
    } finally {
      await mgr.close()
      await rogue.stop()
    }
  })

  it('authorize ties the certificate to the claimed identity (CN must equal system-id)', async () => {
    const authorize = (n: { systemId: string | undefined; peerCertificate: { subjectCN: string | undefined } | undefined }) =>
      n.peerCertificate?.subjectCN === n.systemId ? undefined : `certificate CN ${n.peerCertificate?.subjectCN} does not match system-id ${n.systemId}`
    const mgr = await OvsdbManager.listen('pssl:0:127.0.0.1', { tls: load(certs.client), logger: silentLogger, authorize })
    try {
      sb.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=hv-impostor')
      const rejected = new Promise<string>((r) => mgr.once('rejected', (_remote, why) => r(why)))
      sb.vsctl('set-manager', `ssl:127.0.0.1:${mgr.port}`)
      assert.match(await rejected, /not authorized: certificate CN server does not match system-id hv-impostor/)
      assert.equal(mgr.nodes.size, 0)
      sb.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=server')
      const sw = await mgr.waitForNode((n) => n.systemId === 'server', 30_000)
      assert.equal(sw.peerCertificate?.subjectCN, 'server')
    } finally {
      sb.vsctl('del-manager')
      sb.vsctl('remove', 'Open_vSwitch', '.', 'external_ids', 'system-id')
      await mgr.close()
    }
  })

  it('active ssl: the dialer presents our certificate and records the switch\'s', async () => {
    const dialer = new OvsdbDialer([`ssl:127.0.0.1:${sb.port}`], { tls: load(certs.client), logger: silentLogger })
    try {
      const n = await dialer.waitForNode()
      assert.equal(n.mode, 'active')
      assert.equal(n.peerCertificate?.subjectCN, 'server')
      assert.equal(n.peerCertificate?.fingerprint256, fingerprint(certs.server.cert))
    } finally {
      dialer.close()
    }
  })
})
