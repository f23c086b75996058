/**
 * Test connection `POST /v1/integrations/authentication` (spec §7.11): checks that the endpoint,
 * the workspace and its Data API key go together, with the credentials in the body
 * (`app_id`, `app_secret`, `source`, `region`) and `MOE-APPKEY` naming the workspace. Basic auth is
 * not required (open question 17): this is what integration partners call before they have stored
 * the credentials. It answers `{"status":"success","app_name": <workspace name>}`.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import type { Store } from '../../../store/store.js'
import type { AuthFailureLimiter } from '../../../http/auth-failures.js'
import { keyAccepted } from '../../../http/gateway.js'
import { bodyOf } from '../../../http/route.js'

const FIELDS = ['app_id', 'app_secret', 'source', 'region'] as const

export function testConnectionRoutes(
  app: FastifyInstance,
  deps: Readonly<{
    store: Store
    clock: Clock
    authFailures?: AuthFailureLimiter
    /** Load shedding (load-shedding.ts shedHook), before anything else. */
    shed: onRequestHookHandler
  }>,
): void {
  app.post(
    '/v1/integrations/authentication',
    { onRequest: deps.shed },
    async (request: FastifyRequest) => {
      deps.authFailures?.check(request)
      try {
        return await testConnection(request)
      } catch (err) {
        deps.authFailures?.observe(request, err)
        throw err
      }
    },
  )

  async function testConnection(request: FastifyRequest) {
    const header = request.headers['moe-appkey']
    const appKey = Array.isArray(header) ? header[0] : header
    if (appKey === undefined || appKey === '') throw new AppError('moe_appkey_missing')
    const body = bodyOf(request)
    const values: Record<string, string> = {}
    for (const key of FIELDS) {
      const v = body[key]
      if (v === undefined || v === null) throw new AppError('field_missing', { params: { key } })
      if (typeof v !== 'string') {
        throw new AppError('attribute_type', {
          params: { key, datatype: 'String or Unicode String.' },
        })
      }
      values[key] = v
    }
    const appId = values['app_id'] ?? ''
    if (appKey !== appId) throw new AppError('moe_appkey_mismatch')
    const workspace = await deps.store.workspaces.get(appId)
    if (workspace === undefined) throw new AppError('auth_unknown_app_id')
    if (workspace.keyHash === null) throw new AppError('key_not_set')
    if (!keyAccepted(values['app_secret'] ?? '', workspace, deps.clock.now())) {
      throw new AppError('key_mismatch')
    }
    // the documented body plus request_id, like every other answer (spec §4.1)
    return { status: 'success', app_name: workspace.name, request_id: request.id }
  }
}
