/**
 * Pure IP address management math for the Neutron-compatible API: no I/O, no database.
 * See docs/ipam.md for the semantics and the Neutron source each part follows.
 */
export * from './errors.js'
export * from './py-repr.js'
export * from './ip-address.js'
export * from './cidr.js'
export * from './ip-range.js'
export * from './pools.js'
export * from './availability.js'
export * from './mac.js'
export * from './eui64.js'
export * from './validators.js'
export * from './subnet-validation.js'
export * from './subnet-alloc.js'
