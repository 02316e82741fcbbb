/**
 * SCRAM-SHA-256 client (RFC 5802 §3 and §5, RFC 7677), as PostgreSQL uses it for
 * `scram-sha-256` authentication: no channel binding ("n,,"), and PostgreSQL ignores the SCRAM
 * user name (it takes the startup message's), so the client sends an empty one.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import { PgProtocolError } from './errors.js'

export const SCRAM_SHA_256 = 'SCRAM-SHA-256'

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest()

export class ScramClient {
  readonly #nonce: string
  readonly #firstBare: string
  #serverSignature?: Buffer

  /** `nonce` and `user` are for tests (RFC 7677's example); leave them out otherwise. */
  constructor(
    private readonly password: string,
    nonce = randomBytes(18).toString('base64'),
    user = '',
  ) {
    this.#nonce = nonce
    this.#firstBare = `n=${user},r=${nonce}`
  }

  /** client-first-message (RFC 5802 §7): gs2 header "n,," then the bare part. */
  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.#firstBare}`)
  }

  /** client-final-message for the server-first-message; remembers the signature to expect. */
  clientFinal(serverFirst: string): Buffer {
    const attrs = parseAttributes(serverFirst)
    const nonce = attrs.get('r')
    const salt = attrs.get('s')
    const iterations = Number(attrs.get('i'))
    if (!nonce || !nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new PgProtocolError('SCRAM: the server nonce does not extend the client nonce')
    }
    if (!salt) throw new PgProtocolError('SCRAM: no salt in server-first-message')
    if (!Number.isInteger(iterations) || iterations < 1) throw new PgProtocolError('SCRAM: bad iteration count')
    // SASLprep (RFC 4013) maps compatibility characters like NFKC does; ASCII is unchanged.
    const salted = pbkdf2Sync(this.password.normalize('NFKC'), Buffer.from(salt, 'base64'), iterations, 32, 'sha256')
    const clientKey = hmac(salted, 'Client Key')
    const storedKey = createHash('sha256').update(clientKey).digest()
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.#firstBare},${serverFirst},${withoutProof}`
    const signature = hmac(storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!
    this.#serverSignature = hmac(hmac(salted, 'Server Key'), authMessage)
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)
  }

  /** Checks the server-final-message: the server proves it knows the password too. */
  verifyServerFinal(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal)
    const err = attrs.get('e')
    if (err) throw new PgProtocolError(`SCRAM: server reported ${err}`)
    const v = attrs.get('v')
    if (!v || !this.#serverSignature) throw new PgProtocolError('SCRAM: no server signature')
    const got = Buffer.from(v, 'base64')
    if (got.length !== this.#serverSignature.length || !timingSafeEqual(got, this.#serverSignature)) {
      throw new PgProtocolError('SCRAM: the server signature does not match (wrong server or password)')
    }
  }
}

/** "a=x,b=y" → Map; values may contain '=' (base64). */
function parseAttributes(msg: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) out.set(part[0]!, part.slice(2))
  }
  return out
}
