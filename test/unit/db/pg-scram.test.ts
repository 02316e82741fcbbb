/**
 * SCRAM-SHA-256 (src/db/pg/scram.ts) against RFC 7677 §3's worked example, and the ways a
 * server-first or server-final message can be wrong.
 */
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { describe, it } from 'node:test'
import { PgProtocolError } from '../../../src/db/pg/errors.js'
import { ScramClient } from '../../../src/db/pg/scram.js'

// RFC 7677 §3
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO'
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

const rfcClient = () => new ScramClient('pencil', CLIENT_NONCE, 'user')

describe('ScramClient (RFC 5802, RFC 7677)', () => {
  it('reproduces the RFC 7677 §3 exchange', () => {
    const c = rfcClient()
    assert.equal(c.clientFirst().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
    assert.equal(c.clientFinal(SERVER_FIRST).toString(), CLIENT_FINAL)
    assert.doesNotThrow(() => c.verifyServerFinal(SERVER_FINAL))
  })

  it('sends an empty user name and a fresh base64 nonce by default (PostgreSQL takes the startup user)', () => {
    const a = new ScramClient('pw').clientFirst().toString()
    const b = new ScramClient('pw').clientFirst().toString()
    assert.match(a, /^n,,n=,r=[A-Za-z0-9+/]{24}$/)
    assert.notEqual(a, b)
  })

  it('rejects a wrong server signature, a truncated one, and none', () => {
    for (const bad of ['v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'v=6rriTRBi23WpRR/w', 'v=', 'x=1']) {
      const c = rfcClient()
      c.clientFinal(SERVER_FIRST)
      assert.throws(() => c.verifyServerFinal(bad), PgProtocolError, bad)
    }
    const wrongPassword = new ScramClient('pencil2', CLIENT_NONCE, 'user')
    wrongPassword.clientFinal(SERVER_FIRST)
    assert.throws(() => wrongPassword.verifyServerFinal(SERVER_FINAL), /server signature does not match/)
  })

  it('rejects a server-final before any client-final', () => {
    assert.throws(() => rfcClient().verifyServerFinal(SERVER_FINAL), /no server signature/)
  })

  it('rejects a server nonce that does not extend the client nonce', () => {
    const cases = [
      SERVER_FIRST.replace('r=rOpr', 'r=XOpr'), // a different prefix
      SERVER_FIRST.replace('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0', 'r=rOprNGfwEbeRWgbNEkqO'), // no server part
      SERVER_FIRST.replace('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0', 'r=rOprNGfw'), // shorter
      's=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', // no nonce at all
    ]
    for (const sf of cases) assert.throws(() => rfcClient().clientFinal(sf), /nonce does not extend/, sf)
  })

  it('rejects a missing salt or a bad iteration count', () => {
    assert.throws(() => rfcClient().clientFinal(SERVER_FIRST.replace(',s=W22ZaJ0SNY7soEsUEjb6gQ==', '')), /no salt/)
    for (const i of ['i=0', 'i=-1', 'i=abc', 'i=1.5', '']) {
      const sf = SERVER_FIRST.replace(',i=4096', i ? `,${i}` : '')
      assert.throws(() => rfcClient().clientFinal(sf), /bad iteration count/, sf)
    }
  })

  it('reports a server-final e= error (RFC 5802 §7 server-error)', () => {
    const c = rfcClient()
    c.clientFinal(SERVER_FIRST)
    assert.throws(
      () => c.verifyServerFinal('e=invalid-proof'),
      (e: unknown) => e instanceof PgProtocolError && /server reported invalid-proof/.test(e.message),
    )
  })

  it('agrees with a server computing its side from the stored password (another salt and count)', () => {
    const password = 'pâss wörd'
    const salt = Buffer.from('0123456789abcdef')
    const iterations = 1000
    const c = new ScramClient(password, 'clientnonce')
    const first = c.clientFirst().toString()
    const firstBare = first.slice(3)
    const serverFirst = `r=clientnonceSERVER,s=${salt.toString('base64')},i=${iterations}`
    const final = c.clientFinal(serverFirst).toString()
    const withoutProof = final.slice(0, final.indexOf(',p='))
    const proof = Buffer.from(final.slice(final.indexOf(',p=') + 3), 'base64')
    // The server's check (RFC 5802 §3): ClientKey = proof XOR HMAC(StoredKey, AuthMessage), H(ClientKey) = StoredKey.
    const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256')
    const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest()
    const authMessage = `${firstBare},${serverFirst},${withoutProof}`
    const sig = createHmac('sha256', storedKey).update(authMessage).digest()
    const clientKey = Buffer.from(proof.map((b, i) => b ^ sig[i]!))
    assert.deepEqual(createHash('sha256').update(clientKey).digest(), storedKey)
    const serverSig = createHmac('sha256', createHmac('sha256', salted).update('Server Key').digest()).update(authMessage).digest()
    assert.doesNotThrow(() => c.verifyServerFinal(`v=${serverSig.toString('base64')}`))
  })
})
