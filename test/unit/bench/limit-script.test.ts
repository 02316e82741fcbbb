/**
 * The statement-replay limit (bench/api/limit.ts) must write the same rows as Neutrino, each copy
 * with values of its own: otherwise the "limit" would measure unique-violation aborts or fewer
 * rows. Checked on a hand-made capture shaped like a real one (bench/api/capture.ts).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ipFor, macFor, pgbenchScript, slotsOf, uuidFor } from '../../../bench/api/limit.js'
import type { CapturedCreate } from '../../../bench/api/capture.js'

const PORT = '6f1c2d3e-0000-4000-8000-00000000abcd'
const NET = 'a1a1a1a1-0000-4000-8000-000000000001'
const SUBNET = 'b2b2b2b2-0000-4000-8000-000000000002'
const cap: CapturedCreate = {
  portId: PORT,
  mac: 'fa:16:3e:00:00:01',
  networkId: NET,
  trips: [
    [
      { sql: 'BEGIN', params: [] },
      { sql: 'SELECT 1 AS x FROM ports WHERE network_id = $1 AND mac_address = $2', params: [NET, 'fa:16:3e:00:00:01'] },
    ],
    [
      { sql: 'INSERT INTO ports (id, network_id, mac_address, admin_state_up, description) VALUES ($1, $2, $3, $4, $5)', params: [PORT, NET, 'fa:16:3e:00:00:01', true, ''] },
      { sql: 'SELECT ip_address FROM ipallocations WHERE subnet_id = $1 AND ip_address = $2 UNION ALL SELECT ip_address FROM ipallocations WHERE subnet_id = $3 AND ip_address = $4', params: [SUBNET, '10.0.3.4', SUBNET, '10.0.9.9'] },
    ],
    [
      { sql: 'INSERT INTO ipallocations (port_id, ip_address, subnet_id, network_id) VALUES ($1, $2, $3, $4)', params: [PORT, '10.0.3.4', SUBNET, NET] },
      { sql: 'COMMIT', params: [] },
    ],
  ],
}

describe('statement-replay limit script', () => {
  it('gives every copy its own port id, MAC and addresses, shaped like Neutrino’s', () => {
    const ids = new Set<string>()
    const macs = new Set<string>()
    const ips = new Set<string>()
    // the keys pgbench makes: client * 2^22 + sequence, 4 clients
    for (let client = 0; client < 4; client++)
      for (let seq = 1; seq <= 2000; seq++) {
        const k = client * 4194304 + seq
        ids.add(uuidFor(k))
        macs.add(macFor(k))
        for (let i = 0; i < 4; i++) ips.add(ipFor(k, i))
      }
    assert.equal(ids.size, 8000)
    assert.equal(macs.size, 8000)
    assert.equal(ips.size, 32000)
    assert.match(uuidFor(4194305), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.match(macFor(4194305), /^fa:16:3f(:[0-9a-f]{2}){3}$/)
    assert.ok(![...ips].some((ip) => ip.startsWith('10.0.')), 'copies stay outside the captured /16')
  })

  it('maps the created values to per-copy slots and keeps the rest constant', () => {
    const insert = cap.trips[1]![0]!
    assert.deepEqual(
      slotsOf(cap, insert).map((s) => s.kind),
      ['uuid', 'const', 'mac', 'const', 'const'],
    )
    const probe = cap.trips[1]![1]!
    assert.deepEqual(slotsOf(cap, probe), [
      { kind: 'const', value: SUBNET },
      { kind: 'ip', idx: 0 },
      { kind: 'const', value: SUBNET },
      { kind: 'ip', idx: 1 },
    ])
  })

  it('replays each round trip as one pipeline, or only the writes in one', () => {
    const all = pgbenchScript(cap, false, 0)
    assert.equal(all.script.match(/\\startpipeline/g)?.length, 3)
    assert.equal(all.script.match(/^(BEGIN|SELECT|INSERT|COMMIT)\b/gm)?.length, 6)
    assert.ok(!/\$\d/.test(all.script), 'no placeholder left unreplaced')
    assert.ok(all.defines.includes('seq=0'))
    assert.ok(all.defines.includes(`c0=${NET}`), all.defines.join(' '))
    // the empty description cannot be a -D variable: it is the one literal
    assert.match(all.script, /, ''\);/)
    const writes = pgbenchScript(cap, true, 500)
    assert.equal(writes.script.match(/\\startpipeline/g)?.length, 1)
    assert.deepEqual(writes.script.match(/^(BEGIN|SELECT|INSERT|COMMIT)\b/gm), ['BEGIN', 'INSERT', 'INSERT', 'COMMIT'])
    assert.ok(writes.defines.includes('seq=500'), 'a second replay starts after the first one’s keys')
  })
})
