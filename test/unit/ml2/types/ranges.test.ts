import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { physnetMtu, tunnelMtu } from '../../../../src/ml2/types/mtu.js'
import {
  inRanges,
  normalizeRanges,
  parseNetworkVlanRanges,
  parsePhysnetMtus,
  parseTunnelRanges,
} from '../../../../src/ml2/types/ranges.js'

describe('range option parsers', () => {
  it('parses network_vlan_ranges, keeping physnet order and bare physnets', () => {
    const r = parseNetworkVlanRanges(['physnet1:100:200', ' physnet2 ', 'physnet1:300:310'])
    assert.deepEqual([...r], [
      ['physnet1', [[100, 200], [300, 310]]],
      ['physnet2', []],
    ])
  })

  it('rejects bad VLAN ranges with Neutron wording', () => {
    assert.throws(() => parseNetworkVlanRanges(['p:1']), /Need exactly two values for VLAN range/)
    assert.throws(() => parseNetworkVlanRanges(['p:0:10']), /'p:0:10' - '0 is not a valid VLAN tag'/)
    assert.throws(() => parseNetworkVlanRanges(['p:10:4095']), /4095 is not a valid VLAN tag/)
    assert.throws(() => parseNetworkVlanRanges(['p:20:10']), /End of VLAN range is less than start/)
    assert.throws(() => parseNetworkVlanRanges([':1:10']), /Empty physical network name/)
    assert.throws(() => parseNetworkVlanRanges(['p:a:10']), /a is not a valid VLAN tag/)
  })

  it('parses and verifies tunnel ranges', () => {
    assert.deepEqual(parseTunnelRanges(['1:1000', ' 2000 : 3000 '], 'vxlan'), [[1, 1000], [2000, 3000]])
    assert.throws(() => parseTunnelRanges(['1:16777216'], 'vxlan'), /16777216 is not a valid vxlan identifier/)
    assert.deepEqual(parseTunnelRanges(['1:4294967295'], 'gre'), [[1, 4294967295]])
    assert.throws(() => parseTunnelRanges(['0:10'], 'gre'), /0 is not a valid gre identifier/)
    assert.throws(() => parseTunnelRanges(['10:1'], 'gre'), /End of tunnel range is less than start/)
    assert.throws(() => parseTunnelRanges(['10'], 'gre'), /Invalid network tunnel range: '10'/)
  })

  it('parses physical_network_mtus', () => {
    assert.deepEqual([...parsePhysnetMtus(['physnet1:9000', 'physnet2:1400'])], [['physnet1', 9000], ['physnet2', 1400]])
    assert.throws(() => parsePhysnetMtus(['physnet1']), /Invalid mapping/)
  })

  it('merges ranges and tests membership', () => {
    assert.deepEqual(normalizeRanges([[50, 60], [1, 10], [11, 20], [5, 8]]), [[1, 20], [50, 60]])
    assert.equal(inRanges(20, [[1, 20]]), true)
    assert.equal(inRanges(21, [[1, 20]]), false)
  })
})

describe('MTU rules (Zed)', () => {
  it('physnet types: min of global_physnet_mtu and the physnet override', () => {
    const m = { globalPhysnetMtu: 1500, physicalNetworkMtus: new Map([['jumbo', 9000], ['small', 1400]]) }
    assert.equal(physnetMtu(m, 'other'), 1500)
    assert.equal(physnetMtu(m, 'small'), 1400)
    assert.equal(physnetMtu(m, 'jumbo'), 1500)
    assert.equal(physnetMtu({ ...m, globalPhysnetMtu: 0 }, 'jumbo'), 9000)
    assert.equal(physnetMtu({ globalPhysnetMtu: 0 }, 'x'), 0)
    assert.equal(physnetMtu({ globalPhysnetMtu: 1500, pathMtu: 1000 }, 'x'), 1500, 'path_mtu is for tunnels only')
  })

  it('tunnels: min(global, path) - IP header - encapsulation', () => {
    assert.equal(tunnelMtu({ globalPhysnetMtu: 1500 }, 4, 30), 1450)
    assert.equal(tunnelMtu({ globalPhysnetMtu: 1500 }, 4, 22), 1458)
    assert.equal(tunnelMtu({ globalPhysnetMtu: 1500 }, 6, 30), 1430)
    assert.equal(tunnelMtu({ globalPhysnetMtu: 9000, pathMtu: 1600 }, 4, 30), 1550)
    assert.equal(tunnelMtu({ globalPhysnetMtu: 0, pathMtu: 9000 }, 4, 30), 8950)
    assert.equal(tunnelMtu({ globalPhysnetMtu: 0, pathMtu: 0 }, 4, 30), 0)
  })
})
