import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkDuplicateSegments,
  convertToInt,
  extractSegments,
  segmentsMatchFilters,
  segmentsToApi,
} from '../../../../src/ml2/provider-attrs.js'
import { failure } from './helpers.js'

describe('provider attributes', () => {
  it('convert_to_int accepts what Python int() accepts', async () => {
    assert.equal(convertToInt('4242'), 4242)
    assert.equal(convertToInt(' -7 '), -7)
    assert.equal(convertToInt('1_000'), 1000)
    assert.equal(convertToInt(12), 12)
    assert.equal(convertToInt(12.9), 12)
    assert.equal(convertToInt(true), 1)
    assert.deepEqual(await failure(() => convertToInt('abc')), ['InvalidInput', "Invalid input for operation: 'abc' is not an integer."])
    assert.deepEqual(await failure(() => convertToInt('4.2')), ['InvalidInput', "Invalid input for operation: '4.2' is not an integer."])
    assert.deepEqual(await failure(() => convertToInt(null)), ['InvalidInput', "Invalid input for operation: 'None' is not an integer."])
  })

  it('extracts a single provider segment (string id from the CLI → int)', () => {
    assert.deepEqual(
      extractSegments({ name: 'n', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': '4242' }),
      [{ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 4242 }],
    )
    assert.deepEqual(extractSegments({ 'provider:segmentation_id': 5 }), [
      { network_type: null, physical_network: null, segmentation_id: 5 },
    ])
    assert.equal(extractSegments({ name: 'tenant' }), null)
    assert.deepEqual(extractSegments({ segments: [] }), [])
  })

  it('validates provider strings like the API layer', async () => {
    assert.deepEqual(await failure(() => extractSegments({ 'provider:network_type': 'x'.repeat(33) })), [
      'HTTPBadRequest',
      `Invalid input for provider:network_type. Reason: '${'x'.repeat(33)}' exceeds maximum length of 32.`,
    ])
    assert.deepEqual(await failure(() => extractSegments({ 'provider:physical_network': 5 })), [
      'HTTPBadRequest',
      "Invalid input for provider:physical_network. Reason: '5' is not a valid string.",
    ])
    assert.deepEqual(await failure(() => extractSegments({ 'provider:segmentation_id': 'abc' })), [
      'InvalidInput',
      "Invalid input for operation: 'abc' is not an integer.",
    ])
  })

  it('multi-provider: conversion, unknown keys, conjunction with provider:*', async () => {
    assert.deepEqual(
      extractSegments({
        segments: [
          { 'provider:network_type': 'vxlan', 'provider:segmentation_id': '77' },
          { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 0 },
        ],
      }),
      [
        { network_type: 'vxlan', physical_network: null, segmentation_id: 77 },
        { network_type: 'vlan', physical_network: 'physnet1', segmentation_id: null },
      ],
    )
    assert.deepEqual(await failure(() => extractSegments({ segments: [{ 'provider:network_type': 'vxlan', bogus: 1 }] })), [
      'HTTPBadRequest',
      "Unrecognized attribute(s) 'bogus'",
    ])
    assert.deepEqual(
      await failure(() => extractSegments({ 'provider:network_type': 'vxlan', segments: [{ 'provider:network_type': 'vxlan' }] })),
      ['SegmentsSetInConjunctionWithProviders', 'Segments and provider values cannot both be set.'],
    )
  })

  it('duplicate check ignores partial segments', async () => {
    const full = { network_type: 'vlan', physical_network: 'p', segmentation_id: 5 }
    const partial = { network_type: 'vxlan', physical_network: null, segmentation_id: null }
    const isPartial = (s: any) => s.segmentation_id === null
    checkDuplicateSegments([partial, partial, full], isPartial)
    assert.deepEqual(await failure(() => checkDuplicateSegments([full, { ...full }], isPartial)), [
      'SegmentsContainDuplicateEntry',
      'Duplicate segment entry in request.',
    ])
  })

  it('GET view: none → null provider attrs, one → provider:*, several → segments', () => {
    assert.deepEqual(segmentsToApi([]), {
      'provider:network_type': null,
      'provider:physical_network': null,
      'provider:segmentation_id': null,
    })
    const a = { network_type: 'vxlan', physical_network: null, segmentation_id: 9, id: 'x', mtu: 1450 }
    const b = { network_type: 'vlan', physical_network: 'p', segmentation_id: 5 }
    assert.deepEqual(segmentsToApi([a]), {
      'provider:network_type': 'vxlan',
      'provider:physical_network': null,
      'provider:segmentation_id': 9,
    })
    assert.deepEqual(segmentsToApi([a, b]), {
      segments: [
        { 'provider:network_type': 'vxlan', 'provider:physical_network': null, 'provider:segmentation_id': 9 },
        { 'provider:network_type': 'vlan', 'provider:physical_network': 'p', 'provider:segmentation_id': 5 },
      ],
    })
  })

  it('list filters match any segment', () => {
    const segs = [
      { network_type: 'vxlan', physical_network: null, segmentation_id: 9 },
      { network_type: 'vlan', physical_network: 'p', segmentation_id: 5 },
    ]
    assert.equal(segmentsMatchFilters(segs, { 'provider:network_type': ['vlan'], 'provider:segmentation_id': ['5'] }), true)
    assert.equal(segmentsMatchFilters(segs, { 'provider:network_type': ['vlan'], 'provider:segmentation_id': ['9'] }), false)
    assert.equal(segmentsMatchFilters(segs, {}), true)
    assert.equal(segmentsMatchFilters([], { 'provider:network_type': ['flat'] }), true)
  })
})
