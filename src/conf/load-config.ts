/**
 * Builds the frozen config from layered INI files, as oslo.config does for
 * `--config-file a --config-file b --config-dir d`:
 *  - sources are read in order; for a single-valued option the last file that sets it wins
 *    (within one file the last assignment wins, and the current name beats a deprecated name);
 *  - multi-valued options accumulate every assignment of every file, in order;
 *  - an option's `env` variable (process-level override, e.g. NEUTRINO_BIND_PORT) beats files;
 *  - `$option` / `${section.option}` references are substituted before conversion, defaults
 *    included (`connection = sqlite:///$state_path/neutrino.sqlite`);
 *  - unknown sections and options are ignored and reported, one line each with the nearest
 *    known name (oslo ignores them silently).
 * Any error is a ConfigError with a one-line message naming file:line, section and option.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigLocation } from './config-error.js';
import { interpolate, InterpolationError } from './interpolate.js';
import { type NeutrinoConfig, neutrinoSchema } from './neutrino-schema.js';
import { type AnyOpt, type DefaultContext, OptValueError } from './opts.js';
import { type IniAssignment, normalizeSectionName, type ParsedIni, parseIni } from './parse-ini.js';
import { nearestName } from './nearest-name.js';
import { type AnySection, type ConfigOf, type Schema, type ValidationContext, validationContext } from './schema.js';

export interface ConfigSource {
  readonly kind: 'file' | 'dir';
  readonly path: string;
}

export interface LoadConfigOptions {
  /** `--config-file` paths, in order (later wins). */
  readonly files?: readonly string[];
  /** `--config-dir` paths: their `*.conf` files, sorted by name, are read after `files`. */
  readonly dirs?: readonly string[];
  /** Files and dirs in command-line order; replaces `files`/`dirs` when given (see parseArgs). */
  readonly sources?: readonly ConfigSource[];
  /** Environment for overrides and the state_path default; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Effective uid for the state_path default; defaults to process.getuid(). */
  readonly uid?: number;
  /** Home directory used when env.HOME is unset; defaults to os.homedir(). */
  readonly homedir?: string;
  /** Called once per warning line (unknown options, deprecated names). */
  readonly warn?: (line: string) => void;
  /**
   * Checks the loader cannot make itself (e.g. driver names against the registries that own
   * them), run after the sections' own validators; `ctx.fail` reports at file:line like any
   * other config error.
   */
  readonly validators?: ReadonlyArray<{ readonly section: string; validate(values: never, ctx: ValidationContext): void }>;
}

export interface UnknownSetting {
  readonly file: string;
  readonly line: number;
  readonly section: string;
  /** Undefined when the whole section is unknown. */
  readonly option?: string;
}

export interface DeprecatedSetting extends UnknownSetting {
  readonly option: string;
  readonly replacement: string;
}

export interface LoadReport {
  /** Files actually read, in order. */
  readonly files: readonly string[];
  readonly unknown: readonly UnknownSetting[];
  readonly deprecated: readonly DeprecatedSetting[];
  /** The same information as one-line messages (also passed to `warn`). */
  readonly warnings: readonly string[];
}

export interface LoadResult<C> {
  readonly config: C;
  readonly report: LoadReport;
}

type WithSchema<S extends readonly AnySection[]> = { readonly schema: Schema<S> };

export function loadConfig(opts?: LoadConfigOptions): NeutrinoConfig;
export function loadConfig<S extends readonly AnySection[]>(opts: LoadConfigOptions & WithSchema<S>): ConfigOf<S>;
export function loadConfig(opts: LoadConfigOptions & { schema?: Schema } = {}): unknown {
  return loadConfigWithReport(opts as LoadConfigOptions & WithSchema<readonly AnySection[]>).config;
}

export function loadConfigWithReport(opts?: LoadConfigOptions): LoadResult<NeutrinoConfig>;
export function loadConfigWithReport<S extends readonly AnySection[]>(opts: LoadConfigOptions & WithSchema<S>): LoadResult<ConfigOf<S>>;
export function loadConfigWithReport(opts: LoadConfigOptions & { schema?: Schema } = {}): LoadResult<unknown> {
  const sources = opts.sources ?? [
    ...(opts.files ?? []).map((path) => ({ kind: 'file' as const, path })),
    ...(opts.dirs ?? []).map((path) => ({ kind: 'dir' as const, path })),
  ];
  const parsed = listConfigFiles(sources).map((file) => parseIni(readConfigFile(file), file));
  return buildConfig(parsed, opts as LoadConfigOptions & WithSchema<readonly AnySection[]>);
}

