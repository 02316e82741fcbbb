/**
 * A full-stack lab with the REAL Neutron L2 agents (Debian Zed) against a `neutrino server`
 * process, following ../shared/lab/agents-lab.sh and shared/spec/agents-rpc.md §1 (every trap
 * is handled where it is met below):
 *
 *   host namespace:  PostgreSQL, private RabbitMQ (127.0.0.1:<free>), neutrino (127.0.0.1:<free>), a
 *                    unix-socket → RabbitMQ relay (the agents' only way to the broker)
 *   nae-<id>-ul:     the underlay, a Linux bridge joining the hypervisors (198.51.100.0/24)
 *   nae-<id>-hvN:    one hypervisor each: `ovs` (ovsdb-server + ovs-vswitchd, netdev datapath,
 *                    br-phy holding the underlay port and local_ip, neutron-openvswitch-agent) or
 *                    `lb` (neutron-linuxbridge-agent, local_ip on the underlay veth); socat
 *                    relays 127.0.0.1:5672 in the namespace to the unix socket
 *   nae-<id>-vmN:    "VMs", plugged as Nova/os-vif plugs them
 *
 * Everything is started by PID and stopped by PID; namespaces carry this run's unique name.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { needComponent } from './components.js'
import { pgSkipReason, startPostgres, type PgServer } from './postgres.js'
import { startRabbit, rabbitSkipReason, type RabbitNode } from './rabbitmq.js'
import { builtSkipReason, httpCall, startServerProcess, type ServerProcess } from './server-process.js'
import { eventually } from './eventually.js'
import { until } from './until.js'

/** Why the lab cannot run here (undefined: it can); throws in CI. */
export function agentsLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true') throw new Error('the agents lab needs root (network namespaces)')
    return 'needs root (network namespaces)'
  }
  return (
    builtSkipReason() ??
    rabbitSkipReason() ??
    pgSkipReason() ??
    needComponent('Neutron L2 agents and their tools', [
      'neutron-openvswitch-agent', 'neutron-linuxbridge-agent', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovsdb-tool',
      'socat', 'ethtool', 'ping', 'ip', 'bridge',
    ])
  )
}

/**
 * The Linux bridge agent also needs ebtables-nft (Debian's `iptables` package): legacy ebtables
 * has no 'nat' table without the kernel module, and the agent retries `ebtables -t nat -L`
 * forever. The agent gets a PATH where `ebtables` is ebtables-nft, whatever the system's
 * alternative says.
 */
export function linuxbridgeSkipReason(): string | undefined {
  return agentsLabSkipReason() ?? needComponent('ebtables-nft (package iptables) for the Linux bridge agent', ['ebtables-nft'])
}

export type HvKind = 'ovs' | 'lb'

export interface HvOptions {
  kind: HvKind
  /** OVS agent `[securitygroup] firewall_driver` (default noop). */
  firewall?: 'noop' | 'openvswitch'
  tunnelTypes?: string[]
}

export interface Hypervisor {
  readonly name: string
  readonly kind: HvKind
  readonly ns: string
  readonly localIp: string
  readonly dir: string
  agentPid(): number | undefined
  /** The agent's log so far (its own log file). */
  agentLog(): string
  /** SIGKILL the agent (an agent that dies; also the only stop once RabbitMQ is gone). */
  killAgent(): Promise<void>
  startAgent(): void
}

export interface Vm {
  readonly ns: string
  readonly ip: string
  readonly mac: string
  readonly portId: string
}

export interface AgentsLab {
  readonly id: string
  readonly rabbit: RabbitNode
  readonly server: ServerProcess
  readonly hv: Hypervisor[]
  /** Neutrino API call as admin (noauth). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  /** Creates a port for `hv` (binding:host_id = hv.name) and plugs a VM namespace into it. */
  vm(hv: Hypervisor, networkId: string, extra?: Record<string, unknown>): Promise<Vm>
  /** Unplugs a VM (removes its namespace and tap). */
  unplug(vm: Vm, hv: Hypervisor): void
  /** ping from a VM; true when `count` replies came back. */
  ping(from: Vm, ip: string, o?: { count?: number; timeoutS?: number }): boolean
  /** Polls until the port has `status` (default 120 s). */
  waitStatus(portId: string, status: string, ms?: number): Promise<void>
  /** Copies the server's output and every agent log into `dir` (debugging a failed run). */
  dumpLogs(dir: string): void
  stop(): Promise<void>
}

