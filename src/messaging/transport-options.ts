/**
 * Plain options of a transport, with oslo.messaging's defaults ([DEFAULT] and
 * [oslo_messaging_rabbit] of oslo.messaging 14). The config adapter (src/apps/server/messaging.ts)
 * fills them from neutron.conf; tests build them directly.
 */
import { readFileSync } from 'node:fs'
import type { ConnectionOptions as TlsConnectionOptions, SecureVersion } from 'node:tls'
import type { RetryPolicy } from './amqp-connection.js'
import type { MessagingLogger } from './logger.js'
import type { TransportUrl } from './transport-url.js'

export interface SslOptions {
  readonly enabled: boolean
  readonly caFile?: string
  readonly certFile?: string
  readonly keyFile?: string
  /** oslo names: TLSv1, TLSv1_1, TLSv1_2, TLSv1_3, SSLv23 or '' (library default). */
  readonly version?: string
  /** Check the broker's name against its certificate (ssl_enforce_hostname_verification). */
  readonly verifyHostname?: boolean
}

export interface TransportOptions {
  readonly url: string | TransportUrl
  /** Exchange of topic calls and casts ([DEFAULT] control_exchange). */
  readonly controlExchange?: string
  /** Default call timeout ([DEFAULT] rpc_response_timeout, seconds → ms). */
  readonly rpcResponseTimeoutMs?: number
  readonly heartbeatTimeoutThreshold?: number
  readonly heartbeatRate?: number
  readonly ssl?: SslOptions
  /** x-expires of reply and fanout queues (rabbit_transient_queues_ttl, seconds → ms). */
  readonly transientQueuesTtlMs?: number
  /** Publish replies with `mandatory` (direct_mandatory_flag). */
  readonly directMandatoryFlag?: boolean
  readonly retry?: Partial<RetryPolicy>
  readonly connectTimeoutMs?: number
  /** How many `_unique_id`s each consumer remembers for de-duplication. */
  readonly dedupeCapacity?: number
  readonly log: MessagingLogger
}

export const TRANSPORT_DEFAULTS = {
  controlExchange: 'neutron',
  rpcResponseTimeoutMs: 60_000,
  heartbeatTimeoutThreshold: 60,
  heartbeatRate: 2,
  transientQueuesTtlMs: 1_800_000,
  directMandatoryFlag: true,
  retry: { intervalMs: 1000, backoffMs: 2000, maxMs: 30_000 } as RetryPolicy,
  connectTimeoutMs: 10_000,
  dedupeCapacity: 1024,
} as const

const TLS_VERSIONS: Record<string, SecureVersion | undefined> = {
  '': undefined,
  SSLv23: undefined,
  TLS: undefined,
  TLSv1: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
}

/** Socket options for amqps://, or undefined without ssl. Errors name the option and file. */
export function tlsSocketOptions(ssl: SslOptions | undefined): TlsConnectionOptions | undefined {
  if (!ssl?.enabled) return undefined
  const read = (opt: string, file: string | undefined): Buffer | undefined => {
    if (!file) return undefined
    try {
      return readFileSync(file)
    } catch (e) {
      throw new Error(`[oslo_messaging_rabbit] ${opt} = ${file}: ${(e as Error).message}`)
    }
  }
  const version = ssl.version ?? ''
  if (!(version in TLS_VERSIONS)) {
    throw new Error(`[oslo_messaging_rabbit] ssl_version = ${version}: unsupported (use one of ${Object.keys(TLS_VERSIONS).filter(Boolean).join(', ')})`)
  }
  const pinned = TLS_VERSIONS[version]
  const ca = read('ssl_ca_file', ssl.caFile)
  const o: TlsConnectionOptions = {
    ca,
    cert: read('ssl_cert_file', ssl.certFile),
    key: read('ssl_key_file', ssl.keyFile),
    // As oslo: the peer certificate is verified only when a CA file is given.
    rejectUnauthorized: ca !== undefined,
  }
  if (pinned !== undefined) {
    o.minVersion = pinned
    o.maxVersion = pinned
  }
  if (!ssl.verifyHostname) o.checkServerIdentity = () => undefined
  return o
}
