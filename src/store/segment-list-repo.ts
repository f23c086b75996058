/**
 * The segment-list repository of the Store (re-exported by store.ts): segments whose members are a
 * stored list rather than filters — file segments (`/v2/custom-segments/file-segment`) and
 * cohorts (`/v1/integrations/cohortsync`) — with the list's origin beside its `custom_segments`
 * row, the members themselves (rows that belong to a user row: a user deleted or erased leaves
 * every list with its row), and the durable import jobs of file segments: claimed under a lease so
 * that one job never runs twice at once, resumed after a restart, their outcome and callback kept.
 * What a file holds, and which user a value names, are the segments family's.
 */
import type { Field } from './segments.js'

/** Where a list segment's members come from. */
export type SegmentListKind = 'file' | 'cohort'

/** A list segment's origin (its `custom_segments` row holds name, type, source, archive state). */
export type SegmentListRow = Readonly<{
  workspaceId: string
  segmentId: string
  kind: SegmentListKind
  /** A cohort's partner; null for a file segment. */
  partner: string | null
  /** A cohort's `cohort_id`; null for a file segment. */
  externalId: string | null
  /** A file segment's `expiry_time`, as an instant: archived from then on; null: never. */
  expiresAt: number | null
}>

/**
 * What a file-segment request asks of the segment's members; a Cohort Sync request's changes are
 * recorded as `cohort_add` and `cohort_remove` (done when written: they are never claimed).
 */
export const IMPORT_OPERATIONS = [
  'create',
  'add',
  'remove',
  'replace',
  'cohort_add',
  'cohort_remove',
] as const
export type ImportOperation = (typeof IMPORT_OPERATIONS)[number]

/**
 * An import's life: `queued` (waiting, or waiting to retry), `running` (claimed under a lease),
 * `callback` (done, its callback still to be posted), `done` (nothing left to do).
 */
export type ImportState = 'queued' | 'running' | 'callback' | 'done'

/** The counts of a finished import (the callback's, and the unmatched and ambiguous values). */
export type ImportCounts = Readonly<{
  valuesFound: number
  valuesProcessed: number
  userCount: number
  unmatched: number
  ambiguous: number
}>

/** A file-segment import job. */
export type ImportJobRow = Readonly<{
  workspaceId: string
  /** The request id (the callback's `request_id`). */
  id: string
  segmentId: string
  operation: ImportOperation
  attributeName: string
  attributeType: 'string' | 'double'
  fileUrl: string
  callbackUrl: string | null
  /** The `emails` of the request, JSON text. */
  emails: string
  state: ImportState
  /** Download attempts made so far. */
  attempts: number
  /** When the job (or its callback) may next be tried. */
  nextAttemptAt: number
  leaseOwner: string | null
  leaseUntil: number | null
  createdAt: number
  updatedAt: number
  finishedAt: number | null
  /** The outcome: 201 (success), 400 or 500; null until finished. */
  resultStatus: number | null
  /** The failure's message (the callback's `error_message`); null on success. */
  errorMessage: string | null
  valuesFound: number
  valuesProcessed: number
  userCount: number
  unmatched: number
  ambiguous: number
  callbackAttempts: number
  /** `pending` while the callback is to be posted, `sent`, `failed` (gave up) or `none`. */
  callbackState: 'none' | 'pending' | 'sent' | 'failed'
}>

/** How an import ends: success, or a failure with its status and message. */
export type ImportOutcome = Readonly<
  ({ status: 201 } & ImportCounts) | ({ status: 400 | 500; errorMessage: string } & ImportCounts)
>

/** One value of a file matched to a user: the value as the query read it, and the user's id. */
export type ValueMatch = Readonly<{ value: string; userId: string }>

/**
 * A change of list memberships that a processor batch makes at commit, in batch order
 * (BatchChanges.membershipChanges), over the rows as they are then:
 *
 * - `carry`: merge `mergeId` (spec §7.7, §6.2) moves `fromUserId`'s memberships to `toUserId` (a
 *   list both were in keeps one row, `toUserId`'s), and keeps which lists it moved and whether
 *   `toUserId` gained each (table `merge_memberships`);
 * - `uncarry`: the merge's undo — `toUserId` (the merged user) is a member again of every list the
 *   merge moved, `fromUserId` (the retained user) leaves those it gained, and the record goes.
 *
 * Nothing is written for a user that does not exist (any more). Replacing a list's members
 * forgets what merges moved into it: an undo after that leaves the list as it is.
 */
