/**
 * `neutrino journal list|show|retry|purge`: the opendaylight driver's journal for operators
 * (networking-odl has no such command; its operators ran SQL). Reads and writes the server's
 * database as configured by the usual --config-file/--config-dir.
 *
 *   neutrino journal list [--state pending|processing|failed|completed] [--limit N] [--json]
 *   neutrino journal show SEQNUM [--json]
 *   neutrino journal retry (SEQNUM | --all)      failed rows back to pending, fresh retry budget
 *   neutrino journal purge (--completed | SEQNUM) delete completed rows, or one row (dependents stop waiting for it)
 */
import { parseArgs as parseCli } from 'node:util'
import { loadConfig, parseArgs } from '../conf/index.js'
import { openDb } from '../db/connect.js'
import type { Db } from '../db/engine.js'
import {
  deleteRow, getRow, journalFigures, listRows, purgeCompleted, retryFailed, type JournalRow, type JournalState,
} from '../apps/server/journal-admin.js'

const USAGE = `usage: neutrino journal <list|show|retry|purge> [options] [--config-file FILE]... [--config-dir DIR]...
  list [--state STATE] [--limit N] [--json]   rows by seqnum, with depth / oldest pending age / failed count
  show SEQNUM [--json]                        one row, its body and what it waits for
  retry (SEQNUM | --all)                      failed rows back to pending with a fresh retry budget
  purge (--completed | SEQNUM)                delete completed rows, or one row whatever its state
`
const STATES: readonly JournalState[] = ['pending', 'processing', 'failed', 'completed']

class UsageError extends Error {}

export async function runJournal(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let a: ReturnType<typeof parse>
  try {
    a = parse(argv)
  } catch (e) {
    err.write(`neutrino journal: ${(e as Error).message}\n`)
    return 2
  }
  if (a.values.help) {
    out.write(USAGE)
    return 0
  }
  const conf = [...(a.values['config-file'] ?? []).flatMap((f) => ['--config-file', f]), ...(a.values['config-dir'] ?? []).flatMap((d) => ['--config-dir', d])]
  const config = loadConfig({ sources: parseArgs(conf).sources })
  const db = openDb(config.database.connection)
  try {
    return await run(db, a, out)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err.write(`neutrino journal: ${e.message}\n${USAGE}`)
    return 2
  } finally {
    await db.close()
  }
}

function parse(argv: string[]) {
  return parseCli({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'config-file': { type: 'string', multiple: true },
      'config-dir': { type: 'string', multiple: true },
      state: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      completed: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

async function run(db: Db, a: ReturnType<typeof parse>, out: NodeJS.WritableStream): Promise<number> {
  const [cmd, arg, extra] = a.positionals
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
  const v = a.values
  switch (cmd) {
    case 'list': {
      if (arg !== undefined) throw new UsageError(`list takes no argument ('${arg}')`)
      if (v.state !== undefined && !STATES.includes(v.state as JournalState)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`)
      const limit = v.limit === undefined ? 100 : Number(v.limit)
      if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer ('${v.limit}')`)
      const rows = await listRows(db, { state: v.state as JournalState | undefined, limit })
      const figures = await journalFigures(db, Date.now())
      if (v.json) out.write(JSON.stringify({ figures, rows }, null, 2) + '\n')
      else {
        out.write(`depth ${figures.depth}  failed ${figures.failed}  oldest pending ${figures.oldestPendingAgeSeconds.toFixed(1)} s\n`)
        out.write('seqnum  state       op      type                 uuid                                  retries  last error\n')
        for (const r of rows) out.write(line(r) + '\n')
      }
      return 0
    }
    case 'show': {
      const r = await getRow(db, seqnum(arg))
      if (!r) throw new UsageError(`no journal row ${arg}`)
      out.write(v.json ? JSON.stringify(r, null, 2) + '\n' : `${line(r)}\nwaits for: ${r.depends_on?.join(', ') || 'nothing'}\ndata: ${JSON.stringify(r.data, null, 2)}\n`)
      return 0
    }
    case 'retry': {
      if (v.all === (arg !== undefined)) throw new UsageError('retry takes a SEQNUM or --all')
      const n = await retryFailed(db, v.all ? undefined : seqnum(arg))
      if (!v.all && n === 0) throw new UsageError(`journal row ${arg} does not exist or is not failed`)
      out.write(`${n} row(s) back to pending\n`)
      return 0
    }
    case 'purge': {
      if (!!v.completed === (arg !== undefined)) throw new UsageError('purge takes a SEQNUM or --completed')
      if (v.completed) out.write(`${await purgeCompleted(db, 0, Date.now())} completed row(s) deleted\n`)
      else {
        if (!(await deleteRow(db, seqnum(arg)))) throw new UsageError(`no journal row ${arg}`)
        out.write(`row ${arg} deleted\n`)
      }
      return 0
    }
    default:
      throw new UsageError(cmd === undefined ? 'a subcommand is required' : `unknown subcommand '${cmd}'`)
  }
}

function seqnum(s: string | undefined): number {
  const n = Number(s)
  if (s === undefined || !/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw new UsageError(`'${s ?? ''}' is not a journal seqnum`)
  return n
}

function line(r: JournalRow): string {
  return `${String(r.seqnum).padEnd(7)} ${r.state.padEnd(11)} ${r.operation.padEnd(7)} ${r.object_type.padEnd(20)} ${r.object_uuid.padEnd(37)} ${String(r.retry_count).padEnd(8)} ${r.last_error ?? ''}`
}
