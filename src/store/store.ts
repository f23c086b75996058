/**
 * The Store interface: everything Inlet keeps, behind one contract that each adapter (SQLite,
 * PostgreSQL) implements and that test/store/contract.ts tests. It owns the row types; it does not
 * own any MoEngage semantics (those live in profile/ and processor/steps/).
 *
 * Two parts with different write paths:
 * - the ingest log, appended by the HTTP layer (group-committed) and read in order by the processor;
 * - the profile store (workspaces, users, devices, events, record outcomes), written only by the
 *   processor in one transaction per batch together with its cursor, so a batch is applied exactly
 *   once whatever happens around it.
 *
 * The feature-key, shared-quota, session, refusal, consent, custom-segment, alert, outbox, push,
 * browse and segments repositories are declared in modules of their own (feature-key-repo.ts,
 * quota-repo.ts, session-repo.ts, refusal-repo.ts, consent-repo.ts, custom-segment-repo.ts,
 * alert-repo.ts, outbox-repo.ts, push-repo.ts, browse.ts, segments.ts); the first nine are
 * re-exported here. Consent, custom-segment, outbox and push rows are written by their families'
 * requests directly, not by the processor (consent-repo.ts, custom-segment-repo.ts,
 * outbox-repo.ts, push-repo.ts); refusal counts by the
 * HTTP layer (http/refusals.ts).
 */
import type { AlertRepo } from './alert-repo.js'
import type { LiveActivityRepo } from './live-activity-repo.js'
import type { CardRepo, CardSend } from './card-repo.js'
import type { BrowseRepo } from './browse.js'
import type { ConsentRepo, SubscriptionChange } from './consent-repo.js'
import type { CustomSegmentRepo } from './custom-segment-repo.js'
import type { FeatureKeyRepo } from './feature-key-repo.js'
import type { OutboxMessageRow, OutboxRedaction, OutboxRepo } from './outbox-repo.js'
import type { PushRepo } from './push-repo.js'
import type { FileImportRepo } from './file-import-repo.js'
import type { QuotaRepo } from './quota-repo.js'
import type { RefusalRepo } from './refusal-repo.js'
import type { MembershipChange, SegmentListRepo } from './segment-list-repo.js'
import type { SegmentRepo } from './segments.js'
import type { SessionRepo } from './session-repo.js'

export type WorkspaceState = 'active' | 'blacklisted' | 'suspended' | 'temporarily_suspended'

export const WORKSPACE_STATES: readonly WorkspaceState[] = [
  'active',
  'blacklisted',
  'suspended',
  'temporarily_suspended',
]

export type WorkspaceSettings = Readonly<Record<string, unknown>>

export type Workspace = Readonly<{
  id: string
  name: string
  /** Hex SHA-256 of salt + key; null when no Data API key is set (spec §4.4: 409). */
  keyHash: string | null
  keySalt: string | null
  state: WorkspaceState
  settings: WorkspaceSettings
  createdAt: number
  updatedAt: number
  /** The key replaced by a rotation with a grace period, accepted until `expiresAt`. */
  previousKey?: PreviousKey
}>

/** A rotated-out Data API key: salted SHA-256 as for the current key, and when it stops working. */
export type PreviousKey = Readonly<{ hash: string; salt: string; expiresAt: number }>

export type WorkspacePatch = Partial<
  Pick<Workspace, 'name' | 'keyHash' | 'keySalt' | 'state' | 'settings'>
> & { updatedAt: number; /** null removes it. */ previousKey?: PreviousKey | null }

/**
 * `merge` / `merge_undo`: one pair of Merge Users (spec §7.7), the undo of one merge (Inlet);
 * `delete`: one Delete Users request (spec §7.8); `device_opt_out`: one Device Opt-out (§7.5);
 * `gdpr_erasure`: one GDPR / CCPA erasure (§7.12); `install`: one install attribution (§7.10);
 * `identity_reindex`: index every profile's identifier values (Identity Resolution switched on).
 */
export const RECORD_KINDS = [
  'customer',
  'event',
  'device',
  'merge',
  'merge_undo',
  'delete',
  'device_opt_out',
  'gdpr_erasure',
  'install',
  'identity_reindex',
  'invalid',
] as const

export type RecordKind = (typeof RECORD_KINDS)[number]

