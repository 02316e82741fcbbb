import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildConfig, extendSchema, formatConfigForLog, maskUrlPasswords, loadConfig, loadConfigWithReport, multiStrOpt, dictOpt, floatOpt,
  neutrinoSchema, parseIni, section, strOpt,
} from '../../../src/conf/index.js';
import { build, cfg, CTX, tempDir, writeFiles } from './helpers.js';

describe('loadConfig: defaults', () => {
  it('gives Neutron defaults (and Neutrino deviations) with no files', () => {
    const c = loadConfig({ ...CTX });
    assert.equal(c.DEFAULT.bind_host, '127.0.0.1');
    assert.equal(c.DEFAULT.bind_port, 9696);
    assert.equal(c.DEFAULT.auth_strategy, 'noauth');
    assert.equal(c.DEFAULT.base_mac, 'fa:16:3e:00:00:00');
    assert.equal(c.DEFAULT.core_plugin, 'ml2');
    assert.equal(c.DEFAULT.allow_overlapping_ips, true);
    assert.equal(c.DEFAULT.pagination_max_limit, -1);
    assert.equal(c.DEFAULT.global_physnet_mtu, 1500);
    assert.equal(c.DEFAULT.agent_down_time, 75);
    assert.equal(c.DEFAULT.log_file, null);
    assert.equal(c.oslo_middleware.max_request_body_size, 114688);
    assert.equal(c.keystone_authtoken.token_cache_time, 300);
    assert.deepEqual(c.ml2.type_drivers, ['local', 'flat', 'vlan', 'gre', 'vxlan']);
    assert.deepEqual(c.ml2.project_network_types, ['local']);
    assert.deepEqual(c.ml2.mechanism_drivers, []);
    assert.equal(c.ml2.path_mtu, 0);
    assert.equal(c.ml2.overlay_ip_version, 4);
    assert.deepEqual(c.ml2_type_flat.flat_networks, ['*']);
    assert.equal(c.ml2_type_vxlan.vxlan_group, null);
  });

  it('computes state_path from uid / XDG_STATE_HOME / HOME and substitutes it into [database] connection', () => {
    const at = (env: Record<string, string>, uid: number): [string, string] => {
      const c = loadConfig({ env, uid, homedir: '/fallback' });
      return [c.DEFAULT.state_path, c.database.connection];
    };
    assert.deepEqual(at({ HOME: '/home/op' }, 1000), ['/home/op/.local/state/neutrino', 'sqlite:////home/op/.local/state/neutrino/neutrino.sqlite']);
    assert.deepEqual(at({ HOME: '/home/op', XDG_STATE_HOME: '/xdg' }, 1000)[0], '/xdg/neutrino');
    assert.deepEqual(at({ HOME: '/home/op', XDG_STATE_HOME: 'relative' }, 1000)[0], '/home/op/.local/state/neutrino');
    assert.deepEqual(at({}, 1000)[0], '/fallback/.local/state/neutrino');
    assert.deepEqual(at({ XDG_STATE_HOME: '/xdg' }, 0), ['/var/lib/neutrino', 'sqlite:////var/lib/neutrino/neutrino.sqlite']);
  });

  it('returns a deeply frozen object', () => {
    const c = cfg('[ml2]\ntype_drivers = local,flat\n');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.ml2) && Object.isFrozen(c.ml2.type_drivers));
    assert.throws(() => {
      (c.DEFAULT as { bind_port: number }).bind_port = 1;
    }, TypeError);
  });

  it('builds independent configs (no global state)', () => {
    const a = cfg('[DEFAULT]\nbind_port = 1234\n');
    const b = cfg('');
    assert.equal(a.DEFAULT.bind_port, 1234);
    assert.equal(b.DEFAULT.bind_port, 9696);
    // Defaults are copied, not shared with the declaration.
    assert.notEqual(b.ml2.type_drivers, cfg('').ml2.type_drivers);
  });
});

