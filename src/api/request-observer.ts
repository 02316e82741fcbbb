/**
 * What happens around every request, whoever answers it (the API, /healthcheck, /metrics): the
 * INFO request log line (api/request-log.ts) and the request metrics (api/metrics.ts), both taken
 * when the response is done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '../common/log.js'
import type { ApiMetrics } from './metrics.js'
import { requestLogLine, watchHeaders } from './request-log.js'

export function requestObserver(o: { log: Logger; metrics?: ApiMetrics }): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint()
    const sent = watchHeaders(res)
    res.once('close', () => {
      o.metrics?.observe(req, res, started)
      o.log.info(requestLogLine(req, res, sent, Number(process.hrtime.bigint() - started) / 1e9))
    })
  }
}
