/** oslo.messaging over RabbitMQ (amqplib); knows nothing of Neutron. See docs/messaging.md. */
export * from './types.js'
export { AmqpTransport, createTransport } from './amqp-transport.js'
export { InvalidTransportURL, MalformedMessage, MessagingError, MessagingTimeout, RemoteError, TransportClosed } from './errors.js'
export type { MessagingLogger } from './logger.js'
export { TRANSPORT_DEFAULTS, type SslOptions, type TransportOptions } from './transport-options.js'
export { parseTransportUrl, redact, type BrokerHost, type TransportUrl } from './transport-url.js'
