/** ports: neutron_lib/api/definitions/port.py + binding, port-security, allowed-address-pairs, extra_dhcp_opt. */
import {
  NOT_SPECIFIED,
  toBoolean,
  type AttrMap,
  validateDictOrNone,
  validateString,
  validateUuid,
  validateValues,
} from '../attributes.js'
import { boolAttr, nameAttr, optional, readOnly, standardAttrs } from './common.js'
import { sanitizeMacAddress, validateFixedIps, validateMacAddress } from '../../ipam/index.js'
import { convertNoneToEmptyList, validateUuidList } from './securitygroup.js'
import { validateExtraDhcpOpts } from './extra-dhcp-opt.js'
import { ALLOWED_ADDRESS_PAIRS_BOUND, FIXED_IPS_BOUND } from '../list-bound.js'

/** binding:vnic_type values accepted by Neutron Zed (portbindings.VNIC_TYPES). */
export const VNIC_TYPES = [
  'normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa',
  'accelerator-direct', 'accelerator-direct-physical', 'remote-managed',
] as const

export const PORT_ATTRS: AttrMap = {
  ...standardAttrs,
  name: nameAttr,
  network_id: { allowPost: true, allowPut: false, validate: validateUuid, isVisible: true, isFilter: true, isSortKey: true },
  admin_state_up: boolAttr(true),
  mac_address: optional({ convert: sanitizeMacAddress, validate: validateMacAddress, enforcePolicy: true }),
  fixed_ips: optional({ maxItems: FIXED_IPS_BOUND, validate: (v: unknown) => (v === null ? undefined : validateFixedIps(v)), isSortKey: false, enforcePolicy: true }),
  device_id: optional({ default: '', validate: validateString(255) }),
  device_owner: optional({ default: '', validate: validateString(255), enforcePolicy: true }),
  status: readOnly(),
  security_groups: optional({ convert: convertNoneToEmptyList, validate: validateUuidList, isSortKey: false }),
  allowed_address_pairs: optional({ maxItems: ALLOWED_ADDRESS_PAIRS_BOUND, isFilter: false, isSortKey: false, enforcePolicy: true }),
  extra_dhcp_opts: optional({ validate: validateExtraDhcpOpts, isFilter: false, isSortKey: false }),
  port_security_enabled: optional({ convert: toBoolean, enforcePolicy: true }),
  // neutron-lib's default is ATTR_NOT_SPECIFIED: an explicit '' is "set" for policy (admin-only).
  'binding:host_id': optional({ default: '', policyDefault: NOT_SPECIFIED, validate: validateString(255), adminOnly: true }),
  'binding:vnic_type': optional({ default: 'normal', validate: validateValues(VNIC_TYPES), enforcePolicy: true }),
  'binding:profile': optional({ validate: validateDictOrNone, adminOnly: true, isFilter: false, isSortKey: false }),
  'binding:vif_type': readOnly({ adminOnly: true }),
  'binding:vif_details': readOnly({ adminOnly: true, isFilter: false, isSortKey: false }),
}
