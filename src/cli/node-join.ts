/**
 * `neutrino node join`: on a hypervisor, what the Icehouse article did by hand with ovs-vsctl
 * before OpenDaylight could manage the node — through src/ovsdb against the local ovsdb-server,
 * in one transaction that writes only what differs (ensure.openVSwitch):
 *   - the manager target (Open_vSwitch manager_options) = the controller's OVSDB listener,
 *   - other_config:local_ip (the tunnel endpoint),
 *   - other_config:provider_mappings (physnet:bridge, read by the controller's hostconfigs),
 *   - external_ids:system-id and hostname when missing (the node's host id, Neutron's binding:host_id).
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { isIP } from 'node:net'
import { parseArgs } from 'node:util'
import { ensure, OvsdbClient, VswitchApi } from '../ovsdb/index.js'

export const NODE_JOIN_HELP = `usage: neutrino node join --manager tcp:IP:PORT --local-ip IP [--bridge-mappings PHYSNET:BRIDGE[,…]]
                          [--host-id NAME] [--db unix:PATH]

Joins this hypervisor to a neutrino controller: points the local ovsdb-server's manager at the
controller's OVSDB listener and records the tunnel endpoint and provider bridge mappings in the
Open_vSwitch row (other_config:local_ip, other_config:provider_mappings); sets
external_ids:system-id and hostname when missing. Writes nothing when all is already so.

options:
  --manager TARGET         the controller's [controller] ovsdb_listen as this node reaches it
                           (tcp:IP:PORT, ssl:IP:PORT, or ptcp:PORT[:IP] to let the controller dial in)
  --local-ip IP            tunnel endpoint address of this node (VXLAN/GRE)
  --bridge-mappings MAPS   physnet:bridge pairs, comma-separated (e.g. physnet1:br-phys)
  --host-id NAME           external_ids:system-id (default: kept, else the host name)
  --db TARGET              local ovsdb-server (default unix:/var/run/openvswitch/db.sock)
  -h, --help               show this help
`

const MANAGER_RE = /^((tcp|ssl):[^:\s]+:\d{1,5}|(ptcp|pssl):\d{1,5}(:[^\s]+)?)$/
const MAPPING_RE = /^[^:,\s]+:[^:,\s]+$/

export async function runNodeJoin(argv: string[], o: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = o.stdout ?? process.stdout
  const err = o.stderr ?? process.stderr
  const fail = (m: string): number => { err.write(`neutrino node join: ${m}\n`); return 2 }
  if (argv[0] === '--help' || argv[0] === '-h') { out.write(NODE_JOIN_HELP); return 0 }
  if (argv[0] !== 'join') return fail(argv[0] === undefined ? 'a subcommand is required (join)' : `unknown subcommand '${argv[0]}' (join)`)
  let v
  try {
    v = parseArgs({
      args: argv.slice(1), strict: true, allowPositionals: false,
      options: {
        manager: { type: 'string' }, 'local-ip': { type: 'string' }, 'bridge-mappings': { type: 'string' },
        'host-id': { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (e) {
    return fail((e as Error).message)
  }
  if (v.help) { out.write(NODE_JOIN_HELP); return 0 }
  if (!v.manager) return fail('--manager is required')
  if (!MANAGER_RE.test(v.manager)) return fail(`--manager '${v.manager}' is not tcp:IP:PORT, ssl:IP:PORT, ptcp:PORT[:IP] or pssl:PORT[:IP]`)
  if (!v['local-ip']) return fail('--local-ip is required')
  if (isIP(v['local-ip']) !== 4) return fail(`--local-ip '${v['local-ip']}' is not an IPv4 address`)
  const maps = v['bridge-mappings'] === undefined ? undefined : v['bridge-mappings'].split(',').map((m) => m.trim()).filter(Boolean)
  for (const m of maps ?? []) if (!MAPPING_RE.test(m)) return fail(`--bridge-mappings entry '${m}' is not physnet:bridge`)
  const db = v.db ?? 'unix:/var/run/openvswitch/db.sock'
  let client: OvsdbClient
  try {
    client = await OvsdbClient.connect(db, { connectTimeoutMs: 10_000 })
  } catch (e) {
    err.write(`neutrino node join: cannot reach ovsdb-server at ${db}: ${(e as Error).message}\n`)
    return 1
  }
  try {
    const api = await VswitchApi.create(client)
    const root = [...api.replica.rows('Open_vSwitch').values()][0]
    if (!root) throw new Error('the database has no Open_vSwitch row (run ovs-vsctl init)')
    const ext = root.external_ids
    const systemId = v['host-id'] ?? ext['system-id'] ?? (hostname() || randomUUID())
    const command = ensure.openVSwitch({
      managers: [v.manager],
      otherConfig: { local_ip: v['local-ip'], ...(maps ? { provider_mappings: maps.join(',') } : {}) },
      externalIds: { 'system-id': systemId, ...(ext.hostname ? {} : { hostname: systemId }) },
    })
    const ops = api.plan(command).length
    if (ops) await api.run(command)
    out.write(`joined ${systemId} to ${v.manager} (local_ip ${v['local-ip']}${maps ? `, provider_mappings ${maps.join(',')}` : ''}): ${ops ? `${ops} change(s)` : 'already so, nothing written'}\n`)
    return 0
  } catch (e) {
    err.write(`neutrino node join: ${(e as Error).message}\n`)
    return 1
  } finally {
    client.close()
  }
}
