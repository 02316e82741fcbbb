/**
 * SQL for provisioning blocks (neutron/db/provisioning_blocks.py): entities that must report a
 * port ready before it goes ACTIVE. Inserted at binding, removed by the entity's completion.
 */
import type { Queryable } from '../engine.js'

/** provisioning_blocks.L2_AGENT_ENTITY: the L2 agent wired the port. */
export const L2_AGENT_ENTITY = 'L2'
/** provisioning_blocks.DHCP_ENTITY (only when a DHCP agent hosts the network). */
export const DHCP_ENTITY = 'DHCP'

/** add_provisioning_component: idempotent. */
export async function insertProvisioningBlock(q: Queryable, portId: string, entity: string): Promise<void> {
  await q.run('INSERT INTO provisioningblocks (port_id, entity) VALUES (?, ?) ON CONFLICT DO NOTHING', [portId, entity])
}

/** Removes the entity's block; returns how many rows went (0: it was not blocking). */
export async function deleteProvisioningBlock(q: Queryable, portId: string, entity: string): Promise<number> {
  return (await q.run('DELETE FROM provisioningblocks WHERE port_id = ? AND entity = ?', [portId, entity])).changes
}

export async function provisioningBlocks(q: Queryable, portId: string): Promise<string[]> {
  const rows = await q.all<{ entity: string }>('SELECT entity FROM provisioningblocks WHERE port_id = ? ORDER BY entity', [portId])
  return rows.map((r) => r.entity)
}