/**
 * The kind of a log row that holds a whole Bulk Import request (spec §7.3) rather than one record:
 * its payload is the body as sent with what its records are derived from (families/data/bulk-rows.ts),
 * `records` seqs are reserved for it, and its own seq is the last of them. Stores keep it as one
 * row where they can (SQLite) or expand it on append (PostgreSQL); every reader of the log gets
 * its records, expanded by the store's LogRowExpander, so no consumer ever sees this kind.
 */
export const BULK_ROW_KIND = 'bulk'

export type NewLogRecord = Readonly<{
  workspaceId: string
  requestId: string
  /** Position of this record within its request (0-based; 0 for a Bulk row). */
  index: number
  kind: RecordKind | typeof BULK_ROW_KIND
  /** The user the record belongs to; null when the request named none (and for a Bulk row). */
  customerId: string | null
  receivedAt: number
  /** The record as JSON text (see core/records.ts for the shape per kind). */
  payload: string
  /** How many records a Bulk row holds (at least 1); absent (1) for every other kind. */
  records?: number
  /**
   * The API that sent it (the Data family's endpoint, or another sender's name), opaque to the
   * store: the per-minute counts of accepted records are kept by it (BrowseRepo.acceptedRecords),
   * not stored with the record.
   */
  api: string
}>

export type LogRecord = Readonly<{
  seq: number
  workspaceId: string
  requestId: string
  index: number
  kind: RecordKind
  customerId: string | null
  receivedAt: number
  payload: string
}>

/** A Bulk row as a store read it: its seq is the last of its `records` seqs. */
export type BulkLogRow = Readonly<{
  seq: number
  records: number
  workspaceId: string
  requestId: string
  receivedAt: number
  payload: string
}>

/**
 * The records of a Bulk row, seqs `seq - records + 1` to `seq`, in order: exactly `records` of
 * them whatever the payload holds (families/data/bulk-rows.ts). Injected into each store by the
 * composition root (server/server.ts through openStore, server/processor-thread.ts), since a
 * store does not know the wire format.
 */
export type LogRowExpander = (row: BulkLogRow) => LogRecord[]

/** The expander of a store opened without one: reading a Bulk row is then a wiring error. */
export const noBulkRowExpander: LogRowExpander = (row) => {
  throw new Error(
    `log row ${row.seq} is a Bulk row, and this store was opened without a Bulk row expander`,
  )
}

export type AttributeMap = Record<string, unknown>

export type UserRow = {
  workspaceId: string
  /** Inlet's internal id, exported as `id` / `moengage_id` (spec §7.6). */
  id: string
  customerId: string | null
  attributes: AttributeMap
  createdAt: number
  updatedAt: number
}

export type DeviceRow = {
  workspaceId: string
  deviceId: string
  userId: string
  platform: string | null
  pushId: string | null
  attributes: AttributeMap
  createdAt: number
  updatedAt: number
}

export type EventRow = Readonly<{
  /** The log sequence number of the record that created the event: its id and idempotency key. */
  seq: number
  workspaceId: string
  userId: string
  name: string
  deviceId: string | null
  platform: string | null
  appVersion: string | null
  /** UTC time of the event (ms). */
  eventTime: number
  /** Local time of the event as given (ms), when known. */
  userTime: number | null
  receivedAt: number
  requestId: string
  attributes: AttributeMap
}>

export type OutcomeKind = 'applied' | 'skipped' | 'dead'

export type RecordOutcomeRow = Readonly<{
  seq: number
  workspaceId: string
  requestId: string
  index: number
  kind: RecordKind
  /** `applied` rows exist only for records applied with notes (a dropped attribute, …). */
  outcome: OutcomeKind
  /** Why it was skipped or dead; for `applied`, the notes as a JSON array of strings. */
  reason: string
  at: number
}>

/**
 * One applied merge (spec §7.7), kept so that it can be audited and undone: its id is the seq of
 * the log record that asked for it.
 */
export type MergeRow = Readonly<{
  id: number
  workspaceId: string
  requestId: string
  retainedUserId: string
  mergedUserId: string
  at: number
  /**
   * JSON of the merge's before-image (steps/apply-merge.ts): both users and their devices as they
   * were. Which events the merge moved the store keeps itself (EventChange `merge`), except for
   * merges logged before it did, whose image lists their seqs.
   */
  before: string
  undoneAt: number | null
}>

