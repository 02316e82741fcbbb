/** Byte builders for hand-made PostgreSQL backend messages (unit tests of src/db/pg). */
export const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])])

export const i16 = (v: number) => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(v)
  return b
}

export const i32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}
