/**
 * The live-activity repository of the Store (re-exported by store.ts): a workspace's broadcast
 * live-activity campaigns (MoEngage creates them with the Create Push Campaigns API's
 * BROADCAST_LIVE_ACTIVITY type; Inlet through the admin API and the CLI), one row per campaign
 * with its version and its definition as a JSON object, and the instances started for them — each
 * with its state, dismissal time and the fingerprint of the last request it took — written
 * together with the outbox message of each start, update and end in one transaction, so that a
 * change is never recorded without its message, nor a message without its change. What a
 * definition holds and when a change is allowed are the Live Activities family's
 * (families/live-activities, workspaces/live-activity-campaigns.ts); the store keeps rows, and
 * refuses a write whose instance was taken or changed meanwhile, or that would pass a bound of
 * active instances.
 */
import type { NewOutboxMessage, OutboxMessageRow } from './outbox-repo.js'

/** One live-activity campaign. */
export type LiveActivityCampaignRow = Readonly<{
  workspaceId: string
  /** `broadcast_live_activity_id` on the wire. */
  campaignId: string
  /** Unique in the workspace. */
  name: string
  /** Bumped by each change: a message records the version it was sent under. */
  version: number
  /** What the campaign allows (workspaces/live-activity-campaigns.ts). */
  definition: Readonly<Record<string, unknown>>
  createdAt: number
  updatedAt: number
}>

export const LIVE_ACTIVITY_STATES = ['active', 'ended'] as const
export type LiveActivityState = (typeof LIVE_ACTIVITY_STATES)[number]

/** One instance of a campaign, started by a start request. */
export type LiveActivityInstanceRow = Readonly<{
  workspaceId: string
  /** Unique in the workspace. */
  instanceId: string
  campaignId: string
  state: LiveActivityState
  startedAt: number
  updatedAt: number
  /** When the devices dismiss it (epoch ms); null when not set. */
  dismissalAt: number | null
  /** The fingerprint of the last request it took (a repeat of it is a duplicate). */
  lastRequest: string
  /** Requests it took (1 after its start): the version a write expects. */
  changes: number
}>

/** A start, update or end: the instance as it is to be, and its outbox message. */
export type LiveActivityWrite = Readonly<{
  instance: LiveActivityInstanceRow
  /**
   * null: a new instance, refused (`taken`) when the workspace has one of that id; else the
   * `changes` of the row as read, refused (`changed`) when it is no longer that.
   */
  expectedChanges: number | null
  /**
   * A new instance is refused (`full`) when its campaign already has this many active instances
   * (state active, dismissal time unset or after `instance.startedAt`).
   */
  maxActive: number
  message: NewOutboxMessage
}>

export type LiveActivityWriteResult =
  | Readonly<{ written: true; message: OutboxMessageRow }>
  | Readonly<{ written: false; reason: 'taken' | 'changed' | 'full' }>

export interface LiveActivityRepo {
  /** The workspace's campaigns, oldest first (then by id). */
  campaigns(workspaceId: string): Promise<LiveActivityCampaignRow[]>
  campaign(workspaceId: string, campaignId: string): Promise<LiveActivityCampaignRow | undefined>
  /**
   * Creates the campaign, or replaces the one with the same id (createdAt kept). A name another
   * campaign of the workspace holds makes it throw StoreConflictError.
   */
  putCampaign(row: LiveActivityCampaignRow): Promise<void>
  /** Removes the campaign (its instances and messages stay); true when there was one. */
  removeCampaign(workspaceId: string, campaignId: string): Promise<boolean>
  instance(workspaceId: string, instanceId: string): Promise<LiveActivityInstanceRow | undefined>
  /** Up to `limit` instances of the campaign, the most recently started first. */
  instances(
    workspaceId: string,
    campaignId: string,
    limit: number,
  ): Promise<LiveActivityInstanceRow[]>
  /** In one transaction: the instance written (as `write` says) and its message recorded. */
  write(write: LiveActivityWrite): Promise<LiveActivityWriteResult>
}
