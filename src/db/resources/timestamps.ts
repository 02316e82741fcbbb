/** Neutron's timestamp format: second precision, `Z` suffix (standard-attr-timestamp). */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
