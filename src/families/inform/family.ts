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
import { installAuth } from '../../http/auth-hooks.js'
import { informEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import { installRateLimitHeaders } from '../../http/rate-limit-headers.js'
import { INFORM_QUOTAS } from './quotas.js'
import { sendRoutes } from './routes/send.js'

export const informFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock, cache, authFailures, shed, isClosing } = platform
  const authDeps = { store, isClosing, clock, cache, authFailures }
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
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, authDeps, INFORM_AUTH)
        installRateLimitHeaders(api, 'none')
        sendRoutes(app, api, deps)
        done()
      })
    },
  }
}
