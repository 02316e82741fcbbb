/**
 * The dataplane compute on real Open vSwitch: three hypervisors (private ovsdb-server and
 * netdev ovs-vswitchd each, in namespaces), VMs as namespaces plugged like Nova plugs them,
 * rows applied with ovs-vsctl and flows with ovs-ofctl — no controller. Proves with ping and
 * TCP/UDP: VXLAN and GRE across hypervisors, isolation of networks and of two tenants with the
 * same CIDR, anti-spoofing (MAC, IP, ARP), stateful security groups (TCP/UDP/ICMP, remote group,
 * established replies), a VLAN provider network through the provider bridges, admin-down and
 * deleted ports. One lab is shared by the cases of this file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { DesiredState, Network, Port, SecurityGroup } from '../../src/dataplane/desired-state.js'
import { needComponent } from '../helpers/components.js'
import { converge, INTEGRATION_BRIDGE, labNode } from '../helpers/dataplane-lab.js'
import { LAB_COMMANDS, OvsLab, type Vm } from '../helpers/ovs-lab.js'

const skip = needComponent('Open vSwitch lab', LAB_COMMANDS)

// Networks: A (tenant t1, VXLAN), B (t1, GRE), C (t2, VXLAN, same CIDR as A), V (t1, VLAN 42 on
// physnet1), F (t1, flat on physnet1: untagged on the same provider bridges)
const NETS: Network[] = [
  { id: 'net-a', tenantId: 't1', type: 'vxlan', segmentationId: 1001, tag: 1 },
  { id: 'net-b', tenantId: 't1', type: 'gre', segmentationId: 1002, tag: 2 },
  { id: 'net-c', tenantId: 't2', type: 'vxlan', segmentationId: 1003, tag: 3 },
  { id: 'net-v', tenantId: 't1', type: 'vlan', segmentationId: 42, physicalNetwork: 'physnet1', tag: 4 },
  { id: 'net-f', tenantId: 't1', type: 'flat', physicalNetwork: 'physnet1', tag: 5 },
]

const SGS: SecurityGroup[] = [
  // egress anywhere (Neutron's default egress rules)
  { id: 'sg-base', tenantId: 't1', rules: [
    { id: 'base-e4', direction: 'egress', ethertype: 'IPv4' },
    { id: 'base-e6', direction: 'egress', ethertype: 'IPv6' },
  ] },
  // a2's server group: TCP 8080 and UDP 5353 from anywhere, ICMP only from members of sg-friends
  { id: 'sg-web', tenantId: 't1', rules: [
    { id: 'web-tcp', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 8080, portRangeMax: 8080 },
    { id: 'web-udp', direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', portRangeMin: 5353, portRangeMax: 5353, remoteIpPrefix: '203.0.113.0/24' },
    { id: 'web-icmp', direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remoteGroupId: 'sg-friends' },
  ] },
  { id: 'sg-friends', tenantId: 't1', rules: [] },
  // Neutron's default group, as created for tenant t2 (and used on B and V too)
  { id: 'sg-default', tenantId: 't2', rules: [
    { id: 'def-e4', direction: 'egress', ethertype: 'IPv4' },
    { id: 'def-e6', direction: 'egress', ethertype: 'IPv6' },
    { id: 'def-i4', direction: 'ingress', ethertype: 'IPv4', remoteGroupId: 'sg-default' },
    { id: 'def-i6', direction: 'ingress', ethertype: 'IPv6', remoteGroupId: 'sg-default' },
  ] },
]

interface VmSpec { id: string; hv: string; net: string; mac: string; ip: string; sgs: string[]; ip6?: string }
const VMS: VmSpec[] = [
  { id: 'a1', hv: 'hv1', net: 'net-a', mac: 'fa:16:3e:0a:00:01', ip: '203.0.113.11', sgs: ['sg-base', 'sg-friends'] },
  { id: 'a2', hv: 'hv2', net: 'net-a', mac: 'fa:16:3e:0a:00:02', ip: '203.0.113.12', sgs: ['sg-base', 'sg-web'] },
  { id: 'a3', hv: 'hv3', net: 'net-a', mac: 'fa:16:3e:0a:00:03', ip: '203.0.113.13', sgs: ['sg-base'] },
  { id: 'a4', hv: 'hv1', net: 'net-a', mac: 'fa:16:3e:0a:00:04', ip: '203.0.113.14', sgs: ['sg-base', 'sg-web'] },
  // IPv6 from the documentation prefix (RFC 3849), only between our namespaces
  { id: 'b1', hv: 'hv1', net: 'net-b', mac: 'fa:16:3e:0b:00:01', ip: '192.0.2.11', sgs: ['sg-default'], ip6: '2001:db8:b::11' },
  { id: 'b2', hv: 'hv2', net: 'net-b', mac: 'fa:16:3e:0b:00:02', ip: '192.0.2.12', sgs: ['sg-default'], ip6: '2001:db8:b::12' },
  { id: 'c1', hv: 'hv1', net: 'net-c', mac: 'fa:16:3e:0c:00:01', ip: '203.0.113.11', sgs: ['sg-default'] },
  { id: 'c2', hv: 'hv2', net: 'net-c', mac: 'fa:16:3e:0c:00:02', ip: '203.0.113.12', sgs: ['sg-default'] },
  { id: 'v1', hv: 'hv1', net: 'net-v', mac: 'fa:16:3e:0d:00:01', ip: '192.0.2.131', sgs: ['sg-default'] },
  { id: 'v2', hv: 'hv3', net: 'net-v', mac: 'fa:16:3e:0d:00:02', ip: '192.0.2.132', sgs: ['sg-default'] },
  { id: 'f1', hv: 'hv2', net: 'net-f', mac: 'fa:16:3e:0f:00:01', ip: '192.0.2.71', sgs: ['sg-default'] },
  { id: 'f2', hv: 'hv3', net: 'net-f', mac: 'fa:16:3e:0f:00:02', ip: '192.0.2.72', sgs: ['sg-default'] },
]

function portOf(s: VmSpec, vm: Vm, over: Partial<Port> = {}): Port {
  return {
    id: `port-${s.id}`, networkId: s.net, nodeId: s.hv, ofport: vm.ofport, macAddress: s.mac,
    fixedIps: [{ ipAddress: s.ip }, ...(s.ip6 ? [{ ipAddress: s.ip6 }] : [])], allowedAddressPairs: [], adminStateUp: true, portSecurityEnabled: true,
    securityGroupIds: s.sgs, deviceOwner: 'compute:nova', ...over,
  }
}

// raw frames: python3 in the VM namespaces (AF_PACKET)
const SNIFF = `
import socket, sys, time, binascii
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind(("eth0", 0)); s.settimeout(0.2)
print("ready", flush=True)
end = time.time() + float(sys.argv[1]); seen = set()
while time.time() < end:
    try: f = s.recv(2048)
    except socket.timeout: continue
    for m in sys.argv[2:]:
        if binascii.unhexlify(m) in f: seen.add(m)
print(" ".join(sorted(seen)), flush=True)
`
const SEND = `
import socket, sys, binascii
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
for h in sys.argv[1:]:
    for _ in range(3): s.send(binascii.unhexlify(h))
`
/** Unsolicited neighbour advertisements to ff02::1 for each target (RFC 4861 §4.4, TLL option). */
const SEND_NA = `
import socket, sys, struct, binascii
def ip6(a): return socket.inet_pton(socket.AF_INET6, a)
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
mac = binascii.unhexlify(sys.argv[1].replace(":", "")); src = ip6(sys.argv[2]); dst = ip6("ff02::1")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
for tgt in sys.argv[3:]:
    icmp = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + ip6(tgt) + b"\\x02\\x01" + mac
    c = csum(src + dst + struct.pack("!I3xB", len(icmp), 58) + icmp)
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    frame = b"\\x33\\x33\\x00\\x00\\x00\\x01" + mac + b"\\x86\\xdd" + struct.pack("!IHBB", 0x60000000, len(icmp), 58, 255) + src + dst + icmp
    for _ in range(3): s.send(frame)
`
const macHex = (m: string) => m.replace(/:/g, '')
const ipHex = (ip: string) => ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')
/** A broadcast ARP request frame (gratuitous when spa = tpa). */
function arpFrame(ethSrc: string, sha: string, spa: string, tpa: string): string {
  return `ffffffffffff${macHex(ethSrc)}0806` + `0001080006040001${macHex(sha)}${ipHex(spa)}000000000000${ipHex(tpa)}` + '00'.repeat(18)
}
function csum(hex: string): string {
  let s = 0
  for (let i = 0; i < hex.length; i += 4) s += parseInt(hex.slice(i, i + 4), 16)
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16)
  return (~s & 0xffff).toString(16).padStart(4, '0')
}
/** A unicast IPv4/UDP frame carrying `marker` (hex) to dport. */
function udpFrame(ethSrc: string, ethDst: string, src: string, dst: string, dport: number, marker: string): string {
  const udpLen = 8 + marker.length / 2
  const udp = `3039${dport.toString(16).padStart(4, '0')}${udpLen.toString(16).padStart(4, '0')}0000${marker}`
  // version/IHL, TOS, total length, id, DF, TTL 64, UDP, checksum (filled below), addresses
  const hdr = `4500${(20 + udpLen).toString(16).padStart(4, '0')}0000400040110000${ipHex(src)}${ipHex(dst)}`
  const ipHdr = hdr.slice(0, 20) + csum(hdr) + hdr.slice(24)
  return `${macHex(ethDst)}${macHex(ethSrc)}0800${ipHdr}${udp}`
}

