/**
 * A private Open vSwitch for functional tests: ovsdb-server + ovs-vswitchd in a temp dir
 * (OVS_RUNDIR etc., --detach --pidfile), netdev bridges (no kernel module), stopped by PID.
 *
 * Traps (see /work/shared/lab/ovs-lab.sh):
 * - the userspace datapath creates a tap named "ovs-netdev", one per network namespace, so two
 *   ovs-vswitchd in one namespace collide: ours runs in its own namespace (`hv`);
 * - from there it cannot reach the host's 127.0.0.1, so the controller is reached through a
 *   unix socket in OVS_RUNDIR (OVS accepts unix: controllers only there), or through a relay
 *   (netns TCP -> unix socket -> host TCP) to test the TCP listener.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)
const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
let counter = 0

/** A short unique name (interface names are limited to 15 characters). */
export function uniqueName(prefix: string): string {
  counter++
  return `${prefix}${process.pid % 10000}${counter}`.slice(0, 15)
}

export class OvsSwitch {
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
  /** The namespace ovs-vswitchd runs in. */
  readonly hv: string
  private readonly bridges: string[] = []
  private readonly nets: string[] = []
  private readonly pids: number[] = []
  private readonly servers: Server[] = []
  private readonly relaySockets = new Set<Socket>()

  private constructor(prefix: string) {
    this.hv = uniqueName(`${prefix}hv`)
    this.dir = mkdtempSync(join(tmpdir(), 'neutrino-of-'))
    const d = this.dir
    this.env = { ...process.env, OVS_RUNDIR: d, OVS_DBDIR: d, OVS_LOGDIR: d, OVS_SYSCONFDIR: d }
  }

  /** `prefix` starts the namespace name: each engineer's tests use their own (default "nof"). */
  static start(prefix = 'nof'): OvsSwitch {
    const s = new OvsSwitch(prefix)
    const d = s.dir
    const run = (cmd: string, args: string[]): void => {
      execFileSync(cmd, args, { env: s.env, stdio: ['ignore', 'ignore', 'pipe'] })
    }
    try {
      run('ovsdb-tool', ['create', `${d}/conf.db`, SCHEMA])
      run('ovsdb-server', [`${d}/conf.db`, '-vconsole:off', `--remote=punix:${d}/db.sock`,
        `--pidfile=${d}/ovsdb-server.pid`, `--unixctl=${d}/ovsdb-server.ctl`, `--log-file=${d}/ovsdb-server.log`, '--detach'])
      s.vsctl('--no-wait', 'init')
      execFileSync('ip', ['netns', 'add', s.hv])
      s.nets.push(s.hv)
      execFileSync('ip', ['-n', s.hv, 'link', 'set', 'lo', 'up'])
      run('ip', ['netns', 'exec', s.hv, 'ovs-vswitchd', `unix:${d}/db.sock`, '-vconsole:off', `--pidfile=${d}/ovs-vswitchd.pid`,
        `--unixctl=${d}/ovs-vswitchd.ctl`, `--log-file=${d}/ovs-vswitchd.log`, '--detach'])
    } catch (e) {
      s.stop()
      throw e
    }
    return s
  }

  /** A unix socket path inside OVS_RUNDIR for the controller to listen on ("unix:" + path for OVS). */
  unixPath(name = 'of.sock'): string {
    return join(this.dir, name)
  }

