/**
 * A workspace's broadcast live-activity campaigns (MoEngage creates them with the Create Push
 * Campaigns API, delivery type BROADCAST_LIVE_ACTIVITY; Inlet through the admin API and `inlet
 * workspaces live-activities`): the input rules of a definition — its id (`broadcast_live_activity_id`
 * on the wire; generated when not given), name, the `attribute_type` its starts must name (any
 * when not set), its APNs auth (`p8` token auth, the default, or `p12`: broadcasts then answer
 * MoEngage's 403 asking for a .p8 file) and the most instances it may have active at once — its
 * view, and the operations on the store's rows. Starting, updating and ending is the Live
 * Activities family's (families/live-activities); this module only defines the campaigns.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { LiveActivityCampaignRow, Store } from '../store/store.js'
import {
  campaignNaming,
  campaignRowView,
  createCampaignDefinitions,
  wholeFromOne,
  type CampaignDefinitions,
} from './definitions.js'
import { WorkspaceInputError } from './changes.js'
import { definitionText, refuseUnknown } from './inform-alerts.js'

/** Most campaigns one workspace may define. */
export const MAX_CAMPAIGNS = 500
/** The default and the bounds of `max_instances`. */
export const DEFAULT_MAX_INSTANCES = 10
export const MAX_INSTANCES_LIMIT = 10_000

export const IOS_AUTH = ['p8', 'p12'] as const
export type IosAuth = (typeof IOS_AUTH)[number]

/** What a campaign allows, as stored. */
export type CampaignDefinition = Readonly<{
  attribute_type: string | null
  ios_auth: IosAuth
  max_instances: number
}>

export type CampaignInput = Readonly<{
  campaignId?: string
  name: string
  definition: CampaignDefinition
}>

export type CampaignView = {
  campaign_id: string
  name: string
  version: number
  attribute_type: string | null
  ios_auth: IosAuth
  max_instances: number
  created_at: string
  updated_at: string
}

/** A stored definition as its type (written only by parseCampaignInput). */
export function campaignDefinitionOf(row: LiveActivityCampaignRow): CampaignDefinition {
  return row.definition as CampaignDefinition // the stored JSON is a parsed CampaignDefinition
}

export function campaignView(row: LiveActivityCampaignRow): CampaignView {
  return campaignRowView(row, campaignDefinitionOf(row))
}

const FIELDS = ['campaign_id', 'name', 'attribute_type', 'ios_auth', 'max_instances'] as const

/** A definition from the admin API's body (snake_case); WorkspaceInputError naming the field. */
export function parseCampaignInput(raw: Record<string, unknown>): CampaignInput {
  refuseUnknown(raw, FIELDS, '')
  const auth = raw['ios_auth'] ?? 'p8'
  if (!(IOS_AUTH as readonly unknown[]).includes(auth)) {
    throw new WorkspaceInputError(`ios_auth should be one of ${IOS_AUTH.join(', ')}`, 'ios_auth')
  }
  const max = wholeFromOne(
    raw['max_instances'] ?? DEFAULT_MAX_INSTANCES,
    'max_instances',
    MAX_INSTANCES_LIMIT,
  )
  const type = raw['attribute_type']
  return {
    ...campaignNaming(raw),
    definition: {
      attribute_type:
        type === undefined || type === null ? null : definitionText(type, 'attribute_type'),
      ios_auth: auth as IosAuth, // checked above
      max_instances: max,
    },
  }
}

export type LiveActivityCampaigns = CampaignDefinitions<CampaignDefinition, CampaignView>

export function createLiveActivityCampaigns(deps: {
  store: Store
  clock: Clock
  ids: IdGenerator
}): LiveActivityCampaigns {
  return createCampaignDefinitions(deps, deps.store.liveActivities, campaignView, {
    max: MAX_CAMPAIGNS,
    noun: 'live-activity campaigns',
  })
}
