/**
 * The dashboard family (Inlet's web console, docs/dashboard.md): the built front end under
 * /dashboard (assets.ts) and its JSON API under /dashboard/api/ behind session sign-in
 * (session-routes.ts): users and profiles, requests and rejected records, the live stream, the
 * segments, the outbox, Push sends and live-activity campaigns (routes/campaigns.ts), file
 * imports and their runs (routes/file-imports.ts), the workspace page. Answers errors in its own
 * envelope, `{"error":{"code","message","details","request_id"}}` (E4), with its own catalogue
 * entries (`dashboard_*`).
 */
import type { FastifyInstance } from 'fastify'
import { detailedEnvelope } from '../../http/envelopes.js'
import type { FamilyModule } from '../../http/family.js'
import { createWorkspaces } from '../../workspaces/workspaces.js'
import { DEFAULT_ASSETS_DIR, assetRoutes } from './assets.js'
import { liveRoutes } from './live.js'
import { createTrafficMeter } from './meter.js'
import { activityRoutes } from './routes/activity.js'
import { campaignRoutes } from './routes/campaigns.js'
import { fileImportRoutes } from './routes/file-imports.js'
import { outboxRoutes } from './routes/outbox.js'
import { segmentRoutes } from './routes/segments.js'
import { userRoutes } from './routes/users.js'
import { workspaceRoutes } from './routes/workspace.js'
import { sessionRoutes } from './session-routes.js'
import { createSessions } from './sessions.js'

export const dashboardFamily: FamilyModule = (platform) => {
  const { store, clock } = platform
  const sessions = createSessions(store, clock)
  const meter = createTrafficMeter(store, clock, platform.refusals)
  const workspaces = createWorkspaces({ store, clock, ids: platform.ids })
  return {
    name: 'dashboard',
    envelope: detailedEnvelope,
    register: async (app: FastifyInstance) => {
      assetRoutes(app, DEFAULT_ASSETS_DIR)
      await app.register((api, _opts, done) => {
        sessionRoutes(api, {
          store,
          sessions,
          clock,
          authFailures: platform.authFailures,
          adminToken: platform.config.adminToken,
          secureCookie: platform.config.dashboardSecureCookie,
        })
        userRoutes(api, { store, ingest: platform.ingest, clock })
        activityRoutes(api, { store })
        segmentRoutes(api, { store, clock })
        campaignRoutes(api, { store, clock })
        fileImportRoutes(api, { store })
        workspaceRoutes(api, { workspaces, processor: platform.processor, meter, sessions })
        const live = liveRoutes(api, { store, sessions })
        const outbox = outboxRoutes(api, { store, sessions })
        api.addHook('preClose', (next) => {
          live.closeAll()
          outbox.closeAll()
          next()
        })
        done()
      })
    },
  }
}
