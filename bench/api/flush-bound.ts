/**
 * The disk's flush latency, which bounds sequential durable commits: PostgreSQL with stock
 * settings (fsync=on, synchronous_commit=on) waits for one WAL flush (fdatasync, the Linux
 * default wal_sync_method) per COMMIT, so one client cannot commit faster than 1 / flush latency,
 * whatever the server in front of it does. Measured like pg_test_fsync's "one 8kB write":
 * an 8 KiB write at the start of a preallocated file, then fdatasync, in a loop.
 *
 *   node --import tsx bench/api/flush-bound.ts [DIR=os.tmpdir()] [N=500]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stats, type Stats } from './client.js'

export interface FlushBound {
  /** Latency of one 8 KiB write + fdatasync (ms). */
  flush: Stats
  /** Sequential durable commits per second at most: 1000 / mean flush latency. */
  commitsPerSec: number
}

/** Flushes `n` times in a temp file under `dir` (same file system as the database's data). */
export function measureFlushBound(dir: string = tmpdir(), n = 500): FlushBound {
  if (!(n >= 10)) throw new Error(`flush-bound: at least 10 flushes, not ${n}`)
  const tmp = mkdtempSync(join(dir, 'nbe-flush-'))
  const file = join(tmp, 'flush')
  const fd = openSync(file, 'w')
  try {
    const block = Buffer.alloc(8192, 1)
    writeSync(fd, Buffer.alloc(1 << 20), 0, 1 << 20, 0)
    fdatasyncSync(fd)
    const xs: number[] = []
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint()
      writeSync(fd, block, 0, block.length, 0)
      fdatasyncSync(fd)
      xs.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    const flush = stats(xs)
    return { flush, commitsPerSec: 1000 / flush.mean }
  } finally {
    closeSync(fd)
    rmSync(tmp, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const b = measureFlushBound(process.argv[2], process.argv[3] ? Number(process.argv[3]) : undefined)
  console.log(`8 KiB write + fdatasync: p50 ${b.flush.p50.toFixed(2)} ms, mean ${b.flush.mean.toFixed(2)} ms, p99 ${b.flush.p99.toFixed(2)} ms → at most ${b.commitsPerSec.toFixed(0)} sequential durable commits/s`)
}
