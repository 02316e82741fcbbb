/**
 * `--config-file` / `--config-dir` as oslo.config reads them (repeatable, in command-line order,
 * later files win) and the config load every command that reads config files shares: warnings
 * for unknown sections/options on stderr (one line each, file:line, nearest known name), and the
 * driver-name checks of the server (src/apps/server/config-checks.ts) so that a misspelt type or
 * mechanism driver is a config error at its file:line from every command.
 */
import { type ConfigSource, loadConfig, type NeutrinoConfig } from '../conf/index.js'
import { serverConfigValidators } from '../apps/server/config-checks.js'
import type { CliIo, OptionSpec, Parsed } from './command.js'

export const CONFIG_OPTIONS: Record<string, OptionSpec> = {
  'config-file': { type: 'string', multiple: true, valueName: 'PATH', help: 'config file to read; later files win' },
  'config-dir': { type: 'string', multiple: true, valueName: 'DIR', help: 'directory whose *.conf files are read, in name order' },
}

export interface LoadedConfig {
  config: NeutrinoConfig
  files: string[]
  dirs: string[]
}

export function configSources(p: Parsed): ConfigSource[] {
  return p.order.flatMap((o): ConfigSource[] =>
    o.name === 'config-file' ? [{ kind: 'file', path: o.value! }] : o.name === 'config-dir' ? [{ kind: 'dir', path: o.value! }] : [],
  )
}

export function loadCommandConfig(p: Parsed, io: CliIo): LoadedConfig {
  const sources = configSources(p)
  const config = loadConfig({
    sources,
    env: io.env,
    validators: serverConfigValidators,
    warn: (line) => io.stderr.write(`neutrino: warning: ${line}\n`),
  })
  return {
    config,
    files: sources.filter((s) => s.kind === 'file').map((s) => s.path),
    dirs: sources.filter((s) => s.kind === 'dir').map((s) => s.path),
  }
}
