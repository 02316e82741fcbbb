import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildConfig, extendSchema, neutrinoSchema, parseIni, renderOptionsMarkdown, renderSamples, section, strOpt,
  updateConfigDoc, writeSamples,
} from '../../../src/conf/index.js';
import { CTX, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const REGEN = "regenerate: node --import tsx -e \"const m = await import('./src/conf/index.ts'); m.writeSamples('etc'); m.writeConfigDoc('docs/config.md')\"";

describe('sample files', () => {
  const samples = renderSamples();

  for (const name of ['neutron.conf', 'ml2_conf.ini'] as const) {
    it(`etc/${name}.sample matches the declarations`, () => {
      assert.equal(readFileSync(join(root, 'etc', `${name}.sample`), 'utf8'), samples[name], `etc/${name}.sample is stale; ${REGEN}`);
    });
  }

  it('docs/config.md option tables match the declarations', () => {
    const doc = readFileSync(join(root, 'docs', 'config.md'), 'utf8');
    assert.equal(updateConfigDoc(doc), doc, `docs/config.md is stale; ${REGEN}`);
  });

  it('lists every declared option once, commented out, with help and its default', () => {
    for (const sec of neutrinoSchema.sections.values()) {
      const file = samples[sec.sampleFile]!;
      assert.ok(file.includes(`\n[${sec.name}]\n`), sec.name);
      // Within its own section: [ml2_odl] and [keystone_authtoken] both have username/password.
      const text = file.slice(file.indexOf(`\n[${sec.name}]\n`)).split(/\n\[/)[1]!;
      for (const key of Object.keys(sec.opts)) assert.equal(text.match(new RegExp(`^#${key} =`, 'gm'))?.length, 1, `[${sec.name}] ${key}`);
    }
    assert.match(samples['ml2_conf.ini'], /# Deprecated name: tenant_network_types \(still accepted\)\n#project_network_types = local\n/);
    assert.match(samples['neutron.conf'], /#bind_port = 9696\n/);
    assert.match(samples['neutron.conf'], /#log_file = <None>\n/);
    assert.match(samples['neutron.conf'], /#connection = sqlite:\/\/\/\$state_path\/neutrino\.sqlite\n/);
    assert.ok(samples['neutron.conf'].split('\n').every((l) => l.length <= 100));
  });

  it('an uncommented sample loads and gives the defaults (except the computed state_path)', () => {
    const uncomment = (t: string): string => t.replace(/^#(\w+ =.*)$/gm, '$1').replace(/ = <None>$/gm, ' =');
    const files = [parseIni(uncomment(samples['neutron.conf']), 'n'), parseIni(uncomment(samples['ml2_conf.ini']), 'm')];
    const { config, report } = buildConfig(files, CTX);
    const defaults = buildConfig([], CTX).config;
    assert.deepEqual(report.unknown, []);
    assert.deepEqual({ ...config, DEFAULT: { ...config.DEFAULT, state_path: '' } },
      { ...defaults, DEFAULT: { ...defaults.DEFAULT, state_path: '' }, database: { ...defaults.database, connection: 'sqlite:////var/lib/neutrino/neutrino.sqlite' } });
  });

  it('includes sections registered by other modules, in their own sample file', () => {
    const schema = extendSchema(neutrinoSchema, [section('nova', { region_name: strOpt({ help: 'Nova region.' }) }, { sampleFile: 'nova.conf', help: 'Nova client.' })]);
    const s = renderSamples(schema);
    assert.match(s['nova.conf']!, /\[nova\]\n\n# Nova client\.\n\n# Nova region\. \(string value\)\n#region_name = <None>\n/);
    assert.match(renderOptionsMarkdown(schema), /#### \[nova\]/);
    const dir = tempDir();
    assert.deepEqual(writeSamples(dir, schema).map((p) => p.slice(dir.length + 1)), ['neutron.conf.sample', 'ml2_conf.ini.sample', 'nova.conf.sample']);
    assert.equal(readFileSync(join(dir, 'nova.conf.sample'), 'utf8'), s['nova.conf']);
  });
});
