/**
 * Sample files (etc/neutron.conf.sample, etc/ml2_conf.ini.sample) and the option reference in
 * docs/config.md, generated from the declarations like oslo-config-generator: help as comments,
 * every option commented out with its default. A unit test fails when the committed files drift.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { neutrinoSchema } from './neutrino-schema.js';
import type { AnyOpt } from './opts.js';
import type { MergedSection, Schema } from './schema.js';

export const SAMPLE_FILES = ['neutron.conf', 'ml2_conf.ini'] as const;
export type SampleName = (typeof SAMPLE_FILES)[number];

const WIDTH = 78;
export const DOC_BEGIN = '<!-- BEGIN GENERATED OPTIONS (src/conf/render-samples.ts) -->';
export const DOC_END = '<!-- END GENERATED OPTIONS -->';

/** The default as written in a sample: `<None>` for unset, the documented text for dynamic ones. */
export function sampleDefault(opt: AnyOpt): string {
  if (opt.sampleDefault !== undefined) return opt.sampleDefault;
  if (typeof opt.default === 'function') return '<computed>';
  if (opt.default === null) return '<None>';
  return opt.format(opt.default);
}

function wrap(text: string, prefix: string): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (cur !== '' && prefix.length + cur.length + 1 + word.length > WIDTH) {
      lines.push(prefix + cur);
      cur = word;
    } else cur = cur === '' ? word : `${cur} ${word}`;
  }
  if (cur !== '') lines.push(prefix + cur);
  return lines;
}

function optionNotes(opt: AnyOpt): string[] {
  const notes = [...opt.constraints];
  if (opt.deprecatedName !== undefined) notes.push(`Deprecated name: ${opt.deprecatedName} (still accepted)`);
  if (opt.env !== undefined) notes.push(`Environment override: ${opt.env}`);
  if (opt.secret) notes.push('Secret: never logged');
  return notes;
}

function renderSection(sec: MergedSection): string[] {
  const out = [`[${sec.name}]`, ''];
  if (sec.help !== undefined) out.push(...wrap(sec.help, '# '), '');
  for (const [key, opt] of Object.entries(sec.opts)) {
    out.push(...wrap(`${opt.help} (${opt.typeLabel} value)`, '# '));
    out.push(...optionNotes(opt).map((n) => `# ${n}`));
    const shown = opt.multi && Array.isArray(opt.default) && opt.default.length > 0 ? (opt.default as string[]) : [sampleDefault(opt)];
    for (const d of shown) out.push(d === '' ? `#${key} =` : `#${key} = ${d}`);
    out.push('');
  }
  return out;
}

/** Renders every sample file of the schema (sections grouped by their `sampleFile`). */
export function renderSamples(schema: Schema = neutrinoSchema): Record<SampleName, string> & Record<string, string> {
  const files = new Map<string, string[]>(SAMPLE_FILES.map((f) => [f, []]));
  for (const sec of schema.sections.values()) {
    if (!files.has(sec.sampleFile)) files.set(sec.sampleFile, []);
    files.get(sec.sampleFile)!.push(...renderSection(sec));
  }
  const result: Record<string, string> = {};
  for (const [name, body] of files) {
    const header = [
      `# ${name} for Neutrino: every option, commented out, with its default.`,
      '# Generated from the declarations in src/conf by writeSamples() (neutrino genconfig);',
      '# do not edit by hand. See docs/config.md.',
      '',
    ];
    result[name] = [...header, ...body].join('\n').replace(/\n+$/, '\n');
  }
  return result as Record<SampleName, string> & Record<string, string>;
}

/** Writes `<name>.sample` for every sample file into `dir`; returns the paths written. */
export function writeSamples(dir: string, schema: Schema = neutrinoSchema): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderSamples(schema)).map(([name, text]) => {
    const path = join(dir, `${name}.sample`);
    writeFileSync(path, text);
    return path;
  });
}

const cell = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown option reference: one table per section, grouped by sample file. */
export function renderOptionsMarkdown(schema: Schema = neutrinoSchema): string {
  const out: string[] = [];
  const byFile = new Map<string, MergedSection[]>();
  for (const sec of schema.sections.values()) byFile.set(sec.sampleFile, [...(byFile.get(sec.sampleFile) ?? []), sec]);
  for (const [file, sections] of byFile) {
    out.push(`### ${file}`, '');
    for (const sec of sections) {
      out.push(`#### [${sec.name}]`, '');
      if (sec.help !== undefined) out.push(sec.help, '');
      out.push('| Option | Type | Default | Description |', '|---|---|---|---|');
      for (const [key, opt] of Object.entries(sec.opts)) {
        const d = sampleDefault(opt);
        const desc = [opt.help, ...optionNotes(opt).map((n) => `${n.trim()}.`)].join(' ');
        out.push(`| \`${key}\` | ${opt.typeLabel} | ${d === '' ? '(empty)' : `\`${d.replace(/\|/g, "\\|")}\``} | ${cell(desc)} |`);
      }
      out.push('');
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** Replaces the generated region of docs/config.md text with the current option tables. */
export function updateConfigDoc(text: string, schema: Schema = neutrinoSchema): string {
  const begin = text.indexOf(DOC_BEGIN);
  const end = text.indexOf(DOC_END);
  if (begin < 0 || end < begin) throw new Error(`config doc: markers ${DOC_BEGIN} ... ${DOC_END} not found`);
  return `${text.slice(0, begin + DOC_BEGIN.length)}\n\n${renderOptionsMarkdown(schema)}\n${text.slice(end)}`;
}

export function writeConfigDoc(path: string, schema: Schema = neutrinoSchema): void {
  writeFileSync(path, updateConfigDoc(readFileSync(path, 'utf8'), schema));
}
