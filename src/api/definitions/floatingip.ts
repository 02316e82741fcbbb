/** floatingips: neutron_lib/api/definitions/l3.py + fip_port_details.py. */
import { type AttrMap, validateUuid, validateUuidOrNone } from '../attributes.js'
import { validateIpAddressOrNone } from '../../ipam/index.js'
import { readOnly, standardAttrs } from './common.js'

export const FLOATINGIP_ATTRS: AttrMap = {
  ...standardAttrs,
  // create_floatingip:floating_ip_address is admin-only (Neutron Zed policy).
  floating_ip_address: {
    allowPost: true,
    allowPut: false,
    default: null,
    validate: validateIpAddressOrNone,
    isVisible: true,
    isFilter: true,
    isSortKey: true,
    adminOnlySet: true,
  },
  /** Input only: the external subnet to take the address from. */
  subnet_id: { allowPost: true, allowPut: false, default: null, validate: validateUuidOrNone, isVisible: false },
  floating_network_id: { allowPost: true, allowPut: false, validate: validateUuid, isVisible: true, isFilter: true, isSortKey: true },
  router_id: readOnly({ validate: validateUuidOrNone }),
  port_id: { allowPost: true, allowPut: true, default: null, validate: validateUuidOrNone, isVisible: true, isFilter: true, isSortKey: false },
  fixed_ip_address: { allowPost: true, allowPut: true, default: null, validate: validateIpAddressOrNone, isVisible: true, isFilter: true, isSortKey: true },
  status: readOnly(),
  port_details: readOnly({ isFilter: false, isSortKey: false }),
}
