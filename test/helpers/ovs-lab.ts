/**
 * A multi-hypervisor Open vSwitch lab for full-stack tests (after /work/shared/lab/ovs-lab.sh):
 *
 *   underlay netns <p>ul… : Linux bridge joining one veth per hypervisor (L2, VLAN tags pass)
 *   hypervisor netns <p>hvN… : ovs-vswitchd (netdev datapath) with a provider/underlay bridge
 *       holding the underlay veth and the tunnel endpoint address on its tap, and an
 *       integration bridge; its ovsdb-server runs in the host namespace on a unix socket in
 *       a private temp dir. VM namespaces <p>vm… are plugged into the integration bridge
 *       through a veth, as Nova plugs them (external_ids:iface-id, attached-mac).
 *
 * Traps handled here (ovs-lab.sh): one ovs-vswitchd per namespace (the netdev datapath's
 * "ovs-netdev" tap); the sender must compute TCP checksums (ethtool -K tx off) or TCP breaks
 * in the userspace datapath; the VM MTU leaves room for the tunnel header; the underlay
 * neighbours must be resolved before the first tunnelled packet or it is lost.
 *
 * Everything carries the caller's prefix, is stopped by PID and deleted by name in stop().
 * KEEP_OVS=1 keeps the temp dirs for debugging.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)
const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

/** Commands a lab needs (for needComponent). */
export const LAB_COMMANDS = ['ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ip', 'ethtool', 'ping', PYTHON]

function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

async function poll<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Rows to apply, structurally the dataplane's BridgeRow (kept structural: helpers stay standalone). */
export interface LabBridgeRow {
  readonly name: string
  readonly datapathType: string
  readonly failMode?: string
  readonly protocols?: readonly string[]
  readonly controllers: readonly string[]
  readonly otherConfig: Readonly<Record<string, string>>
  readonly ports: ReadonlyArray<{ readonly name: string; readonly interfaces: ReadonlyArray<{ readonly name: string; readonly type: string; readonly options: Readonly<Record<string, string>>; readonly externalIds: Readonly<Record<string, string>> }> }>
}

export class Vm {
  constructor(
    readonly ns: string,
    readonly hv: Hypervisor,
    readonly tap: string,
    readonly mac: string,
    readonly ip: string,
    public ofport: number,
  ) {}

  exec(...args: string[]): string {
    return sh('ip', ['netns', 'exec', this.ns, ...args])
  }

  /** true if `count` pings get at least one reply (-W per reply). */
  async ping(ip: string, opts: { count?: number; wait?: number; source?: string } = {}): Promise<boolean> {
    const args = ['netns', 'exec', this.ns, 'ping', '-n', '-q', '-c', String(opts.count ?? 3), '-i', '0.2', '-W', String(opts.wait ?? 2)]
    if (opts.source) args.push('-I', opts.source)
    try {
      await execFileP('ip', [...args, ip])
      return true
    } catch {
      return false
    }
  }

