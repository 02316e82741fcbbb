/**
 * OVO primitives against the recorded ones, byte for byte (key order included, JSON text
 * compared): Port 1.7 with its nested objects (seq 109), SecurityGroupRule 1.2 with and without
 * the optional fields (seq 258, 153), the delete stubs (seq 334, 260), the JSON-string binding
 * fields, `Z` timestamps.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deletedPortPrimitive, portPrimitive } from '../../../src/agent-rpc/objects/port.js'
import { oboTime, pyJson } from '../../../src/agent-rpc/objects/primitive.js'
import { deletedSecurityGroupRulePrimitive, normalizedCidr, securityGroupRulePrimitive } from '../../../src/agent-rpc/objects/security-group.js'
import { loadSamples } from '../../helpers/agent-rpc-recorded.js'

const S = loadSamples()

describe('versioned object primitives', () => {
  it('Port 1.7 from the API dict, levels and segment = the recorded bulk_pull reply (seq 109)', () => {
    const rec = S.get(109)!.reply!.result[0]
    const d = rec['versioned_object.data']
    const lvl = d.binding_levels[0]['versioned_object.data']
    const seg = lvl.segment['versioned_object.data']
    const binding = d.bindings[0]['versioned_object.data']
    const port = {
      id: d.id, name: d.name, network_id: d.network_id, tenant_id: d.project_id, project_id: d.project_id, mac_address: d.mac_address,
      admin_state_up: d.admin_state_up, status: d.status, device_id: d.device_id, device_owner: d.device_owner,
      fixed_ips: [{ subnet_id: d.fixed_ips[0]['versioned_object.data'].subnet_id, ip_address: d.fixed_ips[0]['versioned_object.data'].ip_address }],
      allowed_address_pairs: [], extra_dhcp_opts: [], security_groups: d.security_group_ids, description: '',
      'binding:vnic_type': 'normal', 'binding:profile': {}, 'binding:host_id': 'hv1', 'binding:vif_type': 'ovs',
      'binding:vif_details': JSON.parse(binding.vif_details), port_security_enabled: true, tags: [],
      created_at: d.created_at, updated_at: d.updated_at, revision_number: d.revision_number,
    }
    const got = portPrimitive({
      port,
      networkCreatedAt: seg.created_at,
      levels: [{ level: 0, driver: 'openvswitch', host: 'hv1', segment: { id: seg.id, network_id: seg.network_id, network_type: 'vxlan', physical_network: null, segmentation_id: 1612, is_dynamic: false, segment_index: 0 } }],
    })
    assert.equal(JSON.stringify(got), JSON.stringify(rec))
  })

  it('binding strings are Python json.dumps text', () => {
    assert.equal(pyJson({ connectivity: 'l2', port_filter: true, n: null, l: [1, 'é'] }), '{"connectivity": "l2", "port_filter": true, "n": null, "l": [1, "\\u00e9"]}')
    assert.equal(pyJson({}), '{}')
  })

  it('timestamps: Z form from API and agents-table forms; garbage is null', () => {
    assert.equal(oboTime('2026-12-06T23:48:31Z'), '2026-12-06T23:48:31Z')
    assert.equal(oboTime('2026-12-06 23:48:31'), '2026-12-06T23:48:31Z')
    assert.equal(oboTime('2026-12-06T23:48:31.123456'), '2026-12-06T23:48:31Z')
    assert.equal(oboTime('yesterday'), null)
  })

  it('SecurityGroupRule 1.2: set fields present, unset ones absent (seq 258 and 153)', () => {
    const full = S.get(258)!.args.resource_list[0]
    const f = full['versioned_object.data']
    assert.equal(JSON.stringify(securityGroupRulePrimitive({ ...f, remote_group_id: null })), JSON.stringify(full))
    const bare = S.get(153)!.reply!.result[1]
    const b = bare['versioned_object.data']
    const row = { ...b, remote_group_id: null, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, description: null }
    assert.equal(JSON.stringify(securityGroupRulePrimitive(row)), JSON.stringify(bare))
    assert.equal(normalizedCidr('198.51.100.7/24'), '198.51.100.0/24')
    assert.equal(normalizedCidr(null), null)
  })

  it('delete stubs carry only the id and versioned_object.changes (seq 334, 260)', () => {
    const port = S.get(334)!.args.resource_list[0]
    assert.equal(JSON.stringify(deletedPortPrimitive(port['versioned_object.data'].id)), JSON.stringify(port))
    const rule = S.get(260)!.args.resource_list[0]
    assert.equal(JSON.stringify(deletedSecurityGroupRulePrimitive(rule['versioned_object.data'].id)), JSON.stringify(rule))
  })
})
