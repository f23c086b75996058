/**
 * The consent family (moengage-other-apis.md §2.10): Subscription categories
 * (`/v1/category-subscription/user-preferences`: GET, PUT, bulk POST), Email opt-in management
 * (`PUT /v1.0/opt-in-management/user-preferences`) and Bulk resubscribe
 * (`POST /emails/v1.0/bulk-resubscribe`), over the store's consent repository. Basic auth with
 * the Data key and a required `MOE-APPKEY` (http/auth.ts CONSENT_AUTH); each endpoint group
 * answers failures in its own page's envelope (http/envelopes.ts: E3, E4 with one detail object,
 * E12) with the catalogue's `consent` strings; the quotas of quotas.ts, with no rate-limit headers.
 * The workspace's categories are defined through the admin API and CLI
 * (workspaces/subscription-categories.ts).
 */
import type { FastifyInstance } from 'fastify'
import { CONSENT_AUTH, CONSENT_READ_AUTH } from '../../http/auth.js'
import { installAuth } from '../../http/auth-hooks.js'
import { byEndpoint, errCodeEnvelope, optInEnvelope, titleEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import { installRateLimitHeaders } from '../../http/rate-limit-headers.js'
import { createLinkTokens } from '../../workspaces/link-tokens.js'
import { linkIdReader } from './link-ids.js'
import { CONSENT_QUOTAS } from './quotas.js'
import { categoryReadRoutes, categoryWriteRoutes } from './routes/categories.js'
import { optInRoutes } from './routes/opt-in.js'
import { resubscribeRoutes } from './routes/resubscribe.js'

export const consentEnvelope = byEndpoint(titleEnvelope, {
  optin: optInEnvelope,
  resubscribe: errCodeEnvelope,
})

export const consentFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock, cache, authFailures, shed, isClosing } = platform
  const authDeps = { store, isClosing, clock, cache, authFailures }
  const quotas = platform.governance.scope(CONSENT_QUOTAS)
  const linkIds = linkIdReader({ store, tokens: createLinkTokens(platform.secrets), clock })
  const deps = { store, clock, quotas, linkIds, bodyLimitBytes: platform.config.bodyLimitBytes }
  return {
    name: 'consent',
    envelope: consentEnvelope,
    register: async (app: FastifyInstance) => {
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, authDeps, CONSENT_READ_AUTH)
        installRateLimitHeaders(api, 'none')
        categoryReadRoutes(api, deps)
        done()
      })
      await app.register((api, _opts, done) => {
        api.addHook('onRequest', shed)
        installAuth(api, authDeps, CONSENT_AUTH)
        installRateLimitHeaders(api, 'none')
        categoryWriteRoutes(app, api, deps)
        optInRoutes(app, api, deps)
        resubscribeRoutes(app, api, deps)
        done()
      })
    },
  }
}
