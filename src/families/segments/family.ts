/**
 * The segments family (Segments v3, moengage-other-apis.md §2.1): filter segments at
 * `/v3/custom-segments` — List, Create, Get by ID, Update — over the segment engine (segments/)
 * and the store's custom-segment repository, and Inlet's member reads (`/users` paged or exported
 * as CSV or JSON lines, `/count`). Basic auth with the Data key and a required `MOE-APPKEY`
 * (http/auth.ts SEGMENTS_AUTH); failures in E2 (`{response_id, type:"custom_segment", error:
 * {code, message}}`) with the catalogue's `segments` strings; the quotas of quotas.ts, with no
 * rate-limit headers. docs/segments.md describes the API, its limits and its extensions.
 */
import type { FastifyInstance } from 'fastify'
import { SEGMENTS_AUTH, SEGMENTS_READ_AUTH } from '../../http/auth.js'
import { resourceEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { guardedScope } from '../../http/family-route.js'
import { SEGMENT_QUOTAS } from './quotas.js'
import { RESOURCE, segmentReadRoutes, segmentWriteRoutes } from './routes/custom-segments.js'
import { memberRoutes } from './routes/members.js'

export const segmentsEnvelope = resourceEnvelope(RESOURCE)

export const segmentsFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock } = platform
  const deps = {
    store,
    clock,
    ids: platform.ids,
    quotas: platform.governance.scope(SEGMENT_QUOTAS),
    bodyLimitBytes: platform.config.bodyLimitBytes,
  }
  return {
    name: 'segments',
    envelope: segmentsEnvelope,
    register: async (app: FastifyInstance) => {
      const guard = {
        shed: platform.shed,
        auth: authDepsOf(platform),
        rateLimitHeaders: 'none',
      } as const
      await guardedScope(app, { ...guard, variant: SEGMENTS_READ_AUTH }, (api) => {
        segmentReadRoutes(api, deps)
        memberRoutes(app, api, deps)
      })
      await guardedScope(app, { ...guard, variant: SEGMENTS_AUTH }, (api) => {
        segmentWriteRoutes(app, api, deps)
      })
    },
  }
}
