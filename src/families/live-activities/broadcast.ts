/**
 * Starting, updating and ending a broadcast Live Activity (moengage-other-apis.md §2.8;
 * moengage-live-activities-openapi.yml): the campaign found (403 `Campaign not found for <id>`)
 * and its APNs auth checked (token auth only); a start makes an instance (its id the request's,
 * else `<ms>-<8 hex>` as MoEngage's example) — refused when the id was used (403 Duplicate
 * Request) or the campaign has its `max_instances` active (403 Max Instances Limit Reached); an
 * update or end changes the instance it names (else the campaign's newest active one) — refused
 * when there is none or it ended (403 Invalid Action), when its dismissal date has passed, or
 * when it repeats the instance's last request exactly (Duplicate Request). An update whose
 * `dismissal_date` is past ends the activity at once, as the page says. Each accepted request is
 * one outbox message (channel `LIVE_ACTIVITY`) written with the instance's change in one
 * transaction before the 200; a broadcast has no user, so no consent rule applies and no system
 * event is added. The workspace's delivery mode decides whether it is due for delivery (the
 * signed webhook hands it on, as a bridge to APNs would).
 */
import { createHash } from 'node:crypto'
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import type { IdGenerator } from '../../core/ids.js'
import type {
  LiveActivityCampaignRow,
  LiveActivityInstanceRow,
  NewOutboxMessage,
  OutboxMessageRow,
  Store,
} from '../../store/store.js'
import { deliversChannel, type Delivery } from '../../workspaces/delivery.js'
import { campaignDefinitionOf } from '../../workspaces/live-activity-campaigns.js'
import type { BroadcastAction, BroadcastRequest } from './bodies/broadcast-body.js'

export const LIVE_ACTIVITY_CHANNEL = 'LIVE_ACTIVITY'
export const LIVE_ACTIVITY_SOURCE = 'live_activity'

/** A write that lost a race with another request on its instance is decided again, this often. */
const ATTEMPTS = 3

export type BroadcastDeps = Readonly<{ store: Store; clock: Clock; ids: IdGenerator }>

export type BroadcastContext = Readonly<{
  workspaceId: string
  requestId: string
  delivery: Delivery
}>

export type BroadcastAnswer = Readonly<{ instanceId: string; message: OutboxMessageRow }>

/**
 * What makes two requests to one instance the same: the `ios` object as sent (an end that repeats
 * the last update's exactly is a duplicate too).
 */
export function fingerprintOf(request: BroadcastRequest): string {
  return createHash('sha256').update(JSON.stringify(request.rawIos)).digest('hex')
}

/** The campaign `request` names, if it may broadcast: AppError `live_activity_*` otherwise. */
export async function campaignOf(
  store: Store,
  workspaceId: string,
  request: BroadcastRequest,
): Promise<LiveActivityCampaignRow> {
  const campaign = await store.liveActivities.campaign(workspaceId, request.campaignId)
  if (campaign === undefined) {
    throw new AppError('live_activity_campaign_not_found', { params: { id: request.campaignId } })
  }
  if (campaignDefinitionOf(campaign).ios_auth !== 'p8') {
    throw new AppError('live_activity_token_auth')
  }
  return campaign
}

function messageOf(
  ctx: BroadcastContext,
  action: BroadcastAction,
  campaign: LiveActivityCampaignRow,
  request: BroadcastRequest,
  instanceId: string,
  now: number,
  id: string,
): NewOutboxMessage {
  const { alert } = request.ios
  return {
    id,
    workspaceId: ctx.workspaceId,
    channel: LIVE_ACTIVITY_CHANNEL,
    source: LIVE_ACTIVITY_SOURCE,
    sourceId: campaign.campaignId,
    customerId: null,
    recipient: instanceId,
    platform: 'IOS',
    subject: alert.title,
    body: typeof alert.body === 'string' ? alert.body : JSON.stringify(alert.body),
    payload: {
      action,
      broadcast_live_activity_id: campaign.campaignId,
      campaign_name: campaign.name,
      instance_id: instanceId,
      ios: request.rawIos,
    },
    template: `${campaign.campaignId}/${LIVE_ACTIVITY_CHANNEL}`,
    templateVersion: campaign.version,
    transactionId: null,
    requestId: ctx.requestId,
    status: 'recorded',
    reason: null,
    attempts: 0,
    createdAt: now,
    dueAt: deliversChannel(ctx.delivery, LIVE_ACTIVITY_CHANNEL) ? now : null,
  }
}

