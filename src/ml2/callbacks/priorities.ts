/**
 * Subscriber priorities (neutron_lib/callbacks/priority_group.py): lower runs first; equal
 * priorities run in subscription order.
 */
export const PRIORITY_DEFAULT = 55550000
/** The L3 plugin's checks veto a port or network delete before other subscribers act on it. */
export const PRIORITY_L3 = PRIORITY_DEFAULT - 1000
/** Notifiers (agent RPC, journal) run after every in-process subscriber has seen the change. */
export const PRIORITY_NOTIFIER = PRIORITY_DEFAULT + 1000
