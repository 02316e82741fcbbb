// Runs the CLI from the sources (tsx), as bin/neutrino.js runs dist/: for tests that need a real process without a build.
import { main } from '../../src/cli/main.js'
main(process.argv.slice(2)).then((code) => { if (typeof code === 'number') process.exitCode = code })
