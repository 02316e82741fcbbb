/**
 * Config dump for the startup log (oslo's log_opt_values): one `[section] option = value` line
 * per option, secret options shown as ****.
 */
import { neutrinoSchema } from './neutrino-schema.js';
import type { Schema } from './schema.js';

export function formatConfigForLog(config: object, schema: Schema = neutrinoSchema): string[] {
  const values = config as Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  const lines: string[] = [];
  for (const sec of schema.sections.values()) {
    for (const [key, opt] of Object.entries(sec.opts)) {
      const v = values[sec.name]?.[key];
      let shown: string;
      if (opt.secret) shown = v === null || v === undefined ? '<None>' : '****';
      else if (v === null || v === undefined) shown = '<None>';
      else if (Array.isArray(v)) shown = v.join(',');
      else if (typeof v === 'object') shown = Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join(',');
      else shown = String(v);
      lines.push(`[${sec.name}] ${key} = ${shown}`);
    }
  }
  return lines;
}