/** A user to delete once `dueAt` has passed (spec §7.8: a buffer before the hard delete). */
export type DeletionRow = Readonly<{
  workspaceId: string
  userId: string
  dueAt: number
  /** The Delete Users request that asked for it, and its log record. */
  requestId: string
  seq: number
}>

/**
 * An identifier value (spec §6.2 Identity Resolution): `name` is the attribute key the workspace
 * resolves users by (`u_em`, `u_mb`, a custom key), `value` its value as a string.
 */
export type IdentityValue = Readonly<{ name: string; value: string }>

/** One identifier value of a user. */
export type IdentityLink = Readonly<{ workspaceId: string; userId: string }> & IdentityValue

/**
 * spec §7.12: how an erasure finds the users it erases, in store terms (the HTTP layer maps the
 * GDPR identity types to these): by customer id, by internal id, by a user attribute's value
 * (compared as text; `caseInsensitive` for emails) or by a device attribute's value (the device's
 * user).
 */
export type UserMatch = Readonly<{
  customerIds: readonly string[]
  userIds: readonly string[]
  userAttributes: readonly Readonly<{ key: string; value: string; caseInsensitive?: boolean }>[]
  deviceAttributes: readonly Readonly<{ key: string; value: string }>[]
}>

/**
 * spec §7.12: what an erasure looks for besides the users' own rows — log records (before
 * `beforeSeq`) whose customer id is one of `customerIds` or whose payload contains one of
 * `logTokens` (JSON-encoded strings, quotes included), outcomes whose reason contains one of
 * `outcomeTokens`, and the number of events of `userIds`.
 */
export type HeldQuery = Readonly<{
  beforeSeq: number
  userIds: readonly string[]
  customerIds: readonly string[]
  logTokens: readonly string[]
  outcomeTokens: readonly string[]
  /** The erased identities' raw values: outbox messages sent to one of them are the user's too. */
  recipients?: readonly string[]
}>

export type HeldRecords = Readonly<{
  logSeqs: number[]
  outcomeSeqs: number[]
  events: number
  /**
   * The outbox messages an erasure redacts: those of the workspace whose user is one of
   * `customerIds` or whose recipient is one of `recipients`.
   */
  outboxMessages: number
  /** The erased users' cards (card-repo.ts), removed with the users. */
  cards: number
}>

/**
 * spec §7.12 (Inlet): an identity erased by a GDPR request, kept only as a salted-by-workspace
 * SHA-256 of its type and value, so the list itself holds nothing of the person.
 */
export type SuppressionRow = Readonly<{
  workspaceId: string
  hash: string
  /** The GDPR identity type (`email`, `ID`, `mobile`, …). */
  identityType: string
  requestId: string
  createdAt: number
}>

/** spec §7.12 (Inlet): a carried-out erasure and what it removed (`counts`, JSON). */
export type GdprRequestRow = Readonly<{
  workspaceId: string
  requestId: string
  seq: number
  receivedAt: number
  doneAt: number
  /** JSON object of counts: users, devices, events, merges, log_records, … */
  counts: string
}>

/** How many events a user has. */
export type EventCount = Readonly<{ workspaceId: string; userId: string; count: number }>

/**
 * A change to events that the store makes itself, in SQL, so that a merge never brings a user's
 * events into memory, however many there are. A batch's changes apply in the order listed, after
 * the batch's new events are written:
 * - `merge`: every event `fromUserId` holds whose seq, in absolute value, is below `beforeSeq` (the
 *   merge record's seq: the events stored before the batch and those the batch added before the
 *   merge, not the merge's own system events nor later ones) goes to `toUserId`, and the store
 *   keeps their seqs as the events merge `mergeId` moved;
 * - `unmerge`: the events merge `mergeId` moved that `fromUserId` still holds go back to
 *   `toUserId`, and the store forgets the merge's list (an undone merge is never undone again);
 * - `move`: the events `seqs` go to `toUserId` (undoing a merge logged before the store kept its
 *   list, whose before-image lists them);
 * - `delete`: the event `seq` is removed.
 */
export type EventChange = Readonly<
  | {
      kind: 'merge'
      workspaceId: string
      mergeId: number
      fromUserId: string
      toUserId: string
      beforeSeq: number
    }
  | { kind: 'unmerge'; workspaceId: string; mergeId: number; fromUserId: string; toUserId: string }
  | { kind: 'move'; workspaceId: string; seqs: readonly number[]; toUserId: string }
  | { kind: 'delete'; workspaceId: string; seq: number }
