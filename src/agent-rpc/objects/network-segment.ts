/** NetworkSegment 1.0 (neutron/objects/network.py) as nested in Network and PortBindingLevel. */
import { primitive, unsetIfNull, type Primitive } from './primitive.js'

export interface SegmentRow {
  id: string
  network_id: string
  network_type: string
  physical_network: string | null
  segmentation_id: number | null
  is_dynamic: boolean
  segment_index: number
}

/**
 * Segments carry no standard attributes in Neutrino's schema: revision 0 and the network's
 * timestamps stand in (Neutron's segment rows were created with their network; revision 0 was
 * what every recorded segment showed). Unset name/physnet/segmentation id are absent (§3 trap).
 */
export function networkSegmentPrimitive(s: SegmentRow, networkCreatedAt: string | null): Primitive {
  return primitive('NetworkSegment', '1.0', {
    id: s.id,
    network_id: s.network_id,
    network_type: s.network_type,
    physical_network: unsetIfNull(s.physical_network),
    segmentation_id: unsetIfNull(s.segmentation_id === null ? null : Number(s.segmentation_id)),
    is_dynamic: !!s.is_dynamic,
    segment_index: Number(s.segment_index),
    hosts: [],
    revision_number: 0,
    created_at: networkCreatedAt,
    updated_at: networkCreatedAt,
  })
}