  /**
   * Makes `tcp:127.0.0.1:<returned port>` inside the switch namespace reach `hostPort` on the
   * host loopback: a node relay in the namespace (TCP -> unix socket) and one in this process
   * (unix socket -> host TCP). Both are stopped by stop().
   */
  async tcpRelay(hostPort: number, nsPort = 16653): Promise<number> {
    const sock = this.unixPath(`relay-${hostPort}.sock`)
    const host = createServer((c) => {
      this.relaySockets.add(c)
      c.once('close', () => this.relaySockets.delete(c))
      const t = connect(hostPort, '127.0.0.1')
      this.relaySockets.add(t)
      t.once('close', () => this.relaySockets.delete(t))
      c.pipe(t).pipe(c)
      c.on('error', () => t.destroy())
      t.on('error', () => c.destroy())
    })
    await new Promise<void>((res) => host.listen(sock, res))
    this.servers.push(host)
    const script = join(this.dir, 'relay.mjs')
    writeFileSync(script, `import net from 'node:net'
net.createServer((c) => { const t = net.connect(process.argv[3]); c.pipe(t).pipe(c)
  c.on('error', () => t.destroy()); t.on('error', () => c.destroy()) })
  .listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\\n'))
`)
    const child = spawn('ip', ['netns', 'exec', this.hv, process.execPath, script, String(nsPort), sock], { stdio: ['ignore', 'pipe', 'inherit'] })
    if (child.pid) this.pids.push(child.pid)
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', () => res())
      child.once('exit', (c) => rej(new Error(`relay exited with ${c}`)))
    })
    child.unref()
    return nsPort
  }

  vsctl(...args: string[]): string {
    return execFileSync('ovs-vsctl', ['--timeout=20', `--db=unix:${this.dir}/db.sock`, ...args], { env: this.env, encoding: 'utf8' }).trim()
  }

  /** ovs-appctl to our ovs-vswitchd (e.g. dpctl/dump-conntrack, ofproto/trace). */
  appctl(...args: string[]): string {
    return execFileSync('ovs-appctl', ['-t', join(this.dir, 'ovs-vswitchd.ctl'), ...args], { env: this.env, encoding: 'utf8' }).trim()
  }

  /** ovs-ofctl against the bridge's management socket in our OVS_RUNDIR. */
  ofctl(...args: string[]): string {
    return execFileSync('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { env: this.env, encoding: 'utf8', maxBuffer: 256 << 20 }).trim()
  }

  async ofctlAsync(...args: string[]): Promise<string> {
    const r = await execFileP('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { env: this.env, encoding: 'utf8', maxBuffer: 256 << 20 })
    return r.stdout.trim()
  }

  /** Flows as `ovs-ofctl --no-stats dump-flows` prints them, one per entry, leading space removed. */
  dumpFlows(bridge: string, filter?: string): string[] {
    const out = this.ofctl('--no-stats', 'dump-flows', bridge, ...(filter ? [filter] : []))
    return out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('OFPST_FLOW') && !l.startsWith('NXST_FLOW'))
  }

  /**
   * A netdev bridge in secure fail mode speaking only `protocols`, controlled by `controller`
   * ("tcp:127.0.0.1:PORT" or "unix:PATH"), with a fixed datapath id.
   */
  addBridge(opts: { controller?: string; dpid?: bigint; protocols?: string; name?: string } = {}): string {
    const br = opts.name ?? uniqueName('nof')
    const dpid = (opts.dpid ?? BigInt(0x0a00_0000 + counter)).toString(16).padStart(16, '0')
    this.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'fail_mode=secure',
      `protocols=${opts.protocols ?? 'OpenFlow13'}`, `other_config:datapath-id=${dpid}`,
      // keep OVS from probing the controller during long benchmarks
      ...(opts.controller ? ['--', 'set-controller', br, opts.controller] : []))
    this.bridges.push(br)
    if (opts.controller) this.vsctl('set', 'controller', br, 'inactivity_probe=0', 'max_backoff=1000')
    return br
  }

  /**
   * A network namespace with a veth whose peer is a port of `bridge`; addresses only from
   * documentation ranges. Returns names and the OpenFlow port number.
   */
  addNamespacePort(bridge: string, ip: string): { ns: string; port: string; ofport: number; mac: string } {
    const ns = uniqueName('nofns')
    const port = uniqueName('nofp')
    execFileSync('ip', ['netns', 'add', ns])
    this.nets.push(ns)
    execFileSync('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.hv])
    execFileSync('ip', ['-n', ns, 'addr', 'add', ip, 'dev', 'eth0'])
    execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    execFileSync('ip', ['-n', this.hv, 'link', 'set', port, 'up'])
    // the userspace datapath receives veth frames without checksums otherwise (lab note)
    try { execFileSync('ip', ['netns', 'exec', ns, 'ethtool', '-K', 'eth0', 'tx', 'off'], { stdio: 'ignore' }) } catch { /* optional */ }
    this.vsctl('add-port', bridge, port)
    const ofport = Number(this.vsctl('get', 'interface', port, 'ofport'))
    const mac = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/sys/class/net/eth0/address'], { encoding: 'utf8' }).trim()
    return { ns, port, ofport, mac }
  }

  log(): string {
    const f = join(this.dir, 'ovs-vswitchd.log')
    return existsSync(f) ? readFileSync(f, 'utf8') : ''
  }

  /** PID of one of our daemons ('ovs-vswitchd' | 'ovsdb-server'), from its pidfile. */
  pid(name: string): number | undefined {
    const f = join(this.dir, `${name}.pid`)
    if (!existsSync(f)) return undefined
    const n = Number(readFileSync(f, 'utf8').trim())
    return Number.isInteger(n) && n > 1 ? n : undefined
  }

  /** Deletes bridges and namespaces we made, then kills our daemons by PID and removes the dir. */
  stop(): void {
    for (const br of this.bridges) {
      try { this.vsctl('--if-exists', 'del-br', br) } catch { /* daemon may be gone */ }
    }
    for (const pid of this.pids) {
      try { process.kill(pid, 'SIGTERM') } catch { /* exited */ }
    }
    for (const srv of this.servers) srv.close()
    for (const sock of this.relaySockets) sock.destroy()
    for (const name of ['ovs-vswitchd', 'ovsdb-server']) {
      const pid = this.pid(name)
      if (pid === undefined) continue
      try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGTERM') } catch { continue }
      for (let i = 0; i < 50; i++) {
        try { process.kill(pid, 0) } catch { break }
        execFileSync('sleep', ['0.05'])
      }
      try { process.kill(pid, 'SIGKILL') } catch { /* exited */ }
    }
    // deleting the namespaces removes the veths and the datapath taps (ovs-netdev, bridges)
    for (const ns of this.nets) {
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }) } catch { /* already gone */ }
    }
    if (!process.env.KEEP_OVS) rmSync(this.dir, { recursive: true, force: true })
  }
}
