/**
 * neutron.conf core options: [DEFAULT], [database], [oslo_middleware]. Names and defaults follow
 * Neutron (neutron/conf/common.py, agents_db, oslo.db, oslo.log, oslo.middleware) except where a
 * comment says Neutrino differs.
 */
import { boolOpt, enumOpt, intOpt, listOpt, portOpt, strOpt } from './opts.js';
import { section } from './schema.js';
import { defaultStatePath, STATE_PATH_DOC } from './state-path.js';

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

export const defaultSection = section('DEFAULT', {
  // Neutron binds 0.0.0.0; Neutrino defaults to loopback so that a dev server is not exposed.
  bind_host: strOpt({ default: '127.0.0.1', env: 'NEUTRINO_BIND_HOST', help: 'IP address the API server listens on. Neutron defaults to 0.0.0.0; Neutrino to loopback.' }),
  bind_port: portOpt({ default: 9696, allowZero: true, env: 'NEUTRINO_BIND_PORT', help: 'TCP port the API server listens on (0 picks an ephemeral port).' }),
  state_path: strOpt({
    default: defaultStatePath,
    sampleDefault: '/var/lib/neutrino',
    help: `Directory for Neutrino state (the SQLite database by default). Default: ${STATE_PATH_DOC}.`,
  }),
  auth_strategy: enumOpt({
    choices: ['noauth', 'keystone'],
    default: 'noauth',
    help: 'How API requests are authenticated.',
    choiceHelp: { noauth: 'trust X-Project-Id/X-Roles headers; no token check', keystone: 'validate tokens with [keystone_authtoken]' },
  }),
  base_mac: strOpt({ default: 'fa:16:3e:00:00:00', help: 'Base MAC address for ports; the first 3 octets are kept, the rest are random (a 4th non-zero octet is also kept).' }),
  mac_generation_retries: intOpt({ default: 16, min: 1, help: 'How many times to retry generating a unique MAC address.' }),
  api_workers: intOpt({ default: 1, min: 1, help: 'Number of API worker processes.' }),
  core_plugin: strOpt({ default: 'ml2', help: 'Core plugin; only ml2 is implemented.' }),
  service_plugins: listOpt({ default: [], help: 'Service plugins to load (e.g. router).' }),
  allow_bulk: boolOpt({ default: true, help: 'Allow bulk create requests (lists of resources in one POST).' }),
  allow_overlapping_ips: boolOpt({ default: true, help: 'Allow overlapping IP address ranges in different networks.' }),
  max_fixed_ips_per_port: intOpt({ default: 5, min: 0, help: 'Maximum number of fixed IPs per port.' }),
  max_dns_nameservers: intOpt({ default: 5, min: 0, help: 'Maximum number of DNS nameservers per subnet.' }),
  max_subnet_host_routes: intOpt({ default: 20, min: 0, help: 'Maximum number of host routes per subnet.' }),
  max_allowed_address_pair: intOpt({ default: 10, min: 0, help: 'Maximum number of allowed address pairs per port.' }),
  max_tags_per_resource: intOpt({
    default: 50,
    min: 0,
    help: 'Neutrino only: maximum number of tags on one resource (Neutron has no limit; every list of that resource loads its tags).',
  }),
  default_project_id: strOpt({
    default: 'admin',
    help: 'Neutrino only: project ID assumed for requests that carry no project (auth_strategy = noauth without an X-Project-Id header).',
  }),
  pagination_max_limit: intOpt({ default: -1, min: -1, help: 'Maximum number of items returned by one list request; -1 means no limit.' }),
  allow_pagination: boolOpt({ default: true, help: 'Allow the limit/marker pagination query parameters.' }),
  allow_sorting: boolOpt({ default: true, help: 'Allow the sort_key/sort_dir query parameters.' }),
  global_physnet_mtu: intOpt({ default: 1500, min: 68, help: 'MTU of the underlying physical network; network MTUs are derived from it.' }),
  ipv6_pd_enabled: boolOpt({ default: false, help: 'Enable IPv6 prefix delegation for subnets without a subnetpool.' }),
  enable_snat_by_default: boolOpt({ default: true, help: 'enable_snat of a router gateway set without one (external_gateway_info).' }),
  max_routes: intOpt({ default: 30, min: 0, help: 'Maximum number of extra routes per router.' }),
  host: strOpt({ help: 'Name of this server on the message bus: its agent RPC servers consume `<topic>.<host>`. Unset: the machine\'s hostname.' }),
  agent_down_time: intOpt({ default: 75, min: 1, help: 'Seconds after the last heartbeat before an agent is considered down (at least twice the agents\' report_interval).' }),
  enable_new_agents: boolOpt({ default: true, help: 'Agents that report for the first time start with admin_state_up = True; false keeps them out of scheduling until an admin enables them.' }),
  debug: boolOpt({ default: false, env: 'NEUTRINO_DEBUG', help: 'Log at debug level instead of info, and log the effective options at start (secrets masked).' }),
  log_file: strOpt({ help: 'Log to this file (opened for append; SIGHUP reopens it, for logrotate); unset logs to stderr. A file that cannot be opened stops the server at start.' }),
  use_stderr: boolOpt({ default: false, help: 'With log_file: also log to stderr (without log_file, logs always go to stderr).' }),
  graceful_shutdown_timeout: intOpt({ default: 60, min: 0, help: 'Seconds SIGTERM waits for requests in flight (and, with api_workers > 1, for the workers) before the server exits anyway; 0 waits forever (oslo.service).' }),
}, {
  sampleFile: 'neutron.conf',
  validate(v, ctx) {
    if (!MAC_RE.test(v.base_mac)) ctx.fail('base_mac', `invalid MAC address '${v.base_mac}' (expected six hex octets, e.g. fa:16:3e:00:00:00)`);
    if (Number.parseInt(v.base_mac.slice(0, 2), 16) & 1) ctx.fail('base_mac', `'${v.base_mac}' is a multicast MAC address`);
  },
});

