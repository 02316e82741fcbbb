import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ValidationError } from '../../../src/ovsdb/errors.js'
import { atomKey, isNamedUuid, isUuid, map, namedUuid, set, setElements, uuid, wireEqual } from '../../../src/ovsdb/notation.js'
import { applyColumnDiff, plainEqual } from '../../../src/ovsdb/row-diff.js'
import { getColumn, parseSchema, rowFromWire, rowToWire, validateRow, valueFromWire, valueToWire } from '../../../src/ovsdb/schema.js'
import { VSWITCH_SCHEMA } from '../../fakes/ovsdb-fake.js'

const U = '5b5a5f2e-0b8e-4c0e-9d5e-1a2b3c4d5e6f'
const schema = parseSchema(VSWITCH_SCHEMA)
const col = (t: string, c: string) => getColumn(schema, t, c)

describe('notation (RFC 7047 §5.1)', () => {
  it('builds and recognises atoms, sets and maps', () => {
    assert.deepEqual(uuid(U), ['uuid', U])
    assert.ok(isUuid(uuid(U)) && !isNamedUuid(uuid(U)))
    assert.ok(isNamedUuid(namedUuid('row1')))
    assert.deepEqual(set([1, 2]), ['set', [1, 2]])
    assert.deepEqual(map({ a: 'b' }), ['map', [['a', 'b']]])
    assert.deepEqual(map(new Map([[1, 'x']])), ['map', [[1, 'x']]])
  })
  it('accepts the bare single-element set form', () => {
    assert.deepEqual(setElements('x'), ['x'])
    assert.deepEqual(setElements(['set', []]), [])
    assert.deepEqual(setElements(['uuid', U]), [['uuid', U]])
  })
  it('compares wire values order-insensitively', () => {
    assert.ok(wireEqual(['set', [1, 2]], ['set', [2, 1]]))
    assert.ok(wireEqual('a', ['set', ['a']]))
    assert.ok(wireEqual(['map', [['a', '1'], ['b', '2']]], ['map', [['b', '2'], ['a', '1']]]))
    assert.ok(!wireEqual(['map', [['a', '1']]], ['map', [['a', '2']]]))
    assert.notEqual(atomKey(['uuid', U]), atomKey(U))
  })
})

describe('schema-aware conversion', () => {
  it('parses column kinds from the vswitch schema', () => {
    assert.equal(col('Bridge', 'name').kind, 'scalar')
    assert.equal(col('Bridge', 'fail_mode').kind, 'optional')
    assert.equal(col('Bridge', 'ports').kind, 'set')
    assert.equal(col('Bridge', 'external_ids').kind, 'map')
    assert.equal(col('Bridge', 'ports').type.key.refTable, 'Port')
    assert.equal(col('Bridge', 'ports').type.max, Infinity)
    assert.equal(schema.tables.Open_vSwitch!.isRoot, true)
    assert.equal(schema.tables.Port!.isRoot, false)
    assert.deepEqual(schema.tables.Port!.indexes, [['name']])
  })
  it('converts wire → plain', () => {
    assert.equal(valueFromWire(col('Bridge', 'fail_mode'), ['set', []]), null)
    assert.equal(valueFromWire(col('Bridge', 'fail_mode'), 'secure'), 'secure')
    assert.deepEqual(valueFromWire(col('Bridge', 'ports'), ['uuid', U]), [U])
    assert.deepEqual(valueFromWire(col('Bridge', 'ports'), ['set', [['uuid', U]]]), [U])
    assert.deepEqual(valueFromWire(col('Bridge', 'external_ids'), ['map', [['a', 'b']]]), { a: 'b' })
    const ft = valueFromWire(col('Bridge', 'flow_tables'), ['map', [[1, ['uuid', U]]]])
    assert.ok(ft instanceof Map)
    assert.equal(ft.get(1), U)
  })
  it('converts plain → wire; non-UUID strings in uuid columns are named-uuids', () => {
    assert.deepEqual(valueToWire(col('Bridge', 'ports'), [U, 'newport']), ['set', [['uuid', U], ['named-uuid', 'newport']]])
    assert.deepEqual(valueToWire(col('Bridge', 'fail_mode'), null), ['set', []])
    assert.deepEqual(valueToWire(col('Bridge', 'external_ids'), { k: 'v' }), ['map', [['k', 'v']]])
    assert.deepEqual(valueToWire(col('Bridge', 'flow_tables'), new Map([[3, U]])), ['map', [[3, ['uuid', U]]]])
    assert.deepEqual(valueToWire(col('Bridge', 'ports'), ['set', []]), ['set', []], 'wire values pass through')
  })
  it('round-trips rows', () => {
    const ts = schema.tables.Bridge!
    const plain = { name: 'br0', ports: [U], fail_mode: 'secure', external_ids: { a: '1' }, protocols: ['OpenFlow13'] }
    assert.deepEqual(rowFromWire(ts, rowToWire(ts, plain)), plain)
  })
})

