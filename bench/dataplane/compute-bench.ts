/**
 * Cost of the pure dataplane compute at the scale: H hypervisors × P ports each, ports
 * spread over N VXLAN networks (one tenant per network, its default security group on every
 * port: egress any, ingress from the group — the remote-group case). Measures the time to
 * compute every node's flows and OVSDB rows from scratch, one node after a single port change
 * (what the controller recomputes), flows per node and the heap.
 *
 *   node --import tsx bench/dataplane/compute-bench.ts [H=200] [P=20] [N=40] [rounds=5]
 */
import { performance } from 'node:perf_hooks'
import type { DesiredState, Network, Node, Port, SecurityGroup } from '../../src/dataplane/desired-state.js'
import { nodeFlows } from '../../src/dataplane/node-flows.js'
import { nodeOvsdbRows } from '../../src/dataplane/ovsdb-rows.js'
import { StateIndex } from '../../src/dataplane/state-index.js'

const H = Number(process.argv[2] ?? 200)
const P = Number(process.argv[3] ?? 20)
const N = Number(process.argv[4] ?? 40)
const ROUNDS = Number(process.argv[5] ?? 5)

const ip = (n: number) => `${10 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.1`
const hex2 = (n: number) => n.toString(16).padStart(2, '0')

function build(): DesiredState {
  const nodes: Node[] = []
  const networks: Network[] = []
  const sgs: SecurityGroup[] = []
  for (let n = 0; n < N; n++) {
    networks.push({ id: `net-${n}`, tenantId: `t-${n}`, type: 'vxlan', segmentationId: 1000 + n, tag: n + 1 })
    sgs.push({ id: `sg-${n}`, tenantId: `t-${n}`, rules: [
      { id: `sg-${n}-e4`, direction: 'egress', ethertype: 'IPv4' },
      { id: `sg-${n}-e6`, direction: 'egress', ethertype: 'IPv6' },
      { id: `sg-${n}-i4`, direction: 'ingress', ethertype: 'IPv4', remoteGroupId: `sg-${n}` },
      { id: `sg-${n}-i6`, direction: 'ingress', ethertype: 'IPv6', remoteGroupId: `sg-${n}` },
    ] })
  }
  const ports: Port[] = []
  for (let h = 0; h < H; h++) {
    const ofports: Record<string, number> = {}
    for (let k = 0; k < H; k++) if (k !== h) ofports[`vxlan-${(0x0a000001 + k * 256).toString(16).padStart(8, '0')}`] = 1000 + k
    nodes.push({ id: `hv-${h}`, localIp: ip(h), bridgeMappings: {}, datapathType: 'netdev', ofports })
    for (let p = 0; p < P; p++) {
      const i = h * P + p
      const net = i % N
      ports.push({
        id: `port-${i}`, networkId: `net-${net}`, nodeId: `hv-${h}`, ofport: p + 1,
        macAddress: `fa:16:3e:${hex2(i >> 16)}:${hex2((i >> 8) & 255)}:${hex2(i & 255)}`,
        fixedIps: [{ ipAddress: `100.${64 + (net >> 8)}.${net & 255}.${(i / N | 0) % 250 + 2}` }],
        allowedAddressPairs: [], adminStateUp: true, portSecurityEnabled: true,
        securityGroupIds: [`sg-${net}`], deviceOwner: 'compute:nova',
      })
    }
  }
  return { nodes, networks, ports, securityGroups: sgs }
}

const state = build()
const settings = { integrationBridge: 'br-int', controllerTargets: ['tcp:192.0.2.1:6653'] }
const full: number[] = []
const one: number[] = []
let flowsPerNode: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now()
  const index = new StateIndex(state)
  flowsPerNode = state.nodes.map((n) => {
    nodeOvsdbRows(index, n.id, settings)
    return nodeFlows(index, n.id).length
  })
  full.push(performance.now() - t)
  // one port's address changes: rebuild the index, recompute its node only
  const changed: DesiredState = { ...state, ports: state.ports.map((p, i) => (i === 7 ? { ...p, fixedIps: [{ ipAddress: '100.127.0.1' }] } : p)) }
  t = performance.now()
  nodeFlows(new StateIndex(changed), 'hv-0')
  one.push(performance.now() - t)
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
const total = flowsPerNode.reduce((a, b) => a + b, 0)
console.log(`hypervisors ${H}, ports ${H * P}, networks ${N}, rounds ${ROUNDS}`)
console.log(`all nodes, flows + rows: median ${med(full).toFixed(0)} ms (${(med(full) / H).toFixed(2)} ms/node)`)
console.log(`one node after one port change (index rebuilt): median ${med(one).toFixed(1)} ms`)
console.log(`flows per node: min ${Math.min(...flowsPerNode)}, max ${Math.max(...flowsPerNode)}, total ${total}`)
console.log(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
