import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError, MAX_GRE_ID, MAX_VXLAN_VNI, NetworkRangeError, parseFailOn, parsePhysnetMtus, parseTunnelRanges,
  parseVlanRanges, validateMl2Config,
} from '../../../src/conf/index.js';
import { build, cfg } from './helpers.js';

describe('parseVlanRanges', () => {
  it('maps physnets to ranges; bare physnets have none; repeats accumulate', () => {
    const m = parseVlanRanges(['physnet1:100:199', ' physnet2 ', 'physnet1:300:300', 'physnet3:1:4094']);
    assert.deepEqual([...m], [
      ['physnet1', [[100, 199], [300, 300]]],
      ['physnet2', []],
      ['physnet3', [[1, 4094]]],
    ]);
  });

  const bad: Array<[string, RegExp]> = [
    ['physnet1:0:10', /^Invalid network VLAN range: 'physnet1:0:10' - '0 is not a valid VLAN tag'$/],
    ['physnet1:1:4095', /'4095 is not a valid VLAN tag'/],
    ['physnet1:a:10', /'a is not a valid VLAN tag'/],
    ['physnet1:10:5', /'End of VLAN range is less than start of VLAN range'/],
    ['physnet1:10', /'Need exactly two values for VLAN range'/],
    ['physnet1:1:2:3', /'Need exactly two values for VLAN range'/],
    [':1:2', /Empty physical network name/],
    ['', /Empty physical network name/],
  ];
  for (const [entry, re] of bad) {
    it(`rejects '${entry}'`, () => assert.throws(() => parseVlanRanges([entry]), (e: Error) => e instanceof NetworkRangeError && re.test(e.message)));
  }
});

describe('parseTunnelRanges', () => {
  it('accepts the full GRE and VXLAN id spaces, with spaces around numbers', () => {
    assert.deepEqual(parseTunnelRanges(['1:1000', ` 1 : ${MAX_GRE_ID} `], 'gre'), [[1, 1000], [1, 4294967295]]);
    assert.deepEqual(parseTunnelRanges([`1:${MAX_VXLAN_VNI}`], 'vxlan'), [[1, 16777215]]);
    assert.deepEqual(parseTunnelRanges([], 'vxlan'), []);
  });
  const bad: Array<[string, 'gre' | 'vxlan', RegExp]> = [
    ['0:5', 'gre', /0 is not a valid GRE identifier/],
    ['1:4294967296', 'gre', /4294967296 is not a valid GRE identifier/],
    ['1:16777216', 'vxlan', /16777216 is not a valid VXLAN identifier/],
    ['10:1', 'vxlan', /End of tunnel range is less than start of tunnel range/],
    ['5', 'gre', /expected <min>:<max> integers/],
    ['1:2:3', 'gre', /expected <min>:<max> integers/],
    ['a:b', 'vxlan', /expected <min>:<max> integers/],
  ];
  for (const [entry, type, re] of bad) {
    it(`rejects ${type} '${entry}'`, () => {
      assert.throws(() => parseTunnelRanges([entry], type), (e: Error) => e instanceof NetworkRangeError && /^Invalid network tunnel range: /.test(e.message) && re.test(e.message));
    });
  }
});

describe('parsePhysnetMtus / parseFailOn', () => {
  it('parses physnet:mtu pairs and rejects bad ones', () => {
    assert.deepEqual([...parsePhysnetMtus(['physnet1:9000', 'p2 : 1400'])], [['physnet1', 9000], ['p2', 1400]]);
    assert.throws(() => parsePhysnetMtus(['p:10']), /invalid MTU 10/);
    assert.throws(() => parsePhysnetMtus(['p:1500', 'p:9000']), /listed twice/);
    assert.throws(() => parsePhysnetMtus([':1500']), /invalid mapping/);
  });
  it('parses phase:name rules; the name may contain colons', () => {
    assert.deepEqual(parseFailOn(['create_network_precommit:boom-net', 'bind_port:a:b']), [
      { phase: 'create_network_precommit', name: 'boom-net' },
      { phase: 'bind_port', name: 'a:b' },
    ]);
    assert.throws(() => parseFailOn(['Create:x']), NetworkRangeError);
    assert.throws(() => parseFailOn(['create_network_precommit:']), NetworkRangeError);
  });
});

describe('validateMl2Config', () => {
  it('returns the parsed ranges of a loaded config', () => {
    const c = cfg([
      '[ml2]', 'type_drivers = flat,vlan,vxlan', 'tenant_network_types = vxlan,vlan', 'physical_network_mtus = physnet1:9000',
      '[ml2_type_flat]', 'flat_networks = public',
      '[ml2_type_vlan]', 'network_vlan_ranges = physnet1:100:199,physnet2',
      '[ml2_type_vxlan]', 'vni_ranges = 1:1000, 2000:2999',
      '[ml2_mech_test]', 'fail_on = create_port_postcommit:bad-port',
    ].join('\n'));
    const s = validateMl2Config(c);
    assert.deepEqual([...s.vlanRanges], [['physnet1', [[100, 199]]], ['physnet2', []]]);
    assert.deepEqual(s.vxlanRanges, [[1, 1000], [2000, 2999]]);
    assert.deepEqual(s.greRanges, []);
    assert.deepEqual([...s.physnetMtus], [['physnet1', 9000]]);
    assert.deepEqual(s.flatNetworks, new Set(['public']));
    assert.deepEqual(s.failOn, [{ phase: 'create_port_postcommit', name: 'bad-port' }]);
    assert.equal(validateMl2Config(cfg('')).flatNetworks, null);
  });

  it('rejects a config built by hand, naming section and option (and file/line via locate)', () => {
    const base = cfg('');
    const bad = { ...base, ml2_type_gre: { tunnel_id_ranges: ['5:1'] } };
    assert.throws(() => validateMl2Config(bad), (e: Error) => e instanceof ConfigError
      && e.message === "[ml2_type_gre] tunnel_id_ranges: Invalid network tunnel range: '5:1' - End of tunnel range is less than start of tunnel range");
    assert.throws(() => validateMl2Config(bad, () => ({ file: 'ml2_conf.ini', line: 7 })), /^ConfigError: ml2_conf\.ini:7: \[ml2_type_gre\] tunnel_id_ranges: /);
  });

  it('the loader runs the same checks', () => {
    assert.throws(() => build(['ml2_conf.ini', '[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:1:2,\n  physnet2:9:1\n']), /^ConfigError: ml2_conf\.ini:2: \[ml2_type_vlan\] network_vlan_ranges: Invalid network VLAN range: 'physnet2:9:1'/);
  });
});
