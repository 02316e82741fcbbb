/**
 * Transact operations (RFC 7047 §5.2) and conditions (§5.1), as plain data. Builders return
 * operations; `OvsdbClient.transact(db, ops)` runs them (libovsdb's habit: compute, then send).
 * Values here are wire values; use schema.rowToWire / valueToWire for plain ones.
 */
import { isUuidString, type WireRow, type WireValue } from './notation.js'

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes'
/** `[column, function, value]`; OVS also accepts the literal `true` / `false`. */
export type Condition = [string, ConditionFunction, WireValue] | boolean
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete'
export type Mutation = [string, Mutator, WireValue]

export interface InsertOp { op: 'insert'; table: string; row: WireRow; 'uuid-name'?: string; uuid?: string }
export interface SelectOp { op: 'select'; table: string; where: Condition[]; columns?: string[] }
export interface UpdateOp { op: 'update'; table: string; where: Condition[]; row: WireRow }
export interface MutateOp { op: 'mutate'; table: string; where: Condition[]; mutations: Mutation[] }
export interface DeleteOp { op: 'delete'; table: string; where: Condition[] }
export interface WaitOp {
  op: 'wait'
  table: string
  where: Condition[]
  columns: string[]
  until: '==' | '!='
  rows: WireRow[]
  timeout?: number
}
export interface CommitOp { op: 'commit'; durable: boolean }
export interface AbortOp { op: 'abort' }
export interface CommentOp { op: 'comment'; comment: string }
export interface AssertOp { op: 'assert'; lock: string }
export type Operation = InsertOp | SelectOp | UpdateOp | MutateOp | DeleteOp | WaitOp | CommitOp | AbortOp | CommentOp | AssertOp

/** Results per operation (§5.2); OVS returns `{}` for wait/commit/comment/assert. */
export interface OperationResult {
  uuid?: ['uuid', string]
  rows?: Record<string, unknown>[]
  count?: number
  error?: string
  details?: string
}

export const op = {
  insert(table: string, row: WireRow, uuidName?: string): InsertOp {
    return uuidName ? { op: 'insert', table, row, 'uuid-name': uuidName } : { op: 'insert', table, row }
  },
  select(table: string, where: Condition[] = [], columns?: string[]): SelectOp {
    return columns ? { op: 'select', table, where, columns } : { op: 'select', table, where }
  },
  update(table: string, where: Condition[], row: WireRow): UpdateOp {
    return { op: 'update', table, where, row }
  },
  mutate(table: string, where: Condition[], mutations: Mutation[]): MutateOp {
    return { op: 'mutate', table, where, mutations }
  },
  delete(table: string, where: Condition[]): DeleteOp {
    return { op: 'delete', table, where }
  },
  wait(table: string, where: Condition[], columns: string[], rows: WireRow[], until: '==' | '!=' = '==', timeout?: number): WaitOp {
    const w: WaitOp = { op: 'wait', table, where, columns, until, rows }
    if (timeout !== undefined) w.timeout = timeout
    return w
  },
  commit(durable = false): CommitOp {
    return { op: 'commit', durable }
  },
  abort(): AbortOp {
    return { op: 'abort' }
  },
  comment(comment: string): CommentOp {
    return { op: 'comment', comment }
  },
  assert(lock: string): AssertOp {
    return { op: 'assert', lock }
  },
}

/** Condition helpers: `where.uuid(id)`, `where.eq('name', 'br0')`. */
export const where = {
  /** `_uuid == id`; an id that is not a UUID is a uuid-name of this transaction. */
  uuid(id: string): Condition {
    return ['_uuid', '==', isUuidString(id) ? ['uuid', id] : ['named-uuid', id]]
  },
  eq(column: string, value: WireValue): Condition {
    return [column, '==', value]
  },
  cond(column: string, fn: ConditionFunction, value: WireValue): Condition {
    return [column, fn, value]
  },
}
