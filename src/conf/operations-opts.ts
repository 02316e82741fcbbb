/**
 * What operators' monitoring reads: [healthcheck] (oslo.middleware's healthcheck options, the
 * ones Neutrino implements) and [metrics] (Neutrino only: the Prometheus endpoint). Both are
 * answered before authentication, on the API's address.
 */
import { boolOpt, intOpt, strOpt } from './opts.js';
import { section } from './schema.js';

const PATH_RE = /^\/[^\s?#]*$/;

export const healthcheckSection = section('healthcheck', {
  path: strOpt({ default: '/healthcheck', help: 'Path of the healthcheck: GET answers 200 OK or 503 with the reason (text/plain, text/html or application/json by Accept), HEAD 204 or 503.' }),
  detailed: boolOpt({ default: false, help: 'Show each check\'s details and the runtime, time and platform in HTML and JSON answers (may reveal internals: keep it off on public endpoints).' }),
  timeout: intOpt({ default: 5, min: 1, help: 'Neutrino only: seconds the database check may take before the healthcheck answers 503.' }),
}, {
  sampleFile: 'neutron.conf',
  validate(v, ctx) {
    if (!PATH_RE.test(v.path)) ctx.fail('path', `'${v.path}' is not an absolute URL path`);
  },
});

export const metricsSection = section('metrics', {
  enabled: boolOpt({ default: true, help: 'Neutrino only: serve Prometheus metrics (request count and latency by resource, method and status; database pool and retries) on the API port.' }),
  path: strOpt({ default: '/metrics', help: 'Neutrino only: path of the Prometheus metrics.' }),
  process_metrics: boolOpt({ default: true, help: 'Neutrino only: include the process figures prom-client collects (CPU, memory, event loop lag, file descriptors).' }),
}, {
  sampleFile: 'neutron.conf',
  validate(v, ctx) {
    if (!PATH_RE.test(v.path)) ctx.fail('path', `'${v.path}' is not an absolute URL path`);
  },
});
