/**
 * The Message Archival family (moengage-other-apis.md §2.9): `POST /v1/archival/view`, the copy of
 * a message sent to a user, answered from the outbox (view.ts) that the sending families write.
 * Basic auth with the Data key and a required `MOE-APPKEY` (http/auth.ts ARCHIVAL_AUTH); failures
 * in Archival's envelope (http/envelopes.ts archivalEnvelope) with the catalogue's `archival`
 * strings; the 1000 RPM quota of quotas.ts with the `x-ratelimit-*` headers.
 */
import type { FastifyInstance } from 'fastify'
import { ARCHIVAL_AUTH } from '../../http/auth.js'
import { archivalEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import {
  familyRoute,
  guardedScope,
  otherMethodsRoute,
  platformGuard,
} from '../../http/family-route.js'
import { bodyOf } from '../../http/route.js'
import { parseViewRequest } from './bodies/view-body.js'
import { ARCHIVAL_QUOTAS } from './quotas.js'
import { archivedView, findArchived } from './view.js'

export const VIEW_URL = '/v1/archival/view'

export const archivalFamily: FamilyModule = (platform): ApiFamily => {
  const { store } = platform
  const quotas = platform.governance.scope(ARCHIVAL_QUOTAS)
  const place = { family: 'archival', endpoint: 'archival', url: VIEW_URL } as const
  return {
    name: 'archival',
    envelope: archivalEnvelope,
    register: async (app: FastifyInstance) => {
      await guardedScope(app, platformGuard(platform, ARCHIVAL_AUTH, 'x-ratelimit'), (api) => {
        familyRoute(api, quotas, {
          ...place,
          method: 'POST',
          quota: 'archival_view',
          bodyLimitBytes: platform.config.bodyLimitBytes,
          handler: async (request, workspace) => {
            const view = parseViewRequest(bodyOf(request))
            const message = await findArchived(store, workspace.id, view)
            return { status: true, data: archivedView(message, view) }
          },
        })
      })
      otherMethodsRoute(app, place, ['POST'])
    },
  }
}