const UNDERLAY = '198.51.100.'
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
const inNs = (ns: string, cmd: string, args: string[]) => sh('ip', ['netns', 'exec', ns, cmd, ...args])

/** ovs-vsctl/ovs-appctl env of one hypervisor's private OVS (its own rundir, no system OVS). */
function ovsEnv(run: string): Record<string, string> {
  return { OVS_RUNDIR: run, OVS_DBDIR: run, OVS_LOGDIR: run, OVS_SYSCONFDIR: run }
}

function envArgs(e: Record<string, string>): string[] {
  return Object.entries(e).map(([k, v]) => `${k}=${v}`)
}

/**
 * Relays unix socket → RabbitMQ on 127.0.0.1 (the agents live in namespaces that cannot reach
 * the host's loopback; a unix socket in the filesystem crosses namespaces).
 */
function startRelay(path: string, port: number): { server: Server; close(): Promise<void> } {
  const socks = new Set<Socket>()
  const server = createServer((c) => {
    const u = createConnection(port, '127.0.0.1')
    socks.add(c).add(u)
    const end = () => {
      c.destroy()
      u.destroy()
      socks.delete(c)
      socks.delete(u)
    }
    c.on('error', end).on('close', end)
    u.on('error', end).on('close', end)
    c.pipe(u).pipe(c)
  })
  server.listen(path)
  return {
    server,
    close: () => new Promise<void>((res) => {
      for (const s of socks) s.destroy()
      server.close(() => res())
    }),
  }
}

export interface LabOptions {
  hypervisors: HvOptions[]
  /** Extra INI for the server. */
  serverIni?: string
  agentDownTime?: number
}

