#!/usr/bin/env node
// Entry point installed as `neutrino`: runs the compiled CLI (npm's `prepare` builds dist/).
import { main } from '../dist/cli/main.js'
main(process.argv.slice(2)).then((code) => { if (typeof code === 'number') process.exitCode = code })
