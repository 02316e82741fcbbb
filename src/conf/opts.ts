/**
 * Option declarations. Each option is declared once with its type, default, help text and
 * aliases; the same declaration drives file parsing, defaults, validation, the sample files
 * and docs/config.md. Conversion rules follow oslo.config's types module (oslo_config/types.py):
 * booleans accept true/false, yes/no, on/off, 1/0 in any case; lists split on commas.
 */

/** What a dynamic default may depend on; injected so that no default reads global state. */
export interface DefaultContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Effective uid of the process (0 = root); -1 when unknown (e.g. Windows). */
  readonly uid: number;
  /** Home directory used when `env.HOME` is unset. */
  readonly homedir: string;
}

export type DynamicDefault<T> = (ctx: DefaultContext) => T;

export type OptKind = 'str' | 'int' | 'float' | 'bool' | 'port' | 'list' | 'multistr' | 'dict' | 'enum';

/** Thrown by `Opt.parse`; the loader turns it into a ConfigError carrying file/line/option. */
export class OptValueError extends Error {}

export interface Opt<T> {
  readonly kind: OptKind;
  /** Human-readable type used in samples and docs, e.g. "integer", "list of strings". */
  readonly typeLabel: string;
  readonly help: string;
  readonly default: T | DynamicDefault<T>;
  /** Default shown in samples/docs when `default` is dynamic (or to document it differently). */
  readonly sampleDefault: string | undefined;
  /** Older name still accepted in files (oslo `deprecated_name`); the current name wins in a file. */
  readonly deprecatedName: string | undefined;
  /** Never shown in logs, errors or config dumps. */
  readonly secret: boolean;
  /** Environment variable that overrides files (process-level overrides only). */
  readonly env: string | undefined;
  /** Repeated keys accumulate (oslo MultiStrOpt) instead of the last one winning. */
  readonly multi: boolean;
  /** An empty value (`key =`) means "use the default" rather than a conversion error. */
  readonly emptyMeansDefault: boolean;
  /** Extra lines for the sample/docs, e.g. "Minimum value: 0". */
  readonly constraints: readonly string[];
  /** Converts one raw (already interpolated) string; throws OptValueError. */
  parse(raw: string): T;
  /** Inverse of parse, used for sample defaults and `$option` interpolation of defaults. */
  format(value: T): string;
}

export type AnyOpt = Opt<any>;
export type OptValue<O> = O extends Opt<infer T> ? T : never;

export interface CommonOptions {
  readonly help: string;
  readonly deprecatedName?: string;
  readonly secret?: boolean;
  readonly env?: string;
  readonly sampleDefault?: string;
}

type Base<T> = Omit<Opt<T>, 'kind' | 'typeLabel' | 'parse' | 'format' | 'multi' | 'emptyMeansDefault' | 'constraints' | 'default'>;

function base<T>(o: CommonOptions): Base<T> {
  return {
    help: o.help,
    sampleDefault: o.sampleDefault,
    deprecatedName: o.deprecatedName,
    secret: o.secret ?? false,
    env: o.env,
  };
}

const show = (raw: string): string => `'${raw.replace(/\r?\n/g, '\\n')}'`;

export function strOpt(o: CommonOptions & { default: string | DynamicDefault<string> }): Opt<string>;
export function strOpt(o: CommonOptions & { default?: null }): Opt<string | null>;
export function strOpt(o: CommonOptions & { default?: string | null | DynamicDefault<string> }): Opt<string | null> {
  const nullable = o.default === undefined || o.default === null;
  return {
    ...base<string | null>(o),
    kind: 'str',
    typeLabel: 'string',
    default: o.default ?? null,
    multi: false,
    emptyMeansDefault: false,
    constraints: [],
    // An empty value of an option without a default means "unset", so consumers only check null.
    parse: (raw) => (nullable && raw === '' ? null : raw),
    format: (v) => v ?? '',
  };
}

export interface NumberOptions<N> extends CommonOptions {
  readonly default: N;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly number[];
}

function numberConstraints(o: { min?: number; max?: number; choices?: readonly number[] }): string[] {
  const out: string[] = [];
  if (o.min !== undefined) out.push(`Minimum value: ${o.min}`);
  if (o.max !== undefined) out.push(`Maximum value: ${o.max}`);
  if (o.choices !== undefined) out.push(`Allowed values: ${o.choices.join(', ')}`);
  return out;
}

function checkBounds(n: number, o: { min?: number; max?: number; choices?: readonly number[] }): number {
  if (o.min !== undefined && n < o.min) throw new OptValueError(`value ${n} is below the minimum ${o.min}`);
  if (o.max !== undefined && n > o.max) throw new OptValueError(`value ${n} is above the maximum ${o.max}`);
  if (o.choices !== undefined && !o.choices.includes(n)) {
    throw new OptValueError(`value ${n} is not one of ${o.choices.join(', ')}`);
  }
  return n;
}

export function parseInteger(raw: string): number {
  const s = raw.trim();
  const n = Number(s);
  if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n)) throw new OptValueError(`invalid integer ${show(raw)}`);
  return n;
}

