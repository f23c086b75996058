/**
 * The Live Activities family (moengage-other-apis.md §2.8; moengage-live-activities-openapi.yml):
 * `POST /v1.0/live-activity/broadcast/start`, `…/update` and `…/end`, each recorded in the outbox
 * with its instance's change before the 200 `{"data":{"instance_id","message":"success"}}`
 * (broadcast.ts), for the workspace's live-activity campaigns (workspaces/live-activity-campaigns.ts,
 * defined through the admin API and CLI). Basic auth with the workspace's Push key and a required
 * `X-MOE-APPKEY` (http/auth.ts LIVE_ACTIVITY_AUTH); failures in the envelope E10 with the
 * catalogue's `live_activities` strings; the quotas of quotas.ts (a 429 is `[]`), no rate-limit
 * headers. Other methods on the paths answer a JSON 405.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../core/errors.js'
import { LIVE_ACTIVITY_AUTH } from '../../http/auth.js'
import { liveActivityEnvelope } from '../../http/envelopes.js'
import type { ApiFamily, FamilyModule } from '../../http/family.js'
import {
  familyRoute,
  guardedScope,
  otherMethodsRoute,
  platformGuard,
} from '../../http/family-route.js'
import { bodyOf } from '../../http/route.js'
import type { Workspace } from '../../store/store.js'
import { readDelivery } from '../../workspaces/delivery.js'
import { BROADCAST_ACTIONS, parseBroadcast } from './bodies/broadcast-body.js'
import { broadcast } from './broadcast.js'
import { LIVE_ACTIVITY_QUOTAS, PER_ACTIVITY_LIMIT } from './quotas.js'

export const BROADCAST_URL = '/v1.0/live-activity/broadcast'

export const liveActivitiesFamily: FamilyModule = (platform): ApiFamily => {
  const { store, clock, ids, governance } = platform
  const quotas = governance.scope(LIVE_ACTIVITY_QUOTAS)
  /** spec: "5 requests per minute per live activity ID", in the store's shared counts. */
  async function perActivity(workspace: Workspace, campaignId: string): Promise<void> {
    if (!governance.enabled) return
    const now = clock.now()
    const lease = await store.quotas.lease({
      workspaceId: workspace.id,
      quota: `live_activity:${campaignId}`,
      windowStart: now - (now % 60_000),
      limit: PER_ACTIVITY_LIMIT,
      need: 1,
      want: 1,
    })
    if (lease.granted === 0) throw new AppError('rate_limit_exceeded')
  }
  return {
    name: 'live_activities',
    envelope: liveActivityEnvelope,
    register: async (app: FastifyInstance) => {
      const guard = platformGuard(platform, LIVE_ACTIVITY_AUTH, 'none')
      await guardedScope(app, guard, (api) => {
        for (const action of BROADCAST_ACTIONS) {
          familyRoute(api, quotas, {
            family: 'live_activities',
            endpoint: 'live_activities',
            method: 'POST',
            url: `${BROADCAST_URL}/${action}`,
            quota: action === 'start' ? 'live_activity_start' : 'live_activity_change',
            bodyLimitBytes: platform.config.bodyLimitBytes,
            handler: async (request, workspace) => {
              const parsed = parseBroadcast(action, bodyOf(request))
              if (action !== 'start') await perActivity(workspace, parsed.campaignId)
              const { instanceId } = await broadcast(
                { store, clock, ids },
                {
                  workspaceId: workspace.id,
                  requestId: request.id,
                  delivery: readDelivery(workspace.settings),
                },
                action,
                parsed,
              )
              return { data: { instance_id: instanceId, message: 'success' } }
            },
          })
        }
      })
      for (const action of BROADCAST_ACTIONS) {
        const place = {
          family: 'live_activities',
          endpoint: 'live_activities',
          url: `${BROADCAST_URL}/${action}`,
        } as const
        otherMethodsRoute(app, place, ['POST'])
      }
    },
  }
}
