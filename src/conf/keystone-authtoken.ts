/**
 * [keystone_authtoken]: the subset of keystonemiddleware auth_token / keystoneauth password
 * plugin options Neutrino reads when `[DEFAULT] auth_strategy = keystone`. Other options of that
 * section in an existing neutron.conf (memcache tuning, cafile, ...) are accepted and reported
 * as ignored.
 */
import { boolOpt, intOpt, listOpt, strOpt } from './opts.js';
import { section } from './schema.js';

export const keystoneAuthtokenSection = section('keystone_authtoken', {
  www_authenticate_uri: strOpt({ help: 'Public Identity endpoint returned in WWW-Authenticate to unauthenticated clients.' }),
  auth_url: strOpt({ help: 'Identity endpoint used to validate tokens with the service credentials below.' }),
  auth_type: strOpt({ default: 'password', help: 'Authentication plugin for the service user; only password is supported.' }),
  username: strOpt({ help: 'Service user name.' }),
  password: strOpt({ secret: true, help: 'Service user password.' }),
  project_name: strOpt({ help: 'Service project name.' }),
  user_domain_name: strOpt({ default: 'Default', help: 'Domain of the service user.' }),
  project_domain_name: strOpt({ default: 'Default', help: 'Domain of the service project.' }),
  region_name: strOpt({ help: 'Region of the Identity endpoint.' }),
  token_cache_time: intOpt({ default: 300, min: -1, help: 'Seconds a validated token is cached in memory; -1 disables the cache.' }),
  memcached_servers: listOpt({ default: [], help: 'Accepted for compatibility and ignored: Neutrino caches tokens in process.' }),
}, { sampleFile: 'neutron.conf' });

/**
 * More [keystone_authtoken] options read by src/auth (keystonemiddleware names). Not registered
 * yet: add to `neutrinoSections` (the schema merges two declarations of one section) and
 * regenerate etc/*.sample and docs/config.md.
 */
export const keystoneAuthtokenExtraSection = section('keystone_authtoken', {
  http_connect_timeout: intOpt({ default: 10, min: 1, help: 'Seconds to wait for Keystone when validating a token or authenticating the service user.' }),
  token_cache_size: intOpt({ default: 10000, min: 0, help: 'Neutrino only: most validated tokens kept in the in-process cache.' }),
  http_request_max_retries: intOpt({ default: 3, min: 0, help: 'How many times a request to Keystone is retried after a connection failure (refused or reset; not after a timeout or an HTTP answer).' }),
}, { sampleFile: 'neutron.conf' });

/**
 * [oslo_policy]: where operators override Neutron's default policy rules (oslo.policy's options;
 * Neutrino reads a single YAML or JSON file and no policy_dirs); enforced by src/api/policy.ts.
 */
export const osloPolicySection = section('oslo_policy', {
  policy_file: strOpt({ default: 'policy.yaml', help: 'Policy file (YAML or JSON) overriding default rules; a relative path is looked up next to the config files, then in /etc/neutron. A missing file means the defaults.' }),
  enforce_new_defaults: boolOpt({ default: false, help: 'Use only the new (secure-RBAC) defaults. When false, as in Neutron Zed, each deprecated default is OR-ed with its new default and an admin context bypasses the checks.' }),
  enforce_scope: boolOpt({ default: false, help: 'Accepted for compatibility; Neutrino has project scope only and ignores it.' }),
  policy_default_rule: strOpt({ default: 'default', help: 'Rule used for actions that have none.' }),
}, { sampleFile: 'neutron.conf' });
