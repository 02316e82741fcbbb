/**
 * ml2_conf.ini: [ml2], [ml2_type_*] and the Neutrino fault-injection driver [ml2_mech_test].
 * Defaults are Neutron's (neutron/conf/plugins/ml2/config.py and drivers; facts §2.1), with
 * `flat_networks = *` as in current Neutron.
 */
import { type ConfigLocation } from './config-error.js';
import {
  type FailOnRule, type IdRange, NetworkRangeError,
  parseFailOn, parsePhysnetMtus, parseTunnelRanges, parseVlanRanges,
} from './network-ranges.js';
import { intOpt, listOpt, strOpt } from './opts.js';
import { type ConfigOf, type ValidationContext, section, validationContext } from './schema.js';

/** Runs `parse` and reports a NetworkRangeError at the option's assignment. */
function check<T>(ctx: ValidationContext, option: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof NetworkRangeError) ctx.fail(option, e.message);
    throw e;
  }
}

export const ml2Section = section('ml2', {
  type_drivers: listOpt({ default: ['local', 'flat', 'vlan', 'gre', 'vxlan'], help: 'Network type drivers to load, in order.' }),
  project_network_types: listOpt({
    default: ['local'],
    deprecatedName: 'tenant_network_types',
    help: 'Ordered network types allocated to project networks; each must be in type_drivers.',
  }),
  mechanism_drivers: listOpt({ default: [], help: 'Ordered mechanism drivers (e.g. openvswitch, opendaylight, test).' }),
  extension_drivers: listOpt({ default: [], help: 'Ordered extension drivers.' }),
  path_mtu: intOpt({ default: 0, min: 0, help: 'Largest IP packet the underlay carries without fragmentation, used for overlay (GRE/VXLAN) network MTUs; 0 uses global_physnet_mtu.' }),
  physical_network_mtus: listOpt({ default: [], help: '<physnet>:<mtu> pairs for physical networks whose MTU differs from global_physnet_mtu.' }),
  external_network_type: strOpt({ help: 'Network type for external networks created without provider attributes; must be in type_drivers.' }),
  overlay_ip_version: intOpt({ default: 4, choices: [4, 6], help: 'IP version of the overlay (tunnel) endpoints, used to subtract tunnel overhead from the MTU.' }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    for (const t of v.project_network_types) {
      if (v.type_drivers.includes(t)) continue;
      // Point at the line the operator wrote: type_drivers when project_network_types is a default.
      if (ctx.locate('project_network_types').file === undefined && ctx.locate('type_drivers').file !== undefined) {
        ctx.fail('type_drivers', `'${t}' is missing, but project_network_types (default ${v.project_network_types.join(',')}) needs it`);
      }
      ctx.fail('project_network_types', `no type driver for project network type '${t}' (type_drivers = ${v.type_drivers.join(',')})`);
    }
    if (v.external_network_type !== null && !v.type_drivers.includes(v.external_network_type)) {
      ctx.fail('external_network_type', `'${v.external_network_type}' is not in type_drivers (${v.type_drivers.join(',')})`);
    }
    check(ctx, 'physical_network_mtus', () => parsePhysnetMtus(v.physical_network_mtus));
  },
});

export const ml2TypeFlatSection = section('ml2_type_flat', {
  flat_networks: listOpt({ default: ['*'], help: "Physical networks allowed for flat networks; '*' allows any, an empty list disables flat networks." }),
}, { sampleFile: 'ml2_conf.ini' });

export const ml2TypeVlanSection = section('ml2_type_vlan', {
  network_vlan_ranges: listOpt({
    default: [],
    help: '<physnet>[:<vlan_min>:<vlan_max>] entries: physical networks usable by VLAN provider networks, and the tags (1-4094) allocated to project networks.',
  }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    check(ctx, 'network_vlan_ranges', () => parseVlanRanges(v.network_vlan_ranges));
  },
});

export const ml2TypeGreSection = section('ml2_type_gre', {
  tunnel_id_ranges: listOpt({ default: [], help: '<tun_min>:<tun_max> ranges of GRE tunnel IDs (1..4294967295) allocated to project networks.' }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    check(ctx, 'tunnel_id_ranges', () => parseTunnelRanges(v.tunnel_id_ranges, 'gre'));
  },
});

export const ml2TypeVxlanSection = section('ml2_type_vxlan', {
  vni_ranges: listOpt({ default: [], help: '<vni_min>:<vni_max> ranges of VXLAN VNIs (1..16777215) allocated to project networks.' }),
  vxlan_group: strOpt({ help: 'Multicast group for VXLAN; registered for compatibility, the server does not use it.' }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    check(ctx, 'vni_ranges', () => parseTunnelRanges(v.vni_ranges, 'vxlan'));
  },
});

export const ml2MechTestSection = section('ml2_mech_test', {
  fail_on: listOpt({
    default: [],
    help: "Neutrino test mechanism driver: '<phase>:<resource_name>' rules making that driver call fail for resources with that name, e.g. create_network_precommit:boom-net.",
  }),
}, {
  sampleFile: 'ml2_conf.ini',
  validate(v, ctx) {
    check(ctx, 'fail_on', () => parseFailOn(v.fail_on));
  },
});

export const ml2Sections = [
  ml2Section, ml2TypeFlatSection, ml2TypeVlanSection, ml2TypeGreSection, ml2TypeVxlanSection, ml2MechTestSection,
] as const;

export type Ml2Config = ConfigOf<typeof ml2Sections>;

/** The ML2 settings in the shapes the plugin and type drivers use. */
export interface Ml2Settings {
  /** physnet → VLAN ranges for project networks (empty array: provider networks only). */
  readonly vlanRanges: ReadonlyMap<string, readonly IdRange[]>;
  readonly greRanges: readonly IdRange[];
  readonly vxlanRanges: readonly IdRange[];
  readonly physnetMtus: ReadonlyMap<string, number>;
  /** null when flat_networks is '*' (any physnet allowed). */
  readonly flatNetworks: ReadonlySet<string> | null;
  readonly failOn: readonly FailOnRule[];
}

/**
 * Validates the ML2 sections (the loader already ran the same checks) and returns the parsed
 * ranges. `locate` adds file/line to errors; without it errors name only section and option.
 */
export function validateMl2Config(cfg: Ml2Config, locate?: (section: string, option: string) => ConfigLocation | undefined): Ml2Settings {
  const ctx = (name: string): ValidationContext => validationContext(name, locate && ((option) => locate(name, option)));
  const validate = <V>(def: { name: string; validate?(v: V, c: ValidationContext): void }, v: V): void => def.validate?.(v, ctx(def.name));
  validate(ml2Section, cfg.ml2);
  validate(ml2TypeVlanSection, cfg.ml2_type_vlan);
  validate(ml2TypeGreSection, cfg.ml2_type_gre);
  validate(ml2TypeVxlanSection, cfg.ml2_type_vxlan);
  validate(ml2MechTestSection, cfg.ml2_mech_test);
  const flat = cfg.ml2_type_flat.flat_networks;
  return {
    vlanRanges: parseVlanRanges(cfg.ml2_type_vlan.network_vlan_ranges),
    greRanges: parseTunnelRanges(cfg.ml2_type_gre.tunnel_id_ranges, 'gre'),
    vxlanRanges: parseTunnelRanges(cfg.ml2_type_vxlan.vni_ranges, 'vxlan'),
    physnetMtus: parsePhysnetMtus(cfg.ml2.physical_network_mtus),
    flatNetworks: flat.includes('*') ? null : new Set(flat),
    failOn: parseFailOn(cfg.ml2_mech_test.fail_on),
  };
}
