/**
 * Sections group options (`[ml2]`, `[DEFAULT]`) and a schema is the set of sections a process
 * understands. Modules declare their own sections and the entry point combines them with
 * `registerSections`, so there is no global registry (unlike oslo's `cfg.CONF.register_opts`).
 * The config object type is inferred from the declarations with `ConfigOf`.
 */
import { ConfigError, type ConfigLocation } from './config-error.js';
import type { AnyOpt, OptValue } from './opts.js';

export type OptMap = Readonly<Record<string, AnyOpt>>;

/** The frozen values of one section, typed from its declarations. */
export type SectionValues<O extends OptMap> = { readonly [K in keyof O]: OptValue<O[K]> };

/** Given to a section's `validate` pass: report a problem at the place the option was set. */
export interface ValidationContext {
  readonly section: string;
  /** Where the option's effective value came from ({} location fields for a default). */
  locate(option: string): ConfigLocation;
  /** Throws a ConfigError for `option` with `reason`, located at its assignment. */
  fail(option: string, reason: string): never;
}

export interface SectionDef<N extends string = string, O extends OptMap = OptMap> {
  readonly name: N;
  readonly opts: O;
  /** Sample file this section is documented in (e.g. 'neutron.conf', 'ml2_conf.ini'). */
  readonly sampleFile: string;
  readonly help: string | undefined;
  /** Semantic checks once every value of the section is converted (antrea style). */
  validate?(values: SectionValues<O>, ctx: ValidationContext): void;
}

export type AnySection = SectionDef<string, any>;

export interface SectionMeta<O extends OptMap> {
  readonly sampleFile: string;
  readonly help?: string;
  validate?(values: SectionValues<O>, ctx: ValidationContext): void;
}

/** Declares a section; `meta.sampleFile` defaults to neutron.conf. */
export function section<const N extends string, O extends OptMap>(
  name: N,
  opts: O,
  meta: SectionMeta<O> = { sampleFile: 'neutron.conf' },
): SectionDef<N, O> {
  const def: SectionDef<N, O> = { name, opts, sampleFile: meta.sampleFile, help: meta.help };
  if (meta.validate !== undefined) {
    const validate = meta.validate.bind(meta);
    return Object.freeze({ ...def, validate });
  }
  return Object.freeze(def);
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type OptsOfName<S extends AnySection, N> = UnionToIntersection<S extends SectionDef<infer M, infer O> ? (M extends N ? O : never) : never>;

/**
 * The config type for a list of sections. Two declarations of the same section (e.g. two modules
 * adding options to [DEFAULT]) merge into one object.
 */
export type ConfigOf<S extends readonly AnySection[]> = {
  readonly [N in S[number]['name']]: OptsOfName<S[number], N> extends infer O extends OptMap ? SectionValues<O> : never;
};

/** A merged, checked set of sections. */
export interface Schema<S extends readonly AnySection[] = readonly AnySection[]> {
  readonly declared: S;
  /** One entry per section name, with the options of every declaration merged. */
  readonly sections: ReadonlyMap<string, MergedSection>;
}

export interface MergedSection {
  readonly name: string;
  readonly opts: Readonly<Record<string, AnyOpt>>;
  readonly sampleFile: string;
  readonly help: string | undefined;
  readonly validators: ReadonlyArray<(values: any, ctx: ValidationContext) => void>;
}

/**
 * Combines section declarations into a schema. Declaring the same option twice, or two options
 * sharing a name/deprecated name in one section, is a programming error and throws.
 */
export function registerSections<const S extends readonly AnySection[]>(sections: S): Schema<S> {
  const merged = new Map<string, { name: string; opts: Record<string, AnyOpt>; sampleFile: string; help: string | undefined; validators: Array<(v: any, c: ValidationContext) => void> }>();
  for (const def of sections) {
    let m = merged.get(def.name);
    if (m === undefined) {
      m = { name: def.name, opts: {}, sampleFile: def.sampleFile, help: def.help, validators: [] };
      merged.set(def.name, m);
    }
    const names = new Set<string>();
    for (const [key, opt] of Object.entries(m.opts)) {
      names.add(key);
      if (opt.deprecatedName !== undefined) names.add(opt.deprecatedName);
    }
    for (const [key, opt] of Object.entries(def.opts as OptMap)) {
      for (const n of [key, opt.deprecatedName]) {
        if (n === undefined) continue;
        if (names.has(n)) throw new Error(`config schema: option name '${n}' declared twice in [${def.name}]`);
        names.add(n);
      }
      m.opts[key] = opt;
    }
    if (def.validate !== undefined) m.validators.push(def.validate);
  }
  return Object.freeze({ declared: sections, sections: merged });
}

/** Adds sections to an existing schema (for modules registering options after the core ones). */
export function extendSchema<const A extends readonly AnySection[], const B extends readonly AnySection[]>(
  schema: Schema<A>,
  more: B,
): Schema<[...A, ...B]> {
  return registerSections([...schema.declared, ...more] as [...A, ...B]);
}

/** A ValidationContext over a location table (used by the loader and by direct validate calls). */
export function validationContext(sectionName: string, locations?: (option: string) => ConfigLocation | undefined): ValidationContext {
  // The location keeps the name as written (a deprecated alias), so the operator can grep for it.
  const locate = (option: string): ConfigLocation => ({ section: sectionName, option, ...(locations?.(option) ?? {}) });
  return {
    section: sectionName,
    locate,
    fail(option: string, reason: string): never {
      throw new ConfigError(locate(option), reason);
    },
  };
}