/** Retries an expected-success probe a few times (a loaded machine may miss one timeout). */
async function retry(fn: () => Promise<string>, want: string, tries = 5): Promise<string> {
  let got = ''
  for (let i = 0; i < tries && got !== want; i++) got = await fn()
  return got
}

/** Starts a sniffer in `vm` for `seconds`; resolves `ready` when it listens, `seen` with the markers it saw. */
function sniffer(vm: Vm, seconds: number, markers: string[]): { ready: Promise<void>; seen: Promise<Set<string>> } {
  const c = vm.spawnPy(SNIFF, [String(seconds), ...markers])
  let out = ''
  let onReady: () => void = () => {}
  const ready = new Promise<void>((r) => (onReady = r))
  c.stdout!.on('data', (d) => { out += d; if (out.includes('ready')) onReady() })
  const seen = new Promise<Set<string>>((r) => c.once('exit', () => r(new Set(out.replace('ready', '').trim().split(/\s+/).filter(Boolean)))))
  return { ready, seen }
}

describe('dataplane on real OVS (3 hypervisors, VXLAN/GRE/VLAN/flat)', { skip, timeout: 600_000 }, () => {
  let lab: OvsLab
  const vm: Record<string, Vm> = {}
  let state: DesiredState

  const ports = (over: Record<string, Partial<Port>> = {}) => VMS.map((s) => portOf(s, vm[s.id]!, over[s.id]))

  before(async () => {
    lab = new OvsLab('ndp')
    const hvs = [lab.addHypervisor('hv1', '198.51.100.1'), lab.addHypervisor('hv2', '198.51.100.2'), lab.addHypervisor('hv3', '198.51.100.3')]
    const nodes = hvs.map((h) => labNode(h))
    // bridges first (no ports yet), then plug the VMs into br-int
    await converge(lab, { nodes, networks: NETS, ports: [], securityGroups: SGS })
    for (const s of VMS) {
      const hv = hvs.find((h) => h.id === s.hv)!
      vm[s.id] = await hv.addVm(INTEGRATION_BRIDGE, `port-${s.id}`, s.mac, `${s.ip}/24`, { ipv6: s.ip6 ? [`${s.ip6}/64`] : [] })
    }
    await lab.warmUnderlay()
    state = await converge(lab, { nodes, networks: NETS, ports: ports(), securityGroups: SGS })
  })

  after(() => lab?.stop())

  it('same network pings across hypervisors over VXLAN', async () => {
    assert.ok(await vm.a1!.pingEventually('203.0.113.12'), 'a1 (hv1) -> a2 (hv2) over VXLAN')
    // the echo came over the VXLAN tunnel port of hv1 (classifier tun_id=1001 matched)
    const cls = lab.hypervisors[0]!.dumpFlows(INTEGRATION_BRIDGE, 'table=0').filter((l) => l.includes('tun_id=0x3e9'))
    const n = cls.reduce((sum, l) => sum + Number(/n_packets=(\d+)/.exec(l)?.[1] ?? 0), 0)
    assert.ok(n > 0, `VXLAN classifier on hv1 matched packets: ${cls.join(' | ')}`)
  })

  it('same network pings across hypervisors over GRE', async () => {
    assert.ok(await vm.b1!.pingEventually('192.0.2.12'), 'b1 (hv1) -> b2 (hv2) over GRE')
    assert.ok(await vm.b2!.ping('192.0.2.11'), 'b2 -> b1 (default group: ingress from members)')
  })

  it('IPv6 over GRE: neighbour discovery through anti-spoofing, echo through the IPv6 default-group rule', async () => {
    assert.ok(await vm.b1!.pingEventually('2001:db8:b::12'), 'b1 -> b2 over IPv6')
    assert.match(vm.b1!.exec('ip', '-6', 'neigh', 'show', '2001:db8:b::12'), /fa:16:3e:0b:00:02/)
  })

  it('a neighbour advertisement for an address the port does not own gets nothing through', async () => {
    const hex6 = (a: string) => a === '2001:db8:b::12' ? '20010db8000b00000000000000000012' : '20010db8000b00000000000000000099'
    const sniff = sniffer(vm.b1!, 6, [hex6('2001:db8:b::12'), hex6('2001:db8:b::99')])
    await sniff.ready
    await vm.b2!.py(SEND_NA, [vm.b2!.mac, '2001:db8:b::12', '2001:db8:b::12', '2001:db8:b::99'])
    const seen = await sniff.seen
    assert.ok(seen.has(hex6('2001:db8:b::12')), 'the legitimate NA (own target) arrives')
    assert.ok(!seen.has(hex6('2001:db8:b::99')), 'the NA for a foreign target was delivered')
  })

  it('a VLAN provider network forwards through the provider bridges', async () => {
    assert.ok(await vm.v1!.pingEventually('192.0.2.132'), 'v1 (hv1) -> v2 (hv3) on VLAN 42')
    // the frames crossed the underlay tagged: br-int's patch port saw VLAN 42 coming back
    const hv3 = lab.hypervisors[2]!
    const cls = hv3.dumpFlows(INTEGRATION_BRIDGE, 'table=0').find((l) => l.includes('dl_vlan=42'))
    assert.ok(cls && !/n_packets=0,/.test(cls), `VLAN 42 classifier on hv3 matched packets: ${cls}`)
  })

  it('a flat provider network forwards untagged through the provider bridges', async () => {
    assert.ok(await vm.f1!.pingEventually('192.0.2.72'), 'f1 (hv2) -> f2 (hv3) on the flat network')
    const cls = lab.hypervisors[2]!.dumpFlows(INTEGRATION_BRIDGE, 'table=0').find((l) => l.includes('vlan_tci=0x0000/0x1fff'))
    assert.ok(cls && !/n_packets=0,/.test(cls), `untagged classifier on hv3 matched packets: ${cls}`)
    assert.equal(await vm.f1!.ping('192.0.2.132', { count: 2, wait: 1 }), false, 'the flat network does not reach VLAN 42')
  })

  it('same node: local switching, and one port\'s egress verdict never opens another\'s ingress', async () => {
    assert.ok(await vm.a1!.pingEventually('203.0.113.14'), 'a1 -> a4 on hv1 (a4 admits ICMP from friends)')
    // a4's egress allows and commits the echo; a1 has no ingress rule, and every original-direction
    // packet is checked against a1's own rules in a1's own zone: not one echo may pass
    assert.equal(await vm.a4!.ping('203.0.113.11', { count: 4, wait: 1 }), false, 'a4 -> a1 got through')
  })

  it('two tenants with the same CIDR are isolated', async () => {
    assert.ok(await vm.c1!.pingEventually('203.0.113.12'), 'c1 -> c2 (tenant t2)')
    const neigh = vm.c1!.exec('ip', 'neigh', 'show', '203.0.113.12')
    assert.match(neigh, /fa:16:3e:0c:00:02/, `c1 resolved .12 to c2, not a2: ${neigh}`)
    assert.ok(await vm.a1!.pingEventually('203.0.113.12'), 'a1 -> a2 (tenant t1, ICMP from a friend)')
    assert.match(vm.a1!.exec('ip', 'neigh', 'show', '203.0.113.12'), /fa:16:3e:0a:00:02/)
    // a1 forcing a2's address onto c2's MAC: network A does not know that MAC, nothing arrives
    vm.a1!.exec('ip', 'neigh', 'replace', '203.0.113.12', 'lladdr', 'fa:16:3e:0c:00:02', 'dev', 'eth0', 'nud', 'permanent')
    try {
      assert.equal(await vm.a1!.ping('203.0.113.12', { count: 2, wait: 1 }), false, 'a1 reached c2 across tenants')
    } finally {
      vm.a1!.exec('ip', 'neigh', 'del', '203.0.113.12', 'dev', 'eth0')
    }
  })

  it('different networks cannot reach each other', async () => {
    // b1 (net B) sends to a2's MAC and address directly: no network B flow knows that MAC
    vm.b1!.exec('ip', 'route', 'replace', '203.0.113.12/32', 'dev', 'eth0')
    vm.b1!.exec('ip', 'neigh', 'replace', '203.0.113.12', 'lladdr', 'fa:16:3e:0a:00:02', 'dev', 'eth0', 'nud', 'permanent')
    try {
      const sniff = sniffer(vm.a2!, 4, [ipHex('192.0.2.11') + ipHex('203.0.113.12')])
      await sniff.ready
      await vm.b1!.ping('203.0.113.12', { count: 3, wait: 1 })
      assert.equal((await sniff.seen).size, 0, 'a2 saw a packet from network B')
    } finally {
      vm.b1!.exec('ip', 'route', 'del', '203.0.113.12/32', 'dev', 'eth0')
    }
  })

  it('spoofed MAC, IP and ARP get nothing through; the legitimate frame does', async () => {
    const a3 = vm.a3!, a1 = vm.a1!
    // udp to a1 must be allowed by a1's groups for the control: add a rule for this case only
    const open = SGS.map((g) => g.id === 'sg-friends' ? { ...g, rules: [{ id: 'f-udp', direction: 'ingress' as const, ethertype: 'IPv4' as const, protocol: 'udp', portRangeMin: 7000, portRangeMax: 7000 }] } : g)
    state = await converge(lab, { ...state, securityGroups: open })
    // requests for an address nobody has, so the ARP responder stays out and they are flooded
    const unknown = '203.0.113.200'
    const legitArp = arpFrame(a3.mac, a3.mac, a3.ip, unknown)
    const spoofSpa = arpFrame(a3.mac, a3.mac, '203.0.113.12', unknown)
    const spoofSha = arpFrame(a3.mac, 'fa:16:3e:0a:00:02', a3.ip, unknown)
    const spoofMac = arpFrame('fa:16:3e:0a:00:02', 'fa:16:3e:0a:00:02', '203.0.113.12', unknown)
    const legitUdp = udpFrame(a3.mac, a1.mac, a3.ip, a1.ip, 7000, 'aa01aa01aa01')
    const spoofIp = udpFrame(a3.mac, a1.mac, '203.0.113.99', a1.ip, 7000, 'aa02aa02aa02')
    const spoofSrcMac = udpFrame('fa:16:3e:0a:00:99', a1.mac, a3.ip, a1.ip, 7000, 'aa03aa03aa03')
    // markers the sniffer looks for: sha+spa of each ARP, payload of each UDP
    const mk = {
      legitArp: macHex(a3.mac) + ipHex(a3.ip),
      spoofSpa: macHex(a3.mac) + ipHex('203.0.113.12'),
      spoofSha: macHex('fa:16:3e:0a:00:02') + ipHex(a3.ip),
      spoofMac: macHex('fa:16:3e:0a:00:02') + ipHex('203.0.113.12'),
      legitUdp: 'aa01aa01aa01', spoofIp: 'aa02aa02aa02', spoofSrcMac: 'aa03aa03aa03',
    }
    const sniff = sniffer(a1, 8, Object.values(mk))
    await sniff.ready
    await a3.py(SEND, [legitArp, spoofSpa, spoofSha, spoofMac, legitUdp, spoofIp, spoofSrcMac])
    const seen = await sniff.seen
    const name = (m: string) => Object.entries(mk).find(([, v]) => v === m)?.[0]
    assert.deepEqual([...seen].map(name).sort(), ['legitArp', 'legitUdp'], `a1 received: ${[...seen].map(name).join(', ')}`)
    state = await converge(lab, { ...state, securityGroups: SGS })
  })

  it('a security group opens exactly its TCP/UDP/ICMP rules; established replies pass', async () => {
    const a1 = vm.a1!, a2 = vm.a2!, a3 = vm.a3!
    const server = a2.spawnPy(`
import socket, threading, sys
def tcp(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", p)); s.listen(8)
    while True:
        c, _ = s.accept(); c.sendall(b"hello %d" % p); c.close()
def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p))
    while True:
        d, a = s.recvfrom(100); s.sendto(b"echo " + d, a)
for p in (8080, 8081): threading.Thread(target=tcp, args=(p,), daemon=True).start()
for p in (5353, 5354): threading.Thread(target=udp, args=(p,), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
`)
    await new Promise((r) => server.stdout!.once('data', r))
    const tcp = (from: Vm, port: number) => from.py(`
import socket, sys
try:
    c = socket.create_connection(("203.0.113.12", int(sys.argv[1])), timeout=3); print(c.recv(100).decode())
except Exception as e: print("fail", type(e).__name__)`, [String(port)])
    const udp = (from: Vm, port: number) => from.py(`
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
for _ in range(3):
    s.sendto(b"x", ("203.0.113.12", int(sys.argv[1])))
    try: print(s.recvfrom(100)[0].decode()); break
    except socket.timeout: pass
else: print("fail")`, [String(port)])
    // poll the first connection: the path (tunnel neighbours, conntrack) may need a moment
    let first = ''
    for (let i = 0; i < 10 && first !== 'hello 8080'; i++) first = await tcp(a1, 8080)
    assert.equal(first, 'hello 8080', 'TCP 8080 allowed (and the reply passes a1, which has no ingress rule)')
    assert.match(await tcp(a1, 8081), /^fail/, 'TCP 8081 not in the group')
    assert.equal(await retry(() => tcp(a3, 8080), 'hello 8080'), 'hello 8080', 'TCP 8080 from anyone')
    assert.equal(await retry(() => udp(a1, 5353), 'echo x'), 'echo x', 'UDP 5353 allowed from 203.0.113.0/24')
    assert.equal(await udp(a1, 5354), 'fail', 'UDP 5354 not in the group')
    assert.ok(await a1.ping('203.0.113.12'), 'ICMP from a member of the remote group')
    assert.equal(await a3.ping('203.0.113.12', { count: 2, wait: 1 }), false, 'ICMP from a non-member')
    assert.equal(await a2.ping('203.0.113.11', { count: 2, wait: 1 }), false, 'a1 accepts no new inbound connection')
    // a3 joins sg-friends: the remote group rule on a2 now admits it (a changed membership)
    state = await converge(lab, { ...state, ports: state.ports.map((p) => p.id === 'port-a3' ? { ...p, securityGroupIds: ['sg-base', 'sg-friends'] } : p) })
    assert.ok(await a3.pingEventually('203.0.113.12', 10_000), 'ICMP from the new member')
    server.kill('SIGKILL')
  })

  it('removing a rule cuts an established connection at once; replies never needed a rule', async () => {
    const server = vm.a2!.spawnPy(`
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4)
print("ready", flush=True)
def echo(c):
    while True:
        d = c.recv(100)
        if not d: break
        c.sendall(d)
while True:
    c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
`)
    await new Promise((r) => server.stdout!.once('data', r))
    const client = vm.a1!.spawnPy(`
import socket, time
c = socket.create_connection(("203.0.113.12", 8080), timeout=10); c.settimeout(1)
for i in range(120):
    c.sendall(b"%d" % i)
    try: print("ok" if c.recv(100) else "closed", flush=True)
    except socket.timeout: print("timeout", flush=True)
    time.sleep(0.1)
`)
    const lines: string[] = []
    client.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)))
    const until = async (what: string, pred: () => boolean, ms = 20_000) => {
      const end = Date.now() + ms
      while (!pred()) {
        if (Date.now() > end) throw new Error(`${what}: client said ${lines.join(' ')}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    try {
      await until('connection established', () => lines.filter((l) => l === 'ok').length >= 3)
      const noTcp = SGS.map((g) => (g.id === 'sg-web' ? { ...g, rules: g.rules.filter((r) => r.id !== 'web-tcp') } : g))
      state = await converge(lab, { ...state, securityGroups: noTcp })
      const mark = lines.length
      await until('the established connection is cut', () => lines.slice(mark).filter((l) => l === 'timeout').length >= 3)
      assert.deepEqual(lines.slice(-2), ['timeout', 'timeout'], 'nothing passes once the rule is gone')
    } finally {
      client.kill('SIGKILL')
      server.kill('SIGKILL')
      state = await converge(lab, { ...state, securityGroups: SGS })
    }
  })

  it('an admin-down port and a deleted port carry nothing', async () => {
    assert.ok(await vm.b2!.pingEventually('192.0.2.11'), 'control: b2 -> b1')
    state = await converge(lab, { ...state, ports: state.ports.map((p) => p.id === 'port-b1' ? { ...p, adminStateUp: false } : p) })
    assert.equal(await vm.b2!.ping('192.0.2.11', { count: 2, wait: 1 }), false, 'admin-down b1 still answers')
    state = await converge(lab, { ...state, ports: state.ports.map((p) => p.id === 'port-b1' ? { ...p, adminStateUp: true } : p) })
    assert.ok(await vm.b2!.pingEventually('192.0.2.11', 10_000), 'admin-up again')
    // delete b1: unplugged and gone from the state; b2's node no longer needs the GRE tunnel to hv1
    lab.hypervisors[0]!.unplug(vm.b1!)
    state = await converge(lab, { ...state, ports: state.ports.filter((p) => p.id !== 'port-b1') })
    assert.equal(await vm.b2!.ping('192.0.2.11', { count: 2, wait: 1 }), false, 'deleted b1 still answers')
    const hv2Ports = lab.hypervisors[1]!.vsctl('list-ports', INTEGRATION_BRIDGE).split('\n')
    assert.ok(!hv2Ports.includes('gre-c6336401'), `GRE tunnel to hv1 removed: ${hv2Ports.join(' ')}`)
    assert.ok(hv2Ports.includes('vxlan-c6336401'), 'VXLAN tunnel to hv1 kept (networks A and C)')
  })
})