export const databaseSection = section('database', {
  connection: strOpt({
    default: 'sqlite:///$state_path/neutrino.sqlite',
    secret: true,
    help: 'Database URL: sqlite:///<path> or postgresql://user:password@host[:port]/db[?sslmode=verify-full&sslrootcert=/path/ca.pem] (libpq URL parameters host, port, sslmode, sslrootcert, connect_timeout, application_name; ?host=/dir for a unix socket). Write $$ for a literal $ in a password.',
  }),
  max_retries: intOpt({ default: 10, min: -1, help: 'Retries of the first connection at startup while the database is unreachable (not for a wrong password or database name); -1 retries forever.' }),
  retry_interval: intOpt({ default: 10, min: 0, help: 'Seconds between those retries.' }),
  max_pool_size: intOpt({ default: 5, min: 1, help: 'Maximum number of pooled connections (PostgreSQL).' }),
  connection_recycle_time: intOpt({ default: 3600, min: 0, help: 'Close pooled connections older than this many seconds.' }),
  connection_debug: intOpt({ default: 0, min: 0, max: 100, help: 'SQL logging: 0 none, 50 and up every statement at INFO, 100 with its parameters.' }),
}, {
  sampleFile: 'neutron.conf',
  validate(v, ctx) {
    // Checked here so a bad URL is reported at its file and line, like any other bad value.
    const m = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\//i.exec(v.connection);
    if (!m) ctx.fail('connection', `invalid database URL (expected sqlite:///PATH or postgresql://USER:PASS@HOST/DB)`);
    else if (!['sqlite', 'postgresql', 'postgres'].includes(m[1]!.toLowerCase())) {
      ctx.fail('connection', `unsupported database '${m[1]}' (use sqlite:/// or postgresql://)`);
    } else if (m[1]!.toLowerCase() === 'sqlite' && !/^sqlite:\/\/(\/.*)?$/i.test(v.connection)) {
      ctx.fail('connection', 'invalid sqlite URL (expected sqlite:///PATH, sqlite:////ABS/PATH or sqlite:// for memory)');
    }
  },
});

export const oslomiddlewareSection = section('oslo_middleware', {
  max_request_body_size: intOpt({ default: 114688, min: 0, help: 'Largest request body accepted, in bytes (413 above); 0 disables the check.' }),
}, { sampleFile: 'neutron.conf' });

/** [quotas]: per-project limits (neutron/conf/quota.py). -1 means unlimited. */
export const quotasSection = section('quotas', {
  default_quota: intOpt({ default: -1, min: -1, help: 'Default limit for a resource without its own quota_<resource> option; -1 is unlimited.' }),
  quota_network: intOpt({ default: 100, min: -1, help: 'Networks allowed per project; -1 is unlimited.' }),
  quota_subnet: intOpt({ default: 100, min: -1, help: 'Subnets allowed per project; -1 is unlimited.' }),
  quota_port: intOpt({ default: 500, min: -1, help: 'Ports allowed per project; -1 is unlimited.' }),
  quota_router: intOpt({ default: 10, min: -1, help: 'Routers allowed per project; -1 is unlimited.' }),
  quota_floatingip: intOpt({ default: 50, min: -1, help: 'Floating IPs allowed per project; -1 is unlimited.' }),
  quota_security_group: intOpt({ default: 10, min: -1, help: 'Security groups allowed per project (the default group counts); -1 is unlimited.' }),
  quota_security_group_rule: intOpt({ default: 100, min: -1, help: 'Security group rules allowed per project; -1 is unlimited.' }),
}, { sampleFile: 'neutron.conf' });
