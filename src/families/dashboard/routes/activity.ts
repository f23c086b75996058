/**
 * The dashboard's view of what arrived: a workspace's recent requests (from the log), one request
 * record by record (what `GET /inlet/v1/requests/{request_id}` answers, http/request-report.ts),
 * and every skipped or dead record with the rule that kept it out, filterable by outcome and
 * reason.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../core/errors.js'
import { buildRequestReport } from '../../../http/request-report.js'
import type { Store } from '../../../store/store.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'
import { PAGE_SIZE, intParam, oneOfParam, param } from '../paging.js'

const iso = (ms: number): string => new Date(ms).toISOString()

export function activityRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): void {
  const { store } = deps
  api.get(`${API_PREFIX}/w/:ws/requests`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const before = intParam(request.query, 'before', 1, Number.MAX_SAFE_INTEGER)
    const limit = intParam(request.query, 'limit', 1, 200) ?? PAGE_SIZE
    const requests = await store.browse.recentRequests(ws.id, before, limit)
    const last = requests.at(-1)
    return {
      requests: requests.map((r) => ({
        request_id: r.requestId,
        received_at: iso(r.receivedAt),
        records: r.records,
        kinds: r.kinds,
      })),
      next_before: requests.length === limit && last !== undefined ? last.lastSeq : null,
    }
  })

  api.get(`${API_PREFIX}/w/:ws/requests/:request_id`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const { request_id: requestId } = request.params as { request_id: string } // route param
    const [logged, outcomes, cursor] = await Promise.all([
      store.log.recordsOfRequest(ws.id, requestId),
      store.profiles.outcomesOfRequest(ws.id, requestId),
      store.processing.cursor(),
    ])
    const report = buildRequestReport(requestId, logged, outcomes, cursor)
    if (report === undefined) {
      throw new AppError('dashboard_not_found', { params: { what: 'request', id: requestId } })
    }
    return report
  })

  api.get(`${API_PREFIX}/w/:ws/rejections`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const q = request.query
    const outcome = oneOfParam(q, 'outcome', ['skipped', 'dead'] as const)
    const reason = param(q, 'reason')?.trim()
    const before = intParam(q, 'before', 1, Number.MAX_SAFE_INTEGER)
    const limit = intParam(q, 'limit', 1, 200) ?? PAGE_SIZE
    const rows = await store.browse.rejections(ws.id, {
      ...(outcome === undefined ? {} : { outcome }),
      ...(reason === undefined || reason === '' ? {} : { reason }),
      ...(before === undefined ? {} : { beforeSeq: before }),
      limit,
    })
    const last = rows.at(-1)
    return {
      records: rows.map((r) => ({
        seq: r.seq,
        request_id: r.requestId,
        index: r.index,
        kind: r.kind,
        outcome: r.outcome,
        reason: r.reason,
        at: iso(r.at),
      })),
      next_before: rows.length === limit && last !== undefined ? last.seq : null,
    }
  })
}
