/**
 * Install attribution `GET /v1/installInfo` (spec §7.10): no Basic auth (spec §2.1) — the
 * workspace is named by `appId` (camelCase) and authenticated by `appAttributionKey`, the
 * workspace's attribution key (setting `attributionKey`), compared in constant time; `src` names
 * the attribution partner. The device is looked up by `advertising_id` (GAID) or `idfv` when the
 * request arrives; an `install` record then gives its user the install's `publisher_name` and
 * `campaign_name` (create-only, spec §8.1). Without a matching device the request still answers
 * 200 (MoEngage answers accepted data with 200) and the record is kept as skipped with the reason.
 * Like every Data API route it is shed under overload first, and a wrong attribution key counts
 * as a failed authentication of the client's address (http/auth-failures.ts), whose block it obeys.
 */
import type { ParsedRecord } from '../../../core/records.js'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { AppError } from '../../../core/errors.js'
import type { Ingest } from '../../../ingest/accept.js'
import type { InstallPayload } from '../../../core/records.js'
import type { Store } from '../../../store/store.js'
import { readSettings } from '../../../workspaces/settings.js'
import type { AuthFailureLimiter } from '../../../http/auth-failures.js'
import type { RouteConfig } from '../../../http/error-handler.js'
import { assertServing } from '../../../http/gateway.js'
import { ACCEPTED_SCHEMA, acceptedBody } from '../../../http/route.js'

const REQUIRED = ['appId', 'appAttributionKey', 'src'] as const
const OPTIONAL = ['campaign_name', 'publisher_name', 'advertising_id', 'idfv'] as const

const digest = (v: string): Buffer => createHash('sha256').update(v).digest()

function keyMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

export function installInfoRoutes(
  app: FastifyInstance,
  deps: Readonly<{
    store: Store
    ingest: Ingest
    isClosing: () => boolean
    /** Blocks addresses after repeated failed authentications (a wrong attribution key counts). */
    authFailures: AuthFailureLimiter
    /** Load shedding (load-shedding.ts shedHook), before anything else. */
    shed: onRequestHookHandler
  }>,
): void {
  const config: RouteConfig = { family: 'data' }
  app.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/v1/installInfo',
    config,
    handler: (_request, reply) => {
      void reply.header('allow', 'GET')
      throw new AppError('method_not_allowed')
    },
  })
  app.get(
    '/v1/installInfo',
    { schema: { response: { 200: ACCEPTED_SCHEMA } }, onRequest: deps.shed },
    async (request: FastifyRequest) => {
      if (deps.isClosing()) throw new AppError('service_unavailable')
      deps.authFailures.check(request)
      try {
        return await installInfo(request)
      } catch (err) {
        deps.authFailures.observe(request, err)
        throw err
      }
    },
  )

  async function installInfo(request: FastifyRequest) {
    const query = request.query as Record<string, string | string[] | undefined> // parsed query
    const one = (key: string): string | undefined => {
      const v = query[key]
      const s = Array.isArray(v) ? v[0] : v
      return s === undefined || s === '' ? undefined : s
    }
    const given: Record<string, string> = {}
    for (const key of REQUIRED) {
      const v = one(key)
      if (v === undefined) throw new AppError('install_param_missing', { params: { key } })
      given[key] = v
    }
    const workspace = await deps.store.workspaces.get(given['appId'] ?? '')
    if (workspace === undefined) throw new AppError('invalid_app_id')
    const expected = readSettings(workspace.settings).attributionKey
    if (expected === undefined) throw new AppError('attribution_key_not_set')
    if (!keyMatches(given['appAttributionKey'] ?? '', expected)) {
      throw new AppError('attribution_key_mismatch')
    }
    assertServing(workspace)
    const payload: Omit<InstallPayload, 'user_id'> = { src: given['src'] ?? '' }
    for (const key of OPTIONAL) {
      const v = one(key)
      if (v !== undefined) payload[key] = v
    }
    const devices = [
      ...(payload.advertising_id === undefined
        ? []
        : [{ key: 'moe_gaid', value: payload.advertising_id }]),
      ...(payload.idfv === undefined ? [] : [{ key: 'idfv', value: payload.idfv }]),
    ]
    const [user] =
      devices.length === 0
        ? []
        : await deps.store.profiles.matchUsers(workspace.id, {
            customerIds: [],
            userIds: [],
            userAttributes: [],
            deviceAttributes: devices,
          })
    const record: ParsedRecord =
      user === undefined
        ? {
            kind: 'invalid',
            customerId: null,
            payload: {
              code: 'install_device_not_found',
              reason:
                devices.length === 0
                  ? 'no advertising_id or idfv was given, so no device could be attributed (spec §7.10)'
                  : 'no device has this advertising_id / idfv; nothing was attributed (spec §7.10)',
              element: payload,
            },
          }
        : { kind: 'install', customerId: null, payload: { ...payload, user_id: user.id } }
    await deps.ingest.accept(
      { workspaceId: workspace.id, requestId: request.id, api: 'inlet' },
      [record],
    )
    return acceptedBody(request.id)
  }
}
