/**
 * Canonical flow keys and the desired-vs-installed diff without a switch (the real-switch round
 * trip is test/functional/openflow/flow-diff.test.ts): the normalisations OVS applies must not
 * make equal flows look different, and different flows must not look equal.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  act, decodeMessage, diffFlows, encode, flowKey, flowMod, type FlowMod, instructionsKey, type Match, parseFlowMod,
} from '../../../src/openflow/index.js'
import type { FlowStats } from '../../../src/openflow/messages.js'

const OWNER = { cookie: 0x1_0000_0000n, cookieMask: 0xffff_ffff_0000_0000n }

/** What a switch would report for an installed flow mod: the decoded wire form, as flow stats. */
function installed(fm: FlowMod): FlowStats {
  const back = decodeMessage(encode(fm)) as FlowMod
  return { table: back.table, priority: back.priority, cookie: back.cookie, idleTimeout: back.idleTimeout, hardTimeout: back.hardTimeout,
    flags: back.flags, match: back.match, instructions: back.instructions, durationSec: 1, durationNsec: 0, packetCount: 3n, byteCount: 100n }
}

describe('flow keys', () => {
  const key = (match: Match, table = 0, priority = 10): string => flowKey({ table, priority, match })

  it('ignores field order, prefix vs mask spelling, and value bits outside the mask', () => {
    const a = key({ eth_type: 0x0800, ipv4_src: '192.0.2.0/24', reg0: 5 })
    assert.equal(key({ reg0: 5, ipv4_src: { value: '192.0.2.77', mask: '255.255.255.0' }, eth_type: 0x0800 }), a)
    assert.equal(key({ eth_type: 0x0800, ipv4_src: '192.0.2.9/24', reg0: { value: 5, mask: 0xffffffff } }), a)
    assert.notEqual(key({ eth_type: 0x0800, ipv4_src: '192.0.2.0/25', reg0: 5 }), a)
    assert.notEqual(key({ eth_type: 0x0800, ipv4_src: '192.0.2.0/24', reg0: 5 }, 1), a)
    assert.notEqual(key({ eth_type: 0x0800, ipv4_src: '192.0.2.0/24', reg0: 5 }, 0, 11), a)
  })

  it('treats a full mask as exact, a zero mask as absent, ct_state/0xff as exact', () => {
    assert.equal(key({ eth_type: 0x0800, ct_state: { value: 0x22, mask: 0xff } }), key({ eth_type: 0x0800, ct_state: 0x22 }))
    assert.equal(key({ eth_type: 0x0800, reg1: { value: 0, mask: 0 } }), key({ eth_type: 0x0800 }))
    assert.equal(key({ eth_type: 0x0800, ip_frag: { value: 1, mask: 3 } }), key({ eth_type: 0x0800, ip_frag: 1 }))
    assert.equal(key({ ct_label: { value: (1n << 128n) - 1n, mask: (1n << 128n) - 1n } }), key({ ct_label: (1n << 128n) - 1n }))
    assert.notEqual(key({ eth_type: 0x0800, ct_state: { value: 0x22, mask: 0x32 } }), key({ eth_type: 0x0800, ct_state: 0x22 }))
  })

  it('compares instructions on the wire: note padding and a degenerate NAT range are the same flow', () => {
    assert.equal(instructionsKey([{ type: 'apply_actions', actions: [{ type: 'note', data: 'ab' }] }]),
      instructionsKey([{ type: 'apply_actions', actions: [{ type: 'note', data: 'ab0000000000' }] }]))
    const nat = (ipMax?: string): string => instructionsKey([{ type: 'apply_actions', actions: [{ type: 'ct', commit: true, force: false,
      actions: [{ type: 'nat', kind: 'src', ipMin: '192.0.2.1', ...(ipMax ? { ipMax } : {}) }] }] }])
    assert.equal(nat('192.0.2.1'), nat())
    assert.notEqual(nat('192.0.2.2'), nat())
    assert.equal(instructionsKey([{ type: 'apply_actions', actions: [] }]), instructionsKey([]))
    assert.notEqual(instructionsKey([{ type: 'apply_actions', actions: [act.output(1)] }]), instructionsKey([{ type: 'apply_actions', actions: [act.output(2)] }]))
  })
})

describe('diffFlows', () => {
  const d1 = flowMod({ table: 0, priority: 10, cookie: OWNER.cookie | 1n, match: { in_port: 1 }, actions: [act.note('01'), act.output(2)], goto: 5 })
  const d2 = parseFlowMod('table=5,priority=20,ct_state=+new+trk,tcp,tcp_flags=+syn-ack actions=ct(commit,zone=3,nat(src=203.0.113.5))')
  const desired = [d1, flowMod({ ...d2, cookie: OWNER.cookie | 2n })]

  it('is empty when the switch holds exactly the desired flows, whatever their cookie', () => {
    const diff = diffFlows(desired, [installed(d1), installed(flowMod({ ...d2, cookie: 0x77n }))], OWNER)
    assert.deepEqual(diff.mods, [])
    assert.equal(diff.unchanged, 2)
  })

  it('adds the missing, modifies the changed, deletes only owned extras', () => {
    const changed = installed(flowMod({ ...d1, instructions: [], actions: [act.output(3)] }))
    const ownedExtra = installed(flowMod({ table: 9, priority: 1, cookie: OWNER.cookie | 9n, match: {}, actions: [] }))
    const foreign = installed(flowMod({ table: 9, priority: 2, cookie: 0x2_0000_0000n, match: {}, actions: [] }))
    const diff = diffFlows(desired, [changed, ownedExtra, foreign], OWNER)
    assert.deepEqual(diff.mods.map((m) => [m.command, m.table, m.priority]), [['delete_strict', 9, 1], ['modify_strict', 0, 10], ['add', 5, 20]])
    assert.equal(diff.delete[0]!.cookie, OWNER.cookie)
    assert.equal(diff.delete[0]!.cookieMask, OWNER.cookieMask)
    assert.deepEqual(diff.modify[0]!.instructions, d1.instructions)
  })

  it('replaces a flow only when MODIFY cannot express the change (timeouts, flags)', () => {
    const diff = diffFlows([flowMod({ ...d1, idleTimeout: 60 })], [installed(d1)], OWNER)
    assert.deepEqual(diff.mods.map((m) => m.command), ['delete_strict', 'add'])
    // a modify never carries reset_counts (it would zero what MODIFY keeps)
    const rc = flowMod({ ...d1, flags: 4 })
    const m = diffFlows([flowMod({ ...rc, instructions: [], actions: [act.output(9)] })], [installed(rc)], OWNER).mods
    assert.deepEqual(m.map((x) => [x.command, x.flags]), [['modify_strict', 0]])
    // check_overlap is not a stored flag: no change
    assert.deepEqual(diffFlows([flowMod({ ...d1, flags: 2 })], [installed(d1)], OWNER).mods, [])
  })
})
