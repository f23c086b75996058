/**
 * The Store's reads for people browsing the data (the dashboard, families/dashboard/): users
 * listed and searched a page at a time, a user's events newest first, the records that were kept
 * out with their reason, a workspace's recent requests, and outcomes in log order (the live view).
 * Every read names its workspace but `outcomesAfter`, which the live view filters itself.
 *
 * Pages continue from a position (`after`): the sort key of the last row of the page before, as
 * the store answered it in `next`; what a position holds is the store's business. How each search
 * stays fast with a million users (docs/dashboard.md):
 * - `all`: newest users first, on an index of (workspace, created_at, id);
 * - `customer_id`, `email`, `mobile`: prefix matches on indexes (`email` ignoring case);
 * - `id`: the one user;
 * - `attribute`: any attribute's value (of the attribute `key`, or of any attribute when no key is
 *   given) — no index can hold every attribute, so each page examines users newest first, in
 *   chunks of ATTRIBUTE_SCAN_CHUNK, until it has `limit` matches, has examined
 *   ATTRIBUTE_SCAN_ROWS, or the search's `stopScan` says to stop after a chunk (its time budget),
 *   and answers the matches and where to go on: a page may hold fewer matches than asked for, and
 *   `next` is null only at the last user.
 */
import { num, str, type Row } from './rows.js'
import type { EventRow, IdentityValue, NewLogRecord, RecordOutcomeRow, UserRow } from './store.js'

export const USER_SEARCH_KINDS = [
  'all',
  'customer_id',
  'id',
  'email',
  'mobile',
  'attribute',
] as const

export type UserSearchKind = (typeof USER_SEARCH_KINDS)[number]

/** A page position: the sort key of the last row answered (never built by callers). */
export type PagePosition = readonly (string | number)[]

/** Users an `attribute` search examines per page at most. */
export const ATTRIBUTE_SCAN_ROWS = 20_000

/** Users an `attribute` search examines at a time, between asking its `stopScan`. */
export const ATTRIBUTE_SCAN_CHUNK = 1_000

export type UserSearch = Readonly<{
  workspaceId: string
  kind: UserSearchKind
  /** The prefix, id or value searched for (ignored by `all`). */
  value: string
  /** `attribute`: the attribute whose value is compared; absent: any attribute. */
  key?: string
  after?: PagePosition
  limit: number
  /**
   * `attribute`: asked after each chunk of ATTRIBUTE_SCAN_CHUNK users examined without filling the
   * page; true ends the page there (the dashboard's time budget). Absent: never.
   */
  stopScan?: () => boolean
}>

export type UserPage = Readonly<{ users: UserRow[]; next: PagePosition | null }>

export type RejectionFilter = Readonly<{
  /** Only `skipped` or only `dead` records; both when absent. */
  outcome?: 'skipped' | 'dead'
  /** Only those whose reason contains this text. */
  reason?: string
  /** Only records logged before this seq (the page before's last). */
  beforeSeq?: number
  limit: number
}>

/** One request as the log still holds it: its records' kinds and count, newest request first. */
export type RequestSummary = Readonly<{
  requestId: string
  receivedAt: number
  /** Records of the request (a Bulk request's elements each count). */
  records: number
  kinds: string[]
  /** The highest seq of its records (a page's position). */
  lastSeq: number
}>

/**
 * Records one API sent that the log accepted in one minute (`minute`: ms since the epoch /
 * 60,000), as the log's appends counted them (NewLogRecord `api`; a Bulk row counts its records).
 */
export type AcceptedMinute = Readonly<{ minute: number; api: string; records: number }>

/** The minutes of accepted records a store keeps, up to the newest it counted: a day. */
export const ACCEPTED_MINUTES_KEPT = 24 * 60

const MINUTE_MS = 60_000

/** The minute (ms since the epoch / 60,000) a time falls in. */
export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS)

/** One workspace's count of one API's records in one minute, as an append adds it. */
export type AcceptedCount = { workspaceId: string; minute: number; api: string; records: number }

/**
 * What appending `records` adds to the per-minute counts of accepted records: one entry per
 * (workspace, minute of `receivedAt`, API), a Bulk row counting as its records. Both adapters'
 * appends write these in the append's transaction (the workspace page's chart reads them).
 */
export function acceptedCounts(records: readonly NewLogRecord[]): AcceptedCount[] {
  const counts = new Map<string, AcceptedCount>()
  let last: AcceptedCount | undefined
  for (const r of records) {
    const minute = minuteOf(r.receivedAt)
    const n = r.records ?? 1
    // A group commit's records mostly come in runs of one request: no lookup within a run.
    if (last?.minute === minute && last.api === r.api && last.workspaceId === r.workspaceId) {
      last.records += n
      continue
    }
    const key = `${r.workspaceId}\u0000${minute}\u0000${r.api}`
    last = counts.get(key)
    if (last === undefined) {
      last = { workspaceId: r.workspaceId, minute, api: r.api, records: 0 }
      counts.set(key, last)
    }
    last.records += n
  }
  return [...counts.values()]
}