>

/** What the processor needs in memory to apply a batch: the users and devices it touches. */
export type BatchSnapshot = Readonly<{
  users: readonly UserRow[]
  devices: readonly DeviceRow[]
  /**
   * For users a record may merge away (`merge` records, Identity Resolution): how many events
   * each has (users without any are left out) — never the events themselves.
   */
  eventCounts?: readonly EventCount[]
  /** For `merge_undo` records: the merges they undo. */
  merges?: readonly MergeRow[]
  /**
   * When a record carries `identities` (Identity Resolution): the users holding any of those
   * values are loaded too, and this lists the identity links of every loaded user.
   */
  identityLinks?: readonly IdentityLink[]
}>

/** Everything one applied batch changes, written atomically with the cursor. */
/** What a commit wrote that its caller acts on afterwards. */
export type CommitResult = Readonly<{
  /** The messages the cardSends recorded: those whose card was written, and those of no card. */
  cardMessages: readonly OutboxMessageRow[]
}>

export type BatchChanges = Readonly<{
  /** The cursor before the batch; the commit fails if another writer moved it. */
  fromSeq: number
  /** The new cursor: the last seq of the batch. */
  toSeq: number
  users: readonly UserRow[]
  devices: readonly DeviceRow[]
  deletedDevices: readonly Readonly<{ workspaceId: string; deviceId: string }>[]
  events: readonly EventRow[]
  /** Events given to another user (merge, undo) or removed, in order (see EventChange). */
  eventChanges?: readonly EventChange[]
  /** Merges recorded or (undoneAt set) undone. */
  merges?: readonly MergeRow[]
  /** Deletions to carry out later (an existing one for the same user is kept). */
  scheduledDeletions?: readonly DeletionRow[]
  /** Replaces all identity links of each listed user (an empty list removes them). */
  identityLinks?: readonly Readonly<{
    workspaceId: string
    userId: string
    links: readonly IdentityValue[]
  }>[]
  /**
   * Users removed with their devices, events, identity links and scheduled deletion (§7.8); their
   * events go after `eventChanges`, so that those given to them earlier in the batch go too.
   */
  deletedUsers?: readonly Readonly<{ workspaceId: string; userId: string }>[]
  outcomes: readonly RecordOutcomeRow[]
  /**
   * Preference rows changed, in batch order, after the users are written (consent-repo.ts
   * SubscriptionChange): Data API attributes linked to preferences, merges carrying them.
   */
  subscriptionChanges?: readonly SubscriptionChange[]
  /**
   * Cards of event-triggered campaigns, each written only where the user has no card of its id,
   * with its outbox message (card-repo.ts CardSend); after the users are written, before the
   * membership changes (so a merge later in the batch moves them).
   */
  cardSends?: readonly CardSend[]
  /**
   * List memberships moved by merges and put back by their undos, in batch order, after the
   * event changes (segment-list-repo.ts MembershipChange). A `carry` moves the merged user's
   * cards too (card-repo.ts); an `uncarry` leaves them with the retained user.
   */
  membershipChanges?: readonly MembershipChange[]
  /**
   * spec §7.12: merge-log rows removed (their before-images hold an erased user's data), with the
   * lists of events and of list memberships they moved.
   */
  deletedMerges?: readonly Readonly<{ workspaceId: string; id: number }>[]
  /**
   * spec §7.12: log records whose payload is replaced (and customer id cleared). Once commit
   * resolves they are redacted, even where the log is another database (SQLite: applied right
   * after the commit, and again at open if a crash came between).
   */
  redactedLog?: readonly Readonly<{ seq: number; payload: string }>[]
  /**
   * spec §7.12: outcome rows whose reason is replaced (after this batch's outcomes are written);
   * an `applied` row gets it as its one note.
   */
  redactedOutcomes?: readonly Readonly<{ seq: number; reason: string }>[]
  /** spec §7.12: the outbox messages of erased users, redacted (outbox-repo.ts OutboxRedaction). */
  redactedOutbox?: readonly OutboxRedaction[]
  /** spec §7.12: identities to refuse from now on (an existing hash is kept as it is). */
  suppressions?: readonly SuppressionRow[]
  gdprRequests?: readonly GdprRequestRow[]
}>

export type UserLookup = Readonly<{ customerIds: readonly string[]; ids: readonly string[] }>

