/**
 * The one error type of the configuration subsystem. Its message is always a single line that
 * names where the problem is (file:line, section, option) and what is wrong, so that
 * `neutrino: <message>` on stderr is enough for an operator to fix a file without a traceback:
 *
 *   neutron.conf:12: [ml2] path_mtu: invalid integer 'abc'
 */

/** Where a value came from: a file line, an environment variable, or nowhere (a default). */
export interface ConfigLocation {
  /** Path of the config file, as given on the command line. */
  readonly file?: string;
  /** 1-based line of the assignment (the first line of a continued value). */
  readonly line?: number;
  /** Environment variable that supplied the value (process-level override). */
  readonly env?: string;
  readonly section?: string;
  readonly option?: string;
}

export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly section: string | undefined;
  readonly option: string | undefined;
  /** The bare description, without the location prefix. */
  readonly reason: string;

  constructor(where: ConfigLocation, reason: string) {
    super(formatConfigMessage(where, reason));
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.section = where.section;
    this.option = where.option;
    this.reason = reason;
  }
}

/** `file:line: [section] option: reason`, dropping the parts that are unknown; never multi-line. */
export function formatConfigMessage(where: ConfigLocation, reason: string): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file}:${where.line}:` : `${where.file}:`);
  else if (where.env !== undefined) parts.push(`$${where.env}:`);
  if (where.section !== undefined) parts.push(where.option !== undefined ? `[${where.section}] ${where.option}:` : `[${where.section}]`);
  else if (where.option !== undefined) parts.push(`${where.option}:`);
  parts.push(oneLine(reason));
  return parts.join(' ');
}

/** Shows a value inside a message: quoted, newlines escaped, long values shortened. */
export function quoteValue(value: string, secret = false): string {
  if (secret) return "'****'";
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `'${oneLine(shown)}'`;
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}