  /** Polls until a ping gets through (the first packets may race ARP and tunnel neighbours). */
  async pingEventually(ip: string, timeoutMs = 20_000): Promise<boolean> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      if (await this.ping(ip, { count: 1, wait: 1 })) return true
    }
    return false
  }

  /** Runs a python3 snippet in the VM namespace; resolves with stdout. */
  async py(code: string, args: string[] = [], timeoutMs = 30_000): Promise<string> {
    const r = await execFileP('ip', ['netns', 'exec', this.ns, PYTHON, '-c', code, ...args], { timeout: timeoutMs, encoding: 'utf8' })
    return r.stdout.trim()
  }

  /** Starts a long-running python3 snippet in the VM namespace (stopped by the lab by PID). */
  spawnPy(code: string, args: string[] = []): ChildProcess {
    const c = spawn('ip', ['netns', 'exec', this.ns, PYTHON, '-u', '-c', code, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.hv.lab.track(c)
    return c
  }
}

export class Hypervisor {
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
  readonly vms: Vm[] = []

  constructor(
    readonly lab: OvsLab,
    readonly id: string,
    readonly ns: string,
    readonly underlayIp: string,
    readonly providerBridge: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `${lab.prefix}-hv-`))
    const d = this.dir
    this.env = { ...process.env, OVS_RUNDIR: d, OVS_DBDIR: d, OVS_LOGDIR: d, OVS_SYSCONFDIR: d }
  }

  vsctl(...args: string[]): string {
    return sh('ovs-vsctl', ['--timeout=20', `--db=unix:${this.dir}/db.sock`, ...args], this.env)
  }

  ofctl(...args: string[]): string {
    return sh('ovs-ofctl', ['-O', 'OpenFlow13', ...args], this.env)
  }

  /** Replaces the bridge's flow table with these ovs-ofctl lines (only differences are sent). */
  replaceFlows(bridge: string, lines: readonly string[]): void {
    const f = join(this.dir, `${bridge}.flows`)
    writeFileSync(f, lines.join('\n') + '\n')
    this.ofctl('replace-flows', bridge, f)
  }

  dumpFlows(bridge: string, filter?: string): string[] {
    return this.ofctl('dump-flows', bridge, ...(filter ? [filter] : [])).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('cookie='))
  }

  /**
   * Brings bridges and the ports we own to `rows` with ovs-vsctl (the controller will do this
   * with the OVSDB ensure helpers): bridges created or updated in place, owned ports added,
   * updated, and removed when no longer listed (ports are "owned" by `ownerKey` in external_ids).
   */
  applyRows(rows: readonly LabBridgeRow[], ownerKey = 'neutrino-owned'): void {
    for (const br of rows) {
      const a = ['--', '--may-exist', 'add-br', br.name, '--', 'set', 'bridge', br.name, `datapath_type=${br.datapathType}`]
      if (br.failMode) a.push(`fail_mode=${br.failMode}`)
      if (br.protocols) a.push(`protocols=${br.protocols.join(',')}`)
      for (const [k, v] of Object.entries(br.otherConfig)) a.push(`other_config:${k}=${v}`)
      a.push('--', br.controllers.length ? 'set-controller' : 'del-controller', br.name, ...br.controllers)
      const want = new Set<string>()
      for (const p of br.ports) {
        want.add(p.name)
        a.push('--', '--may-exist', 'add-port', br.name, p.name)
        for (const i of p.interfaces) {
          a.push('--', 'set', 'interface', i.name, `type=${i.type}`)
          for (const [k, v] of Object.entries(i.options)) a.push(`options:${k}=${v}`)
          for (const [k, v] of Object.entries(i.externalIds)) a.push(`external_ids:${k}="${v}"`)
        }
      }
      const owned = this.vsctl('--bare', '--columns=name', 'find', 'interface', `external_ids:${ownerKey}=true`).split('\n').filter(Boolean)
      const exists = this.vsctl('list-br').split('\n').includes(br.name)
      const ports = new Set(exists ? this.vsctl('list-ports', br.name).split('\n').filter(Boolean) : [])
      for (const name of owned) if (ports.has(name) && !want.has(name)) a.push('--', 'del-port', br.name, name)
      this.vsctl(...a)
    }
  }

  /** Interface name → ofport as OVSDB reports it (ports still without a number are left out). */
  ofports(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const line of this.vsctl('--format=csv', '--data=bare', '--no-headings', '--columns=name,ofport', 'list', 'interface').split('\n')) {
      const [name, of] = line.split(',')
      const n = Number(of)
      if (name && Number.isInteger(n) && n > 0) out[name] = n
    }
    return out
  }

  /** Waits until OVSDB reports an ofport for every named interface. */
  async waitOfports(names: readonly string[]): Promise<Record<string, number>> {
    return poll(`ofports of ${names.join(', ')} on ${this.id}`, () => {
      const o = this.ofports()
      return names.every((n) => o[n] !== undefined) ? o : undefined
    })
  }

  /** A VM namespace plugged into `bridge` as Nova does: veth, iface-id, attached-mac. */
  async addVm(bridge: string, portId: string, mac: string, cidr: string, opts: { mtu?: number; ipv6?: string[] } = {}): Promise<Vm> {
    const mtu = opts.mtu ?? 1400
    const n = this.lab.nextId()
    const ns = `${this.lab.prefix}-vm${n}`
    const tap = `${this.lab.short}t${n}`.slice(0, 15)
    this.lab.addNamespace(ns)
    sh('ip', ['link', 'add', 'eth0', 'netns', ns, 'address', mac, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', tap, 'netns', this.ns])
    sh('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', 'eth0'])
    // nodad: the address is usable at once (the dataplane still lets DAD through)
    for (const a of opts.ipv6 ?? []) sh('ip', ['-n', ns, 'addr', 'add', a, 'dev', 'eth0', 'nodad'])
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
    sh('ip', ['-n', this.ns, 'link', 'set', tap, 'mtu', String(mtu), 'up'])
    try { sh('ip', ['netns', 'exec', ns, 'ethtool', '-K', 'eth0', 'tx', 'off']) } catch { /* TCP tests will say so */ }
    this.vsctl('add-port', bridge, tap, '--', 'set', 'interface', tap, `external_ids:iface-id=${portId}`,
      `external_ids:attached-mac="${mac}"`, 'external_ids:iface-status=active')
    const ofport = (await this.waitOfports([tap]))[tap]!
    const vm = new Vm(ns, this, tap, mac, cidr.split('/')[0]!, ofport)
    this.vms.push(vm)
    return vm
  }

  /** Unplugs a VM's tap from the bridge (Nova deleting the port). */
  unplug(vm: Vm): void {
    this.vsctl('--if-exists', 'del-port', vm.tap)
  }

  start(): void {
    const d = this.dir
    const run = (cmd: string, args: string[]) => sh(cmd, args, this.env)
    run('ovsdb-tool', ['create', `${d}/conf.db`, SCHEMA])
    run('ovsdb-server', [`${d}/conf.db`, '-vconsole:off', `--remote=punix:${d}/db.sock`,
      `--pidfile=${d}/ovsdb-server.pid`, `--unixctl=${d}/ovsdb-server.ctl`, `--log-file=${d}/ovsdb-server.log`, '--detach'])
    this.vsctl('--no-wait', 'init')
    run('ip', ['netns', 'exec', this.ns, 'ovs-vswitchd', `unix:${d}/db.sock`, '-vconsole:off', `--pidfile=${d}/ovs-vswitchd.pid`,
      `--unixctl=${d}/ovs-vswitchd.ctl`, `--log-file=${d}/ovs-vswitchd.log`, '--detach'])
  }

  pid(name: 'ovs-vswitchd' | 'ovsdb-server'): number | undefined {
    const f = join(this.dir, `${name}.pid`)
    if (!existsSync(f)) return undefined
    const n = Number(readFileSync(f, 'utf8').trim())
    return Number.isInteger(n) && n > 1 ? n : undefined
  }

  stop(): void {
    for (const name of ['ovs-vswitchd', 'ovsdb-server'] as const) {
      const pid = this.pid(name)
      if (pid === undefined) continue
      try { process.kill(pid, 'SIGTERM') } catch { continue }
      for (let i = 0; i < 60; i++) {
        try { process.kill(pid, 0) } catch { break }
        execFileSync('sleep', ['0.05'])
      }
      try { process.kill(pid, 'SIGKILL') } catch { /* exited */ }
    }
    if (process.env.KEEP_OVS !== '1') rmSync(this.dir, { recursive: true, force: true })
  }
}

