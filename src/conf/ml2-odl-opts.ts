/**
 * `[ml2_odl]`: the `opendaylight` mechanism driver (issue 14), with networking-odl's option names
 * and defaults (networking_odl/common/config.py, tag 21.0.0), so an existing ml2_conf.ini section
 * works unchanged.
 */
import { boolOpt, intOpt, listOpt, strOpt } from './opts.js';
import { section } from './schema.js';

export const ml2OdlSection = section('ml2_odl', {
  url: strOpt({ default: '', help: 'HTTP URL of the OpenDaylight Neutron northbound, e.g. http://127.0.0.1:8181/controller/nb/v2/neutron (required with mechanism_drivers = opendaylight).' }),
  username: strOpt({ default: '', help: 'HTTP basic auth user for the northbound.' }),
  password: strOpt({ default: '', secret: true, help: 'HTTP basic auth password for the northbound.' }),
  timeout: intOpt({ default: 10, min: 1, help: 'Seconds to wait for one northbound request.' }),
  retry_count: intOpt({ default: 5, min: 0, help: 'How often a journal row the controller refused (4xx) is retried before it becomes failed.' }),
  maintenance_interval: intOpt({ default: 300, min: 1, help: 'Seconds between journal maintenance runs (purge, reset stuck rows, canary check and full sync, recovery of failed rows).' }),
  completed_rows_retention: intOpt({ default: 0, min: -1, help: 'Seconds completed journal rows are kept; 0 deletes them at once, -1 keeps them forever.' }),
  processing_timeout: intOpt({ default: 100, min: 1, help: 'Seconds after which a row stuck in processing (its server died mid-send) is reset to pending.' }),
  restconf_poll_interval: intOpt({ default: 30, min: 1, help: 'Seconds between hostconfig polls (pseudo-agent port binding) and websocket reconnect attempts.' }),
  odl_features: listOpt({ default: [], help: 'Controller features to assume instead of fetching them at start (e.g. operational-port-status); empty: fetch.' }),
  enable_websocket_pseudo_agentdb: boolOpt({ default: false, help: 'Receive hostconfigs over the RESTCONF websocket instead of polling (accepted; Neutrino polls).' }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    if (v.url !== '' && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(v.url)) ctx.fail('url', `'${v.url}' is not an http(s) URL`);
    for (const f of v.odl_features) if (!/^[a-z0-9:-]+$/.test(f)) ctx.fail('odl_features', `'${f}' is not a feature name`);
  },
});
