/**
 * oslo.config INI syntax (oslo_config/iniparser.py), re-implemented:
 *
 * - `[section]` headers; the line (right-trimmed) must end with `]`. `DEFAULT` keeps its case,
 *   other section names are lower-cased as oslo normalises group names.
 * - `key = value` or `key: value`; whichever of `=` / `:` comes first splits, so
 *   `connection = mysql://u:p@h/db` and `network_vlan_ranges: physnet1:100:200` both work.
 * - The value is trimmed; one pair of matching surrounding quotes (`"..."` or `'...'`) on the
 *   first line is removed, any other quote is literal. There are no inline comments:
 *   `key = a # b` has the value `a # b`.
 * - Lines starting with `#` or `;` (column 0) are comments; blank lines end a continued value.
 * - A line starting with a space or tab continues the previous value; the parts are joined with
 *   `\n` (list options split on commas, so `a,\n  b` is `[a, b]`).
 * - Repeated keys are all kept, in order; the loader decides (later wins, or accumulate for
 *   multi-valued options).
 */
import { ConfigError } from './config-error.js';

export interface IniAssignment {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based line of the `key = value` line. */
  readonly line: number;
}

export interface ParsedIni {
  readonly file: string;
  /** Every assignment in file order. */
  readonly assignments: readonly IniAssignment[];
  /** Section names in order of first appearance (including empty sections). */
  readonly sections: readonly string[];
}

export function normalizeSectionName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** Parses INI text; `file` is only used in error messages. Throws ConfigError on syntax errors. */
export function parseIni(text: string, file: string): ParsedIni {
  const assignments: IniAssignment[] = [];
  const sections: string[] = [];
  let section: string | undefined;
  let pending: { key: string; parts: string[]; line: number } | undefined;

  const flush = (): void => {
    if (pending === undefined) return;
    // oslo only complains about a missing section header when an assignment is made.
    if (section === undefined) {
      throw new ConfigError({ file, line: pending.line, option: pending.key }, 'assignment before any [section] header');
    }
    assignments.push({ section, key: pending.key, value: pending.parts.join('\n'), line: pending.line });
    pending = undefined;
  };

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trimEnd();
    if (line === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending === undefined) {
        throw new ConfigError({ file, line: lineNo, section }, `unexpected continuation line: '${line.trim()}'`);
      }
      pending.parts.push(line.trimStart());
      continue;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) {
        throw new ConfigError({ file, line: lineNo }, `invalid section header (must end with ']'): '${line}'`);
      }
      const name = line.slice(1, -1).trim();
      if (name === '') throw new ConfigError({ file, line: lineNo }, 'empty section name');
      section = normalizeSectionName(name);
      if (!sections.includes(section)) sections.push(section);
    } else if (line.startsWith('#') || line.startsWith(';')) {
      continue;
    } else {
      const { key, value } = splitKeyValue(line, file, lineNo, section);
      pending = { key, parts: [value], line: lineNo };
    }
  }
  flush();
  return { file, assignments, sections };
}

function splitKeyValue(line: string, file: string, lineNo: number, section: string | undefined): { key: string; value: string } {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) {
    throw new ConfigError({ file, line: lineNo, section }, `expected 'key = value', found no '=' or ':': '${line}'`);
  }
  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  const key = line.slice(0, at).trim();
  let value = line.slice(at + 1).trim();
  if (key === '') throw new ConfigError({ file, line: lineNo, section }, `empty option name: '${line}'`);
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[0] === value[value.length - 1]) {
    value = value.slice(1, -1);
  }
  return { key, value };
}
