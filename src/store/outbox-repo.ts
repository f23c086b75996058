/**
 * The outbox repository of the Store (re-exported by store.ts): every message Inlet was asked to
 * send (an Inform alert's SMS, EMAIL or PUSH, …), rendered, with its status — `recorded` (kept,
 * nothing left the machine), `suppressed` (consent or a rule kept it from being sent, with the
 * reason), `sent` or `failed` (a delivery mode's outcome, with the attempts) — and the claims
 * that make a client's transaction id count once in its idempotency window. Recorded by the
 * sending families' requests directly (before their 200); delivery attempts claimed and settled
 * by the delivery worker (delivery/), with the lease and the retry time in the row so they
 * survive restarts; redacted by a GDPR erasure's batch (processor/erasure.ts). What a message
 * means, how it is rendered and why one is suppressed are the families' (families/inform); the
 * store keeps rows, answers pages of them newest first and the tail by rev.
 */

/** The channels a message goes out on (MoEngage's Inform `payloads` keys). */
export const OUTBOX_CHANNELS = ['SMS', 'EMAIL', 'PUSH'] as const
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number]

/**
 * Every channel of the outbox: Inform's, a broadcast Live Activity's start, update or end, and a
 * card put in a user's inbox.
 */
export const MESSAGE_CHANNELS = [...OUTBOX_CHANNELS, 'LIVE_ACTIVITY', 'CARDS'] as const
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number]

/** What became of a message. */
export const OUTBOX_STATUSES = ['recorded', 'suppressed', 'sent', 'failed'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/** One message as the store keeps it. */
export type OutboxMessageRow = Readonly<{
  /** Assigned by the store, increasing: the order of the listing and the tail. */
  seq: number
  /** Inlet's id of the message (the idempotency key a delivery mode hands on). */
  id: string
  workspaceId: string
  channel: string
  /** What asked for it: `inform` (a live alert), `inform_test` (a test alert on the sandbox). */
  source: string
  /** The id of what asked within the source: the alert id (or test alert id). */
  sourceId: string
  /** The client's user id (Inform `user_id`: a customer_id), null when none was given. */
  customerId: string | null
  /** Phone number, email address or push token, as the client sent it. */
  recipient: string
  /** A push message's platform (from the device of its token), else null. */
  platform: string | null
  /** The rendered subject (EMAIL) or title (PUSH); null for SMS. */
  subject: string | null
  /** The rendered body (EMAIL: HTML, SMS: text, PUSH: the message). */
  body: string
  /** Everything else of the message: sender, attributes it was rendered with, attachments' names. */
  payload: Readonly<Record<string, unknown>>
  /** The template it was rendered from: `<alert id>/<channel>`. */
  template: string
  /** The template's version (the alert definition's, bumped by each change). */
  templateVersion: number
  /** The client's transaction id, null when none. */
  transactionId: string | null
  /** The request that asked for it. */
  requestId: string
  status: OutboxStatus
  /** Why it was suppressed or failed; null otherwise. */
  reason: string | null
  /** Delivery attempts made (0 in `record` mode); counted when an attempt is claimed. */
  attempts: number
  createdAt: number
  /**
   * When its next delivery attempt is due (epoch ms); null when none is pending (`record` mode,
   * a final status, redacted). Only a `recorded` message has one. A claimed attempt pushes it
   * out by the lease, so an attempt whose process died is claimed again once the lease is over.
   */
  dueAt: number | null
  /**
   * Assigned by the store, increasing over all messages: the message's position on the tail,
   * new each time its status, attempts or content change (recorded, then sent, …).
   */
  rev: number
  /** When it last changed (its createdAt until then). */
  updatedAt: number
}>

/** A message to record: everything but what the store assigns. */
export type NewOutboxMessage = Omit<OutboxMessageRow, 'seq' | 'rev' | 'updatedAt'>

/** What became of a delivery attempt (OutboxRepo.settle). */
export type OutboxSettlement =
  | Readonly<{ status: 'sent' }>
  /** Failed this time: tried again at `dueAt`, `reason` kept meanwhile. */
  | Readonly<{ status: 'retry'; dueAt: number; reason: string }>
  /** Failed for good (a permanent refusal, or the last attempt). */
  | Readonly<{ status: 'failed'; reason: string }>
  /** Not attempted and not to be: stays `recorded` with the reason (the mode became `record`). */
  | Readonly<{ status: 'kept'; reason: string }>

/** The claimed attempt a settlement is for: the message, and its attempt number. */
export type OutboxAttempt = Readonly<{ workspaceId: string; seq: number; attempts: number }>

/**
 * spec §7.12: the messages of an erased user — those naming one of `customerIds` as their user,
 * or sent to one of `recipients` — keep their channel, status and times; their recipient,
 * subject, body and payload are replaced (the payload by `payload`), and one still pending
 * delivery becomes `suppressed` with `reason`, never to be attempted.
 */
export type OutboxRedaction = Readonly<{
  workspaceId: string
  customerIds: readonly string[]
  recipients: readonly string[]
  payload: Readonly<Record<string, unknown>>
  reason: string
  /** When (their updatedAt). */
  at: number
}>

/**
 * A claim on an idempotency key: refused when the key was claimed less than `windowMs` before
 * `at` (a repeat within the window), taken over otherwise.
 */
export type OutboxClaim = Readonly<{ key: string; at: number; windowMs: number }>

export type OutboxRecordResult =
  Readonly<{ duplicate: false; rows: OutboxMessageRow[] }> | Readonly<{ duplicate: true }>

/** What a listing keeps; every field optional. Times in ms, `since` inclusive, `until` exclusive. */
export type OutboxFilter = Readonly<{
  customerId?: string
  /** What asked (`inform`, `push`, `live_activity`, …), and within it which one (`sourceId`). */
  source?: string
  sourceId?: string
  channel?: string
  status?: string
  since?: number
  until?: number
  /** Only messages older than this seq (the page position). */
  beforeSeq?: number
}>

export interface OutboxRepo {
  /**
   * In one transaction: takes `claim` when given (a duplicate records nothing) and records the
   * messages, each given the next seq. Resolves to the rows as stored.
   */
  record(
    workspaceId: string,
    messages: readonly NewOutboxMessage[],
    claim?: OutboxClaim,
  ): Promise<OutboxRecordResult>
  /** Up to `limit` messages of the workspace matching `filter`, newest (highest seq) first. */
  list(workspaceId: string, filter: OutboxFilter, limit: number): Promise<OutboxMessageRow[]>
  /**
   * Up to `limit` messages of the workspace whose rev is above `afterRev`, by rev (the tail: each
   * message at its latest change).
   */
  after(workspaceId: string, afterRev: number, limit: number): Promise<OutboxMessageRow[]>
  /** The highest rev of the workspace's messages; 0 when it has none. */
  lastRev(workspaceId: string): Promise<number>
  /**
   * Claims up to `limit` messages of any workspace whose delivery is due at `now`, earliest due
   * first: each gets one more attempt and its `dueAt` pushed to `now + leaseMs`, in one
   * transaction, so no two claimers get the same attempt. Resolves to the rows as claimed.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxMessageRow[]>
  /**
   * Records the outcome of a claimed attempt at `now` (a new rev): only while that attempt is the
   * message's last and its delivery still pending — false, and nothing written, when the lease
   * ran out and another attempt was claimed, or the message was redacted meanwhile.
   */
  settle(attempt: OutboxAttempt, outcome: OutboxSettlement, now: number): Promise<boolean>
}
