/**
 * The admin API family (Inlet's own, `/inlet/v1/admin/…`): workspaces, their states, settings,
 * Data and feature-scoped keys, suppression lists, subscription categories, Inform alerts, live-activity and card campaigns, behind `INLET_ADMIN_TOKEN`; off (its paths
 * 404) without one. Its own catalogue entries (`admin_*`) in the Data API's envelope (E1).
 */
import { dataEnvelope } from '../../http/envelopes.js'
import type { FamilyModule } from '../../http/family.js'
import { createFeatureKeys } from '../../workspaces/feature-keys.js'
import { createInformAlerts } from '../../workspaces/inform-alerts.js'
import { createLiveActivityCampaigns } from '../../workspaces/live-activity-campaigns.js'
import { createDeliverySettings } from '../../workspaces/delivery.js'
import { createFileImports } from '../../workspaces/file-imports.js'
import { importSourceProblem } from '../../imports/file-source.js'
import { createCardCampaigns } from '../../workspaces/card-campaigns.js'
import { sendCardCampaign } from '../../inbox/card-sends.js'
import { createLinkTokens } from '../../workspaces/link-tokens.js'
import { createSubscriptionCategories } from '../../workspaces/subscription-categories.js'
import { createWorkspaces } from '../../workspaces/workspaces.js'
import { adminRoutes } from './admin.js'

export const adminFamily: FamilyModule = (platform) => {
  const adminToken = platform.config.adminToken
  if (adminToken === undefined) return undefined
  // Writes go through the platform's store, so each drops its workspace from the gateway's cache.
  const workspaces = createWorkspaces({
    store: platform.store,
    clock: platform.clock,
    ids: platform.ids,
  })
  const featureKeys = createFeatureKeys({
    store: platform.store,
    clock: platform.clock,
    ids: platform.ids,
    secrets: platform.secrets,
  })
  return {
    name: 'admin',
    envelope: dataEnvelope,
    register: async (app) => {
      await app.register((api, _opts, done) => {
        adminRoutes(api, {
          workspaces,
          adminToken,
          isClosing: platform.isClosing,
          authFailures: platform.authFailures,
          store: platform.store,
          featureKeys,
          categories: createSubscriptionCategories({
            store: platform.store,
            clock: platform.clock,
          }),
          linkTokens: createLinkTokens(platform.secrets),
          linkTokenTtlDays: platform.config.linkTokenTtlDays,
          clock: platform.clock,
          alerts: createInformAlerts({
            store: platform.store,
            clock: platform.clock,
            ids: platform.ids,
          }),
          liveActivities: createLiveActivityCampaigns({
            store: platform.store,
            clock: platform.clock,
            ids: platform.ids,
          }),
          cardCampaigns: createCardCampaigns({
            store: platform.store,
            clock: platform.clock,
            ids: platform.ids,
          }),
          sendCards: (workspaceId, requestId, campaignId) =>
            sendCardCampaign(platform, { workspaceId, requestId }, campaignId),
          delivery: createDeliverySettings({
            store: platform.store,
            secrets: platform.secrets,
            clock: platform.clock,
          }),
          fileImports: createFileImports({
            store: platform.store,
            clock: platform.clock,
            ids: platform.ids,
          }),
          fileImportSource: (source) => importSourceProblem(source, platform.config.segmentFiles),
        })
        done()
      })
    },
  }
}
