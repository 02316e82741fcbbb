/**
 * Config dump for the startup log (oslo's log_opt_values, written when `debug = true`): one
 * `[section] option = value` line per option. Secrets never appear: a secret option shows `****`,
 * or, when it is a URL, the URL with its passwords replaced (`postgresql://neutron:****@db/neutron`,
 * so the operator still sees which database); a password inside any URL-shaped value (e.g. a
 * `transport_url`'s `rabbit://user:pass@host`) is masked too, secret or not.
 */
import { neutrinoSchema } from './neutrino-schema.js';
import type { Schema } from './schema.js';

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Replaces the password of every `user:password@` (several hosts: `a:p@h1,b:q@h2`) and `password=` parameter. */
export function maskUrlPasswords(url: string): string {
  return url
    .replace(/([/,])([^/:@,?#]*):[^@/?#]*@/g, '$1$2:****@')
    .replace(/([?&](?:password|passwd|pass)=)[^&#]*/gi, '$1****');
}

export function formatConfigForLog(config: object, schema: Schema = neutrinoSchema): string[] {
  const values = config as Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  const lines: string[] = [];
  for (const sec of schema.sections.values()) {
    for (const [key, opt] of Object.entries(sec.opts)) {
      const v = values[sec.name]?.[key];
      let shown: string;
      if (v === null || v === undefined) shown = '<None>';
      else if (opt.secret) shown = typeof v === 'string' && URL_RE.test(v) ? maskUrlPasswords(v) : '****';
      else if (Array.isArray(v)) shown = v.map((x) => maskAny(String(x))).join(',');
      else if (typeof v === 'object') shown = Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join(',');
      else shown = maskAny(String(v));
      lines.push(`[${sec.name}] ${key} = ${shown}`);
    }
  }
  return lines;
}

const maskAny = (s: string): string => (URL_RE.test(s) ? maskUrlPasswords(s) : s);