describe('validation before sending', () => {
  const bad = (t: string, row: Record<string, unknown>, re: RegExp, mode: 'insert' | 'update' = 'insert') =>
    assert.throws(() => validateRow(schema, t, row, mode), (e: Error) => e instanceof ValidationError && re.test(e.message))
  it('accepts a valid row', () => {
    validateRow(schema, 'Port', { name: 'p1', interfaces: ['iface1'], tag: 100, trunks: [1, 2] })
  })
  it('rejects unknown tables and columns', () => {
    bad('Nope', {}, /no table Nope/)
    bad('Port', { colour: 'red' }, /Port\.colour: no column/)
    bad('Port', { _uuid: U }, /read-only/)
  })
  it('checks atomic types', () => {
    bad('Port', { name: 5 }, /Port\.name: value 5: expected a string/)
    bad('Port', { tag: 1.5 }, /expected an integer/)
    bad('Bridge', { stp_enable: 'yes' }, /expected a boolean/)
    bad('Bridge', { ports: ['not a uuid!'] }, /neither a UUID nor a valid uuid-name/)
  })
  it('checks enums, integer ranges and set sizes', () => {
    bad('Bridge', { fail_mode: 'open' }, /not one of "standalone", "secure"/)
    bad('Port', { tag: 4096 }, /greater than the maximum 4095/)
    bad('Port', { tag: -1 }, /less than the minimum 0/)
    bad('Port', { interfaces: [] }, /0 value\(s\) given, allowed 1..unlimited/)
    bad('Bridge', { fail_mode: ['secure', 'standalone'] }, /allowed 0..1/)
    bad('Bridge', { protocols: ['OpenFlow99'] }, /not one of/)
  })
  it('rejects immutable columns in updates', () => {
    bad('Bridge', { name: 'x' }, /immutable/, 'update')
  })
})

describe('update2 diffs', () => {
  it('applies set symmetric differences and map diffs; max-1 columns take the new value', () => {
    assert.deepEqual((applyColumnDiff(col('Bridge', 'ports'), ['a', 'b'], ['set', [['uuid', 'b'], ['uuid', 'c']]]) as string[]).sort(), ['a', 'c'])
    assert.equal(applyColumnDiff(col('Bridge', 'fail_mode'), 'secure', 'standalone'), 'standalone')
    assert.equal(applyColumnDiff(col('Bridge', 'fail_mode'), 'secure', ['set', []]), null)
    assert.deepEqual(applyColumnDiff(col('Bridge', 'external_ids'), { a: '1', b: '2' }, ['map', [['a', '1'], ['b', '3'], ['c', '4']]]), { b: '3', c: '4' })
    assert.equal(applyColumnDiff(col('Bridge', 'name'), 'x', 'y'), 'y')
  })
  it('compares plain values', () => {
    assert.ok(plainEqual([1, 2], [2, 1]))
    assert.ok(plainEqual({ a: '1' }, { a: '1' }))
    assert.ok(!plainEqual({ a: '1' }, { a: '1', b: '2' }))
    assert.ok(plainEqual(new Map([[1, 'a']]), new Map([[1, 'a']])))
    assert.ok(!plainEqual(null, []))
  })
})