export interface WorkspaceRepo {
  /** Fails with StoreConflictError when the id exists. */
  create(workspace: Workspace): Promise<void>
  get(id: string): Promise<Workspace | undefined>
  list(): Promise<Workspace[]>
  update(id: string, patch: WorkspacePatch): Promise<Workspace | undefined>
}

export interface IngestLog {
  /** Appends records in one transaction; resolves once they are committed (durable per setting). */
  append(records: readonly NewLogRecord[]): Promise<void>
  /** Records with seq > afterSeq in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): Promise<LogRecord[]>
  /** The highest seq ever assigned (0 when none). */
  lastSeq(): Promise<number>
  /** When the first record with seq > afterSeq was received (undefined when there is none). */
  receivedAfter(afterSeq: number): Promise<number | undefined>
  /** The records of one request still in the log (compaction removes them after retention). */
  recordsOfRequest(workspaceId: string, requestId: string): Promise<LogRecord[]>
  /**
   * Deletes records with seq <= upToSeq received before `receivedBefore`; returns how many. Also
   * forgets the counts of accepted records older than ACCEPTED_MINUTES_KEPT before the newest
   * (store/browse.ts).
   */
  compact(upToSeq: number, receivedBefore: number): Promise<number>
  /**
   * Moves committed appends from the write-ahead log into the log's main file, without waiting
   * for (or stopping) an append in progress; nothing to do where the database does it by itself
   * (PostgreSQL). The processor calls it between batches, so that the thread committing appends
   * does not stop for it (SQLite: LOG_WRITER_AUTOCHECKPOINT_PAGES).
   */
  checkpoint(): Promise<void>
}

export interface ProfileRepo {
  /** Users of a workspace by customer id or internal id. */
  findUsers(workspaceId: string, lookup: UserLookup): Promise<UserRow[]>
  eventsOfUser(workspaceId: string, userId: string, limit: number): Promise<EventRow[]>
  devicesOfUser(workspaceId: string, userId: string): Promise<DeviceRow[]>
  /**
   * The outcomes of one request of one workspace, in record order. Request ids are not unique
   * across workspaces: the workspace is part of the lookup, never a filter left to the caller.
   */
  outcomesOfRequest(workspaceId: string, requestId: string): Promise<RecordOutcomeRow[]>
  /** One merge by id (the seq of its log record). */
  merge(workspaceId: string, id: number): Promise<MergeRow | undefined>
  /** A workspace's users in internal-id order, `limit` at a time after `afterId` ('' first). */
  usersPage(workspaceId: string, afterId: string, limit: number): Promise<UserRow[]>
  /**
   * Up to `limit` events of the workspace after the position (`afterTime`, `afterSeq`), by event
   * time then seq: a keyset page (start from Number.MIN_SAFE_INTEGER for both), for `inlet export`.
   */
  eventsPage(
    workspaceId: string,
    afterTime: number,
    afterSeq: number,
    limit: number,
  ): Promise<EventRow[]>
  /** spec §7.12, §7.10: the users `match` names directly (no merge closure), by internal id. */
  matchUsers(workspaceId: string, match: UserMatch): Promise<UserRow[]>
  /** Every merge (undone or not) whose retained or merged user is one of `userIds`. */
  mergesOfUsers(workspaceId: string, userIds: readonly string[]): Promise<MergeRow[]>
  /** spec §7.12 (Inlet): a carried-out erasure, by its request id. */
  gdprRequest(workspaceId: string, requestId: string): Promise<GdprRequestRow | undefined>
  /** spec §7.12 (Inlet): the workspace's suppression list, oldest first. */
  suppressions(workspaceId: string): Promise<SuppressionRow[]>
  /** Whether the workspace's suppression list holds anything (the processor's first check). */
  hasSuppressions(workspaceId: string): Promise<boolean>
  /** Of `hashes`, those on the workspace's suppression list. */
  suppressed(workspaceId: string, hashes: readonly string[]): Promise<string[]>
  /**
   * Lifts suppressions (the operator's decision, outside the processor): those with one of
   * `hashes`, or all those of `requestId`; returns how many were lifted.
   */
  liftSuppressions(
    workspaceId: string,
    by: Readonly<{ hashes?: readonly string[]; requestId?: string }>,
  ): Promise<number>
}

