/**
 * The dashboard's workspace page: the workspace's settings and quotas (the admin API's view,
 * workspaces/changes.ts), the ingestion lag, records per minute accepted and refused per Data API
 * endpoint over the last hour or day (meter.ts), and — for operators only — rotating the Data API
 * key, which ends the workspace's dashboard sessions.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../core/errors.js'
import type { Processor } from '../../../processor/processor.js'
import { WorkspaceInputError, workspaceView } from '../../../workspaces/changes.js'
import type { Workspaces } from '../../../workspaces/workspaces.js'
import type { TrafficMeter } from '../meter.js'
import type { Sessions } from '../sessions.js'
import { API_PREFIX, CONFIG, sessionOf, workspaceOf } from '../session-routes.js'
import { oneOfParam } from '../paging.js'

export function workspaceRoutes(
  api: FastifyInstance,
  deps: Readonly<{
    workspaces: Workspaces
    processor: Processor
    meter: TrafficMeter
    sessions: Sessions
  }>,
): void {
  api.get(`${API_PREFIX}/w/:ws/overview`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const span = oneOfParam(request.query, 'span', ['hour', 'day'] as const) ?? 'hour'
    const lag = await deps.processor.lag()
    return {
      workspace: workspaceView(ws),
      lag: { records: lag.records, oldest_ms: lag.oldestMs },
      span,
      traffic: await deps.meter.series(ws.id, span === 'hour' ? 60 : 24 * 60),
      operator: sessionOf(request).principal.kind === 'operator',
    }
  })

  api.post(`${API_PREFIX}/w/:ws/key/rotate`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    if (sessionOf(request).principal.kind !== 'operator') {
      throw new AppError('dashboard_operator_only')
    }
    const body = (request.body ?? {}) as Record<string, unknown> // json-body.ts: an object
    const grace = body['grace_seconds']
    if (grace !== undefined && typeof grace !== 'number') {
      throw new AppError('dashboard_invalid_input', {
        params: { detail: 'grace_seconds should be a whole number', attribute: 'grace_seconds' },
      })
    }
    try {
      // Always generated here (the dashboard takes no key), so shown once.
      const { workspace, dataApiKey } = await deps.workspaces.rotateKey(ws.id, {
        ...(grace === undefined ? {} : { graceSeconds: grace }),
      })
      await deps.sessions.endWorkspace(ws.id)
      return { workspace: workspaceView(workspace), data_api_key: dataApiKey }
    } catch (err) {
      if (err instanceof WorkspaceInputError) {
        throw new AppError('dashboard_invalid_input', {
          params: { detail: err.message, attribute: err.attribute },
        })
      }
      throw err
    }
  })
}
