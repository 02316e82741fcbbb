/**
 * `neutrino controller` options (issue 13, "The process"): the same INI conventions and strictness
 * as the server, in their own schema — [DEFAULT] reuses the server's process options, [database]
 * the server's database options with the controller's own store as the default, [controller] the
 * northbound, the southbound endpoints and the dataplane choices.
 */
import { databaseSection, defaultSection } from './neutron-opts.js'
import { enumOpt, listOpt, portOpt, strOpt } from './opts.js'
import { type ConfigOf, registerSections, section } from './schema.js'

const SAMPLE = 'controller.conf'

/** ptcp:PORT[:IP] / pssl:PORT[:IP] (a listener) or tcp:IP:PORT / ssl:IP:PORT / unix:PATH (a target). */
const LISTEN_RE = /^(ptcp|pssl):(\d{1,5})(:[0-9A-Fa-f.:[\]]+)?$|^punix:\/.+$/
const TARGET_RE = /^((tcp|ssl):([0-9A-Fa-f.:[\]]+|[A-Za-z0-9.-]+):(\d{1,5})|unix:\/.+)$/
const PHYS_MAP_RE = /^[^:,\s]+:[^:,\s]+$/

export const controllerDefaultSection = section('DEFAULT', {
  state_path: defaultSection.opts.state_path,
  debug: defaultSection.opts.debug,
  log_file: defaultSection.opts.log_file,
  use_stderr: defaultSection.opts.use_stderr,
}, { sampleFile: SAMPLE })

export const controllerDatabaseSection = section('database', {
  ...databaseSection.opts,
  connection: strOpt({ ...databaseSection.opts.connection, default: 'sqlite:///$state_path/controller.sqlite' }),
}, {
  sampleFile: SAMPLE,
  help: "The controller's own store of what the northbound was told (not the Neutron database).",
  validate: databaseSection.validate,
})

export const controllerSection = section('controller', {
  northbound_host: strOpt({ default: '127.0.0.1', help: "Address the OpenDaylight-compatible northbound listens on (OpenDaylight binds 0.0.0.0; Neutrino loopback unless told)." }),
  northbound_port: portOpt({ default: 8181, allowZero: true, help: 'TCP port of the northbound (OpenDaylight: 8181); 0 picks an ephemeral port.' }),
  username: strOpt({ default: 'admin', help: "HTTP basic auth user the northbound accepts ([ml2_odl] username of the server's driver)." }),
  password: strOpt({ default: 'admin', secret: true, help: 'HTTP basic auth password the northbound accepts.' }),
  features: listOpt({
    default: [],
    help: 'Features advertised at /restconf/operational/neutron:neutron/neutron:features (e.g. operational-port-status: networking-odl then waits for the controller to report each port ACTIVE).',
  }),
  ovsdb_listen: strOpt({ default: '', help: 'Passive OVSDB listener for nodes that run `ovs-vsctl set-manager tcp:IP:PORT` (e.g. ptcp:6640:0.0.0.0, pssl:6640, punix:/run/neutrino/ovsdb.sock); empty: none.' }),
  ovsdb_nodes: listOpt({ default: [], help: 'Active-mode OVSDB targets the controller dials (tcp:IP:PORT, ssl:IP:PORT, unix:PATH), for nodes that listen with ptcp:.' }),
  openflow_listen: strOpt({ default: 'ptcp:6653:127.0.0.1', help: "OpenFlow listener the integration bridges' controller target points at (ptcp:PORT[:IP] or punix:PATH). A wildcard IP: each node is told to dial the address its OVSDB connection reached us on; punix:PATH: unix:PATH." }),
  datapath_type: enumOpt({ choices: ['system', 'netdev'], default: 'system', help: 'datapath_type of the bridges the controller creates (netdev: the userspace datapath, no kernel module).' }),
  tunnel_types: listOpt({ default: ['vxlan'], help: 'Overlay tunnel types offered to nodes with a local_ip (vxlan, gre).' }),
  integration_bridge: strOpt({ default: 'br-int', help: 'Name of the integration bridge on every node.' }),
  bridge_mappings: listOpt({ default: [], help: 'Default physnet:bridge mappings for nodes that declare none (e.g. physnet1:br-phys).' }),
}, {
  sampleFile: SAMPLE,
  validate(v, ctx) {
    if (v.ovsdb_listen !== '' && !LISTEN_RE.test(v.ovsdb_listen)) ctx.fail('ovsdb_listen', `'${v.ovsdb_listen}' is not ptcp:PORT[:IP], pssl:PORT[:IP] or punix:PATH`)
    if (!LISTEN_RE.test(v.openflow_listen) || v.openflow_listen.startsWith('pssl:')) ctx.fail('openflow_listen', `'${v.openflow_listen}' is not ptcp:PORT[:IP] or punix:PATH`)
    for (const t of v.ovsdb_nodes) if (!TARGET_RE.test(t)) ctx.fail('ovsdb_nodes', `'${t}' is not tcp:IP:PORT, ssl:IP:PORT or unix:PATH`)
    for (const t of v.tunnel_types) if (t !== 'vxlan' && t !== 'gre') ctx.fail('tunnel_types', `unknown tunnel type '${t}' (vxlan, gre)`)
    for (const m of v.bridge_mappings) if (!PHYS_MAP_RE.test(m)) ctx.fail('bridge_mappings', `'${m}' is not physnet:bridge`)
    for (const f of v.features) if (!/^[a-z0-9-]+$/.test(f)) ctx.fail('features', `'${f}' is not a feature name`)
  },
})

export const controllerSections = [controllerDefaultSection, controllerDatabaseSection, controllerSection] as const
export const controllerSchema = registerSections(controllerSections)
export interface ControllerConfig extends ConfigOf<typeof controllerSections> {}
