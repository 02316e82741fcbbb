/**
 * neutron.conf → the messaging transport: maps [DEFAULT] transport_url/control_exchange/
 * rpc_response_timeout and [oslo_messaging_rabbit] onto src/messaging's plain options. Not wired
 * into app.ts yet: the agent RPC endpoints are attached at merge time (issue 12).
 */
import type { NeutrinoConfig } from '../../conf/index.js'
import { createTransport, type AmqpTransport, type MessagingLogger, type TransportOptions } from '../../messaging/index.js'

/** The transport options of a config, or undefined when no transport_url is set (no agent RPC). */
export function transportOptionsFromConfig(cfg: NeutrinoConfig, log: MessagingLogger): TransportOptions | undefined {
  const d = cfg.DEFAULT
  const r = cfg.oslo_messaging_rabbit
  if (d.transport_url === null) return undefined
  return {
    url: d.transport_url,
    controlExchange: d.control_exchange,
    rpcResponseTimeoutMs: d.rpc_response_timeout * 1000,
    heartbeatTimeoutThreshold: r.heartbeat_timeout_threshold,
    heartbeatRate: r.heartbeat_rate,
    ssl: {
      enabled: r.ssl,
      caFile: r.ssl_ca_file || undefined,
      certFile: r.ssl_cert_file || undefined,
      keyFile: r.ssl_key_file || undefined,
      version: r.ssl_version,
      verifyHostname: r.ssl_enforce_hostname_verification,
    },
    transientQueuesTtlMs: r.rabbit_transient_queues_ttl * 1000,
    directMandatoryFlag: r.direct_mandatory_flag,
    retry: { intervalMs: r.rabbit_retry_interval * 1000, backoffMs: r.rabbit_retry_backoff * 1000, maxMs: r.rabbit_interval_max * 1000 },
    log,
  }
}

/** A transport connecting in the background, or undefined without transport_url. */
export function createTransportFromConfig(cfg: NeutrinoConfig, log: MessagingLogger): AmqpTransport | undefined {
  const o = transportOptionsFromConfig(cfg, log)
  return o === undefined ? undefined : createTransport(o)
}
