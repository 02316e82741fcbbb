/**
 * `neutrino db migrate-to-ml2 {openvswitch|linuxbridge} SOURCE_DB_URL [options]`: argument parsing
 * and output of the migration (src/migration/). Exit status: 0 done, 1 refused or failed (nothing
 * written), 2 bad arguments.
 */
import { MigrationError, UsageError } from '../migration/errors.js'
import { migrateToMl2, type MigrateOptions, type MigrateResult } from '../migration/migrate.js'
import { ProgressBar, type Writable } from '../migration/progress.js'
import { redact } from '../migration/source.js'
import { packageVersion } from './version.js'

export const MIGRATE_USAGE = `usage: neutrino db migrate-to-ml2 {openvswitch,linuxbridge} SOURCE_DB_URL
         [--target DB_URL] [--tunnel-type {gre,vxlan}] [--vxlan-udp-port N]
         [--dry-run] [--save-tables] [--force] [--release {icehouse}]

Moves a Havana/Icehouse openvswitch or linuxbridge plugin database into Neutrino's ML2 schema.

options:
  SOURCE_DB_URL       mysql://, mysql+pymysql://, postgresql:// or sqlite:/// URL of the old database
  --target DB_URL     Neutrino database to write (sqlite:/// or postgresql://); the source is only
                      read. Without it the source is migrated in place (SQLite/PostgreSQL sources)
  --tunnel-type T     migrate ovs_tunnel_allocations/ovs_tunnel_endpoints as gre or vxlan
  --vxlan-udp-port N  UDP port of migrated VXLAN endpoints (default 4789)
  --dry-run           read and check the source, print what would be written, write nothing
  --save-tables       in place: keep the old plugin tables (they are dropped otherwise)
  --force             write into a target that already holds networks, subnets, ports,
                      routers, floating IPs, security groups or agents
  -h, --help          show this help and exit
  --version           print the Neutrino version and exit

example:
  neutrino db migrate-to-ml2 openvswitch mysql+pymysql://neutron:secret@db/neutron \\
      --target postgresql://neutrino:secret@db/neutrino --tunnel-type vxlan --dry-run
`

export interface CliIo {
  stdout: Writable
  stderr: Writable
  isTTY: boolean
}

