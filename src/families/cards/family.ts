/**
 * The Cards family (moengage-other-apis.md §2.9; moengage-cards-openapi.yml): `POST
 * /v1/cards/fetch?page=&limit=` (incremental sync: the cards changed since `last_updated_time` or
 * not among `prev_sync_card_ids`, and the ids deleted since) and `DELETE /v1/cards/delete` (a JSON
 * body), answered from the per-user inboxes that card campaign sends fill (inbox/card-sends.ts;
 * campaigns through the admin API and CLI); and Inlet's `POST /inlet/v1/cards/activity`, what the
 * SDK reports of a card (clicked, seen). Basic auth with the workspace's `reports` key and a
 * required `MOE-APPKEY` (http/auth.ts CARDS_AUTH); failures in Cards' envelope
 * (http/envelopes.ts cardsEnvelope) with the catalogue's `cards` strings; 50K RPM per workspace
 * (quotas.ts) with the `x-ratelimit-*` headers. Other methods on the paths answer a JSON 405.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../core/errors.js'
import { CARDS_AUTH } from '../../http/auth.js'
import { cardsEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import {
  familyRoute,
  guardedScope,
  otherMethodsRoute,
  platformGuard,
} from '../../http/family-route.js'
import { bodyOf } from '../../http/route.js'
import { parseActivity, parseDelete, parseFetch } from './bodies/cards-body.js'
import { deleteCards, fetchCards, recordActivity } from './inbox.js'
import { CARDS_QUOTAS } from './quotas.js'

export const FETCH_URL = '/v1/cards/fetch'
export const DELETE_URL = '/v1/cards/delete'
export const ACTIVITY_URL = '/inlet/v1/cards/activity'

/** The JSON body; a DELETE sent without one is an empty body. */
function bodyOrEmpty(request: FastifyRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === null) throw new AppError('empty_body')
  return bodyOf(request)
}

export const cardsFamily: FamilyModule = (platform): ApiFamily => {
  const deps = { store: platform.store, clock: platform.clock }
  const quotas = platform.governance.scope(CARDS_QUOTAS)
  const place = (url: string) => ({ family: 'cards', endpoint: 'cards', url }) as const
  const limit = platform.config.bodyLimitBytes
  return {
    name: 'cards',
    envelope: cardsEnvelope,
    register: async (app: FastifyInstance) => {
      await guardedScope(app, platformGuard(platform, CARDS_AUTH, 'x-ratelimit'), (api) => {
        familyRoute(api, quotas, {
          ...place(FETCH_URL),
          method: 'POST',
          quota: 'cards_fetch',
          bodyLimitBytes: limit,
          handler: async (request, workspace) => {
            const query = request.query as Readonly<Record<string, unknown>> // Fastify's parsed query
            const parsed = parseFetch(bodyOf(request), query)
            const data = await fetchCards(deps, workspace.id, parsed)
            return { status: true, request_id: request.id, data }
          },
        })
        familyRoute(api, quotas, {
          ...place(DELETE_URL),
          method: 'DELETE',
          quota: 'cards_delete',
          bodyLimitBytes: limit,
          handler: async (request, workspace) => {
            const parsed = parseDelete(bodyOrEmpty(request))
            const data = await deleteCards(deps, workspace.id, parsed)
            return { status: true, request_id: request.id, data }
          },
        })
        familyRoute(api, quotas, {
          ...place(ACTIVITY_URL),
          method: 'POST',
          quota: 'cards_fetch',
          bodyLimitBytes: limit,
          handler: async (request, workspace) => {
            await recordActivity(deps, workspace.id, parseActivity(bodyOf(request)))
            return { status: true, request_id: request.id }
          },
        })
      })
      otherMethodsRoute(app, place(FETCH_URL), ['POST'])
      otherMethodsRoute(app, place(DELETE_URL), ['DELETE'])
      otherMethodsRoute(app, place(ACTIVITY_URL), ['POST'])
    },
  }
}