describe('loadConfig: types', () => {
  it('converts ints, bools (oslo words, any case), lists, enums and ports', () => {
    const c = cfg([
      '[DEFAULT]', 'debug = YES', 'use_stderr = off', 'allow_bulk = 0', 'ipv6_pd_enabled = On',
      'api_workers = 4', 'pagination_max_limit = +100', 'auth_strategy = keystone', 'bind_port = 0',
      'service_plugins = router , ,qos,', '[ml2]', 'type_drivers =', 'project_network_types =',
    ].join('\n'));
    assert.equal(c.DEFAULT.debug, true);
    assert.equal(c.DEFAULT.use_stderr, false);
    assert.equal(c.DEFAULT.allow_bulk, false);
    assert.equal(c.DEFAULT.ipv6_pd_enabled, true);
    assert.equal(c.DEFAULT.api_workers, 4);
    assert.equal(c.DEFAULT.pagination_max_limit, 100);
    assert.equal(c.DEFAULT.auth_strategy, 'keystone');
    assert.equal(c.DEFAULT.bind_port, 0);
    assert.deepEqual(c.DEFAULT.service_plugins, ['router', 'qos']);
    assert.deepEqual(c.ml2.type_drivers, []);
  });

  it('an empty value means the default for int/bool/port/enum and null for an unset string', () => {
    const c = cfg('[DEFAULT]\napi_workers =\ndebug =\nbind_port =\nauth_strategy =\nlog_file =\ncore_plugin =\n');
    assert.equal(c.DEFAULT.api_workers, 1);
    assert.equal(c.DEFAULT.debug, false);
    assert.equal(c.DEFAULT.bind_port, 9696);
    assert.equal(c.DEFAULT.auth_strategy, 'noauth');
    assert.equal(c.DEFAULT.log_file, null);
    assert.equal(c.DEFAULT.core_plugin, '');
  });

  it('quotes around a whole value are removed, inner quotes kept', () => {
    const c = cfg(`[DEFAULT]\nlog_file = "/var/log/a b.log"\ndefault_project_id = 'x'y'\n`);
    assert.equal(c.DEFAULT.log_file, '/var/log/a b.log');
    assert.equal(c.DEFAULT.default_project_id, `x'y`);
  });

  it('lists may span continuation lines', () => {
    const c = cfg('[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:100:199,\n    physnet2:200:299,\n    physnet3\n');
    assert.deepEqual(c.ml2_type_vlan.network_vlan_ranges, ['physnet1:100:199', 'physnet2:200:299', 'physnet3']);
  });

  it('supports multi-str (accumulates across lines and files), dict and float options of other modules', () => {
    const extra = section('extra', {
      m: multiStrOpt({ help: 'multi' }),
      d: dictOpt({ help: 'dict', default: { a: '1' } }),
      f: floatOpt({ help: 'float', default: 0.5, min: 0, max: 1 }),
    }, { sampleFile: 'extra.conf' });
    const schema = extendSchema(neutrinoSchema, [extra]);
    const files = [
      parseIni('[extra]\nm = one\nm = two\nd = x: 1 , y:2:3\nf = .25\n', 'a.conf'),
      parseIni('[extra]\nm = three\nf = 1e-1\n', 'b.conf'),
    ];
    const c = buildConfig(files, { ...CTX, schema }).config;
    assert.deepEqual(c.extra.m, ['one', 'two', 'three']);
    assert.deepEqual(c.extra.d, { x: '1', y: '2:3' });
    assert.equal(c.extra.f, 0.1);
    assert.equal(c.DEFAULT.bind_port, 9696);
    assert.deepEqual(buildConfig([], { ...CTX, schema }).config.extra, { m: [], d: { a: '1' }, f: 0.5 });
  });

  it('merges options that two modules declare in the same section', () => {
    const more = section('DEFAULT', { notify_nova: strOpt({ help: 'x', default: 'yes' }) }, { sampleFile: 'neutron.conf' });
    const schema = extendSchema(neutrinoSchema, [more]);
    const c = buildConfig([parseIni('[DEFAULT]\nnotify_nova = no\n', 'a')], { ...CTX, schema }).config;
    assert.equal(c.DEFAULT.notify_nova, 'no');
    assert.equal(c.DEFAULT.bind_port, 9696);
    assert.throws(() => extendSchema(neutrinoSchema, [section('DEFAULT', { debug: strOpt({ help: 'dup' }) }, { sampleFile: 'x' })]), /declared twice/);
  });
});

