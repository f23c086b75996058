/**
 * The Push family (moengage-other-apis.md §2.8, issue 21): `POST /v2/transaction/sendpush` and
 * `/v2.1/transaction/sendpush` (routes/sendpush.ts), each campaign's audience expanded into the
 * outbox (send.ts), `later` and `periodic` campaigns by the scheduler (scheduler.ts, started by
 * the server). Push's signature auth (http/auth.ts PUSH_V2_AUTH in the body; v2.1 in headers),
 * failures in Push's envelope E9 with the catalogue's `push_v2` / `push_v2_1` strings; the 10K RPM
 * quota of quotas.ts, v2.1 with the `x-ratelimit-*` headers and, on its 429,
 * `x-envoy-ratelimited: true`.
 */
import type { FastifyInstance } from 'fastify'
import { PUSH_V2_AUTH } from '../../http/auth.js'
import { pushEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { guardedScope } from '../../http/family-route.js'
import { PUSH_QUOTAS } from './quotas.js'
import { sendPushRoute } from './routes/sendpush.js'

export const pushFamily: FamilyModule = (platform): ApiFamily => {
  const deps = {
    store: platform.store,
    clock: platform.clock,
    ids: platform.ids,
    ingest: platform.ingest,
    quotas: platform.governance.scope(PUSH_QUOTAS),
    bodyLimitBytes: platform.config.bodyLimitBytes,
  }
  const auth = { ...authDepsOf(platform), secrets: platform.secrets }
  return {
    name: 'push',
    envelope: pushEnvelope,
    register: async (app: FastifyInstance) => {
      await guardedScope(
        app,
        { shed: platform.shed, auth, variant: PUSH_V2_AUTH, rateLimitHeaders: 'none' },
        (api) => sendPushRoute(app, api, deps, 'v2'),
      )
      await guardedScope(
        app,
        {
          shed: platform.shed,
          auth,
          variant: { scheme: 'push-signature', source: 'headers' },
          rateLimitHeaders: 'x-ratelimit',
        },
        (api) => {
          api.addHook('onSend', (_request, reply, payload) => {
            if (reply.statusCode === 429) void reply.header('x-envoy-ratelimited', 'true')
            return Promise.resolve(payload)
          })
          sendPushRoute(app, api, deps, 'v2.1')
        },
      )
    },
  }
}
