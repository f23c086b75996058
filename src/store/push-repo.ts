/**
 * The Push repository of the Store (re-exported by store.ts): the Push API's campaigns (one per
 * workspace and campaign name: its id, the `cid` of every answer, and its audience), its sends
 * (`push_runs`: one per campaign send whose audience is expanded a page of users at a time or
 * whose delivery is later or periodic — the request, the next occurrence's time, the position in
 * the occurrence being expanded, the lease of the process expanding it) and the devices of many
 * users at once. A step of a send writes its messages to the outbox and moves the send on in one
 * transaction, only while the send is still where the step began: a step is never written twice,
 * whichever process runs it, so each occurrence is expanded exactly once. What a campaign or a
 * message means is families/push's; the store keeps rows.
 */
import type { NewOutboxMessage } from './outbox-repo.js'
import type { DeviceRow } from './store.js'

/** A Push API campaign (`campaignName` in its workspace). */
export type PushCampaignRow = Readonly<{
  workspaceId: string
  /** The `cid` answered. */
  id: string
  name: string
  /** `All Users`, `Custom Segment` or `User`. */
  audience: string
  createdAt: number
}>

/** What became of a campaign's creation: made now, or the one already holding the name. */
export type PushCampaignClaim = Readonly<{ created: boolean; row: PushCampaignRow }>

/** A send of a campaign, expanded a page at a time, possibly later and again (periodic). */
export type PushRunRow = Readonly<{
  workspaceId: string
  id: string
  campaignId: string
  /** The request that made it (its request id), kept on its messages. */
  requestId: string
  /** The send as families/push parsed it (JSON): audience, platforms, payloads, delivery. */
  request: Readonly<Record<string, unknown>>
  /** When the next occurrence is due (epoch ms); null once there is none (done). */
  nextAt: number | null
  /** The occurrence due at nextAt (1, 2, …): the first has not begun while `cursor` is null. */
  occurrence: number
  /** Where the occurrence being expanded stands (the last user id written); null: not begun. */
  cursor: string | null
  /** A process expanding it holds it until then; null when none does. */
  leaseUntil: number | null
  /** Messages written for it so far, over all occurrences. */
  messages: number
  createdAt: number
  updatedAt: number
}>

/**
 * One step of a send's occurrence: from `cursor` (what the send must still hold), its
 * `messages`, then either on to `next` (a user id) within the occurrence or, with `next` null,
 * the occurrence done and the next one due at `nextAt` (null: none, the send is done).
 */
export type PushRunStep = Readonly<{
  workspaceId: string
  id: string
  occurrence: number
  cursor: string | null
  next: string | null
  nextAt: number | null
  now: number
  /** The step's process keeps the send until then (ignored when the send is done). */
  leaseUntil: number
}>

export interface PushRepo {
  /** Creates campaign `row`, or answers the campaign already named `row.name` (not changed). */
  claimCampaign(row: PushCampaignRow): Promise<PushCampaignClaim>
  /** The campaign named `name` in the workspace. */
  campaign(workspaceId: string, name: string): Promise<PushCampaignRow | undefined>
  /** The devices of `userIds` (one statement a few hundred ids at a time), by user then age. */
  devicesOfUsers(workspaceId: string, userIds: readonly string[]): Promise<DeviceRow[]>
  /** Records a new send (with its lease when a process expands it at once). */
  createRun(row: PushRunRow): Promise<void>
  /**
   * Claims up to `limit` sends of any workspace whose next occurrence is due at `now` and that no
   * live lease holds: each held until `now + leaseMs`, in one transaction (no two claimers get
   * one send). Resolves to the rows as claimed.
   */
  claimDueRuns(now: number, leaseMs: number, limit: number): Promise<PushRunRow[]>
  /**
   * In one transaction, while send `step.id` is still at `step.occurrence` and `step.cursor`:
   * records `messages` in the outbox and moves the send (step). False, nothing written, when it
   * has moved (another process ran this step).
   */
  advance(step: PushRunStep, messages: readonly NewOutboxMessage[]): Promise<boolean>
  /** Lets go of a send's lease (a process stopping between steps). */
  release(workspaceId: string, id: string): Promise<void>
  /** A send. */
  run(workspaceId: string, id: string): Promise<PushRunRow | undefined>
  /** The workspace's sends, newest first. */
  runs(workspaceId: string, limit: number): Promise<PushRunRow[]>
}
