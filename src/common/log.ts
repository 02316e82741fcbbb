/**
 * A tiny leveled logger, injected everywhere (no global). Lines look like oslo.log's:
 * `2026-11-25 10:00:00.123 INFO neutrino.ml2 message`.
 */
export interface Logger {
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
  child(name: string): Logger
}

export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger(
  opts: { level?: Level; write?: (line: string) => void; name?: string; now?: () => Date } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info']
  const write = opts.write ?? ((l: string) => process.stderr.write(l + '\n'))
  const now = opts.now ?? (() => new Date())
  const make = (name: string): Logger => {
    const emit = (lvl: Level, msg: string) => {
      if (ORDER[lvl] < min) return
      const ts = now().toISOString().replace('T', ' ').replace('Z', '')
      write(`${ts} ${lvl.toUpperCase()} ${name} ${msg}`)
    }
    return {
      debug: (m) => emit('debug', m),
      info: (m) => emit('info', m),
      warn: (m) => emit('warn', m),
      error: (m) => emit('error', m),
      child: (n) => make(`${name}.${n}`),
    }
  }
  return make(opts.name ?? 'neutrino')
}

/** A logger that keeps lines in memory (tests assert on them). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const l = createLogger({ level: 'debug', write: (x) => lines.push(x) })
  return Object.assign(l, { lines })
}
