/** Monitor request and update shapes (RFC 7047 §4.1.5-4.1.6; OVS monitor_cond / update2). */
import type { Condition } from './operations.js'
import type { WireRow } from './notation.js'

export interface MonitorSelect {
  initial?: boolean
  insert?: boolean
  delete?: boolean
  modify?: boolean
}
export interface MonitorRequest {
  columns?: string[]
  select?: MonitorSelect
}
export type MonitorRequests = Record<string, MonitorRequest | MonitorRequest[]>
export interface MonitorCondRequest extends MonitorRequest {
  where?: Condition[]
}
export type MonitorCondRequests = Record<string, MonitorCondRequest | MonitorCondRequest[]>

/** `update` / monitor reply: table → uuid → {old?, new?} (§4.1.6). */
export type TableUpdates = Record<string, Record<string, { old?: WireRow; new?: WireRow }>>
/** `update2` / `update3`: table → uuid → exactly one of initial | insert | modify | delete. */
export type RowUpdate2 = { initial?: WireRow; insert?: WireRow; modify?: WireRow; delete?: null }
export type TableUpdates2 = Record<string, Record<string, RowUpdate2>>
