/** Shared helpers for the config tests: temp dirs and in-memory loading. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildConfig, type LoadResult, type NeutrinoConfig, parseIni } from '../../../src/conf/index.js';

/** A fresh temp dir removed after the current test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'neutrino-conf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/** Deterministic context: non-root user with HOME=/home/op and no other environment. */
export const CTX = { env: { HOME: '/home/op' }, uid: 1000, homedir: '/nonexistent' } as const;

/** Builds a config from in-memory files `[name, text]`, in order. */
export function build(...files: Array<[string, string]>): LoadResult<NeutrinoConfig> {
  return buildConfig(files.map(([name, text]) => parseIni(text, name)), CTX);
}

export function cfg(text: string): NeutrinoConfig {
  return build(['neutron.conf', text]).config;
}

/** Runs fn and returns the ConfigError message it throws (fails the test if it does not). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'ConfigError') return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
