/**
 * oslo.messaging options Neutrino honours: [DEFAULT] transport_url, control_exchange,
 * rpc_response_timeout and the [oslo_messaging_rabbit] heartbeat, TLS, queue-TTL and mandatory
 * options. Names, defaults and help follow oslo.messaging 14 (transport.py, rpc/client.py,
 * _drivers/impl_rabbit.py), except control_exchange, which defaults to Neutron's `neutron`.
 */
import { InvalidTransportURL } from '../messaging/errors.js';
import { parseTransportUrl } from '../messaging/transport-url.js';
import { boolOpt, intOpt, strOpt } from './opts.js';
import { section } from './schema.js';

/** oslo ssl_version values Node can honour ('' and SSLv23 mean the library default). */
export const SSL_VERSIONS = ['', 'SSLv23', 'TLSv1', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const;

export const messagingDefaultSection = section('DEFAULT', {
  transport_url: strOpt({
    secret: true,
    help: 'Messaging transport for agent RPC, oslo.messaging syntax: rabbit://user:pass@host:port[,user:pass@host2:port2]/vhost '
      + '(hosts are tried in turn; user, password and vhost are percent-decoded). Unset: no agent RPC.',
  }),
  control_exchange: strOpt({ default: 'neutron', help: 'Exchange topic calls and casts are published to (oslo default "openstack"; Neutron sets "neutron", which the agents use).' }),
  rpc_response_timeout: intOpt({ default: 60, min: 1, help: 'Seconds to wait for a reply to an RPC call.' }),
}, {
  sampleFile: 'neutron.conf',
  validate(v, ctx) {
    if (v.transport_url === null) return;
    try {
      parseTransportUrl(v.transport_url);
    } catch (e) {
      if (e instanceof InvalidTransportURL) ctx.fail('transport_url', e.message);
      throw e;
    }
  },
});

export const osloMessagingRabbitSection = section('oslo_messaging_rabbit', {
  heartbeat_timeout_threshold: intOpt({ default: 60, min: 0, help: "Seconds after which the broker is considered down if heartbeat's keep-alive fails (0 disables the AMQP heartbeat)." }),
  heartbeat_rate: intOpt({ default: 2, min: 1, help: 'How many times during heartbeat_timeout_threshold the heartbeat is checked (the AMQP client sends heartbeats at half the negotiated interval).' }),
  ssl: boolOpt({ default: false, deprecatedName: 'rabbit_use_ssl', help: 'Connect over SSL (amqps).' }),
  ssl_version: strOpt({ default: '', help: `SSL version to use (valid only if SSL enabled): ${SSL_VERSIONS.filter(Boolean).join(', ')}; empty: the TLS library's default.` }),
  ssl_key_file: strOpt({ default: '', help: 'SSL key file (valid only if SSL enabled).' }),
  ssl_cert_file: strOpt({ default: '', help: 'SSL cert file (valid only if SSL enabled).' }),
  ssl_ca_file: strOpt({ default: '', help: 'SSL certification authority file (valid only if SSL enabled); when set, the broker certificate is verified.' }),
  ssl_enforce_hostname_verification: boolOpt({ default: false, help: 'When true, also verify the broker hostname against its certificate when ssl_ca_file is set.' }),
  rabbit_retry_interval: intOpt({ default: 1, min: 0, help: 'Seconds before the first reconnection attempt to RabbitMQ.' }),
  rabbit_retry_backoff: intOpt({ default: 2, min: 0, help: 'Seconds added to the delay for each further failed connection attempt.' }),
  rabbit_interval_max: intOpt({ default: 30, min: 1, help: 'Maximum seconds between RabbitMQ connection attempts.' }),
  rabbit_transient_queues_ttl: intOpt({ default: 1800, min: 1, help: 'Seconds of x-expires of the reply and fanout queues: unused for that long, the broker deletes them.' }),
  direct_mandatory_flag: boolOpt({ default: true, help: 'Publish replies with the AMQP mandatory flag, so an unroutable reply is returned and logged.' }),
}, {
  sampleFile: 'neutron.conf',
  help: 'RabbitMQ driver of the messaging transport (oslo.messaging [oslo_messaging_rabbit]).',
  validate(v, ctx) {
    if (!(SSL_VERSIONS as readonly string[]).includes(v.ssl_version)) {
      ctx.fail('ssl_version', `unsupported '${v.ssl_version}' (use one of ${SSL_VERSIONS.filter(Boolean).join(', ')}, or leave empty)`);
    }
    if (v.ssl && (v.ssl_cert_file === '') !== (v.ssl_key_file === '')) {
      ctx.fail(v.ssl_cert_file === '' ? 'ssl_cert_file' : 'ssl_key_file', 'ssl_cert_file and ssl_key_file go together (client certificate and its key)');
    }
  },
});

export const messagingSections = [messagingDefaultSection, osloMessagingRabbitSection] as const;