describe('loadConfig: layering', () => {
  it('later --config-file wins; within a file the last assignment wins', () => {
    const dir = tempDir();
    const [a, b] = writeFiles(dir, {
      'neutron.conf': '[DEFAULT]\nbind_port = 1111\nbind_port = 2222\napi_workers = 3\n[ml2]\ntype_drivers = local\n',
      'ml2_conf.ini': '[ml2]\ntype_drivers = local,vlan\n[DEFAULT]\nbind_port = 3333\n',
    });
    const c = loadConfig({ files: [a!, b!], ...CTX });
    assert.equal(c.DEFAULT.bind_port, 3333);
    assert.equal(c.DEFAULT.api_workers, 3);
    assert.deepEqual(c.ml2.type_drivers, ['local', 'vlan']);
    assert.equal(loadConfig({ files: [b!, a!], ...CTX }).DEFAULT.bind_port, 2222);
  });

  it('--config-dir reads *.conf sorted by name after the files; other files are skipped', () => {
    const dir = tempDir();
    const d = join(dir, 'neutron.conf.d');
    mkdirSync(d);
    mkdirSync(join(d, 'sub.conf'));
    const [main] = writeFiles(dir, { 'neutron.conf': '[DEFAULT]\nbind_port = 1\napi_workers = 7\n' });
    writeFiles(d, {
      '20-b.conf': '[DEFAULT]\nbind_port = 20\n',
      '10-a.conf': '[DEFAULT]\nbind_port = 10\ndebug = true\n',
      '30-c.conf.disabled': '[DEFAULT]\nbind_port = 30\n',
      'README': 'not ini at all',
    });
    const { config, report } = loadConfigWithReport({ files: [main!], dirs: [d], ...CTX });
    assert.equal(config.DEFAULT.bind_port, 20);
    assert.equal(config.DEFAULT.debug, true);
    assert.equal(config.DEFAULT.api_workers, 7);
    assert.deepEqual(report.files, [main, join(d, '10-a.conf'), join(d, '20-b.conf')]);
  });

  it('sources keep command-line order between files and dirs', () => {
    const dir = tempDir();
    const d = join(dir, 'd');
    mkdirSync(d);
    writeFiles(d, { 'a.conf': '[DEFAULT]\nbind_port = 10\n' });
    const [last] = writeFiles(dir, { 'last.conf': '[DEFAULT]\nbind_port = 99\n' });
    const c = loadConfig({ sources: [{ kind: 'dir', path: d }, { kind: 'file', path: last! }], ...CTX });
    assert.equal(c.DEFAULT.bind_port, 99);
  });

  it('environment overrides beat files for the few options that declare one', () => {
    const { config } = buildConfig([parseIni('[DEFAULT]\nbind_port = 1\ndebug = false\nbind_host = ::1\n', 'n.conf')], {
      ...CTX, env: { NEUTRINO_BIND_PORT: '5000', NEUTRINO_DEBUG: 'true', NEUTRINO_BIND_HOST: '' },
    });
    assert.equal(config.DEFAULT.bind_port, 5000);
    assert.equal(config.DEFAULT.debug, true);
    assert.equal(config.DEFAULT.bind_host, '::1');
  });
});

