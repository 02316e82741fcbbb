/**
 * The one error the dataplane compute raises: the desired state is inconsistent (a port on an
 * unknown network, a duplicate network tag, an address that does not parse …). The message
 * names the object and the field; `code` is the stable wire name the controller logs and
 * reports. Nothing is computed for a state that fails validation, so nothing is lost.
 */
export class DataplaneStateError extends Error {
  readonly code = 'DataplaneStateInvalid'
  constructor(
    readonly objectKind: string,
    readonly objectId: string,
    detail: string,
  ) {
    super(`Invalid dataplane state: ${objectKind} ${objectId}: ${detail}`)
    this.name = 'DataplaneStateError'
  }
}
