/**
 * Nicira vendor actions (OVS include/openflow/nicira-ext.h, lib/ofp-actions.c): header is
 * type 0xffff, len, vendor 0x00002320, subtype; bodies as below. All are padded to 8 bytes.
 */
import { NX_VENDOR_ID, port16to32, port32to16, Port } from './constants.js'
import { type FieldRef, subfieldByHeader, subfieldDef } from './nx-fields.js'
import { DecodeError, type Reader, type Writer } from './wire.js'

export type LearnSpec =
  | { readonly kind: 'match'; readonly dst: FieldRef; readonly src: FieldRef | bigint }
  | { readonly kind: 'load'; readonly dst: FieldRef; readonly src: FieldRef | bigint }
  | { readonly kind: 'output'; readonly src: FieldRef }

export interface LearnAction {
  readonly type: 'learn'
  readonly table: number
  readonly priority: number
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly finIdleTimeout: number
  readonly finHardTimeout: number
  readonly cookie: bigint
  /** NX_LEARN_F_SEND_FLOW_REM 1, NX_LEARN_F_DELETE_LEARNED 2. */
  readonly flags: number
  readonly specs: readonly LearnSpec[]
}

export type NxAction =
  | { readonly type: 'reg_load'; readonly dst: FieldRef; readonly value: bigint }
  | { readonly type: 'reg_move'; readonly src: FieldRef; readonly dst: FieldRef }
  /** NXAST_OUTPUT_REG: output to the port number held in a field ("output:NXM_NX_REG0[]"). */
  | { readonly type: 'output_reg'; readonly src: FieldRef; readonly maxLen: number }
  /** `resubmit(port,table)`; port defaults to IN_PORT, table to the current one. */
  | { readonly type: 'resubmit'; readonly port?: number; readonly table?: number }
  | { readonly type: 'conjunction'; readonly id: number; readonly clause: number; readonly nClauses: number }
  /** Opaque bytes as lowercase hex; the wire pads them with zeros to an 8-byte boundary. */
  | { readonly type: 'note'; readonly data: string }
  | LearnAction

export const NxSubtype = {
  RESUBMIT: 1,
  REG_MOVE: 6,
  REG_LOAD: 7,
  NOTE: 8,
  OUTPUT_REG: 15,
  RESUBMIT_TABLE: 14,
  LEARN: 16,
  CONJUNCTION: 34,
} as const

function header(w: Writer, subtype: number): number {
  const start = w.pos
  w.u16(0xffff)
  w.u16(0)
  w.u32(NX_VENDOR_ID)
  w.u16(subtype)
  return start
}

function finish(w: Writer, start: number): void {
  w.padTo(start, 8)
  w.patch16(start + 2, w.pos - start)
}

function putRef(w: Writer, r: FieldRef): void {
  w.u32(subfieldDef(r.field).header)
}

const LEARN_SRC_IMMEDIATE = 1 << 13
const LEARN_DST_LOAD = 1 << 11
const LEARN_DST_OUTPUT = 2 << 11

export function encodeNxAction(a: NxAction, w: Writer): void {
  switch (a.type) {
    case 'reg_load': {
      const s = header(w, NxSubtype.REG_LOAD)
      w.u16((a.dst.ofs << 6) | (a.dst.nbits - 1))
      putRef(w, a.dst)
      w.u64(a.value)
      return finish(w, s)
    }
    case 'reg_move': {
      if (a.src.nbits !== a.dst.nbits) throw new RangeError('reg_move: source and destination widths differ')
      const s = header(w, NxSubtype.REG_MOVE)
      w.u16(a.src.nbits)
      w.u16(a.src.ofs)
      w.u16(a.dst.ofs)
      putRef(w, a.src)
      putRef(w, a.dst)
      return finish(w, s)
    }
    case 'output_reg': {
      const s = header(w, NxSubtype.OUTPUT_REG)
      w.u16((a.src.ofs << 6) | (a.src.nbits - 1))
      putRef(w, a.src)
      w.u16(a.maxLen)
      return finish(w, s)
    }
    case 'resubmit': {
      if (a.table === undefined && a.port !== undefined) {
        const s = header(w, NxSubtype.RESUBMIT)
        w.u16(port32to16(a.port))
        return finish(w, s)
      }
      const s = header(w, NxSubtype.RESUBMIT_TABLE)
      w.u16(port32to16(a.port ?? Port.IN_PORT))
      w.u8(a.table ?? 0xff)
      return finish(w, s)
    }
    case 'conjunction': {
      if (a.clause < 1 || a.clause > a.nClauses || a.nClauses < 2 || a.nClauses > 64) {
        throw new RangeError(`conjunction(${a.id},${a.clause}/${a.nClauses}): need 1 <= k <= n, 2 <= n <= 64`)
      }
      const s = header(w, NxSubtype.CONJUNCTION)
      w.u8(a.clause - 1)
      w.u8(a.nClauses)
      w.u32(a.id)
      return finish(w, s)
    }
    case 'note': {
      const s = header(w, NxSubtype.NOTE)
      w.bytes(Buffer.from(a.data, 'hex'))
      return finish(w, s)
    }
    case 'learn': {
      const s = header(w, NxSubtype.LEARN)
      w.u16(a.idleTimeout); w.u16(a.hardTimeout); w.u16(a.priority); w.u64(a.cookie); w.u16(a.flags)
      w.u8(a.table); w.u8(0); w.u16(a.finIdleTimeout); w.u16(a.finHardTimeout)
      for (const spec of a.specs) encodeLearnSpec(spec, w)
      return finish(w, s)
    }
  }
}

