/**
 * The cards repository of the Store (re-exported by store.ts): a workspace's card campaigns
 * (MoEngage creates them in its dashboard; Inlet through the admin API and the CLI), one row per
 * campaign with its version and its definition as a JSON object, and each user's inbox — one row
 * per user and card (a campaign's card on one platform) with its rendered content, when it was
 * created, changed and deleted, and the user's activity on it (clicked, first seen, first
 * delivered, fetches per identifier). A send's cards are written together with their outbox
 * messages in one transaction, so a card is never in an inbox without its message, nor a message
 * recorded without its card; an event-triggered campaign's cards with the processor's batch
 * (CardSend), and a merge's MembershipChange `carry` moves the merged user's cards too (the
 * retained user's card of the same id is kept, the merged user's dropped). What a definition holds, what a card shows and how a fetch syncs are
 * the Cards family's (families/cards, workspaces/card-campaigns.ts, inbox/); the store keeps rows.
 */
import type { NewOutboxMessage, OutboxMessageRow } from './outbox-repo.js'

/** One card campaign. */
export type CardCampaignRow = Readonly<{
  workspaceId: string
  campaignId: string
  /** Unique in the workspace. */
  name: string
  /** Bumped by each change: a card and its message record the version they were sent under. */
  version: number
  /** What the campaign sends (workspaces/card-campaigns.ts). */
  definition: Readonly<Record<string, unknown>>
  createdAt: number
  updatedAt: number
}>

/** One card in one user's inbox. */
export type CardRow = Readonly<{
  workspaceId: string
  /** The user's internal id. */
  userId: string
  /** `<campaign id>_<platform>`: unique per user. */
  cardId: string
  campaignId: string
  /** `android`, `ios` or `web`. */
  platform: string
  category: string
  /** The card as fetch shows it, but its times and the user's activity (families/cards). */
  content: Readonly<Record<string, unknown>>
  createdAt: number
  /** The last change the user's next fetch is to see: a send, a deletion, an activity. */
  updatedAt: number
  /** When the user deleted it; null while in the inbox. */
  deletedAt: number | null
  clicked: boolean
  firstSeen: number | null
  firstDelivered: number | null
  /** Fetches that returned it, by the identifier (uid or unique_id) the fetch named. */
  showCounts: Readonly<Record<string, unknown>>
  /** Impressions the SDK reported (`seen`): what `max_times_to_show` counts. */
  seenCount: number
}>

/**
 * A card an event-triggered campaign sends from a processor batch (BatchChanges.cardSends): with
 * `card`, the card is written only when the user has no card of that id (in whatever state) and
 * `message` recorded only then — replaying the batch, or a second trigger, gives no second card;
 * without `card` (suppressed, failed), the message is recorded.
 */
export type CardSend = Readonly<{ card?: CardRow; message: NewOutboxMessage }>

/** What a user did with a card (the SDK's reports; Inlet's `POST /inlet/v1/cards/activity`). */
export type CardActivity = Readonly<{ clicked?: true; seen?: true }>

/** A workspace's campaigns of one kind (card campaigns; live-activity campaigns too). */
export interface CampaignTable<R extends CardCampaignRow = CardCampaignRow> {
  /** The workspace's campaigns, oldest first (then by id). */
  campaigns(workspaceId: string): Promise<R[]>
  campaign(workspaceId: string, campaignId: string): Promise<R | undefined>
  /**
   * Creates the campaign, or replaces the one with the same id (createdAt kept). A name another
   * campaign of the workspace holds makes it throw StoreConflictError.
   */
  putCampaign(row: R): Promise<void>
  /** Removes the campaign (what it sent stays); true when there was one. */
  removeCampaign(workspaceId: string, campaignId: string): Promise<boolean>
}

export interface CardRepo extends CampaignTable {
  /**
   * In one transaction: each card written — new, or replacing the user's card of that id (its
   * createdAt and the user's activity kept, its deletion undone) — and the messages recorded.
   */
  deliver(
    cards: readonly CardRow[],
    messages: readonly NewOutboxMessage[],
  ): Promise<OutboxMessageRow[]>
  /** The user's cards, deleted ones included, the most recently changed first (then by id). */
  ofUser(workspaceId: string, userId: string): Promise<CardRow[]>
  /**
   * Deletes the user's cards of these ids that are not deleted (deletedAt and updatedAt `now`);
   * resolves to the ids it deleted.
   */
  remove(
    workspaceId: string,
    userId: string,
    cardIds: readonly string[],
    now: number,
  ): Promise<string[]>
  /**
   * A fetch returned these cards for the identifier `key`: each card's firstDelivered set where
   * unset and its showCounts[key] counted. Their updatedAt stays (a fetch is no change to sync).
   */
  recordFetch(
    workspaceId: string,
    userId: string,
    cardIds: readonly string[],
    key: string,
    now: number,
  ): Promise<void>
  /**
   * The user clicked or saw the card (clicked set; firstSeen set where unset; a `seen` counted in
   * seenCount), its updatedAt `now`; false when the user has no card of that id.
   */
  recordActivity(
    workspaceId: string,
    userId: string,
    cardId: string,
    activity: CardActivity,
    now: number,
  ): Promise<boolean>
  /** The internal id of the user whose device `deviceId` is (fetch's `unique_id`), if any. */
  userOfDevice(workspaceId: string, deviceId: string): Promise<string | undefined>
  /** The workspace's cards, deleted ones included, of these users (spec §7.12: an erasure's count). */
  countOfUsers(workspaceId: string, userIds: readonly string[]): Promise<number>
  /**
   * The revision of each workspace's card campaigns that has any (bumped by every write and
   * removal of one, in the same transaction): the processor reads its event-triggered campaigns
   * again when it moved.
   */
  campaignRevs(workspaceIds: readonly string[]): Promise<Map<string, number>>
}
