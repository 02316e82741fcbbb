/** Every error path: a ConfigError whose message is one line naming file:line, section and option. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildConfig, ConfigError, loadConfig, parseIni } from '../../../src/conf/index.js';
import { CTX, build, errorOf, tempDir, writeFiles } from './helpers.js';

function expectError(text: string, expected: string, file = 'neutron.conf'): void {
  const msg = errorOf(() => build([file, text]));
  assert.equal(msg, expected);
  assert.doesNotMatch(msg, /\n/);
}

describe('value errors name file:line, section and option', () => {
  const cases: Array<[string, string, string]> = [
    ['bad integer', '[ml2]\n\npath_mtu = abc\n', "neutron.conf:3: [ml2] path_mtu: invalid integer 'abc'"],
    ['float for integer', '[DEFAULT]\napi_workers = 1.5\n', "neutron.conf:2: [DEFAULT] api_workers: invalid integer '1.5'"],
    ['below minimum', '[ml2]\npath_mtu = -1\n', 'neutron.conf:2: [ml2] path_mtu: value -1 is below the minimum 0'],
    ['above maximum', '[database]\nconnection_debug = 101\n', 'neutron.conf:2: [database] connection_debug: value 101 is above the maximum 100'],
    ['not a choice (int)', '[ml2]\noverlay_ip_version = 5\n', 'neutron.conf:2: [ml2] overlay_ip_version: value 5 is not one of 4, 6'],
    ['bad boolean', '[DEFAULT]\ndebug = maybe\n', "neutron.conf:2: [DEFAULT] debug: invalid boolean 'maybe' (use true/false, yes/no, on/off or 1/0)"],
    ['inline comment is not stripped', '[DEFAULT]\ndebug = true # yes\n', "neutron.conf:2: [DEFAULT] debug: invalid boolean 'true # yes' (use true/false, yes/no, on/off or 1/0)"],
    ['bad port', '[DEFAULT]\nbind_port = http\n', "neutron.conf:2: [DEFAULT] bind_port: invalid port 'http'"],
    ['port out of range', '[DEFAULT]\nbind_port = 70000\n', 'neutron.conf:2: [DEFAULT] bind_port: invalid port 70000: must be 0..65535'],
    ['not a choice (enum)', '[DEFAULT]\nauth_strategy = Keystone\n', "neutron.conf:2: [DEFAULT] auth_strategy: invalid value 'Keystone': must be one of noauth, keystone"],
    ['deprecated name is reported as written', '[ml2]\ntype_drivers = vlan\ntenant_network_types = vxlan\n', "neutron.conf:3: [ml2] tenant_network_types: no type driver for project network type 'vxlan' (type_drivers = vlan)"],
    ['continued value: first line', '[ml2]\npath_mtu = 1\n  2\n', "neutron.conf:2: [ml2] path_mtu: invalid integer '1\\n2'"],
    ['section name normalized', '[ML2]\npath_mtu = x\n', "neutron.conf:2: [ml2] path_mtu: invalid integer 'x'"],
  ];
  for (const [name, text, expected] of cases) it(name, () => expectError(text, expected));

  it('reports the later file when it holds the bad value', () => {
    const msg = errorOf(() => build(['neutron.conf', '[ml2]\npath_mtu = 1400\n'], ['ml2_conf.ini', '[ml2]\n\n\npath_mtu = big\n']));
    assert.equal(msg, "ml2_conf.ini:4: [ml2] path_mtu: invalid integer 'big'");
  });

  it('a bad value in an earlier file is not an error when a later file overrides it (last wins)', () => {
    assert.equal(build(['a', '[ml2]\npath_mtu = big\n'], ['b', '[ml2]\npath_mtu = 9000\n']).config.ml2.path_mtu, 9000);
  });

  it('environment overrides name the variable', () => {
    const msg = errorOf(() => buildConfig([], { ...CTX, env: { NEUTRINO_BIND_PORT: '99999' } }));
    assert.equal(msg, '$NEUTRINO_BIND_PORT: [DEFAULT] bind_port: invalid port 99999: must be 0..65535');
  });

  it('ConfigError carries the parts as fields', () => {
    try {
      build(['x.conf', '[ml2]\npath_mtu = abc\n']);
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual([e.file, e.line, e.section, e.option, e.reason], ['x.conf', 2, 'ml2', 'path_mtu', "invalid integer 'abc'"]);
    }
  });
});

describe('interpolation errors', () => {
  it('unknown reference', () => expectError('[DEFAULT]\nlog_file = $nope/x\n', "neutron.conf:2: [DEFAULT] log_file: unknown option '$nope' referenced in value"));
  it('unknown section reference', () => expectError('[DEFAULT]\nlog_file = ${nova.url}\n', "neutron.conf:2: [DEFAULT] log_file: unknown option '${nova.url}' referenced in value"));
  it('lone $ does not leak a secret value', () => {
    const msg = errorOf(() => build(['neutron.conf', '[keystone_authtoken]\npassword = se$ 1cret\n']));
    assert.equal(msg, "neutron.conf:2: [keystone_authtoken] password: invalid '$' at position 3 (write '$$' for a literal '$')");
  });
  it('loops are detected', () => {
    const msg = errorOf(() => build(['n.conf', '[DEFAULT]\nlog_file = $core_plugin\ncore_plugin = $log_file\n']));
    assert.match(msg, /^n\.conf:\d: \[DEFAULT\] (log_file|core_plugin): interpolation loop: DEFAULT\.\w+ -> DEFAULT\.\w+ -> DEFAULT\.\w+$/);
  });
  it('an error in a referenced value points at the referenced option', () => {
    const msg = errorOf(() => build(['n.conf', '[DEFAULT]\nlog_file = $core_plugin\ncore_plugin = $bad\n']));
    assert.equal(msg, "n.conf:3: [DEFAULT] core_plugin: unknown option '$bad' referenced in value");
  });
});

describe('validation errors', () => {
  const cases: Array<[string, string, string]> = [
    ['base_mac not a MAC', '[DEFAULT]\nbase_mac = fa:16:3e:00:00\n', "neutron.conf:2: [DEFAULT] base_mac: invalid MAC address 'fa:16:3e:00:00' (expected six hex octets, e.g. fa:16:3e:00:00:00)"],
    ['base_mac multicast', '[DEFAULT]\nbase_mac = 01:00:5e:00:00:00\n', "neutron.conf:2: [DEFAULT] base_mac: '01:00:5e:00:00:00' is a multicast MAC address"],
    ['project type not loaded', '[ml2]\nproject_network_types = vxlan\ntype_drivers = vlan,flat\n', "neutron.conf:2: [ml2] project_network_types: no type driver for project network type 'vxlan' (type_drivers = vlan,flat)"],
    ['default project type not loaded: points at type_drivers', '[ml2]\ntype_drivers = vlan\n', "neutron.conf:2: [ml2] type_drivers: 'local' is missing, but project_network_types (default local) needs it"],
    ['external_network_type not loaded', '[ml2]\nexternal_network_type = gre\ntype_drivers = local\n', "neutron.conf:2: [ml2] external_network_type: 'gre' is not in type_drivers (local)"],
    ['physical_network_mtus', '[ml2]\nphysical_network_mtus = physnet1:9000,physnet2\n', "neutron.conf:2: [ml2] physical_network_mtus: invalid mapping 'physnet2' (expected <physnet>:<mtu>)"],
    ['vlan tag out of range', '[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:1:4095\n', "neutron.conf:2: [ml2_type_vlan] network_vlan_ranges: Invalid network VLAN range: 'physnet1:1:4095' - '4095 is not a valid VLAN tag'"],
    ['vlan min > max', '[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:200:100\n', "neutron.conf:2: [ml2_type_vlan] network_vlan_ranges: Invalid network VLAN range: 'physnet1:200:100' - 'End of VLAN range is less than start of VLAN range'"],
    ['gre range', '[ml2_type_gre]\ntunnel_id_ranges = 0:10\n', "neutron.conf:2: [ml2_type_gre] tunnel_id_ranges: Invalid network tunnel range: '0:10' - 0 is not a valid GRE identifier (1..4294967295)"],
    ['vxlan range', '[ml2_type_vxlan]\nvni_ranges = 1:16777216\n', "neutron.conf:2: [ml2_type_vxlan] vni_ranges: Invalid network tunnel range: '1:16777216' - 16777216 is not a valid VXLAN identifier (1..16777215)"],
    ['fail_on rule', '[ml2_mech_test]\nfail_on = boom-net\n', "neutron.conf:2: [ml2_mech_test] fail_on: invalid rule 'boom-net' (expected <phase>:<resource_name>, e.g. create_network_precommit:boom-net)"],
  ];
  for (const [name, text, expected] of cases) it(name, () => expectError(text, expected));
});

describe('file errors', () => {
  it('missing --config-file', () => {
    const msg = errorOf(() => loadConfig({ files: ['/nonexistent/neutron.conf'], ...CTX }));
    assert.match(msg, /^\/nonexistent\/neutron\.conf: cannot read config file \(ENOENT: no such file or directory.*\)$/);
  });
  it('--config-file is a directory', () => {
    const dir = tempDir();
    assert.match(errorOf(() => loadConfig({ files: [dir], ...CTX })), /^.*: cannot read config file \(EISDIR/);
  });
  it('missing --config-dir', () => {
    assert.match(errorOf(() => loadConfig({ dirs: ['/nonexistent/conf.d'], ...CTX })), /^\/nonexistent\/conf\.d: cannot read config directory \(ENOENT/);
  });
  it('syntax error in a file of a --config-dir names that file', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.conf': '[DEFAULT]\ndebug = true\n', 'b.conf': '[DEFAULT\n' });
    assert.equal(errorOf(() => loadConfig({ dirs: [dir], ...CTX })), `${join(dir, 'b.conf')}:1: invalid section header (must end with ']'): '[DEFAULT'`);
  });
  it('syntax error before value errors', () => {
    assert.throws(() => buildConfig([parseIni('[ml2]\npath_mtu = x\n[bad\n', 'f')], CTX), /^ConfigError: f:3: invalid section header/);
  });
});
