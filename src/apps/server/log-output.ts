/**
 * Where the server's log lines go, from `[DEFAULT] log_file`, `use_stderr` and `debug` (oslo.log's
 * options): without log_file, stderr; with log_file, that file (opened for append, so several API
 * workers share it), plus stderr when use_stderr = true. The file is opened before anything else
 * starts, and a file that cannot be opened is a config error (one line, exit 2), never a crash
 * after "listening". `reopen()` (SIGHUP) closes and reopens it by name, for logrotate.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { ConfigError } from '../../conf/index.js'
import { createLogger, type Logger } from '../../common/log.js'

export interface LogSettings {
  readonly log_file: string | null
  readonly use_stderr: boolean
  readonly debug: boolean
}

export interface LogOutput {
  readonly log: Logger
  /** Closes and reopens log_file (after logrotate moved it); a failure is logged to stderr, lines keep flowing there. */
  reopen(): void
  close(): void
}

export function openLogOutput(s: LogSettings, name: string, stderr: { write(s: string): unknown } = process.stderr): LogOutput {
  const file = s.log_file
  let fd = file ? open(file) : null
  const write = (line: string) => {
    if (fd !== null) {
      try {
        writeSync(fd, line + '\n')
      } catch {
        // A full disk must not take the API down: the line goes to stderr instead.
        stderr.write(line + '\n')
        return
      }
      if (s.use_stderr) stderr.write(line + '\n')
    } else stderr.write(line + '\n')
  }
  const log = createLogger({ name, level: s.debug ? 'debug' : 'info', write })
  return {
    log,
    reopen() {
      if (!file) return
      let next: number
      try {
        next = open(file)
      } catch (e) {
        stderr.write(`neutrino: ${(e as Error).message}; still writing to the old file\n`)
        return
      }
      const old = fd
      fd = next
      if (old !== null) closeSync(old)
      log.info(`reopened log file ${file}`)
    },
    close() {
      if (fd !== null) closeSync(fd)
      fd = null
    },
  }
}

function open(file: string): number {
  try {
    return openSync(file, 'a', 0o640)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    throw new ConfigError({ section: 'DEFAULT', option: 'log_file' }, `cannot open '${file}' for writing (${err.code ?? err.message})`)
  }
}