describe('loadConfig: deprecated names', () => {
  it('reads [ml2] tenant_network_types as project_network_types and reports it', () => {
    const warnings: string[] = [];
    const { config, report } = buildConfig([parseIni('[ml2]\ntenant_network_types = vxlan,vlan\n', 'ml2_conf.ini')], { ...CTX, warn: (w) => warnings.push(w) });
    assert.deepEqual(config.ml2.project_network_types, ['vxlan', 'vlan']);
    assert.deepEqual(report.deprecated, [{ file: 'ml2_conf.ini', line: 2, section: 'ml2', option: 'tenant_network_types', replacement: 'project_network_types' }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /tenant_network_types -> project_network_types \(ml2_conf\.ini:2\)/);
  });

  it('the new name still works and wins over the old one in the same file, whatever the order', () => {
    assert.deepEqual(cfg('[ml2]\nproject_network_types = vlan\n').ml2.project_network_types, ['vlan']);
    assert.deepEqual(cfg('[ml2]\nproject_network_types = vlan\ntenant_network_types = vxlan\n').ml2.project_network_types, ['vlan']);
    assert.deepEqual(cfg('[ml2]\ntenant_network_types = vxlan\nproject_network_types = vlan\n').ml2.project_network_types, ['vlan']);
  });

  it('a later file wins whichever name it uses', () => {
    const c = build(['a', '[ml2]\nproject_network_types = vlan\n'], ['b', '[ml2]\ntenant_network_types = vxlan\n']).config;
    assert.deepEqual(c.ml2.project_network_types, ['vxlan']);
  });
});

describe('loadConfig: interpolation', () => {
  it('substitutes $opt and ${opt} from the same section, then [DEFAULT], and ${section.opt}', () => {
    const c = cfg([
      '[DEFAULT]', 'state_path = /srv/n', 'log_file = ${state_path}/log/$core_plugin.log', 'default_project_id = ${core_plugin}.x',
      '[database]', 'connection = postgresql://u:pw@db/$max_pool_size/${DEFAULT.core_plugin}',
      '[keystone_authtoken]', 'auth_url = http://ks:5000', 'www_authenticate_uri = ${keystone_authtoken.auth_url}/v3',
    ].join('\n'));
    assert.equal(c.DEFAULT.log_file, '/srv/n/log/ml2.log');
    assert.equal(c.DEFAULT.default_project_id, 'ml2.x');
    assert.equal(c.database.connection, 'postgresql://u:pw@db/5/ml2');
    assert.equal(c.keystone_authtoken.www_authenticate_uri, 'http://ks:5000/v3');
  });

  it('$state_path in the [database] connection default follows a state_path set in a file', () => {
    assert.equal(cfg('[DEFAULT]\nstate_path = /data\n').database.connection, 'sqlite:////data/neutrino.sqlite');
  });

  it('references resolve after layering (the winning value is used) and chain', () => {
    const c = build(['a', '[DEFAULT]\nstate_path = /a\nlog_file = $state_path/x\n'], ['b', '[DEFAULT]\nstate_path = /b\n']).config;
    assert.equal(c.DEFAULT.log_file, '/b/x');
  });

  it('$$ is a literal $, also in secrets', () => {
    const c = cfg('[keystone_authtoken]\npassword = pa$$word$$\n[database]\nconnection = sqlite:///$$state_path\n');
    assert.equal(c.keystone_authtoken.password, 'pa$word$');
    assert.equal(c.database.connection, 'sqlite:///$state_path');
  });

  it('substitutes before conversion, so numbers can be shared', () => {
    assert.equal(cfg('[DEFAULT]\nmax_dns_nameservers = 3\nmax_fixed_ips_per_port = $max_dns_nameservers\n').DEFAULT.max_fixed_ips_per_port, 3);
  });
});

describe('loadConfig: unknown sections and options', () => {
  it('are ignored and reported once, in one warning line', () => {
    const warnings: string[] = [];
    const text = '[DEFAULT]\nnot_an_option = x\ndebug = true\n[nova]\nauth_url = x\nregion = y\n[ml2]\nbogus = 1\n';
    const { config, report } = buildConfig([parseIni(text, 'neutron.conf')], { ...CTX, warn: (w) => warnings.push(w) });
    assert.equal(config.DEFAULT.debug, true);
    assert.deepEqual(report.unknown, [
      { file: 'neutron.conf', line: 2, section: 'DEFAULT', option: 'not_an_option' },
      { file: 'neutron.conf', line: 5, section: 'nova' },
      { file: 'neutron.conf', line: 8, section: 'ml2', option: 'bogus' },
    ]);
    assert.deepEqual(warnings, [
      'neutron.conf:2: [DEFAULT] not_an_option: unknown option, ignored',
      'neutron.conf:5: [nova]: unknown section, ignored',
      'neutron.conf:8: [ml2] bogus: unknown option, ignored',
    ]);
  });

  it('name the nearest known section or option (typos, the right option in the wrong section)', () => {
    const text = '[ml2_typo]\ntype_drivers = flat\n[ml2]\nmechanism_driver = logger\n[DEFAULT]\ntype_drivers = vlan\nbind_prot = 1\n[databse]\nconnection = sqlite://\n';
    assert.deepEqual(buildConfig([parseIni(text, 'ml2_conf.ini')], CTX).report.warnings, [
      'ml2_conf.ini:2: [ml2_typo]: unknown section, ignored (did you mean [ml2]?)',
      'ml2_conf.ini:4: [ml2] mechanism_driver: unknown option, ignored (did you mean mechanism_drivers?)',
      'ml2_conf.ini:6: [DEFAULT] type_drivers: unknown option, ignored (did you mean [ml2] type_drivers?)',
      'ml2_conf.ini:7: [DEFAULT] bind_prot: unknown option, ignored (did you mean bind_port?)',
      'ml2_conf.ini:9: [databse]: unknown section, ignored (did you mean [database]?)',
    ]);
  });

  it('extra validators report at file:line like any config error', () => {
    const validators = [{ section: 'ml2', validate(v: { type_drivers: readonly string[] }, ctx: import('../../../src/conf/index.js').ValidationContext) {
      for (const t of v.type_drivers) if (t === 'geneve') ctx.fail('type_drivers', `unknown type driver '${t}'`);
    } }];
    assert.throws(() => buildConfig([parseIni('[ml2]\nproject_network_types = vxlan\ntype_drivers = vxlan,geneve\n', 'ml2_conf.ini')], { ...CTX, validators }),
      { name: 'ConfigError', message: "ml2_conf.ini:3: [ml2] type_drivers: unknown type driver 'geneve'" });
  });

  it('no warnings for a clean file', () => {
    assert.deepEqual(build(['a', '[DEFAULT]\ndebug = true\n']).report.warnings, []);
  });
});

describe('formatConfigForLog', () => {
  it('prints every option, never secrets', () => {
    const c = cfg('[keystone_authtoken]\npassword = hunter2\n[database]\nconnection = postgresql://u:hunter2@h/db\n');
    const lines = formatConfigForLog(c);
    assert.ok(lines.includes('[keystone_authtoken] password = ****'));
    assert.ok(lines.includes('[database] connection = postgresql://u:****@h/db'), lines.join('\n'));
    assert.ok(lines.includes('[ml2] type_drivers = local,flat,vlan,gre,vxlan'));
    assert.ok(lines.includes('[DEFAULT] log_file = <None>'));
    assert.ok(!lines.some((l) => l.includes('hunter2')));
  });

  it('masks passwords in every URL shape, secret option or not', () => {
    assert.equal(maskUrlPasswords('rabbit://u1:p1@h1:5672,u2:p2@h2:5672/vhost'), 'rabbit://u1:****@h1:5672,u2:****@h2:5672/vhost');
    assert.equal(maskUrlPasswords('postgresql://h/db?user=u&password=s3cret&sslmode=require'), 'postgresql://h/db?user=u&password=****&sslmode=require');
    assert.equal(maskUrlPasswords('postgresql://u@h/db'), 'postgresql://u@h/db');
    assert.equal(maskUrlPasswords('postgresql://u:p%40ss@h/db'), 'postgresql://u:****@h/db');
    const c = cfg('[database]\nconnection = sqlite:////var/lib/n.sqlite\n[keystone_authtoken]\nwww_authenticate_uri = http://admin:pw@keystone:5000/\n');
    const lines = formatConfigForLog(c);
    assert.ok(lines.includes('[database] connection = sqlite:////var/lib/n.sqlite'));
    assert.ok(!lines.some((l) => l.includes(':pw@')), lines.join('\n'));
  });
});