export interface BrowseRepo {
  searchUsers(search: UserSearch): Promise<UserPage>
  /** A user's events, newest first (event time, then seq), after `after` ([eventTime, seq]). */
  userEvents(
    workspaceId: string,
    userId: string,
    after: readonly [number, number] | undefined,
    limit: number,
  ): Promise<EventRow[]>
  /**
   * The identity links Identity Resolution stored for the user (spec §6.2: each identifier value
   * it is found by), by name then value; none when the workspace never resolved identities.
   */
  identityLinks(workspaceId: string, userId: string): Promise<IdentityValue[]>
  /** Skipped and dead records, newest first. */
  rejections(workspaceId: string, filter: RejectionFilter): Promise<RecordOutcomeRow[]>
  /** The requests of the workspace the log still holds, newest first, logged before `beforeSeq`. */
  recentRequests(
    workspaceId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<RequestSummary[]>
  /**
   * The workspace's records the log accepted in the minutes from `sinceMs` on, per minute and
   * sending API (NewLogRecord `api`): counts the log's appends keep beside it, in the append's
   * transaction, for ACCEPTED_MINUTES_KEPT minutes up to the newest (compaction forgets older
   * ones), whatever the log's retention. At most that many rows per API: no log row is read.
   */
  acceptedRecords(workspaceId: string, sinceMs: number): Promise<AcceptedMinute[]>
  /** Outcome rows of every workspace with seq > afterSeq, in seq order (the live view). */
  outcomesAfter(afterSeq: number, limit: number): Promise<RecordOutcomeRow[]>
}

/** An `AcceptedMinute` from a driver's row of (minute, api, records). */
export const toAcceptedMinute = (r: Row): AcceptedMinute => ({
  minute: num(r['minute']),
  api: str(r['api']),
  records: num(r['records']),
})

/** An `IdentityValue` from a driver's row of (name, value). */
export const toIdentityValue = (r: Row): IdentityValue => ({
  name: str(r['name']),
  value: str(r['value']),
})

/** The end of a prefix range: every string starting with `prefix` sorts below it. */
export function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`
}

/** The position after a full page (`limit` rows), by `key`; null after a shorter, last one. */
export function lastOf(
  found: readonly UserRow[],
  limit: number,
  key: (u: UserRow) => PagePosition,
): PagePosition | null {
  const last = found.at(-1)
  return found.length === limit && last !== undefined ? key(last) : null
}

/** The position of a user in the newest-first list. */
export const newestKey = (u: UserRow): PagePosition => [u.createdAt, u.id]

/**
 * Where a page of email or mobile matches starts, exclusive, as (index key, id): after the page
 * before's last row, or — on the first page, or after a position before the prefix — just before
 * the first key starting with `prefix` (every id sorts after ''). The one lower bound of the
 * search: a second one on the key (`>= prefix`) beside this row comparison made PostgreSQL start
 * its index scan at the workspace's first entry (docs/query-plans.md).
 */
export function keyedStart(prefix: string, after: PagePosition | undefined): [string, string] {
  if (after === undefined) return [prefix, '']
  const [k, id] = after
  return str(k) < prefix ? [prefix, ''] : [str(k), str(id)]
}

/** After a full page of email or mobile matches: the last row's index key (`k`) and id. */
export function keyedNext(rows: readonly Row[], limit: number): PagePosition | null {
  const last = rows.at(-1)
  return rows.length === limit && last !== undefined ? [str(last['k']), str(last['id'])] : null
}

/** Where an attribute scan's chunk stops: its last user, or [-1, ''] when the users run out. */
export function scanEndOf(end: Row | undefined): [number, string] {
  return end === undefined ? [-1, ''] : [num(end['created_at']), str(end['id'])]
}

/**
 * One chunk of an attribute page, as an adapter runs it: the last user the chunk may examine
 * (ATTRIBUTE_SCAN_CHUNK on from the position, exclusive; undefined when fewer are left), and the
 * matches from the position down to that user or the last one, newest first, at most `limit`.
 */
export type AttributeChunk = (
  position: PagePosition,
  limit: number,
) => Promise<Readonly<{ end: Row | undefined; found: UserRow[] }>>

/**
 * An `attribute` page (store/browse.ts's rule, the same for both adapters): chunk after chunk from
 * `search.after` (the newest user first) until the page is full, the users run out,
 * ATTRIBUTE_SCAN_ROWS were examined or `stopScan` says so; `next` is after the last full page's
 * last user or the last user examined, null at the end.
 */
export async function attributePage(search: UserSearch, chunk: AttributeChunk): Promise<UserPage> {
  let position: PagePosition = search.after ?? [Number.MAX_SAFE_INTEGER, '']
  const users: UserRow[] = []
  for (let examined = ATTRIBUTE_SCAN_CHUNK; ; examined += ATTRIBUTE_SCAN_CHUNK) {
    const { end, found } = await chunk(position, search.limit - users.length)
    users.push(...found)
    const full = lastOf(users, search.limit, newestKey)
    if (full !== null) return { users, next: full }
    if (end === undefined) return { users, next: null }
    position = scanEndOf(end)
    if (examined >= ATTRIBUTE_SCAN_ROWS || search.stopScan?.() === true) {
      return { users, next: position }
    }
  }
}

/** Log rows read to find `limit` requests (a request has many rows; Bulk rows are one row). */
export function requestScanRows(limit: number): number {
  return Math.min(5_000, limit * 50)
}

/** Groups log rows (newest first) into requests, at most `limit`. */
export function summarizeRequests(
  rows: readonly Readonly<{
    seq: number
    requestId: string
    kind: string
    receivedAt: number
    records: number
  }>[],
  limit: number,
): RequestSummary[] {
  const byId = new Map<string, { summary: RequestSummary; kinds: Set<string> }>()
  for (const row of rows) {
    let entry = byId.get(row.requestId)
    if (entry === undefined) {
      if (byId.size === limit) break
      entry = {
        summary: {
          requestId: row.requestId,
          receivedAt: row.receivedAt,
          records: 0,
          kinds: [],
          lastSeq: row.seq,
        },
        kinds: new Set(),
      }
      byId.set(row.requestId, entry)
    }
    entry.kinds.add(row.kind)
    entry.summary = { ...entry.summary, records: entry.summary.records + row.records }
  }
  return [...byId.values()].map(({ summary, kinds }) => ({ ...summary, kinds: [...kinds] }))
}
