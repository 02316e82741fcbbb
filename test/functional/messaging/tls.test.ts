/**
 * [oslo_messaging_rabbit] ssl options against a real RabbitMQ amqps listener that requires client
 * certificates: a verified round trip (with the negotiated AMQP heartbeat visible on the broker),
 * a pinned TLS version, and both refusals — the broker refusing a client certificate from another
 * CA, the client refusing a broker certificate its ssl_ca_file did not sign — ending calls in
 * MessagingTimeout with the reason logged.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { memoryLogger } from '../../../src/common/log.js'
import { createTransport, MessagingTimeout, type AmqpTransport, type SslOptions } from '../../../src/messaging/index.js'
import { needComponent } from '../../helpers/components.js'
import { makeCerts } from '../../helpers/ovs-sandbox.js'
import { rabbitSkipReason, startRabbit, type RabbitNode } from '../../helpers/rabbitmq.js'
import { endpoint, listRows, until } from './helpers.js'

const skip = rabbitSkipReason() ?? needComponent('openssl', ['openssl'])

describe('messaging over TLS', { skip, timeout: 240_000 }, () => {
  let node: RabbitNode
  let certs: ReturnType<typeof makeCerts>
  const transports: AmqpTransport[] = []
  const tlsTransport = (ssl: SslOptions) => {
    const log = memoryLogger()
    const t = createTransport({ url: `rabbit://guest:guest@127.0.0.1:${node.tlsPort}/`, ssl, log, retry: { intervalMs: 200, backoffMs: 200, maxMs: 1000 } })
    transports.push(t)
    return { t, log }
  }

  before(async () => {
    certs = makeCerts()
    node = await startRabbit({ tls: { ca: certs.ca, cert: certs.server.cert, key: certs.server.key } })
  })
  after(async () => {
    for (const t of transports) await t.close()
    await node?.stop()
    certs?.cleanup()
  })

  it('verified amqps with a client certificate: round trip, heartbeat negotiated', async () => {
    const { t } = tlsTransport({ enabled: true, caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key })
    await t.rpcServer({ target: { topic: 'nmq-tls', server: 'h' }, endpoints: [endpoint('1.0', { hi: (_c, a) => `hi ${String(a.who)}` })] }).start()
    assert.equal(await t.call({ topic: 'nmq-tls' }, 'hi', { who: 'tls' }, { timeoutMs: 20_000 }), 'hi tls')
    const conns = listRows(node, 'connections', ['ssl', 'peer_cert_subject', 'timeout'])
    assert.ok(conns.some((r) => r[0] === 'true' && /CN=client/.test(r[1]!) && r[2] === '60'), JSON.stringify(conns))
  })

  it('ssl_version pins the TLS version', async () => {
    const { t } = tlsTransport({ enabled: true, caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key, version: 'TLSv1_2' })
    await t.rpcServer({ target: { topic: 'nmq-tls12', server: 'h' }, endpoints: [endpoint('1.0', { v: () => 'ok' })] }).start()
    assert.equal(await t.call({ topic: 'nmq-tls12' }, 'v', {}, { timeoutMs: 20_000 }), 'ok')
    const conns = listRows(node, 'connections', ['ssl_protocol'])
    // The first transport (not pinned) negotiated TLS 1.3; this one 1.2.
    assert.deepEqual(conns.map((r) => r[0]).sort(), ['tlsv1.2', 'tlsv1.3'])
  })

  it('the broker refuses a client certificate from another CA', async () => {
    const { t, log } = tlsTransport({ enabled: true, caFile: certs.ca, certFile: certs.rogue.cert, keyFile: certs.rogue.key })
    await assert.rejects(t.call({ topic: 'nmq-tls' }, 'hi', {}, { timeoutMs: 1500 }), MessagingTimeout)
    await until('the refusal logged', () => log.lines.find((l) => /is unreachable/.test(l)))
    assert.equal(t.connected, false)
  })

  it('the client refuses a broker certificate its ssl_ca_file did not sign', async () => {
    const { t, log } = tlsTransport({ enabled: true, caFile: join(certs.dir, 'rogueca.pem'), certFile: certs.client.cert, keyFile: certs.client.key })
    await assert.rejects(t.call({ topic: 'nmq-tls' }, 'hi', {}, { timeoutMs: 1500 }), MessagingTimeout)
    const line = await until('the refusal logged', () => log.lines.find((l) => /is unreachable/.test(l)))
    assert.match(line, /certificate|self.signed|verify/i)
  })
})