/** Expands sources into the ordered list of files to read (a dir gives its *.conf, sorted). */
export function listConfigFiles(sources: readonly ConfigSource[]): string[] {
  const files: string[] = [];
  for (const src of sources) {
    if (src.kind === 'file') {
      files.push(src.path);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(src.path);
    } catch (e) {
      throw new ConfigError({ file: src.path }, `cannot read config directory (${errText(e)})`);
    }
    for (const name of names.filter((n) => n.endsWith('.conf')).sort()) {
      const path = join(src.path, name);
      if (statSync(path, { throwIfNoEntry: false })?.isFile() === true) files.push(path);
    }
  }
  return files;
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError({ file }, `cannot read config file (${errText(e)})`);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\r?\n/g, ' ') : String(e);
}

interface Candidate {
  readonly value: string;
  readonly loc: ConfigLocation;
}

interface Entry {
  readonly section: string;
  readonly key: string;
  readonly opt: AnyOpt;
  winner?: Candidate;
  items?: Candidate[];
}

/** Builds the config from already parsed files (in-memory entry point; used by tests). */
export function buildConfig(parsed: readonly ParsedIni[], opts?: Omit<LoadConfigOptions, 'files' | 'dirs' | 'sources'>): LoadResult<NeutrinoConfig>;
export function buildConfig<S extends readonly AnySection[]>(parsed: readonly ParsedIni[], opts: Omit<LoadConfigOptions, 'files' | 'dirs' | 'sources'> & WithSchema<S>): LoadResult<ConfigOf<S>>;
export function buildConfig(parsed: readonly ParsedIni[], opts: LoadConfigOptions & { schema?: Schema } = {}): LoadResult<unknown> {
  const schema = opts.schema ?? neutrinoSchema;
  const ctx: DefaultContext = {
    env: opts.env ?? process.env,
    uid: opts.uid ?? process.getuid?.() ?? -1,
    homedir: opts.homedir ?? osHomedir(),
  };
  const id = (section: string, key: string): string => `${section}\0${key}`;
  const table = new Map<string, Entry>();
  const known = new Map<string, Map<string, string>>(); // section → written name → option key
  for (const sec of schema.sections.values()) {
    const names = new Map<string, string>();
    for (const [key, opt] of Object.entries(sec.opts)) {
      table.set(id(sec.name, key), { section: sec.name, key, opt });
      names.set(key, key);
      if (opt.deprecatedName !== undefined) names.set(opt.deprecatedName, key);
    }
    known.set(sec.name, names);
  }

  const unknown: UnknownSetting[] = [];
  const deprecated: DeprecatedSetting[] = [];
  for (const file of parsed) {
    const seenSections = new Set<string>();
    const byOpt = new Map<string, IniAssignment[]>();
    for (const a of file.assignments) {
      const names = known.get(a.section);
      const key = names?.get(a.key);
      if (names === undefined) {
        if (!seenSections.has(a.section)) unknown.push({ file: file.file, line: a.line, section: a.section });
        seenSections.add(a.section);
      } else if (key === undefined) {
        unknown.push({ file: file.file, line: a.line, section: a.section, option: a.key });
      } else {
        const k = id(a.section, key);
        byOpt.set(k, [...(byOpt.get(k) ?? []), a]);
        if (a.key !== key) deprecated.push({ file: file.file, line: a.line, section: a.section, option: a.key, replacement: key });
      }
    }
    for (const [k, assignments] of byOpt) {
      const entry = table.get(k)!;
      const cands = assignments.map((a) => ({ value: a.value, loc: { file: file.file, line: a.line, section: a.section, option: a.key } }));
      if (entry.opt.multi) {
        entry.items = [...(entry.items ?? []), ...cands];
      } else {
        // Within one file the current name wins over the deprecated one, then the last line.
        const current = cands.filter((c) => c.loc.option === entry.key);
        entry.winner = (current.length > 0 ? current : cands).at(-1)!;
      }
    }
  }
  for (const entry of table.values()) {
    const name = entry.opt.env;
    const value = name === undefined ? undefined : ctx.env[name];
    if (name === undefined || value === undefined || value === '') continue;
    const cand = { value, loc: { env: name, section: entry.section, option: entry.key } };
    if (entry.opt.multi) entry.items = [cand];
    else entry.winner = cand;
  }

  // ---- interpolation -------------------------------------------------------------------
  const defaults = new Map<Entry, unknown>();
  const defaultOf = (e: Entry): unknown => {
    if (!defaults.has(e)) {
      const d = e.opt.default;
      defaults.set(e, typeof d === 'function' ? (d as (c: DefaultContext) => unknown)(ctx) : d);
    }
    return defaults.get(e);
  };
  const resolved = new Map<string, string>();
  const stack: string[] = [];
  const where = (e: Entry, c?: Candidate): ConfigLocation => c?.loc ?? { section: e.section, option: e.key };

  const lookupFrom = (section: string) => (name: string): string | undefined => {
    const dot = name.indexOf('.');
    const targets = dot > 0
      ? [id(normalizeSectionName(name.slice(0, dot)), name.slice(dot + 1))]
      : [id(section, name), id('DEFAULT', name)];
    const target = targets.map((t) => table.get(t)).find((e) => e !== undefined);
    return target === undefined ? undefined : rawText(target);
  };
  const subst = (e: Entry, text: string, c?: Candidate): string => {
    try {
      return interpolate(text, lookupFrom(e.section));
    } catch (err) {
      if (err instanceof InterpolationError) throw new ConfigError(where(e, c), err.message);
      throw err;
    }
  };
  /** The substituted text of an option, for use inside another option's value. */
  function rawText(e: Entry): string {
    const k = id(e.section, e.key);
    const cached = resolved.get(k);
    if (cached !== undefined) return cached;
    if (stack.includes(k)) {
      const loop = [...stack.slice(stack.indexOf(k)), k].map((s) => s.replace('\0', '.')).join(' -> ');
      throw new InterpolationError(`interpolation loop: ${loop}`);
    }
    stack.push(k);
    try {
      let text: string;
      if (e.items !== undefined) text = e.items.map((c) => subst(e, c.value, c)).join(',');
      else if (e.winner !== undefined) text = subst(e, e.winner.value, e.winner);
      else {
        const d = defaultOf(e);
        text = d === null ? '' : subst(e, e.opt.format(d));
      }
      resolved.set(k, text);
      return text;
    } finally {
      stack.pop();
    }
  }

  // ---- conversion ----------------------------------------------------------------------
  const convert = (e: Entry, text: string, c?: Candidate): unknown => {
    try {
      return e.opt.parse(text);
    } catch (err) {
      if (!(err instanceof OptValueError)) throw err;
      throw new ConfigError(where(e, c), e.opt.secret ? 'invalid value (not shown: secret option)' : err.message);
    }
  };
  const valueOf = (e: Entry): unknown => {
    if (e.items !== undefined) return e.items.flatMap((c) => convert(e, subst(e, c.value, c), c) as unknown[]);
    if (e.winner !== undefined) {
      const text = subst(e, e.winner.value, e.winner);
      if (e.opt.emptyMeansDefault && text.trim() === '') return defaultValue(e);
      return convert(e, text, e.winner);
    }
    return defaultValue(e);
  };
  const defaultValue = (e: Entry): unknown => {
    const d = defaultOf(e);
    if (d === null) return null;
    const text = e.opt.format(d);
    return text.includes('$') ? convert(e, subst(e, text)) : structuredClone(d);
  };

  const config: Record<string, Record<string, unknown>> = {};
  for (const e of table.values()) (config[e.section] ??= {})[e.key] = valueOf(e);
  for (const sec of schema.sections.values()) config[sec.name] ??= {};
  deepFreeze(config);

  for (const sec of schema.sections.values()) {
    const locate = (option: string): ConfigLocation | undefined => {
      const e = table.get(id(sec.name, option));
      return e?.winner?.loc ?? e?.items?.at(-1)?.loc;
    };
    for (const validate of sec.validators) validate(config[sec.name], validationContext(sec.name, locate));
  }

  for (const v of opts.validators ?? []) {
    const e = (name: string) => table.get(id(v.section, name));
    const locate = (option: string): ConfigLocation | undefined => e(option)?.winner?.loc ?? e(option)?.items?.at(-1)?.loc;
    v.validate(config[v.section] as never, validationContext(v.section, locate));
  }

  const warnings = warningLines(unknown, deprecated, known);
  for (const w of warnings) opts.warn?.(w);
  return { config, report: { files: parsed.map((p) => p.file), unknown, deprecated, warnings } };
}

