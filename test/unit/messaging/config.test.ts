/** The messaging options: declared once, mapped onto the transport, bad values refused at load naming file:line. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { transportOptionsFromConfig } from '../../../src/apps/server/messaging.js'
import { memoryLogger } from '../../../src/common/log.js'
import { tlsSocketOptions } from '../../../src/messaging/transport-options.js'
import { cfg, errorOf } from '../conf/helpers.js'

describe('messaging options', () => {
  const log = memoryLogger()
  it('no transport_url: no transport', () => {
    assert.equal(transportOptionsFromConfig(cfg(''), log), undefined)
  })
  it('defaults are oslo.messaging 14 / Neutron ones', () => {
    const o = transportOptionsFromConfig(cfg('[DEFAULT]\ntransport_url = rabbit://u:p@192.0.2.1:5672,u:p@192.0.2.2:5672/\n'), log)!
    assert.equal(o.url, 'rabbit://u:p@192.0.2.1:5672,u:p@192.0.2.2:5672/')
    assert.equal(o.controlExchange, 'neutron')
    assert.equal(o.rpcResponseTimeoutMs, 60_000)
    assert.equal(o.heartbeatTimeoutThreshold, 60)
    assert.equal(o.heartbeatRate, 2)
    assert.equal(o.transientQueuesTtlMs, 1_800_000)
    assert.equal(o.directMandatoryFlag, true)
    assert.deepEqual(o.retry, { intervalMs: 1000, backoffMs: 2000, maxMs: 30_000 })
    assert.equal(o.ssl?.enabled, false)
    assert.equal(tlsSocketOptions(o.ssl), undefined)
  })
  it('maps every option', () => {
    const o = transportOptionsFromConfig(cfg([
      '[DEFAULT]', 'transport_url = rabbit://h/', 'control_exchange = other', 'rpc_response_timeout = 7',
      '[oslo_messaging_rabbit]', 'heartbeat_timeout_threshold = 0', 'rabbit_transient_queues_ttl = 10', 'direct_mandatory_flag = false',
      'rabbit_use_ssl = true', 'ssl_version = TLSv1_2', 'ssl_ca_file = /x/ca.pem', 'ssl_cert_file = /x/c.pem', 'ssl_key_file = /x/k.pem',
      'rabbit_retry_interval = 0', 'rabbit_retry_backoff = 1', 'rabbit_interval_max = 5', '',
    ].join('\n')), log)!
    assert.equal(o.controlExchange, 'other')
    assert.equal(o.rpcResponseTimeoutMs, 7000)
    assert.equal(o.heartbeatTimeoutThreshold, 0)
    assert.equal(o.transientQueuesTtlMs, 10_000)
    assert.equal(o.directMandatoryFlag, false)
    assert.deepEqual(o.ssl, { enabled: true, caFile: '/x/ca.pem', certFile: '/x/c.pem', keyFile: '/x/k.pem', version: 'TLSv1_2', verifyHostname: false })
    assert.deepEqual(o.retry, { intervalMs: 0, backoffMs: 1000, maxMs: 5000 })
    assert.throws(() => tlsSocketOptions(o.ssl), /\[oslo_messaging_rabbit\] ssl_ca_file = \/x\/ca\.pem: ENOENT/)
  })
  it('refuses a bad transport_url at load, naming file:line and the bad part, without the password', () => {
    const msg = errorOf(() => cfg('[DEFAULT]\n\ntransport_url = rabbit://u:s3cret@h1,u:s3cret@h2:99999/\n'))
    assert.match(msg, /^neutron\.conf:3: \[DEFAULT\] transport_url: .*invalid port '99999' in host #2/)
    assert.doesNotMatch(msg, /s3cret/)
  })
  it('refuses an unknown ssl_version and a certificate without its key', () => {
    assert.match(errorOf(() => cfg('[oslo_messaging_rabbit]\nssl_version = SSLv3\n')), /neutron\.conf:2: \[oslo_messaging_rabbit\] ssl_version: unsupported 'SSLv3'/)
    assert.match(errorOf(() => cfg('[oslo_messaging_rabbit]\nssl = true\nssl_cert_file = /c.pem\n')), /\[oslo_messaging_rabbit\] ssl_key_file: ssl_cert_file and ssl_key_file go together/)
  })
})