export function parseMigrateArgs(argv: string[]): MigrateOptions | 'help' | 'version' {
  const pos: string[] = []
  const o: Partial<MigrateOptions> = {}
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!
    let inline: string | undefined
    const eq = a.startsWith('--') ? a.indexOf('=') : -1
    if (eq > 0) {
      inline = a.slice(eq + 1)
      a = a.slice(0, eq)
    }
    const value = () => {
      if (inline !== undefined) return inline
      const v = argv[++i]
      if (v === undefined) throw new UsageError(`argument ${a}: expected one argument`)
      return v
    }
    switch (a) {
      case '-h':
      case '--help':
        return 'help'
      case '--version':
        return 'version'
      case '--target':
        o.target = value()
        break
      case '--tunnel-type': {
        const v = value()
        if (v !== 'gre' && v !== 'vxlan') throw new UsageError(`argument --tunnel-type: invalid choice: '${v}' (choose from 'gre', 'vxlan')`)
        o.tunnelType = v
        break
      }
      case '--vxlan-udp-port': {
        const v = value()
        const n = Number(v)
        if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new UsageError(`argument --vxlan-udp-port: invalid port: '${v}'`)
        o.vxlanUdpPort = n
        break
      }
      case '--release': {
        const v = value()
        if (v !== 'icehouse') throw new UsageError(`argument --release: invalid choice: '${v}' (choose from 'icehouse')`)
        break
      }
      case '--dry-run':
        o.dryRun = true
        break
      case '--save-tables':
        o.saveTables = true
        break
      case '--force':
        o.force = true
        break
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unrecognized arguments: ${a}`)
        pos.push(a)
    }
  }
  if (pos.length < 2) throw new UsageError('the following arguments are required: plugin, connection')
  if (pos.length > 2) throw new UsageError(`unrecognized arguments: ${pos.slice(2).join(' ')}`)
  const plugin = pos[0]!
  if (plugin !== 'openvswitch' && plugin !== 'linuxbridge') {
    throw new UsageError(`argument plugin: invalid choice: '${plugin}' (choose from 'openvswitch', 'linuxbridge')`)
  }
  if (plugin === 'linuxbridge' && (o.tunnelType !== undefined || o.vxlanUdpPort !== undefined)) {
    throw new UsageError('Tunnel args (tunnel-type and vxlan-udp-port) are not valid for the linuxbridge plugin')
  }
  if (o.vxlanUdpPort !== undefined && o.tunnelType !== 'vxlan') throw new UsageError('--vxlan-udp-port needs --tunnel-type vxlan')
  return { ...o, plugin, source: pos[1]! }
}

export async function runMigrateToMl2(argv: string[], io: CliIo): Promise<number> {
  let opts: MigrateOptions
  try {
    const p = parseMigrateArgs(argv)
    if (p === 'help') {
      io.stdout.write(MIGRATE_USAGE)
      return 0
    }
    if (p === 'version') {
      io.stdout.write(`neutrino ${packageVersion()}\n`)
      return 0
    }
    opts = p
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`neutrino db migrate-to-ml2: error: ${e.message} (see 'neutrino db migrate-to-ml2 --help')\n`)
      return 2
    }
    throw e
  }
  const bar = new ProgressBar(io.stderr, io.isTTY)
  try {
    const r = await migrateToMl2(opts, {
      phase: (label, total) => bar.start(label, total),
      advance: (n) => bar.tick(n),
      phaseEnd: () => bar.end(),
    })
    report(io.stdout, opts, r)
    for (const w of r.plan.warnings) io.stderr.write(`warning: ${w}\n`)
    return 0
  } catch (e) {
    bar.end()
    if (e instanceof MigrationError) {
      io.stderr.write(`neutrino db migrate-to-ml2: ${e.message}\n`)
      for (const d of e.details) io.stderr.write(`  - ${d}\n`)
      io.stderr.write('Nothing was written.\n')
      return 1
    }
    io.stderr.write(`neutrino db migrate-to-ml2: ${(e as Error)?.message ?? e}\nNothing was written.\n`)
    return 1
  }
}

function report(out: Writable, o: MigrateOptions, r: MigrateResult): void {
  const target = r.inPlace ? `${redact(o.source)} (in place)` : redact(o.target!)
  const s = r.plan.summary
  const kinds = (m: Record<string, number>) =>
    Object.entries(m)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')
  const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0)
  if (r.dryRun) {
    out.write(`Dry run: nothing was written. ${o.plugin} database at schema ${r.schemaVersion} → ${target}\nWould write:\n`)
    const w = Math.max(...r.plan.tables.map((t) => t.table.length))
    for (const t of r.plan.tables) out.write(`  ${t.table.padEnd(w)}  ${String(t.rows.length).padStart(8)}\n`)
    if (r.actions.length) out.write(`Would also (in place):\n${r.actions.map((a) => `  ${a}\n`).join('')}`)
  } else {
    out.write(`Migrated ${o.plugin} database (schema ${r.schemaVersion}) to ML2 in ${target} in ${r.seconds.toFixed(2)} s\n`)
    for (const a of r.actions) out.write(`  ${a}\n`)
  }
  out.write(
    [
      `  networks:           ${s.networks}`,
      `  segments:           ${total(s.segments)}${total(s.segments) ? ` (${kinds(s.segments)})` : ''}`,
      `  subnets:            ${s.subnets}`,
      `  ports:              ${s.ports}`,
      `  port bindings:      ${s.boundPorts} bound, ${s.unboundPorts} unbound`,
      `  allocations:        ${total(s.allocations)}${total(s.allocations) ? ` (${kinds(s.allocations)})` : ''}`,
      `  tunnel endpoints:   ${s.endpoints}`,
      `  routers:            ${s.l3.routers} (${s.l3.gateways} with a gateway, ${s.l3.interfaces} interfaces, ${s.l3.routes} extra routes)`,
      `  floating IPs:       ${s.l3.floatingIps} (${s.l3.associated} associated)`,
      `  security groups:    ${s.securityGroups.groups} (${s.securityGroups.rules} rules, ${s.securityGroups.portBindings} port bindings, ${s.securityGroups.defaults} default groups)`,
      `  agents:             ${s.agents}`,
      `  quotas:             ${s.quotas}`,
    ].join('\n') + '\n',
  )
}