const seconds = (s: number | undefined): number | null => (s === undefined ? null : s * 1000)

async function start(
  deps: BroadcastDeps,
  ctx: BroadcastContext,
  campaign: LiveActivityCampaignRow,
  request: BroadcastRequest,
): Promise<BroadcastAnswer> {
  const definition = campaignDefinitionOf(campaign)
  const type = definition.attribute_type
  if (type !== null && request.ios.attributeType !== type) {
    throw new AppError('live_activity_payload_invalid', {
      params: {
        target: 'ios.attribute_type',
        detail: `Input should be '${type}', the campaign's attribute type`,
        detail_code: 'literal_error',
      },
    })
  }
  const now = deps.clock.now()
  const dismissalAt = seconds(request.ios.dismissalDate)
  if (dismissalAt !== null && dismissalAt <= now) {
    throw new AppError('live_activity_dismissal_passed')
  }
  const id = deps.ids.userId(now)
  const instanceId = request.instanceId ?? `${now}-${id.slice(-8)}`
  const instance: LiveActivityInstanceRow = {
    workspaceId: ctx.workspaceId,
    instanceId,
    campaignId: campaign.campaignId,
    state: 'active',
    startedAt: now,
    updatedAt: now,
    dismissalAt,
    lastRequest: fingerprintOf(request),
    changes: 1,
  }
  const result = await deps.store.liveActivities.write({
    instance,
    expectedChanges: null,
    maxActive: definition.max_instances,
    message: messageOf(ctx, 'start', campaign, request, instanceId, now, id),
  })
  if (result.written) return { instanceId, message: result.message }
  throw new AppError(
    result.reason === 'full' ? 'live_activity_max_instances' : 'live_activity_duplicate',
  )
}

/** The instance an update or end is for: the one it names, else the newest active one. */
async function targetOf(
  store: Store,
  ctx: BroadcastContext,
  campaign: LiveActivityCampaignRow,
  request: BroadcastRequest,
  now: number,
): Promise<LiveActivityInstanceRow> {
  const found =
    request.instanceId === undefined
      ? (await store.liveActivities.instances(ctx.workspaceId, campaign.campaignId, 100)).find(
          (i) => i.state === 'active' && (i.dismissalAt === null || i.dismissalAt > now),
        )
      : await store.liveActivities.instance(ctx.workspaceId, request.instanceId)
  if (found === undefined || found.campaignId !== campaign.campaignId || found.state === 'ended') {
    throw new AppError('live_activity_invalid_action')
  }
  if (found.dismissalAt !== null && found.dismissalAt <= now) {
    throw new AppError('live_activity_dismissal_passed')
  }
  return found
}

async function change(
  deps: BroadcastDeps,
  ctx: BroadcastContext,
  action: 'update' | 'end',
  campaign: LiveActivityCampaignRow,
  request: BroadcastRequest,
): Promise<BroadcastAnswer> {
  const fingerprint = fingerprintOf(request)
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now()
    const instance = await targetOf(deps.store, ctx, campaign, request, now)
    if (instance.lastRequest === fingerprint) throw new AppError('live_activity_duplicate')
    const dismissalAt = seconds(request.ios.dismissalDate) ?? instance.dismissalAt
    const ended = action === 'end' || (dismissalAt !== null && dismissalAt <= now)
    const result = await deps.store.liveActivities.write({
      instance: {
        ...instance,
        state: ended ? 'ended' : 'active',
        updatedAt: now,
        dismissalAt,
        lastRequest: fingerprint,
        changes: instance.changes + 1,
      },
      expectedChanges: instance.changes,
      maxActive: 0,
      message: messageOf(
        ctx,
        action,
        campaign,
        request,
        instance.instanceId,
        now,
        deps.ids.userId(now),
      ),
    })
    if (result.written) return { instanceId: instance.instanceId, message: result.message }
    // Another request changed the instance meanwhile: decide again on it as it is now.
    if (attempt >= ATTEMPTS) throw new AppError('live_activity_duplicate')
  }
}

/** `action` on the campaign `request` names, recorded before it resolves. */
export async function broadcast(
  deps: BroadcastDeps,
  ctx: BroadcastContext,
  action: BroadcastAction,
  request: BroadcastRequest,
): Promise<BroadcastAnswer> {
  const campaign = await campaignOf(deps.store, ctx.workspaceId, request)
  return action === 'start'
    ? start(deps, ctx, campaign, request)
    : change(deps, ctx, action, campaign, request)
}
