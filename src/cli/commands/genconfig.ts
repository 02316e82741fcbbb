/** `neutrino genconfig [DIR]`: write the sample config files generated from the option declarations. */
import { writeSamples } from '../../conf/index.js'
import type { Command } from '../command.js'

export const genconfigCommand: Command = {
  name: 'genconfig',
  summary: 'write sample config files (default: ./etc)',
  description: 'Writes neutron.conf.sample and ml2_conf.ini.sample, generated from the option\ndeclarations (every option with its default and help), into DIR (default ./etc).',
  args: '[DIR]',
  maxPositionals: 1,
  options: {},
  example: 'neutrino genconfig /etc/neutrino',
  run(p, io) {
    const dir = p.positionals[0] ?? 'etc'
    writeSamples(dir)
    io.stdout.write(`wrote sample config files to ${dir}\n`)
    return 0
  },
}
