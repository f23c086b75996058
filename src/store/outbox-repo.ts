/**
 * The outbox repository of the Store (re-exported by store.ts): every message Inlet was asked to
 * send (an Inform alert's SMS, EMAIL or PUSH, …), rendered, with its status — `recorded` (kept,
 * nothing left the machine), `suppressed` (consent or a rule kept it from being sent, with the
 * reason), `sent` or `failed` (a delivery mode's outcome, with the attempts) — and the claims
 * that make a client's transaction id count once in its idempotency window. Written by the
 * sending families' requests directly (before their 200), never by the processor. What a message
 * means, how it is rendered and why one is suppressed are the families' (families/inform); the
 * store keeps rows and answers pages of them newest first.
 */

/** The channels a message goes out on (MoEngage's Inform `payloads` keys). */
export const OUTBOX_CHANNELS = ['SMS', 'EMAIL', 'PUSH'] as const
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number]

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
  /** Delivery attempts made (0 in `record` mode). */
  attempts: number
  createdAt: number
}>

/** A message to record: everything but the seq. */
export type NewOutboxMessage = Omit<OutboxMessageRow, 'seq'>

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
  /** Up to `limit` messages of the workspace after `afterSeq`, oldest first (the tail). */
  after(workspaceId: string, afterSeq: number, limit: number): Promise<OutboxMessageRow[]>
  /** The highest seq of the workspace's messages; 0 when it has none. */
  lastSeq(workspaceId: string): Promise<number>
}
