/**
 * libpq connection URIs (src/db/pg/url.ts, PostgreSQL docs §34.1.1): the forms its header lists,
 * the defaults from the environment, and what it refuses.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parsePgUrl } from '../../../src/db/pg/url.js'

describe('parsePgUrl', () => {
  it('reads user, password, host, port and database from the authority and path', () => {
    assert.deepEqual(parsePgUrl('postgresql://neutron:secret@db.example.org:6543/neutron'), {
      host: 'db.example.org',
      port: 6543,
      user: 'neutron',
      password: 'secret',
      database: 'neutron',
      sslmode: 'prefer',
      sslrootcert: undefined,
      applicationName: 'neutrino',
      connectTimeoutMs: 10_000,
    })
    const short = parsePgUrl('postgres://u@h/d')
    assert.deepEqual([short.user, short.password, short.host, short.port, short.database], ['u', undefined, 'h', 5432, 'd'])
  })

  it('takes a unix-socket directory from ?host= or a percent-encoded authority, with sslmode disable by default', () => {
    const a = parsePgUrl('postgresql://neutrino@/neutrino?host=%2Ftmp%2Fneutrino-pg-x&port=25432')
    assert.deepEqual([a.host, a.port, a.user, a.database, a.sslmode], ['/tmp/neutrino-pg-x', 25432, 'neutrino', 'neutrino', 'disable'])
    const b = parsePgUrl('postgresql:///db?host=/var/run/postgresql')
    assert.deepEqual([b.host, b.database], ['/var/run/postgresql', 'db'])
    const c = parsePgUrl('postgresql://%2Fvar%2Flib%2Fpostgresql:5433/db')
    assert.deepEqual([c.host, c.port, c.sslmode], ['/var/lib/postgresql', 5433, 'disable'])
  })

  it('reads IPv6 addresses in brackets, with or without a port', () => {
    const a = parsePgUrl('postgresql://u@[::1]:5433/d')
    assert.deepEqual([a.host, a.port], ['::1', 5433])
    const b = parsePgUrl('postgresql://u@[2001:db8::7]/d')
    assert.deepEqual([b.host, b.port], ['2001:db8::7', 5432])
    assert.throws(() => parsePgUrl('postgresql://u@[::1/d'), /unterminated IPv6/)
    assert.throws(() => parsePgUrl('postgresql://u@[::1]x/d'), /invalid port/)
  })

  it('decodes percent-encoded user, password and database; ":" and "@" may appear in a password', () => {
    const a = parsePgUrl('postgresql://us%65r:p%40ss%3Aw%2Fo%25rd@h/my%20db')
    assert.deepEqual([a.user, a.password, a.database], ['user', 'p@ss:w/o%rd', 'my db'])
    const b = parsePgUrl('postgresql://u:a:b@c@h/d')
    assert.deepEqual([b.user, b.password, b.host], ['u', 'a:b@c', 'h'])
    assert.equal(parsePgUrl('postgresql://u:@h/d').password, '', 'an empty password is a password')
    assert.throws(() => parsePgUrl('postgresql://u:%zz@h/d'), /bad percent-encoding/)
  })

  it('query parameters override the authority; "+" is a plus sign, as in libpq', () => {
    const o = parsePgUrl('postgresql://a:b@h:1/d?user=u2&password=x%2By+z&dbname=d2&port=2&host=h2&application_name=my+app&sslrootcert=/ca.pem&unknown=ignored&flag')
    assert.deepEqual(
      [o.user, o.password, o.database, o.port, o.host, o.applicationName, o.sslrootcert],
      ['u2', 'x+y+z', 'd2', 2, 'h2', 'my+app', '/ca.pem'],
    )
  })

  it('validates sslmode and defaults it to prefer over TCP', () => {
    for (const m of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const) {
      assert.equal(parsePgUrl(`postgresql://h/d?sslmode=${m}`).sslmode, m)
    }
    assert.equal(parsePgUrl('postgresql://h/d').sslmode, 'prefer')
    assert.equal(parsePgUrl('postgresql:///d?host=/s&sslmode=require').sslmode, 'require', 'as given, even for a socket')
    assert.throws(() => parsePgUrl('postgresql://h/d?sslmode=on'), /invalid sslmode 'on' \(one of disable, allow/)
    assert.throws(() => parsePgUrl('postgresql://h/d?sslmode=REQUIRE'), /invalid sslmode/)
  })

  it('takes connect_timeout in seconds (fractions allowed; 0 waits forever)', () => {
    assert.equal(parsePgUrl('postgresql://h/d?connect_timeout=3').connectTimeoutMs, 3000)
    assert.equal(parsePgUrl('postgresql://h/d?connect_timeout=0.25').connectTimeoutMs, 250)
    assert.equal(parsePgUrl('postgresql://h/d?connect_timeout=0').connectTimeoutMs, 0)
    assert.throws(() => parsePgUrl('postgresql://h/d?connect_timeout=-1'), /invalid connect_timeout/)
    assert.throws(() => parsePgUrl('postgresql://h/d?connect_timeout=soon'), /invalid connect_timeout/)
  })

  it('fills what the URL leaves out from PG* variables, then libpq defaults', () => {
    const env = { PGHOST: 'envhost', PGPORT: '7777', PGUSER: 'envuser', PGPASSWORD: 'envpw', PGDATABASE: 'envdb', USER: 'login' }
    const a = parsePgUrl('postgresql://', env)
    assert.deepEqual([a.host, a.port, a.user, a.password, a.database], ['envhost', 7777, 'envuser', 'envpw', 'envdb'])
    const b = parsePgUrl('postgresql://u:p@h:1/d', env)
    assert.deepEqual([b.host, b.port, b.user, b.password, b.database], ['h', 1, 'u', 'p', 'd'], 'the URL wins')
    const c = parsePgUrl('postgresql://', { USER: 'login' })
    assert.deepEqual([c.host, c.port, c.user, c.password, c.database, c.sslmode], ['/var/run/postgresql', 5432, 'login', undefined, 'login', 'disable'])
    const d = parsePgUrl('postgres://')
    assert.deepEqual([d.user, d.database], ['postgres', 'postgres'], 'the environment is not read unless passed')
    assert.equal(parsePgUrl('postgresql://u@h', env).database, 'envdb')
  })

  it('rejects bad ports and URLs of other schemes', () => {
    for (const url of ['postgresql://h:0/d', 'postgresql://h:65536/d', 'postgresql://h:abc/d', 'postgresql://h:5432x/d', 'postgresql://h:1.5/d', 'postgresql://h/d?port=-1']) {
      assert.throws(() => parsePgUrl(url), /invalid port/, url)
    }
    assert.throws(() => parsePgUrl('postgresql://h/d', { PGPORT: 'x' }), /invalid port 'x'/)
    assert.throws(() => parsePgUrl('mysql://h/d'), /not a postgresql:\/\/ URL/)
    assert.throws(() => parsePgUrl('h:5432/d'), /not a postgresql:\/\/ URL/)
    assert.equal(parsePgUrl('POSTGRESQL://h/d').host, 'h', 'the scheme is case-insensitive')
  })
})