/**
 * One line per unknown section or option, `file:line: [section] option: unknown option, ignored
 * (did you mean …?)`, then one line for deprecated names.
 */
function warningLines(unknown: readonly UnknownSetting[], deprecated: readonly DeprecatedSetting[], known: ReadonlyMap<string, ReadonlyMap<string, string>>): string[] {
  const out: string[] = [];
  for (const u of unknown) {
    if (u.option === undefined) {
      const near = nearestName(u.section, known.keys());
      out.push(`${u.file}:${u.line}: [${u.section}]: unknown section, ignored${near === undefined ? '' : ` (did you mean [${near}]?)`}`);
      continue;
    }
    const near = nearestName(u.option, known.get(u.section)?.keys() ?? []);
    // The right name in the wrong section (type_drivers under [DEFAULT]).
    const elsewhere = near === undefined ? [...known].find(([, names]) => names.has(u.option!))?.[0] : undefined;
    const hint = near !== undefined ? ` (did you mean ${near}?)` : elsewhere !== undefined ? ` (did you mean [${elsewhere}] ${u.option}?)` : '';
    out.push(`${u.file}:${u.line}: [${u.section}] ${u.option}: unknown option, ignored${hint}`);
  }
  if (deprecated.length > 0) {
    const items = deprecated.map((d) => `[${d.section}] ${d.option} -> ${d.replacement} (${d.file}:${d.line})`);
    out.push(`deprecated config option names in use: ${items.join(', ')}`);
  }
  return out;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
