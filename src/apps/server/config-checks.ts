/**
 * Config checks that need the server's registries: every `[ml2] type_drivers` and
 * `mechanism_drivers` name must be one the server can load. Run by the config loader (so every
 * command that reads the config reports them as config errors, file:line, exit 2) instead of
 * failing later inside buildApp with no location.
 */
import type { ValidationContext } from '../../conf/index.js'
import { BUILTIN_TYPE_DRIVERS } from '../../ml2/types/registry.js'
import { MECHANISM_DRIVERS } from './mechanism-drivers.js'

interface Ml2Names {
  readonly type_drivers: readonly string[]
  readonly mechanism_drivers: readonly string[]
}

export const serverConfigValidators = [
  {
    section: 'ml2',
    validate(v: Ml2Names, ctx: ValidationContext): void {
      const types: readonly string[] = BUILTIN_TYPE_DRIVERS
      for (const t of v.type_drivers) {
        if (!types.includes(t)) ctx.fail('type_drivers', `unknown type driver '${t}' (available: ${types.join(', ')})`)
      }
      const mechs = Object.keys(MECHANISM_DRIVERS)
      for (const m of v.mechanism_drivers) {
        if (!mechs.includes(m)) ctx.fail('mechanism_drivers', `unknown mechanism driver '${m}' (available: ${mechs.join(', ')})`)
      }
    },
  },
] as const
