#!/usr/bin/env node
// Entry point installed as `neutrino`: runs the compiled CLI (npm's `prepare` builds dist/).
// Exits explicitly with the command's status: a stopped server must not linger on a handle
// (cluster IPC, a policy file watcher) after it has closed everything it serves.
import { main } from '../dist/cli/main.js'
main(process.argv.slice(2)).then(
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (e) => {
    process.stderr.write(`neutrino: ${e?.message ?? e}\n`)
    process.exit(1)
  },
)
