/**
 * The RESTCONF data-change-event stream that networking-odl's OdlPortStatusUpdate subscribes to
 * when the controller advertises `operational-port-status` (odl-northbound.md §5): the
 * subscription RPC names a data path and returns a stream name; the stream's websocket carries
 * `data-changed-notification`s whose path names the port by `neutron:uuid` and whose data holds
 * `{"status": {"content": "ACTIVE"}}`.
 */

const PORTS_PATH = '/neutron:neutron/neutron:ports'
const WATCHABLE = new Set([PORTS_PATH])

/** The canonical data path for a subscription request's `input.path`, if it is one we serve. */
export function subscriptionPath(requested: string): string | undefined {
  const p = '/' + requested.replace(/^\/+|\/+$/g, '')
  return WATCHABLE.has(p) ? p : undefined
}

/** ODL's stream naming: `data-change-event-subscription/<path>/datastore=…/scope=…`. */
export function streamNameFor(path: string, input: Record<string, unknown>): string {
  const datastore = textOr(input['sal-remote-augment:datastore'], 'CONFIGURATION')
  const scope = textOr(input['sal-remote-augment:scope'], 'BASE')
  return `data-change-event-subscription${path}/datastore=${datastore}/scope=${scope}`
}

function textOr(v: unknown, fallback: string): string {
  return typeof v === 'string' && /^[A-Za-z_]+$/.test(v) ? v : fallback
}

/** One notification: the port's status changed. */
export function portStatusEvent(portId: string, status: string, now: Date): Record<string, unknown> {
  return {
    notification: {
      xmlns: 'urn:ietf:params:xml:ns:netconf:notification:1.0',
      'data-changed-notification': {
        xmlns: 'urn:opendaylight:params:xml:ns:yang:controller:md:sal:remote',
        'data-change-event': [{
          path: `${PORTS_PATH}/neutron:port[neutron:uuid='${portId}']/neutron:status`,
          operation: 'updated',
          data: { status: { xmlns: 'urn:opendaylight:neutron', content: status } },
        }],
      },
      eventTime: now.toISOString(),
    },
  }
}
