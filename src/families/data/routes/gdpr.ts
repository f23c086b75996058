/**
 * GDPR / CCPA erasure `POST /v1/opengdpr_requests/{Workspace_ID}` (spec §7.12; also with
 * `?app_id=`): validates the body, logs one `gdpr_erasure` record (durable before the 200) under a
 * UUID request id, as documented, and answers the accepted envelope with that id. The processor
 * carries the erasure out in log order. Inlet's extension `GET /inlet/v1/gdpr/{request_id}` says
 * whether it is still pending or done, and what it erased.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import { AppError } from '../../../core/errors.js'
import type { GdprReport } from '../../../core/reports.js'
import type { Ingest } from '../../../ingest/accept.js'
import type { Store } from '../../../store/store.js'
import { parseGdprRequest } from '../bodies/gdpr-bodies.js'
import { ACCEPTED_SCHEMA, acceptedBody, bodyOf, dataRoute, workspaceRowOf } from '../../../http/route.js'

export type GdprRouteDeps = Readonly<{
  ingest: Ingest
  config: Config
  /** The request id of an accepted erasure (spec §7.12: a UUID); injectable for tests. */
  uuid?: () => string
}>

export function gdprRoutes(root: FastifyInstance, api: FastifyInstance, deps: GdprRouteDeps) {
  const uuid = deps.uuid ?? randomUUID
  for (const url of ['/v1/opengdpr_requests/:id', '/v1/opengdpr_requests']) {
    dataRoute(root, api, {
      url,
      endpoint: 'gdpr',
      bodyLimitBytes: deps.config.bodyLimitBytes,
      responseSchema: ACCEPTED_SCHEMA,
      handler: async (request: FastifyRequest) => {
        const workspace = workspaceRowOf(request)
        const payload = parseGdprRequest(bodyOf(request))
        const requestId = uuid()
        await deps.ingest.accept({ workspaceId: workspace.id, requestId, api: 'gdpr' }, [
          { kind: 'gdpr_erasure', customerId: null, payload },
        ])
        return acceptedBody(requestId)
      },
    })
  }
}

export type { GdprReport }

/** Inlet: GET /inlet/v1/gdpr/{request_id}, behind the Inlet gateway (same Basic credentials). */
export function gdprStatusRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): void {
  api.get('/inlet/v1/gdpr/:request_id', async (request: FastifyRequest): Promise<GdprReport> => {
    const workspace = workspaceRowOf(request)
    const { request_id: requestId } = request.params as { request_id: string } // route param
    const report = (state: GdprReport['state'], receivedAt: number): GdprReport => ({
      status: 'success',
      request_id: requestId,
      request_type: 'erasure',
      state,
      received_at: new Date(receivedAt).toISOString(),
    })
    const done = await deps.store.profiles.gdprRequest(workspace.id, requestId)
    if (done !== undefined) {
      return {
        ...report('done', done.receivedAt),
        completed_at: new Date(done.doneAt).toISOString(),
        erased: JSON.parse(done.counts) as Record<string, number>, // written by processor/erasure.ts
      }
    }
    const logged = await deps.store.log.recordsOfRequest(workspace.id, requestId)
    const record = logged.find((r) => r.kind === 'gdpr_erasure')
    if (record === undefined) {
      throw new AppError('gdpr_request_not_found', { params: { request_id: requestId } })
    }
    return report('pending', record.receivedAt)
  })
}
