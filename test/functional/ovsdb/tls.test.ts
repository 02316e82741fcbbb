/** ssl: (active) and pssl: (passive, switch dials us over TLS) with client certificates. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox, makeCerts, type TlsFiles } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { OvsdbManager } from '../../../src/ovsdb/manager.js'
import type { TlsOptions } from '../../../src/ovsdb/transport.js'
import { VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl', 'openssl'])
const load = (f: TlsFiles): TlsOptions => ({ key: readFileSync(f.key), cert: readFileSync(f.cert), ca: readFileSync(f.ca) })

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
    } finally {
      sb.vsctl('del-manager')
      await mgr.close()
    }
  })
})
