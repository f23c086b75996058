/**
 * `GET /inlet/v1/requests/{request_id}` — an Inlet extension (MoEngage says "debug on the
 * dashboard"): every record of one accepted request with what became of it — pending, applied
 * (with notes on anything a rule dropped or trimmed), skipped with the rule that dropped it, or
 * dead. While the request is in the log (INLET_LOG_RETENTION_SECONDS) the answer also shows what
 * was sent; after that, only the records that did not apply cleanly are kept.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../../core/errors.js'
import type { Store } from '../../../store/store.js'
import { buildRequestReport } from '../../../http/request-report.js'
import { workspaceRowOf } from '../../../http/route.js'

export type { RecordReport, RequestReport } from '../../../http/request-report.js'

export function requestRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): void {
  api.get('/inlet/v1/requests/:request_id', async (request: FastifyRequest) => {
    const workspace = workspaceRowOf(request)
    const { request_id: requestId } = request.params as { request_id: string } // route param
    const [logged, outcomes, cursor] = await Promise.all([
      deps.store.log.recordsOfRequest(workspace.id, requestId),
      deps.store.profiles.outcomesOfRequest(workspace.id, requestId),
      deps.store.processing.cursor(),
    ])
    const report = buildRequestReport(requestId, logged, outcomes, cursor)
    if (report === undefined) {
      throw new AppError('request_not_found', { params: { request_id: requestId } })
    }
    return report
  })
}
