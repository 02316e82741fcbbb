/**
 * Errors of `neutrino db migrate-to-ml2`. A MigrationError is a refusal or a bad source: the CLI
 * prints its message on one line (plus `details`, one per line) and exits 1, and nothing was written.
 */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

/** Bad command-line arguments (argparse's `parser.error` in the original): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
