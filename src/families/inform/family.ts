/**
 * The Inform family (moengage-other-apis.md §2.8, issue 21): transactional alerts, `POST
 * /v1.0/alerts/send` and its sandbox (routes/send.ts), each message rendered from the workspace's
 * alert definitions (workspaces/inform-alerts.ts, defined through the admin API and CLI) and
 * recorded in the outbox before the 200 (send.ts). Basic auth with the workspace's Inform key
 * and a required `MOE-APPKEY` (http/auth.ts INFORM_AUTH); failures in Inform's envelope E8 with
 * the catalogue's `inform` strings; the 10K RPM quota of quotas.ts, with no rate-limit headers.
 */
import type { FastifyInstance } from 'fastify'
import { INFORM_AUTH } from '../../http/auth.js'
import { informEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { guardedScope } from '../../http/family-route.js'
import { INFORM_QUOTAS } from './quotas.js'
import { sendRoutes } from './routes/send.js'

export const informFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock } = platform
  const deps = {
    store,
    clock,
    ids: platform.ids,
    ingest: platform.ingest,
    quotas: platform.governance.scope(INFORM_QUOTAS),
    bodyLimitBytes: platform.config.bodyLimitBytes,
  }
  return {
    name: 'inform',
    envelope: informEnvelope,
    register: async (app: FastifyInstance) => {
      const guard = { shed: platform.shed, auth: authDepsOf(platform), variant: INFORM_AUTH }
      await guardedScope(app, { ...guard, rateLimitHeaders: 'none' }, (api) => {
        sendRoutes(app, api, deps)
      })
    },
  }
}
