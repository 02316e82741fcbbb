import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { generateModel, typeName } from '../../../src/ovsdb/modelgen.js'
import { generateVswitchModel, VSWITCH_DIR } from '../../../scripts/gen-vswitch-model.js'

describe('generated Open_vSwitch model', () => {
  it('has not drifted from vswitch.ovsschema (regenerate: node --import tsx scripts/gen-vswitch-model.ts)', () => {
    const committed = readFileSync(`${VSWITCH_DIR}model.ts`, 'utf8')
    assert.equal(generateVswitchModel(), committed)
  })

  it('the committed schema copy matches the installed OVS one (when installed)', (t) => {
    const sys = '/usr/share/openvswitch/vswitch.ovsschema'
    if (!existsSync(sys)) return t.skip('openvswitch not installed')
    const installed = JSON.parse(readFileSync(sys, 'utf8')) as { version: string }
    const ours = JSON.parse(readFileSync(`${VSWITCH_DIR}vswitch.ovsschema`, 'utf8')) as { version: string }
    if (installed.version !== ours.version) return t.skip(`installed schema ${installed.version} differs from committed ${ours.version}: regenerate with that path`)
    assert.deepEqual(installed, ours)
  })

  it('maps column types to TypeScript', () => {
    const out = generateModel(
      {
        name: 'T',
        version: '1.0.0',
        tables: {
          my_table: {
            isRoot: true,
            columns: {
              s: { type: 'string' },
              o: { type: { key: { type: 'string', enum: ['set', ['a', 'b']] }, min: 0, max: 1 } },
              n: { type: { key: 'integer', min: 0, max: 'unlimited' } },
              m: { type: { key: 'string', value: 'real', min: 0, max: 'unlimited' } },
              im: { type: { key: 'integer', value: { type: 'uuid', refTable: 'my_table' }, min: 0, max: 'unlimited' } },
            },
          },
        },
      },
      { generator: 'test', tablesType: 'TTables' },
    )
    assert.match(out, /export type MyTable = \{/)
    assert.match(out, /  s: string\n/)
    assert.match(out, /  o: "a" \| "b" \| null\n/)
    assert.match(out, /  n: number\[\]\n/)
    assert.match(out, /  m: Record<string, number>\n/)
    assert.match(out, /  im: Map<number, string>\n/)
    assert.match(out, /export const ROOT_TABLES = \["my_table"\]/)
    assert.equal(typeName('Open_vSwitch'), 'OpenVSwitch')
    assert.equal(typeName('Flow_Sample_Collector_Set'), 'FlowSampleCollectorSet')
  })
})