export function intOpt(o: NumberOptions<number>): Opt<number> {
  return {
    ...base<number>(o),
    kind: 'int',
    typeLabel: 'integer',
    default: o.default,
    multi: false,
    emptyMeansDefault: true,
    constraints: numberConstraints(o),
    parse: (raw) => checkBounds(parseInteger(raw), o),
    format: (v) => String(v),
  };
}

export function floatOpt(o: NumberOptions<number>): Opt<number> {
  return {
    ...base<number>(o),
    kind: 'float',
    typeLabel: 'floating point',
    default: o.default,
    multi: false,
    emptyMeansDefault: true,
    constraints: numberConstraints(o),
    parse: (raw) => {
      const s = raw.trim();
      const n = Number(s);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || !Number.isFinite(n)) {
        throw new OptValueError(`invalid number ${show(raw)}`);
      }
      return checkBounds(n, o);
    },
    format: (v) => String(v),
  };
}

/** TCP/UDP port, 1–65535; `allowZero` where 0 means "pick an ephemeral port" (tests). */
export function portOpt(o: CommonOptions & { default: number; allowZero?: boolean }): Opt<number> {
  const min = o.allowZero === true ? 0 : 1;
  return {
    ...base<number>(o),
    kind: 'port',
    typeLabel: 'port',
    default: o.default,
    multi: false,
    emptyMeansDefault: true,
    constraints: [`Minimum value: ${min}`, 'Maximum value: 65535'],
    parse: (raw) => {
      let n: number;
      try {
        n = parseInteger(raw);
      } catch {
        throw new OptValueError(`invalid port ${show(raw)}`);
      }
      if (n < min || n > 65535) throw new OptValueError(`invalid port ${n}: must be ${min}..65535`);
      return n;
    },
    format: (v) => String(v),
  };
}

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

export function parseBoolean(raw: string): boolean {
  const s = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(s)) return true;
  if (FALSE_WORDS.includes(s)) return false;
  throw new OptValueError(`invalid boolean ${show(raw)} (use true/false, yes/no, on/off or 1/0)`);
}

export function boolOpt(o: CommonOptions & { default: boolean }): Opt<boolean> {
  return {
    ...base<boolean>(o),
    kind: 'bool',
    typeLabel: 'boolean',
    default: o.default,
    multi: false,
    emptyMeansDefault: true,
    constraints: [],
    parse: parseBoolean,
    format: (v) => (v ? 'true' : 'false'),
  };
}

/** Comma-separated; items trimmed, empty items dropped (so `key =` is the empty list). */
export function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function listOpt(o: CommonOptions & { default: readonly string[] }): Opt<readonly string[]> {
  return {
    ...base<readonly string[]>(o),
    kind: 'list',
    typeLabel: 'list',
    default: o.default,
    multi: false,
    emptyMeansDefault: false,
    constraints: [],
    parse: splitList,
    format: (v) => v.join(','),
  };
}

/** oslo MultiStrOpt: every `key = value` line (in every file, in order) adds one item. */
export function multiStrOpt(o: CommonOptions & { default?: readonly string[] }): Opt<readonly string[]> {
  return {
    ...base<readonly string[]>(o),
    kind: 'multistr',
    typeLabel: 'multi valued',
    default: o.default ?? [],
    multi: true,
    emptyMeansDefault: false,
    constraints: [],
    parse: (raw) => [raw],
    format: (v) => v.join(','),
  };
}

/** `k1:v1,k2:v2`; keys and values trimmed; a repeated key is an error. */
export function dictOpt(o: CommonOptions & { default?: Readonly<Record<string, string>> }): Opt<Readonly<Record<string, string>>> {
  return {
    ...base<Readonly<Record<string, string>>>(o),
    kind: 'dict',
    typeLabel: 'dict',
    default: o.default ?? {},
    multi: false,
    emptyMeansDefault: false,
    constraints: [],
    parse: (raw) => {
      const out: Record<string, string> = {};
      for (const item of splitList(raw)) {
        const colon = item.indexOf(':');
        if (colon <= 0) throw new OptValueError(`invalid dict entry ${show(item)} (expected key:value)`);
        const key = item.slice(0, colon).trim();
        if (Object.hasOwn(out, key)) throw new OptValueError(`duplicate dict key ${show(key)}`);
        out[key] = item.slice(colon + 1).trim();
      }
      return out;
    },
    format: (v) => Object.entries(v).map(([k, val]) => `${k}:${val}`).join(','),
  };
}

/** A string restricted to `choices` (case-sensitive, as oslo's default). */
export function enumOpt<const C extends readonly string[]>(
  o: CommonOptions & { choices: C; default: C[number]; choiceHelp?: Partial<Record<C[number], string>> },
): Opt<C[number]> {
  const help = o.choiceHelp as Partial<Record<string, string>> | undefined;
  return {
    ...base<C[number]>(o),
    kind: 'enum',
    typeLabel: 'string',
    default: o.default,
    multi: false,
    emptyMeansDefault: true,
    constraints: [
      `Allowed values: ${o.choices.join(', ')}`,
      ...o.choices.filter((c) => help?.[c] !== undefined).map((c) => `  ${c} - ${help![c]}`),
    ],
    parse: (raw) => {
      const s = raw.trim();
      if (!o.choices.includes(s)) throw new OptValueError(`invalid value ${show(raw)}: must be one of ${o.choices.join(', ')}`);
      return s as C[number];
    },
    format: (v) => v,
  };
}