function encodeLearnSpec(spec: LearnSpec, w: Writer): void {
  const nbits = spec.kind === 'output' ? spec.src.nbits : spec.dst.nbits
  const imm = typeof spec.src === 'bigint'
  if (!imm && (spec.src as FieldRef).nbits !== nbits) throw new RangeError('learn: source and destination widths differ')
  const dstType = spec.kind === 'match' ? 0 : spec.kind === 'load' ? LEARN_DST_LOAD : LEARN_DST_OUTPUT
  w.u16((imm ? LEARN_SRC_IMMEDIATE : 0) | dstType | nbits)
  if (imm) {
    const bytes = Math.ceil(nbits / 16) * 2
    const v = spec.src as bigint
    for (let i = bytes - 1; i >= 0; i--) w.u8(Number((v >> BigInt(i * 8)) & 0xffn))
  } else {
    putRef(w, spec.src as FieldRef)
    w.u16((spec.src as FieldRef).ofs)
  }
  if (spec.kind !== 'output') {
    putRef(w, spec.dst)
    w.u16(spec.dst.ofs)
  }
}

function readRef(r: Reader, ofs: number, nbits: number): FieldRef {
  const s = subfieldByHeader(r.u32())
  if (nbits < 1 || ofs + nbits > s.nbits) throw new DecodeError(`bits ${ofs}+${nbits} outside ${s.nxmName}`)
  return { field: s.field, ofs, nbits }
}

function decodeLearn(r: Reader): LearnAction {
  const idleTimeout = r.u16(), hardTimeout = r.u16(), priority = r.u16(), cookie = r.u64(), flags = r.u16()
  const table = r.u8()
  r.skip(1)
  const finIdleTimeout = r.u16(), finHardTimeout = r.u16()
  const specs: LearnSpec[] = []
  while (r.remaining >= 2) {
    const h = r.u16()
    if (h === 0) break // padding
    const nbits = h & 0x7ff
    const imm = (h & LEARN_SRC_IMMEDIATE) !== 0
    const dstType = (h >> 11) & 3
    if (dstType === 3) throw new DecodeError('learn: bad destination type')
    let src: FieldRef | bigint
    if (imm) {
      const bytes = Math.ceil(nbits / 16) * 2
      r.need(bytes, 'learn immediate')
      let v = 0n
      for (let i = 0; i < bytes; i++) v = (v << 8n) | BigInt(r.u8())
      src = v
    } else {
      r.need(6, 'learn source')
      const hdr = r.u32()
      const ofs = r.u16()
      r.pos -= 6
      src = readRef(r, ofs, nbits)
      r.skip(2)
      void hdr
    }
    if (dstType === 2) {
      if (typeof src === 'bigint') throw new DecodeError('learn: output needs a field source')
      specs.push({ kind: 'output', src })
      continue
    }
    r.need(6, 'learn destination')
    const ofs = r.buf.readUInt16BE(r.pos + 4)
    const dst = readRef(r, ofs, nbits)
    r.skip(2)
    specs.push({ kind: dstType === 0 ? 'match' : 'load', dst, src })
  }
  while (r.remaining > 0) if (r.u8() !== 0) throw new DecodeError('learn: trailing garbage')
  return { type: 'learn', table, priority, idleTimeout, hardTimeout, finIdleTimeout, finHardTimeout, cookie, flags, specs }
}

/** Decodes the body after the vendor id; undefined for subtypes this library does not model. */
export function decodeNxAction(r: Reader): NxAction | undefined {
  const subtype = r.u16()
  switch (subtype) {
    case NxSubtype.REG_LOAD: {
      const ofsNbits = r.u16()
      r.need(4)
      const ofs = ofsNbits >> 6
      const dst = readRef(r, ofs, (ofsNbits & 0x3f) + 1)
      return { type: 'reg_load', dst, value: r.u64() }
    }
    case NxSubtype.REG_MOVE: {
      const nbits = r.u16(), srcOfs = r.u16(), dstOfs = r.u16()
      const src = readRef(r, srcOfs, nbits)
      const dst = readRef(r, dstOfs, nbits)
      return { type: 'reg_move', src, dst }
    }
    case NxSubtype.OUTPUT_REG: {
      const ofsNbits = r.u16()
      const src = readRef(r, ofsNbits >> 6, (ofsNbits & 0x3f) + 1)
      return { type: 'output_reg', src, maxLen: r.u16() }
    }
    case NxSubtype.RESUBMIT:
      return { type: 'resubmit', port: port16to32(r.u16()) }
    case NxSubtype.RESUBMIT_TABLE: {
      const p = port16to32(r.u16())
      const t = r.u8()
      return {
        type: 'resubmit',
        ...(p === Port.IN_PORT ? {} : { port: p }),
        ...(t === 0xff ? {} : { table: t }),
      }
    }
    case NxSubtype.CONJUNCTION: {
      const clause = r.u8(), nClauses = r.u8(), id = r.u32()
      return { type: 'conjunction', id, clause: clause + 1, nClauses }
    }
    case NxSubtype.NOTE:
      return { type: 'note', data: r.bytes(r.remaining).toString('hex') }
    case NxSubtype.LEARN:
      return decodeLearn(r)
    default:
      return undefined
  }
}
