/**
 * VSWITCH_TABLES must replicate every column the typed rows of a vswitch replica promise
 * (VswitchReplicaTables): a column in the model that is neither monitored nor declared
 * unreplicated fails here, and so does a declaration naming a column the schema lacks.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseSchema } from '../../../src/ovsdb/schema.js'
import { TABLE_COLUMNS } from '../../../src/ovsdb/vswitch/model.js'
import { VSWITCH_TABLES, VSWITCH_UNREPLICATED, type VswitchReplicaTables } from '../../../src/ovsdb/vswitch/vswitch-tables.js'

const schema = parseSchema(JSON.parse(readFileSync(new URL('../../../src/ovsdb/vswitch/vswitch.ovsschema', import.meta.url), 'utf8')))

// Compile-time half: the row types hold the columns the controller reads, and not the counters.
type Has<T, K extends string> = K extends keyof T ? true : false
const typed: [
  Has<VswitchReplicaTables['Bridge'], 'datapath_id'>,
  Has<VswitchReplicaTables['Open_vSwitch'], 'other_config'>,
  Has<VswitchReplicaTables['Interface'], 'error'>,
  Has<VswitchReplicaTables['Interface'], 'ofport'>,
  Has<VswitchReplicaTables['Controller'], 'is_connected'>,
  Has<VswitchReplicaTables['Interface'], 'statistics'>,
] = [true, true, true, true, true, false]

describe('VSWITCH_TABLES', () => {
  it('monitors every column of the typed model except the declared counters', () => {
    for (const [table, cols] of Object.entries(VSWITCH_TABLES)) {
      const model = TABLE_COLUMNS[table as keyof typeof TABLE_COLUMNS] as readonly string[]
      const skipped = VSWITCH_UNREPLICATED[table as keyof typeof VSWITCH_UNREPLICATED] as readonly string[]
      const missing = model.filter((c) => !cols.includes(c) && !skipped.includes(c))
      assert.deepEqual(missing, [], `${table}: typed columns not monitored`)
      for (const c of [...cols, ...skipped]) assert.ok(schema.tables[table]!.columns[c], `${table}.${c} is not in the schema`)
      for (const c of skipped) assert.ok(!cols.includes(c), `${table}.${c} both monitored and declared unreplicated`)
    }
  })

  it('holds the columns a controller needs (issue 13)', () => {
    assert.ok(typed.every((v, i) => v === (i < 5)))
    assert.ok(VSWITCH_TABLES.Bridge.includes('datapath_id'))
    assert.ok(VSWITCH_TABLES.Open_vSwitch.includes('other_config'))
    assert.ok(VSWITCH_TABLES.Interface.includes('error'))
    assert.ok(VSWITCH_TABLES.Interface.includes('ofport'))
    assert.ok(VSWITCH_TABLES.Controller.includes('is_connected'))
  })
})
