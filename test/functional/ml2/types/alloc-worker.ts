/**
 * A stand-in "server process" for the concurrency tests: opens the database given as argv[2],
 * syncs the pools (TypeManager.initialize), creates argv[3] tenant networks with argv[4]
 * concurrent requests, and prints the segments it got as one JSON line.
 */
import { randomUUID } from 'node:crypto'
import { openDb } from '../../../../src/db/connect.js'
import { withRetries } from '../../../../src/db/retry.js'
import type { Segment } from '../../../../src/ml2/driver-api.js'
import { manager } from './fixtures.js'

async function main(): Promise<void> {
  const [url, countArg, parallelArg] = process.argv.slice(2)
  const db = openDb(url!)
  const tm = manager()
  await tm.initialize(db)
  const count = Number(countArg)
  const parallel = Number(parallelArg)
  const got: Array<Segment & { net: string }> = []
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++
        const net = randomUUID()
        const [seg] = await withRetries(() =>
          db.transaction(async (tx) => {
            await tx.run(
              'INSERT INTO networks (id, project_id, status, admin_state_up, mtu, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
              [net, 'p', 'ACTIVE', true, 1500, 'now', 'now'],
            )
            return tm.createNetworkSegments(tx, net, null)
          }),
        )
        got.push({ ...seg!, net })
      }
    }),
  )
  await db.close()
  process.stdout.write(JSON.stringify(got) + '\n')
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`)
  process.exit(1)
})