export interface ProcessingRepo {
  /** The seq of the last log record applied to the profile store (0 when none). */
  cursor(): Promise<number>
  /** Users (by customer id) and devices (by device id, and all devices of those users) of a batch. */
  loadSnapshot(records: readonly LogRecord[]): Promise<BatchSnapshot>
  /** spec §7.12: the log records and outcomes holding an erased user's data (see HeldQuery). */
  recordsHolding(workspaceId: string, query: HeldQuery): Promise<HeldRecords>
  /** Scheduled deletions due at `now`, earliest first. */
  dueDeletions(now: number, limit: number): Promise<DeletionRow[]>
  /**
   * Writes a batch's changes and moves the cursor, atomically (the ack of every record up to
   * `toSeq`); the failed attempts counted for those records are forgotten with it.
   */
  commit(changes: BatchChanges): Promise<CommitResult>
  /**
   * The processor lease: one processor at a time applies the log. Takes the lease for `owner`
   * until `now + ttlMs` when it is free, expired or already `owner`'s (a renewal); true when
   * `owner` holds it afterwards, false while another owner's lease runs. Exactly-once does not
   * rest on it (a commit from a stale cursor fails anyway); it keeps processors from doing the
   * same work twice and lets one take over when the holder dies.
   */
  acquireLease(owner: string, now: number, ttlMs: number): Promise<boolean>
  /** Gives the lease up when `owner` holds it, so that another processor takes over at once. */
  releaseLease(owner: string): Promise<void>
  /**
   * Counts one more failed attempt of the record `seq` (the retry count survives a takeover by
   * another processor); resolves to the attempts so far, this one included.
   */
  recordFailure(seq: number, error: string, now: number): Promise<number>
  /**
   * Event retention: removes every event whose UTC month ended before the month of `before`
   * began (whole months, as PostgreSQL drops whole monthly partitions); events of that month and
   * later are kept.
   */
  expireEvents(before: number): Promise<void>
}

export * from './alert-repo.js'
export * from './live-activity-repo.js'
export * from './card-repo.js'
export * from './consent-repo.js'
export * from './custom-segment-repo.js'
export * from './feature-key-repo.js'
export * from './outbox-repo.js'
export * from './push-repo.js'
export * from './file-import-repo.js'
export * from './quota-repo.js'
export * from './refusal-repo.js'
export * from './segment-list-repo.js'
export * from './session-repo.js'

export interface Store {
  readonly kind: 'sqlite' | 'postgres'
  /** Paged reads for people browsing the data (store/browse.ts: the dashboard). */
  readonly browse: BrowseRepo
  readonly workspaces: WorkspaceRepo
  readonly log: IngestLog
  readonly profiles: ProfileRepo
  readonly processing: ProcessingRepo
  readonly quotas: QuotaRepo
  readonly keys: FeatureKeyRepo
  /** Subscription categories and each user's preferences (consent-repo.ts). */
  readonly consent: ConsentRepo
  /** Segment counts and members over users and events (store/segments.ts, docs/segments.md). */
  readonly segments: SegmentRepo
  /** The segments workspaces define: names, filters, descriptions (custom-segment-repo.ts). */
  readonly customSegments: CustomSegmentRepo
  /** File segments and cohorts: their origin, members and import jobs (segment-list-repo.ts). */
  readonly segmentLists: SegmentListRepo
  /** The dashboard's signed-in sessions (store/session-repo.ts). */
  readonly sessions: SessionRepo
  /** Refused Data API records per workspace, minute and API (store/refusal-repo.ts). */
  readonly refusals: RefusalRepo
  /** Inform alert definitions (store/alert-repo.ts). */
  readonly alerts: AlertRepo
  /** Every message asked to be sent, rendered, with its status (store/outbox-repo.ts). */
  readonly outbox: OutboxRepo
  /** Push API campaigns and their sends, scheduled and expanded (store/push-repo.ts). */
  readonly push: PushRepo
  /** Live-activity campaigns and their instances (store/live-activity-repo.ts). */
  readonly liveActivities: LiveActivityRepo
  /** File Imports: import definitions and their runs (store/file-import-repo.ts). */
  readonly fileImports: FileImportRepo
  /** Card campaigns and each user's cards (store/card-repo.ts). */
  readonly cards: CardRepo
  close(): Promise<void>
}

export class StoreConflictError extends Error {
  override readonly name: string = 'StoreConflictError'
}
