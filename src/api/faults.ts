/**
 * Exceptions → HTTP (neutron/api/v2/resource.py + api_common.convert_exception_to_http_exc).
 * A known exception keeps its wire type and message; a MechanismDriverError is unwrapped (inner
 * errors with one status → their messages joined; mixed → 409); anything else is a 500 whose body
 * never shows internals (the full error goes to the log only).
 */
import {
  Conflict,
  HTTPError,
  InUse,
  MechanismDriverError,
  NeutronException,
  NotAuthorized,
  NotFound,
  RetryRequest,
  ServiceUnavailable,
} from '../common/exceptions.js'
import { IpamValidationError } from '../ipam/errors.js'

export interface NeutronErrorBody {
  NeutronError: { type: string; message: string; detail: string }
}

export const FAULT_MAP: ReadonlyArray<readonly [abstract new (...a: any[]) => NeutronException, number]> = [
  [NotFound, 404],
  [Conflict, 409],
  [InUse, 409],
  [NotAuthorized, 403],
  [ServiceUnavailable, 503],
]

const INTERNAL = 'Request Failed: internal server error while processing your request.'

function body(type: string, message: string, detail = ''): NeutronErrorBody {
  return { NeutronError: { type, message, detail } }
}

/** Status of a Neutron exception; `undefined` for something that is not ours (→ 500). */
export function statusOf(e: unknown): number | undefined {
  if (e instanceof HTTPError) return e.status
  if (e instanceof IpamValidationError) return e.status
  if (e instanceof MechanismDriverError) return undefined
  if (e instanceof NeutronException) {
    for (const [cls, status] of FAULT_MAP) if (e instanceof cls) return status
    // BadRequest, InvalidInput and the remaining validation errors are 400s in Neutron.
    return e.type === 'MechanismDriverError' ? 500 : 400
  }
  return undefined
}

export function toNeutronError(e: unknown): { status: number; body: NeutronErrorBody; internal: boolean } {
  if (e instanceof MechanismDriverError) {
    const inner = e.errors.map((x) => ({ e: x, status: statusOf(x) }))
    const known = inner.filter((x) => x.status !== undefined)
    if (inner.length && known.length === inner.length) {
      const statuses = new Set(known.map((x) => x.status))
      const msgs = known.map((x) => (x.e as Error).message).join('\n')
      if (statuses.size === 1) {
        const first = known[0]!.e as NeutronException | IpamValidationError
        return { status: known[0]!.status!, body: body(known.length === 1 ? first.type : e.type, msgs), internal: false }
      }
      return { status: 409, body: body(e.type, msgs), internal: false }
    }
    return { status: 500, body: body(e.type, e.message), internal: true }
  }
  if (e instanceof IpamValidationError) return { status: e.status, body: body(e.type, e.message), internal: false }
  if (e instanceof RetryRequest) {
    if (e.inner) return toNeutronError(e.inner)
    // Retries exhausted: the request lost every race. Tell the client to try again.
    return { status: 409, body: body('Conflict', 'The request could not be completed because of concurrent changes; retry it.'), internal: true }
  }
  const status = statusOf(e)
  if (status !== undefined) {
    const ne = e as NeutronException
    return { status, body: body(ne.type, ne.message, ne.detail), internal: false }
  }
  return { status: 500, body: body('HTTPInternalServerError', INTERNAL), internal: true }
}