export class OvsLab {
  readonly hypervisors: Hypervisor[] = []
  /** Short form of the prefix + a per-process tag, for interface names (≤ 15 characters). */
  readonly short: string
  readonly prefix: string
  private readonly namespaces: string[] = []
  private readonly children = new Set<ChildProcess>()
  private readonly underlayNs: string
  private counter = 0

  /**
   * @param prefix the caller's unique prefix (namespaces `<prefix>-…`, interfaces `<prefix>…`)
   * @param underlayCidrLength prefix length of the underlay addresses given to addHypervisor
   */
  constructor(prefix: string, readonly underlayCidrLength = 24) {
    // the whole pid: two test processes never share names (≤ 4 characters below pid 1.6 M)
    const tag = process.pid.toString(36)
    this.prefix = `${prefix}-${tag}`
    this.short = `${prefix}${tag}`
    this.underlayNs = `${this.prefix}-ul`
    this.addNamespace(this.underlayNs)
    sh('ip', ['-n', this.underlayNs, 'link', 'add', 'br0', 'type', 'bridge'])
    sh('ip', ['-n', this.underlayNs, 'link', 'set', 'br0', 'up'])
  }

  nextId(): number {
    return ++this.counter
  }

  addNamespace(ns: string): void {
    try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }) } catch { /* leftover of a killed run, or none */ }
    sh('ip', ['netns', 'add', ns])
    this.namespaces.push(ns)
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
  }

  track(c: ChildProcess): void {
    this.children.add(c)
    c.once('exit', () => this.children.delete(c))
  }

  /**
   * A hypervisor: its namespace, private OVS, a netdev provider bridge holding the underlay
   * veth with `underlayIp` on its tap (the tunnel endpoint, as in ovs-lab.sh).
   */
  addHypervisor(id: string, underlayIp: string, providerBridge = 'brphy'): Hypervisor {
    const n = this.nextId()
    const ns = `${this.prefix}-${id}`
    this.addNamespace(ns)
    const hv = new Hypervisor(this, id, ns, underlayIp, providerBridge)
    this.hypervisors.push(hv)
    const ul = `${this.short}u${n}`
    sh('ip', ['link', 'add', 'ul0', 'netns', ns, 'type', 'veth', 'peer', 'name', ul, 'netns', this.underlayNs])
    sh('ip', ['-n', this.underlayNs, 'link', 'set', ul, 'master', 'br0', 'up'])
    sh('ip', ['-n', ns, 'link', 'set', 'ul0', 'up'])
    hv.start()
    hv.vsctl('--may-exist', 'add-br', providerBridge, '--', 'set', 'bridge', providerBridge, 'datapath_type=netdev', '--', 'add-port', providerBridge, 'ul0')
    sh('ip', ['-n', ns, 'addr', 'add', `${underlayIp}/${this.underlayCidrLength}`, 'dev', providerBridge])
    sh('ip', ['-n', ns, 'link', 'set', providerBridge, 'up'])
    return hv
  }

  /** Resolves every underlay neighbour from every hypervisor (OVS's tunnel ARP cache, ovs-lab.sh). */
  async warmUnderlay(): Promise<void> {
    for (const a of this.hypervisors) {
      for (const b of this.hypervisors) {
        if (a === b) continue
        await poll(`underlay ${a.id} -> ${b.id}`, () => {
          try { sh('ip', ['netns', 'exec', a.ns, 'ping', '-c1', '-W1', b.underlayIp]); return true } catch { return undefined }
        })
      }
    }
  }

  stop(): void {
    for (const c of this.children) {
      try { c.kill('SIGKILL') } catch { /* gone */ }
    }
    for (const hv of this.hypervisors) hv.stop()
    // deleting the namespaces removes veths, taps and the datapath's devices
    for (const ns of this.namespaces.reverse()) {
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }) } catch { /* gone */ }
    }
  }
}
