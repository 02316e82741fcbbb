/** transport_url parsing (oslo.messaging TransportURL syntax): hosts in turn, percent-decoding, errors naming the bad part. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidTransportURL } from '../../../src/messaging/errors.js'
import { parseTransportUrl, redact } from '../../../src/messaging/transport-url.js'

describe('parseTransportUrl', () => {
  it('parses one host with credentials and the default vhost', () => {
    assert.deepEqual(parseTransportUrl('rabbit://guest:guest@127.0.0.1:5672/'), {
      scheme: 'rabbit', hosts: [{ hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest' }], vhost: '/', query: {},
    })
  })
  it('parses several hosts, each with its own credentials, in order', () => {
    const u = parseTransportUrl('rabbit://a:pa@192.0.2.1:5673,b:pb@192.0.2.2,192.0.2.3:5674/nova')
    assert.deepEqual(u.hosts, [
      { hostname: '192.0.2.1', port: 5673, username: 'a', password: 'pa' },
      { hostname: '192.0.2.2', port: 5672, username: 'b', password: 'pb' },
      { hostname: '192.0.2.3', port: 5674, username: 'guest', password: 'guest' },
    ])
    assert.equal(u.vhost, 'nova')
  })
  it('percent-decodes user, password and vhost; keeps @ and : inside the password', () => {
    const u = parseTransportUrl('rabbit://us%40er:p%3Ass:w%2Fd@[2001:db8::1]:5671/%2Fv%20h?ssl=1&x')
    assert.deepEqual(u.hosts[0], { hostname: '2001:db8::1', port: 5671, username: 'us@er', password: 'p:ss:w/d' })
    assert.equal(u.vhost, '/v h')
    assert.deepEqual(u.query, { ssl: '1', x: '' })
  })
  it('defaults the port and accepts an IPv6 literal without one', () => {
    assert.deepEqual(parseTransportUrl('rabbit://[::1]').hosts[0], { hostname: '::1', port: 5672, username: 'guest', password: 'guest' })
    assert.equal(parseTransportUrl('rabbit://h').vhost, '/')
  })

  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /expected 'rabbit:\/\//],
    ['no scheme', '127.0.0.1:5672', /expected 'rabbit:\/\//],
    ['other scheme', 'amqp1://h:1/', /unsupported scheme 'amqp1'/],
    ['no host', 'rabbit:///', /no host/],
    ['empty host in the list', 'rabbit://a@h1,,h3/', /empty host #2/],
    ['bad port', 'rabbit://u:p@h:56x/', /invalid port '56x' in host #1/],
    ['port out of range', 'rabbit://h1,h2:70000/', /invalid port '70000' in host #2/],
    ['empty host name', 'rabbit://u:p@:5672/', /empty host name in host #1/],
    ['empty user', 'rabbit://:p@h/', /empty user name in host #1/],
    ['bad percent-encoding', 'rabbit://u:p%zz@h/', /bad percent-encoding in the password of host #1/],
    ['bad vhost encoding', 'rabbit://h/%E0%A4%A', /bad percent-encoding in the virtual host/],
    ['unterminated IPv6', 'rabbit://[::1:5672/', /unterminated IPv6 address in host #1/],
  ]
  for (const [name, url, re] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseTransportUrl(url), (e: unknown) => e instanceof InvalidTransportURL && re.test(e.message))
    })
  }
  it('never shows a password in an error', () => {
    assert.throws(() => parseTransportUrl('rabbit://u:s3cret@h:bad/'), (e: unknown) => e instanceof Error && !e.message.includes('s3cret') && e.message.includes('***'))
    assert.equal(redact('rabbit://a:x@h1,b:y@h2/'), 'rabbit://a:***@h1,b:***@h2/')
  })
})
