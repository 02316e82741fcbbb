/**
 * The sections neutrino-server understands today. Modules that add sections later combine them
 * with `extendSchema(neutrinoSchema, [...])` and load with `loadConfig({ schema, ... })`.
 */
import { keystoneAuthtokenExtraSection, keystoneAuthtokenSection, osloPolicySection } from './keystone-authtoken.js';
import { messagingSections } from './messaging-opts.js';
import { agentMechSections } from './agent-mech-config.js';
import { ml2Sections } from './ml2-config.js';
import { ml2OdlSection } from './ml2-odl-opts.js';
import { databaseSection, defaultSection, oslomiddlewareSection, quotasSection } from './neutron-opts.js';
import { healthcheckSection, metricsSection } from './operations-opts.js';
import { type ConfigOf, registerSections } from './schema.js';

export const neutrinoSections = [
  defaultSection,
  databaseSection,
  keystoneAuthtokenSection,
  keystoneAuthtokenExtraSection,
  osloPolicySection,
  oslomiddlewareSection,
  quotasSection,
  ...ml2Sections,
  ml2OdlSection,
  ...messagingSections,
  healthcheckSection,
  metricsSection,
  ...agentMechSections,
] as const;

export const neutrinoSchema = registerSections(neutrinoSections);

/**
 * The frozen configuration passed to every component (there is no global CONF). Shape:
 * `cfg.DEFAULT.bind_port`, `cfg.ml2.project_network_types`, `cfg.ml2_type_vlan.network_vlan_ranges`, ...
 * Every property is readonly and inferred from the declarations; see docs/config.md.
 */
export interface NeutrinoConfig extends ConfigOf<typeof neutrinoSections> {}
