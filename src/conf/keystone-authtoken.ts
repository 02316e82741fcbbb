/**
 * [keystone_authtoken]: the subset of keystonemiddleware auth_token / keystoneauth password
 * plugin options Neutrino reads when `[DEFAULT] auth_strategy = keystone`. Other options of that
 * section in an existing neutron.conf (memcache tuning, cafile, ...) are accepted and reported
 * as ignored.
 */
import { intOpt, listOpt, strOpt } from './opts.js';
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
