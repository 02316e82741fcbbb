/**
 * agents: neutron_lib/api/definitions/agent.py. Agents register themselves by heartbeat
 * (AgentOps.reportState), never through POST; only admin_state_up and description are writable.
 */
import { type AttrMap, toBoolean, validateStringOrNone } from '../attributes.js'
import { idAttr, readOnly } from './common.js'

export const AGENT_ATTRS: AttrMap = {
  id: idAttr,
  agent_type: readOnly(),
  binary: readOnly(),
  topic: readOnly(),
  host: readOnly(),
  admin_state_up: { allowPost: false, allowPut: true, convert: toBoolean, isVisible: true, isFilter: true, isSortKey: true },
  created_at: readOnly({ isFilter: false }),
  started_at: readOnly({ isFilter: false }),
  heartbeat_timestamp: readOnly({ isFilter: false }),
  alive: readOnly({ convertFilter: toBoolean, isSortKey: false }),
  configurations: readOnly({ isFilter: false, isSortKey: false }),
  description: { allowPost: false, allowPut: true, validate: validateStringOrNone(255), isVisible: true, isFilter: true, isSortKey: true },
}
