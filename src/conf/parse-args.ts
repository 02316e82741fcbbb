/**
 * The oslo.config command-line options every Neutrino command accepts:
 *   --config-file PATH | --config-file=PATH   (repeatable, later files win)
 *   --config-dir PATH  | --config-dir=PATH    (repeatable, *.conf in name order)
 * Order is kept (`sources`) because oslo reads files and dirs in command-line order.
 * Everything else is returned untouched in `rest`; `--` stops option parsing.
 */
import { ConfigError } from './config-error.js';
import type { ConfigSource } from './load-config.js';

export interface ParsedArgs {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  /** Files and dirs in command-line order; pass to loadConfig({ sources }). */
  readonly sources: readonly ConfigSource[];
  /** Remaining arguments, in order (including `--` and what follows it). */
  readonly rest: readonly string[];
}

const FLAGS: Record<string, ConfigSource['kind']> = { '--config-file': 'file', '--config-dir': 'dir' };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const sources: ConfigSource[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = FLAGS[flag];
    if (kind === undefined) {
      rest.push(arg);
      continue;
    }
    let path: string | undefined;
    if (eq > 0) path = arg.slice(eq + 1);
    else {
      path = argv[i + 1];
      if (path !== undefined && path.startsWith('--')) path = undefined;
      else i++;
    }
    if (path === undefined || path === '') throw new ConfigError({ option: flag }, 'missing path argument');
    sources.push({ kind, path });
  }
  return {
    files: sources.filter((s) => s.kind === 'file').map((s) => s.path),
    dirs: sources.filter((s) => s.kind === 'dir').map((s) => s.path),
    sources,
    rest,
  };
}
