/** Minimal logger interface, injected everywhere (no global logger; house style habit 8). */
export interface Logger {
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

/** Logs warnings and errors to stderr; the default when the caller gives no logger. */
export const consoleLogger: Logger = {
  debug() {},
  info() {},
  warn: (m) => console.warn(`ovsdb: ${m}`),
  error: (m) => console.error(`ovsdb: ${m}`),
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
