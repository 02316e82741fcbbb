/**
 * OpenFlow 1.3.5 constants (spec §7, openflow.h). Names follow the spec with the OFP prefix
 * dropped; values are wire values.
 */

export const OFP_VERSION = 0x04
export const OFP_HEADER_LEN = 8
export const OFP_DEFAULT_PORT = 6653
/** Largest message the length field allows; bounds every allocation a peer can cause. */
export const OFP_MAX_MSG_LEN = 0xffff

export const MsgType = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  GROUP_MOD: 15,
  PORT_MOD: 16,
  TABLE_MOD: 17,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
} as const

/** Reserved port numbers (spec §7.2.1, enum ofp_port_no). */
export const Port = {
  MAX: 0xffffff00,
  IN_PORT: 0xfffffff8,
  TABLE: 0xfffffff9,
  NORMAL: 0xfffffffa,
  FLOOD: 0xfffffffb,
  ALL: 0xfffffffc,
  CONTROLLER: 0xfffffffd,
  LOCAL: 0xfffffffe,
  ANY: 0xffffffff,
} as const

export const NO_BUFFER = 0xffffffff
export const GROUP_ANY = 0xffffffff
export const GROUP_ALL = 0xfffffffc
export const TABLE_ALL = 0xff
export const CONTROLLER_MAX_LEN_NO_BUFFER = 0xffff

export const FlowModCommand = { add: 0, modify: 1, modify_strict: 2, delete: 3, delete_strict: 4 } as const
export type FlowModCommandName = keyof typeof FlowModCommand

export const FlowModFlags = {
  SEND_FLOW_REM: 1,
  CHECK_OVERLAP: 2,
  RESET_COUNTS: 4,
  NO_PKT_COUNTS: 8,
  NO_BYT_COUNTS: 16,
} as const

export const GroupModCommand = { add: 0, modify: 1, delete: 2 } as const
export type GroupModCommandName = keyof typeof GroupModCommand
export const GroupType = { all: 0, select: 1, indirect: 2, ff: 3 } as const
export type GroupTypeName = keyof typeof GroupType

export const MultipartType = {
  DESC: 0,
  FLOW: 1,
  AGGREGATE: 2,
  TABLE: 3,
  PORT_STATS: 4,
  QUEUE: 5,
  GROUP: 6,
  GROUP_DESC: 7,
  GROUP_FEATURES: 8,
  METER: 9,
  METER_CONFIG: 10,
  METER_FEATURES: 11,
  TABLE_FEATURES: 12,
  PORT_DESC: 13,
  EXPERIMENTER: 0xffff,
} as const
export const MULTIPART_MORE = 1

export const ControllerRole = { nochange: 0, equal: 1, master: 2, slave: 3 } as const
export type ControllerRoleName = keyof typeof ControllerRole

export const PacketInReason = { no_match: 0, action: 1, invalid_ttl: 2 } as const
export const FlowRemovedReason = { idle_timeout: 0, hard_timeout: 1, delete: 2, group_delete: 3 } as const
export const PortReason = { add: 0, delete: 1, modify: 2 } as const

export const ConfigFlags = { FRAG_NORMAL: 0, FRAG_DROP: 1, FRAG_REASM: 2 } as const

/** Nicira vendor id used by NXAST_* actions and NXM experimenter messages. */
export const NX_VENDOR_ID = 0x00002320
/** ONF vendor id (OF1.3 bundle extension, ONF_ET_BUNDLE_*). */
export const ONF_VENDOR_ID = 0x4f4e4600

/** Converts an OF1.0 16-bit port (as used in NXM_OF_IN_PORT and NXAST_RESUBMIT) to 32 bits. */
export function port16to32(p: number): number {
  return p >= 0xff00 ? (p + 0xffff0000) >>> 0 : p
}

export function port32to16(p: number): number {
  return p >= 0xffffff00 ? (p - 0xffff0000) & 0xffff : p & 0xffff
}
