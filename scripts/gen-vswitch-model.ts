/**
 * Regenerates src/ovsdb/vswitch/model.ts from src/ovsdb/vswitch/vswitch.ovsschema.
 *   node --import tsx scripts/gen-vswitch-model.ts [path/to/vswitch.ovsschema]
 * With a path, the schema is first copied into src/ovsdb/vswitch/ (e.g. after an OVS upgrade:
 * /usr/share/openvswitch/vswitch.ovsschema).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateModel } from '../src/ovsdb/modelgen.js'

export const VSWITCH_DIR = fileURLToPath(new URL('../src/ovsdb/vswitch/', import.meta.url))
export const GENERATOR = 'scripts/gen-vswitch-model.ts'

export function generateVswitchModel(): string {
  const schema: unknown = JSON.parse(readFileSync(`${VSWITCH_DIR}vswitch.ovsschema`, 'utf8'))
  return generateModel(schema, { generator: GENERATOR, tablesType: 'VswitchTables' })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2]) copyFileSync(process.argv[2], `${VSWITCH_DIR}vswitch.ovsschema`)
  writeFileSync(`${VSWITCH_DIR}model.ts`, generateVswitchModel())
  console.log(`wrote ${VSWITCH_DIR}model.ts`)
}