export async function startAgentsLab(o: LabOptions): Promise<AgentsLab> {
  const id = randomBytes(2).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'nae-'))
  const namespaces: string[] = []
  const children: ChildProcess[] = []
  const hvs: Hypervisor[] = []
  let rabbit: RabbitNode | undefined
  let pg: PgServer | undefined
  let server: ServerProcess | undefined
  let relay: { close(): Promise<void> } | undefined
  const addNs = (n: string) => {
    sh('ip', ['netns', 'add', n])
    namespaces.push(n)
    sh('ip', ['-n', n, 'link', 'set', 'lo', 'up'])
  }

  const stop = async () => {
    // Agents first, while RabbitMQ still runs (their TERM needs it); SIGKILL after 15 s.
    await Promise.all(hvs.map((h) => h.killAgent()))
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    // What is left in our namespaces is ours: privsep helpers, ovsdb-client monitors, OVS, socat.
    for (const n of namespaces) {
      const pids = spawnSync('ip', ['netns', 'pids', n], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)
      for (const p of pids) try { process.kill(Number(p), 'SIGKILL') } catch { /* gone */ }
    }
    await server?.stop().catch(() => {})
    await relay?.close().catch(() => {})
    await rabbit?.stop().catch(() => {})
    try {
      pg?.stop()
    } catch {
      // already gone: the namespaces below must go anyway
    }
    for (const n of namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', n])
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    pg = startPostgres()
    rabbit = await startRabbit()
    const sock = join(dir, 'amqp.sock')
    relay = startRelay(sock, rabbit.port)
    server = await startServerProcess({
      startTimeoutMs: 120_000,
      dbUrl: pg.url,
      ini: `
[DEFAULT]
host = nae-ctl
transport_url = ${rabbit.url}
agent_down_time = ${o.agentDownTime ?? 30}
[ml2]
type_drivers = flat,vlan,vxlan,gre
tenant_network_types = vxlan
mechanism_drivers = openvswitch,linuxbridge,l2population
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1000:1999
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199
[securitygroup]
enable_security_group = True
firewall_driver = openvswitch
${o.serverIni ?? ''}`,
    })
    const ul = `nae-${id}-ul`
    addNs(ul)
    sh('ip', ['-n', ul, 'link', 'add', 'naebr', 'type', 'bridge'])
    sh('ip', ['-n', ul, 'link', 'set', 'naebr', 'up'])

    o.hypervisors.forEach((ho, i) => {
      const name = `hv${i + 1}`
      const ns = `nae-${id}-${name}`
      const hdir = join(dir, name)
      mkdirSync(join(hdir, 'state'), { recursive: true })
      mkdirSync(join(hdir, 'lock'), { recursive: true })
      addNs(ns)
      const localIp = `${UNDERLAY}${i + 1}`
      // Underlay: naeulN in the hypervisor, naepN on the bridge.
      sh('ip', ['link', 'add', `naeul${i + 1}`, 'netns', ns, 'type', 'veth', 'peer', 'name', `naep${i + 1}`, 'netns', ul])
      sh('ip', ['-n', ul, 'link', 'set', `naep${i + 1}`, 'master', 'naebr', 'up'])
      sh('ip', ['-n', ns, 'link', 'set', `naeul${i + 1}`, 'up'])
      // Checksum trap (§1): kernel VXLAN's CHECKSUM_PARTIAL over a veth is dropped at OVS
      // userspace tunnel pop: the senders compute checksums.
      inNs(ns, 'ethtool', ['-K', `naeul${i + 1}`, 'tx', 'off'])
      // The broker at 127.0.0.1:5672 inside the namespace (private: not the host's 5672).
      const relayChild = spawn('ip', ['netns', 'exec', ns, 'socat', 'TCP-LISTEN:5672,bind=127.0.0.1,reuseaddr,fork', `UNIX-CONNECT:${sock}`], { stdio: 'ignore' })
      children.push(relayChild)
      const run = join(hdir, 'ovs')
      const oenv = ovsEnv(run)
      let conf: string
      // Both agents: the relayed broker, their own state, lock and log under the lab's dir.
      const common = `[DEFAULT]
host = ${name}
transport_url = rabbit://guest:guest@127.0.0.1:5672/
state_path = ${hdir}/state
debug = True
log_file = ${hdir}/agent.log
[oslo_concurrency]
lock_path = ${hdir}/lock`
      let agentCmd: string[]
      if (ho.kind === 'ovs') {
        mkdirSync(run, { recursive: true })
        const E = ['env', ...envArgs(oenv)]
        inNs(ns, E[0]!, [...E.slice(1), 'ovsdb-tool', 'create', join(run, 'conf.db'), '/usr/share/openvswitch/vswitch.ovsschema'])
        inNs(ns, E[0]!, [...E.slice(1), 'ovsdb-server', join(run, 'conf.db'), '-vconsole:off', `--remote=punix:${run}/db.sock`,
          '--remote=ptcp:6640:127.0.0.1', '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
          `--pidfile=${run}/ovsdb-server.pid`, `--unixctl=${run}/ovsdb-server.ctl`, `--log-file=${run}/ovsdb-server.log`, '--detach'])
        inNs(ns, E[0]!, [...E.slice(1), 'ovs-vsctl', '--no-wait', 'init'])
        inNs(ns, E[0]!, [...E.slice(1), 'ovs-vswitchd', `unix:${run}/db.sock`, '-vconsole:off', `--pidfile=${run}/ovs-vswitchd.pid`,
          `--unixctl=${run}/ovs-vswitchd.ctl`, `--log-file=${run}/ovs-vswitchd.log`, '--detach'])
        // local_ip on an OVS netdev bridge holding the underlay port (userspace tunnels).
        inNs(ns, E[0]!, [...E.slice(1), 'ovs-vsctl', '--timeout=30', 'add-br', 'br-phy', '--', 'set', 'bridge', 'br-phy', 'datapath_type=netdev',
          '--', 'add-port', 'br-phy', `naeul${i + 1}`])
        sh('ip', ['-n', ns, 'addr', 'add', `${localIp}/24`, 'dev', 'br-phy'])
        sh('ip', ['-n', ns, 'link', 'set', 'br-phy', 'up'])
        conf = `${common}
[agent]
root_helper = env ${envArgs(oenv).join(' ')}
tunnel_types = ${(ho.tunnelTypes ?? ['vxlan', 'gre']).join(',')}
l2_population = True
report_interval = 5
[ovs]
integration_bridge = br-int
tunnel_bridge = br-tun
local_ip = ${localIp}
datapath_type = netdev
of_listen_address = 127.0.0.1
of_listen_port = 6633
ovsdb_connection = tcp:127.0.0.1:6640
[securitygroup]
firewall_driver = ${ho.firewall ?? 'noop'}
`
        agentCmd = ['env', ...envArgs(oenv), 'neutron-openvswitch-agent', '--config-file', join(hdir, 'agent.conf')]
      } else {
        sh('ip', ['-n', ns, 'addr', 'add', `${localIp}/24`, 'dev', `naeul${i + 1}`])
        conf = `${common}
[agent]
root_helper = env
report_interval = 5
[linux_bridge]
physical_interface_mappings =
[vxlan]
enable_vxlan = True
local_ip = ${localIp}
l2_population = True
udp_dstport = 4789
[securitygroup]
firewall_driver = noop
enable_security_group = False
`
        const bin = join(hdir, 'bin')
        mkdirSync(bin, { recursive: true })
        const nft = spawnSync('sh', ['-c', 'command -v ebtables-nft'], { encoding: 'utf8' }).stdout.trim()
        if (nft) symlinkSync(nft, join(bin, 'ebtables'))
        agentCmd = ['env', `PATH=${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, 'neutron-linuxbridge-agent', '--config-file', join(hdir, 'agent.conf')]
      }
      writeFileSync(join(hdir, 'agent.conf'), conf)
      let agent: ChildProcess | undefined
      const h: Hypervisor = {
        name,
        kind: ho.kind,
        ns,
        localIp,
        dir: hdir,
        agentPid: () => (agent && agent.exitCode === null && agent.signalCode === null ? agent.pid : undefined),
        agentLog: () => (existsSync(join(hdir, 'agent.log')) ? readFileSync(join(hdir, 'agent.log'), 'utf8') : ''),
        startAgent() {
          // `ip netns exec` and `env` exec the agent: the child's PID is the agent's.
          agent = spawn('ip', ['netns', 'exec', ns, ...agentCmd], { stdio: ['ignore', 'ignore', 'ignore'] })
          children.push(agent)
        },
        async killAgent() {
          const a = agent
          if (!a || a.exitCode !== null || a.signalCode !== null) return
          a.kill('SIGKILL')
          await until(() => a.exitCode !== null || a.signalCode !== null, `agent ${name} exit`, 15_000, 100).catch(() => {})
        },
      }
      hvs.push(h)
    })
    for (const h of hvs) h.startAgent()

    const api = (method: string, path: string, body?: unknown) => httpCall(server!.url, method, path, body)
    let vmN = 0
    const lab: AgentsLab = {
      id,
      rabbit,
      server,
      hv: hvs,
      api,
      async vm(hv, networkId, extra = {}) {
        const n = ++vmN
        // LB side: port security off (ebtables-nft trap, §1: the agent wedges deleting its own rule).
        const body = { port: { network_id: networkId, device_owner: 'compute:nova', device_id: `vm${n}`, 'binding:host_id': hv.name,
          ...(hv.kind === 'lb' ? { port_security_enabled: false } : {}), ...extra } }
        const r = await api('POST', '/v2.0/ports', body)
        if (r.status !== 201) throw new Error(`port create: ${r.status} ${JSON.stringify(r.body)}`)
        const p = r.body.port
        const ns = `nae-${id}-vm${n}`
        addNs(ns)
        const tap = `tap${p.id.slice(0, 11)}`
        const ip = p.fixed_ips[0].ip_address as string
        sh('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', tap, 'netns', hv.ns])
        sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'address', p.mac_address, 'mtu', '1400', 'up'])
        sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
        // A veth hands TCP out with its checksum unfilled (offload); OVS's userspace conntrack
        // (firewall_driver = openvswitch on netdev) then sees it invalid and drops it: the "VM"
        // computes its checksums, as a virtio NIC without offload would.
        inNs(ns, 'ethtool', ['-K', 'eth0', 'tx', 'off'])
        sh('ip', ['-n', hv.ns, 'link', 'set', tap, 'up'])
        if (hv.kind === 'ovs') {
          // os-vif's OVS plug: the port on br-int with the iface-id the agent looks for.
          inNs(hv.ns, 'env', [...envArgs(ovsEnv(join(hv.dir, 'ovs'))), 'ovs-vsctl', '--timeout=30', 'add-port', 'br-int', tap, '--', 'set', 'Interface', tap,
            `external_ids:iface-id=${p.id}`, 'external_ids:iface-status=active', `external_ids:attached-mac=${p.mac_address}`, `external_ids:vm-uuid=vm${n}`])
        } else {
          // The LB agent does not plug compute ports (§1): os-vif makes brq<net[:11]> and enslaves the tap.
          const brq = `brq${networkId.slice(0, 11)}`
          if (spawnSync('ip', ['-n', hv.ns, 'link', 'show', brq]).status !== 0) sh('ip', ['-n', hv.ns, 'link', 'add', brq, 'type', 'bridge'])
          sh('ip', ['-n', hv.ns, 'link', 'set', tap, 'master', brq])
          sh('ip', ['-n', hv.ns, 'link', 'set', brq, 'up'])
        }
        return { ns, ip, mac: p.mac_address, portId: p.id }
      },
      unplug(vm, hv) {
        const tap = `tap${vm.portId.slice(0, 11)}`
        if (hv.kind === 'ovs') spawnSync('ip', ['netns', 'exec', hv.ns, 'env', ...envArgs(ovsEnv(join(hv.dir, 'ovs'))), 'ovs-vsctl', '--timeout=30', 'del-port', 'br-int', tap])
        spawnSync('ip', ['netns', 'del', vm.ns])
        namespaces.splice(namespaces.indexOf(vm.ns), 1)
      },
      ping(from, ip, po = {}) {
        const count = po.count ?? 3
        const r = spawnSync('ip', ['netns', 'exec', from.ns, 'ping', '-c', String(count), '-i', '0.3', '-W', String(po.timeoutS ?? 2), ip], { encoding: 'utf8' })
        return r.status === 0
      },
      async waitStatus(portId, status, ms = 120_000) {
        const deadline = Date.now() + ms
        let last = ''
        while (Date.now() < deadline) {
          const r = await api('GET', `/v2.0/ports/${portId}`)
          last = r.body?.port?.status
          if (last === status) return
          await new Promise((res) => setTimeout(res, 250))
        }
        throw new Error(`port ${portId} not ${status} after ${ms} ms (is ${last})`)
      },
      dumpLogs(to) {
        mkdirSync(to, { recursive: true })
        writeFileSync(join(to, 'neutrino.stdout'), server!.stdout())
        writeFileSync(join(to, 'neutrino.stderr'), server!.stderr())
        for (const h of hvs) writeFileSync(join(to, `${h.name}-agent.log`), h.agentLog())
      },
      stop,
    }
    return lab
  } catch (e) {
    await stop()
    throw e
  }
}

/** Polls the agents API until every `agent_type host` in `want` is alive; returns the wait in ms. */
export async function waitAgentsAlive(lab: AgentsLab, want: readonly string[], ms = 180_000): Promise<number> {
  return eventually(async () => {
    const r = await lab.api('GET', '/v2.0/agents')
    const alive = (r.body.agents ?? []).filter((a: any) => a.alive).map((a: any) => `${a.agent_type} ${a.host}`)
    return want.every((w) => alive.includes(w))
  }, `agents alive: ${want.join(', ')}`, ms)
}

/** A test file's `after`: logs kept when NAE_DEBUG_DIR is set, the lab stopped, timings printed. */
export async function closeAgentsLab(lab: AgentsLab | undefined, timings: Record<string, number>): Promise<void> {
  if (lab && process.env.NAE_DEBUG_DIR) lab.dumpLogs(process.env.NAE_DEBUG_DIR)
  await lab?.stop()
  if (Object.keys(timings).length) process.stdout.write(`# agents lab timings (ms): ${JSON.stringify(timings)}\n`)
}
