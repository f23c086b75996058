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
import { byEndpoint, errCodeEnvelope, optInEnvelope, titleEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { guardedScope } from '../../http/family-route.js'
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
  const { store, clock } = platform
  const quotas = platform.governance.scope(CONSENT_QUOTAS)
  const linkIds = linkIdReader({ store, tokens: createLinkTokens(platform.secrets), clock })
  const deps = { store, clock, quotas, linkIds, bodyLimitBytes: platform.config.bodyLimitBytes }
  return {
    name: 'consent',
    envelope: consentEnvelope,
    register: async (app: FastifyInstance) => {
      const guard = {
        shed: platform.shed,
        auth: authDepsOf(platform),
        rateLimitHeaders: 'none',
      } as const
      await guardedScope(app, { ...guard, variant: CONSENT_READ_AUTH }, (api) => {
        categoryReadRoutes(api, deps)
      })
      await guardedScope(app, { ...guard, variant: CONSENT_AUTH }, (api) => {
        categoryWriteRoutes(app, api, deps)
        optInRoutes(app, api, deps)
        resubscribeRoutes(app, api, deps)
      })
    },
  }
}