export type MembershipChange = Readonly<{
  kind: 'carry' | 'uncarry'
  workspaceId: string
  mergeId: number
  fromUserId: string
  toUserId: string
  at: number
}>

export interface SegmentListRepo {
  /** Records the origin of list segment `row.segmentId` (its custom_segments row exists). */
  put(row: SegmentListRow): Promise<void>
  get(workspaceId: string, segmentId: string): Promise<SegmentListRow | undefined>
  /** The cohort `externalId` of `partner`, if synced before. */
  cohort(
    workspaceId: string,
    partner: string,
    externalId: string,
  ): Promise<SegmentListRow | undefined>
  /** Every list segment of the workspace. */
  list(workspaceId: string): Promise<SegmentListRow[]>
  /** Adds users to the list (already there: unchanged); answers how many were added. */
  addMembers(
    workspaceId: string,
    segmentId: string,
    userIds: readonly string[],
    at: number,
  ): Promise<number>
  /** Removes users from the list; answers how many were members. */
  removeMembers(workspaceId: string, segmentId: string, userIds: readonly string[]): Promise<number>
  /** Empties the list (and forgets which of its memberships merges moved: MembershipChange). */
  clearMembers(workspaceId: string, segmentId: string): Promise<void>
  /** How many members the list has. */
  memberCount(workspaceId: string, segmentId: string): Promise<number>
  /** The lists `userId` is a member of (segment ids, byte order). */
  membershipsOf(workspaceId: string, userId: string): Promise<string[]>
  /**
   * The workspace's users whose `field` equals one of `values` (`string`: the text value;
   * `double`: the number `Number(value)` — answered as the value it was asked as), at most two
   * users per value, so that a value naming more than one user is seen.
   */
  match(
    workspaceId: string,
    field: Field,
    type: 'string' | 'double',
    values: readonly string[],
  ): Promise<ValueMatch[]>
  /**
   * Archives the list segments whose expiry has passed, and forgets the expiry (a segment
   * unarchived afterwards stays active); answers how many were archived.
   */
  archiveExpired(now: number): Promise<number>
  /** Users matched by the workspace's file imports (create, add, replace) finished since `since`. */
  usersImported(workspaceId: string, since: number): Promise<number>

  /** Queues an import. */
  enqueue(job: ImportJobRow): Promise<void>
  /**
   * Claims the oldest import that may run now for `owner` until `leaseUntil`: queued or running
   * (a lease that ran out: its process stopped) or with a callback to post, due, unleased, and —
   * unless only its callback is left — with no earlier unfinished import of the same segment.
   * The claim is one conditional write: two claimers never both get a job.
   */
  claim(owner: string, now: number, leaseUntil: number): Promise<ImportJobRow | undefined>
  /** Extends `owner`'s lease; false when the job is no longer its. */
  renew(workspaceId: string, id: string, owner: string, leaseUntil: number): Promise<boolean>
  /** A failed attempt: back to `queued` at `nextAttemptAt`, the lease released. */
  retry(
    workspaceId: string,
    id: string,
    owner: string,
    nextAttemptAt: number,
    now: number,
  ): Promise<void>
  /** The import's outcome: `callback` when it has a callback URL, else `done`; lease released. */
  finish(
    workspaceId: string,
    id: string,
    owner: string,
    outcome: ImportOutcome,
    now: number,
  ): Promise<void>
  /** The callback's result: `sent` or `failed` (done), or tried again at `nextAttemptAt`. */
  callbackResult(
    workspaceId: string,
    id: string,
    owner: string,
    result: Readonly<{ state: 'sent' | 'failed' } | { state: 'pending'; nextAttemptAt: number }>,
    now: number,
  ): Promise<void>
  /** One import. */
  job(workspaceId: string, id: string): Promise<ImportJobRow | undefined>
  /** The latest import of each of the workspace's file segments. */
  latestJobs(workspaceId: string): Promise<ImportJobRow[]>
  /**
   * Removes the imports (of every workspace) that are done and finished before `before`, except
   * the latest of each segment (latestJobs); answers how many went.
   */
  pruneJobs(before: number): Promise<number>
}
