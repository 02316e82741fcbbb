/**
 * One `neutrino` command or subcommand: its options (node:util parseArgs, strict), help text and
 * run function. `runCommand` gives every command the same behaviour: `--help` prints what it does,
 * its options and an example and exits 0 without doing anything; `--version` prints the version;
 * an unknown option or a missing value exits 2 with one line on stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../migration/errors.js'
import { packageVersion } from './version.js'

export interface CliIo {
  stdout: { write(s: string): unknown }
  stderr: { write(s: string): unknown; isTTY?: boolean }
  env: Readonly<Record<string, string | undefined>>
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { help: string; valueName?: string }

export interface Parsed {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>
  positionals: string[]
  /** Options in command-line order (name, value), for the order-sensitive --config-file/--config-dir. */
  order: Array<{ name: string; value: string | undefined }>
}

export interface Command {
  /** Full name as typed: `server`, `db upgrade`. */
  name: string
  summary: string
  /** Longer description for --help (may be several lines). */
  description: string
  /** Positional arguments shown in the usage line, e.g. `[DIR]`. */
  args?: string
  /** Largest number of positional arguments accepted. */
  maxPositionals?: number
  options: Record<string, OptionSpec>
  example: string
  run(p: Parsed, io: CliIo): Promise<number> | number
}

/** Bad usage found after parsing (the migration's argument errors share it): exit 2, one line. */
export { UsageError }

const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help and exit' },
  version: { type: 'boolean', help: 'print the Neutrino version and exit' },
}

export function helpText(c: Command): string {
  const opts = { ...c.options, ...COMMON }
  const rows = Object.entries(opts).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.valueName ?? name.toUpperCase().replace(/-/g, '_')}` : ''}`
    return [flag, `${o.help}${o.multiple ? ' (repeatable)' : ''}`] as const
  })
  const w = Math.max(...rows.map(([f]) => f.length))
  return [
    `usage: neutrino ${c.name} [options]${c.args ? ` ${c.args}` : ''}`,
    '',
    c.description,
    '',
    'options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(w)}  ${h}`),
    '',
    'example:',
    `  ${c.example}`,
    '',
  ].join('\n')
}

export async function runCommand(c: Command, argv: readonly string[], io: CliIo): Promise<number> {
  let p: Parsed
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: { ...c.options, ...COMMON },
      strict: true,
      allowPositionals: true,
      tokens: true,
    })
    if (values.help) {
      io.stdout.write(helpText(c))
      return 0
    }
    if (values.version) {
      io.stdout.write(`neutrino ${packageVersion()}\n`)
      return 0
    }
    const max = c.maxPositionals ?? 0
    if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`)
    const order = tokens.flatMap((t) => (t.kind === 'option' ? [{ name: t.name, value: t.value }] : []))
    p = { values: values as Parsed['values'], positionals, order }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`neutrino ${c.name}: ${usageMessage(e as Error)} (see 'neutrino ${c.name} --help')\n`)
      return 2
    }
    throw e
  }
  try {
    return await c.run(p, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`neutrino ${c.name}: ${e.message} (see 'neutrino ${c.name} --help')\n`)
      return 2
    }
    throw e
  }
}

/** parseArgs' messages are long and multi-line ("To specify a positional argument starting with…"). */
function usageMessage(e: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(e.message)
  if (unknown) return `unknown option '${unknown[1]}'`
  const missing = /Option '([^']+)' argument missing/.exec(e.message)
  if (missing) return `option '${missing[1]!.split(',').at(-1)!.trim().split(' ')[0]}' needs a value`
  return e.message.split('\n')[0]!
}
