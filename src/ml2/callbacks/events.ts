/**
 * Resource and event names of the callbacks registry (neutron_lib/callbacks/resources.py and
 * events.py): the same strings, so a subscriber reads like its Neutron original.
 */

export const RESOURCES = [
  'network',
  'subnet',
  'port',
  'segment',
  'router',
  'floatingip',
  'security_group',
  'security_group_rule',
  'subnetpool',
  'agent',
] as const
export type Resource = (typeof RESOURCES)[number]

export const EVENTS = [
  'before_create',
  'precommit_create',
  'after_create',
  'before_update',
  'precommit_update',
  'after_update',
  'before_delete',
  'precommit_delete',
  'after_delete',
  // PORT only: a binding was completed (ml2 plugin _bind_port_if_needed → AFTER_UPDATE carries it
  // in Neutron; one named event lets the agent notifier and l2population subscribe to just that).
  'after_bind',
] as const
export type Event = (typeof EVENTS)[number]

/** neutron_lib.callbacks.events: which events may veto the operation. */
export function isVetoEvent(e: Event): boolean {
  return e.startsWith('before_') || e.startsWith('precommit_')
}
