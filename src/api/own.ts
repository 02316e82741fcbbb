/**
 * Lookups keyed by client input. `obj[key]` and `key in obj` walk Object.prototype, so a client
 * naming `constructor`, `toString` or `__proto__` finds a function nobody declared (a 500, or an
 * attribute silently accepted and dropped). Every table the API consults with a name from the
 * request — attribute maps, member actions, method tables, `fields=` — goes through these.
 */

/** The table's own entry for `key`, or undefined. */
export function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined
}

/** Whether `key` is the table's own entry. */
export function hasOwn(table: object, key: string): boolean {
  return Object.hasOwn(table, key)
}
