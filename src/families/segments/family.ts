/**
 * The segments family (moengage-other-apis.md §2.1, §2.2): filter segments at
 * `/v3/custom-segments` — List, Create, Get by ID, Update — over the segment engine (segments/)
 * and the store's custom-segment repository; Inlet's member reads (`/users` paged or exported
 * as CSV or JSON lines, `/count`); file segments and archiving (Segments v2,
 * `/v2/custom-segments/…`, imports run by file-imports.ts) and Cohort Sync
 * (`/v1/integrations/cohortsync`), whose members are stored lists (store `segmentLists`). Basic
 * auth with the Data key (http/auth.ts: SEGMENTS_AUTH, FILE_SEGMENTS_AUTH, COHORT_SYNC_AUTH);
 * failures in E2 (`{response_id, type:"custom_segment", error:{code, message}}`), E3 for v2 and
 * E1 for Cohort Sync, with the catalogue's `segments` strings; the quotas of quotas.ts, with no
 * rate-limit headers. docs/segments.md describes the API, its limits and its extensions.
 */
import type { FastifyInstance } from 'fastify'
import {
  COHORT_SYNC_AUTH,
  FILE_SEGMENTS_AUTH,
  SEGMENTS_AUTH,
  SEGMENTS_READ_AUTH,
} from '../../http/auth.js'
import { byEndpoint, dataEnvelope, resourceEnvelope, titleEnvelope } from '../../http/envelopes.js'
import { authDepsOf, type ApiFamily, type FamilyModule } from '../../http/family.js'
import { guardedScope } from '../../http/family-route.js'
import { SEGMENT_QUOTAS } from './quotas.js'
import { RESOURCE, segmentReadRoutes, segmentWriteRoutes } from './routes/custom-segments.js'
import { cohortRoutes } from './routes/cohorts.js'
import { fileSegmentRoutes } from './routes/file-segments.js'
import { memberRoutes } from './routes/members.js'

export const segmentsEnvelope = byEndpoint(resourceEnvelope(RESOURCE), {
  file_segments: titleEnvelope,
  cohort_sync: dataEnvelope,
})

export const segmentsFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock } = platform
  const deps = {
    store,
    clock,
    ids: platform.ids,
    quotas: platform.governance.scope(SEGMENT_QUOTAS),
    bodyLimitBytes: platform.config.bodyLimitBytes,
    files: platform.config.segmentFiles,
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
      await guardedScope(app, { ...guard, variant: FILE_SEGMENTS_AUTH }, (api) => {
        fileSegmentRoutes(app, api, deps)
      })
      await guardedScope(app, { ...guard, variant: COHORT_SYNC_AUTH }, (api) => {
        cohortRoutes(app, api, deps)
      })
    },
  }
}
