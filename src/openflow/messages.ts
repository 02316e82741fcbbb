/**
 * OpenFlow 1.3 message values. Every message is a plain object tagged by `type` (lower-case
 * spec name); `xid` is optional when sending (the connection assigns one).
 */
import type { Action } from './actions.js'
import type { ControllerRoleName, FlowModCommandName, GroupModCommandName, GroupTypeName } from './constants.js'
import type { Instruction } from './instructions.js'
import type { Match } from './oxm.js'

interface Base {
  readonly xid?: number
}

export interface Hello extends Base {
  readonly type: 'hello'
  /** Wire versions offered in the version-bitmap element; absent when the peer sent none. */
  readonly versions?: readonly number[]
  /** Header version of the HELLO itself (decoded; default 4 when sending). */
  readonly version?: number
}

export interface ErrorMsg extends Base {
  readonly type: 'error'
  readonly errorType: number
  readonly code: number
  /** Leading bytes of the offending message (or HELLO_FAILED text). */
  readonly data: Buffer
  /** Experimenter errors (type 0xffff) carry an experimenter id instead of a code table. */
  readonly experimenter?: number
}

export interface Echo extends Base {
  readonly type: 'echo_request' | 'echo_reply'
  readonly data?: Buffer
}

export interface Experimenter extends Base {
  readonly type: 'experimenter'
  readonly experimenter: number
  readonly expType: number
  readonly data: Buffer
}

export interface Empty extends Base {
  readonly type: 'features_request' | 'get_config_request' | 'barrier_request' | 'barrier_reply'
}

export interface FeaturesReply extends Base {
  readonly type: 'features_reply'
  readonly datapathId: bigint
  readonly nBuffers: number
  readonly nTables: number
  readonly auxiliaryId: number
  readonly capabilities: number
}

export interface SwitchConfig extends Base {
  readonly type: 'set_config' | 'get_config_reply'
  readonly flags: number
  readonly missSendLen: number
}

export interface PortInfo {
  readonly portNo: number
  readonly hwAddr: string
  readonly name: string
  readonly config: number
  readonly state: number
  readonly curr: number
  readonly advertised: number
  readonly supported: number
  readonly peer: number
  readonly currSpeed: number
  readonly maxSpeed: number
}

export interface PacketIn extends Base {
  readonly type: 'packet_in'
  readonly bufferId: number
  readonly totalLen: number
  readonly reason: number
  readonly table: number
  readonly cookie: bigint
  readonly match: Match
  readonly data: Buffer
}

export interface FlowRemoved extends Base {
  readonly type: 'flow_removed'
  readonly cookie: bigint
  readonly priority: number
  readonly reason: number
  readonly table: number
  readonly durationSec: number
  readonly durationNsec: number
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly packetCount: bigint
  readonly byteCount: bigint
  readonly match: Match
}

export interface PortStatus extends Base {
  readonly type: 'port_status'
  readonly reason: number
  readonly port: PortInfo
}

export interface PacketOut extends Base {
  readonly type: 'packet_out'
  readonly bufferId: number
  readonly inPort: number
  readonly actions: readonly Action[]
  readonly data: Buffer
}

export interface FlowMod extends Base {
  readonly type: 'flow_mod'
  readonly command: FlowModCommandName
  readonly table: number
  readonly priority: number
  readonly cookie: bigint
  readonly cookieMask: bigint
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly bufferId: number
  readonly outPort: number
  readonly outGroup: number
  readonly flags: number
  readonly match: Match
  readonly instructions: readonly Instruction[]
}

export interface Bucket {
  readonly weight: number
  readonly watchPort: number
  readonly watchGroup: number
  readonly actions: readonly Action[]
}

export interface GroupMod extends Base {
  readonly type: 'group_mod'
  readonly command: GroupModCommandName
  readonly groupType: GroupTypeName
  readonly groupId: number
  readonly buckets: readonly Bucket[]
}

export interface RoleMsg extends Base {
  readonly type: 'role_request' | 'role_reply'
  readonly role: ControllerRoleName
  readonly generationId: bigint
}

export interface FlowStatsRequestBody {
  readonly table: number
  readonly outPort: number
  readonly outGroup: number
  readonly cookie: bigint
  readonly cookieMask: bigint
  readonly match: Match
}

export type MultipartRequestBody =
  | { readonly kind: 'desc' | 'port_desc' | 'group_desc' | 'table' }
  | ({ readonly kind: 'flow' | 'aggregate' } & FlowStatsRequestBody)
  | { readonly kind: 'port_stats'; readonly portNo: number }
  | { readonly kind: 'group'; readonly groupId: number }
  /** Any other multipart type, body kept as bytes. */
  | { readonly kind: 'raw'; readonly mpType: number; readonly data: Buffer }

export interface MultipartRequest extends Base {
  readonly type: 'multipart_request'
  readonly flags: number
  readonly body: MultipartRequestBody
}

export interface Desc {
  readonly mfrDesc: string
  readonly hwDesc: string
  readonly swDesc: string
  readonly serialNum: string
  readonly dpDesc: string
}

export interface FlowStats {
  readonly table: number
  readonly durationSec: number
  readonly durationNsec: number
  readonly priority: number
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly flags: number
  readonly cookie: bigint
  readonly packetCount: bigint
  readonly byteCount: bigint
  readonly match: Match
  readonly instructions: readonly Instruction[]
}

export interface AggregateStats {
  readonly packetCount: bigint
  readonly byteCount: bigint
  readonly flowCount: number
}

export interface PortStats {
  readonly portNo: number
  readonly rxPackets: bigint
  readonly txPackets: bigint
  readonly rxBytes: bigint
  readonly txBytes: bigint
  readonly rxDropped: bigint
  readonly txDropped: bigint
  readonly rxErrors: bigint
  readonly txErrors: bigint
  readonly rxFrameErr: bigint
  readonly rxOverErr: bigint
  readonly rxCrcErr: bigint
  readonly collisions: bigint
  readonly durationSec: number
  readonly durationNsec: number
}

export interface GroupDesc {
  readonly groupType: GroupTypeName
  readonly groupId: number
  readonly buckets: readonly Bucket[]
}

export interface TableStats {
  readonly table: number
  readonly activeCount: number
  readonly lookupCount: bigint
  readonly matchedCount: bigint
}

export type MultipartReplyBody =
  | { readonly kind: 'desc'; readonly desc: Desc }
  | { readonly kind: 'flow'; readonly flows: readonly FlowStats[] }
  | { readonly kind: 'aggregate'; readonly stats: AggregateStats }
  | { readonly kind: 'port_stats'; readonly ports: readonly PortStats[] }
  | { readonly kind: 'group_desc'; readonly groups: readonly GroupDesc[] }
  | { readonly kind: 'port_desc'; readonly ports: readonly PortInfo[] }
  | { readonly kind: 'table'; readonly tables: readonly TableStats[] }
  | { readonly kind: 'raw'; readonly mpType: number; readonly data: Buffer }

export interface MultipartReply extends Base {
  readonly type: 'multipart_reply'
  readonly flags: number
  readonly body: MultipartReplyBody
}

/** Any other message type: header fields plus the raw body. */
export interface RawMessage extends Base {
  readonly type: 'raw'
  readonly msgType: number
  readonly body: Buffer
}

export type OFMessage =
  | Hello | ErrorMsg | Echo | Experimenter | Empty | FeaturesReply | SwitchConfig | PacketIn | FlowRemoved
  | PortStatus | PacketOut | FlowMod | GroupMod | RoleMsg | MultipartRequest | MultipartReply | RawMessage

export type OFMessageType = OFMessage['type']
