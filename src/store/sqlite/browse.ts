/**
 * The SQLite adapter's reads for browsing (Store `browse`, store/browse.ts): users listed and
 * searched on the indexes of migration 14, a user's events newest first, skipped and dead records,
 * recent requests from the log (log.db), outcomes in seq order for the live view.
 */
import * as shared from '../browse.js'
import type { BrowseRepo, PagePosition, UserSearch } from '../browse.js'
import { num, str, toEvent, toOutcome, toUser, type Row } from '../rows.js'
import type { UserRow } from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'
import { EVENT_ROWS, USER_NUM } from './events.js'

/** Sorts after every real position: the first page of a newest-first list. */
const TOP: PagePosition = [Number.MAX_SAFE_INTEGER, '']
const EMAIL = `lower(json_extract(attributes, '$.u_em'))`
const MOBILE = `CAST(json_extract(attributes, '$.u_mb') AS TEXT)`

/** The JSON path of one attribute key, quoted so that any key is one path step. */
const pathOf = (key: string): string => `$.${JSON.stringify(key)}`

export function sqliteBrowse({ db, logDb }: SqliteConnection): BrowseRepo {
  const q = {
    newest: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ? AND (created_at, id) < (?, ?)
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    ),
    byId: db.prepare('SELECT * FROM users WHERE workspace_id = ? AND id = ?'),
    byCustomer: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ? AND customer_id >= ? AND customer_id < ?
         AND customer_id > ? ORDER BY customer_id LIMIT ?`,
    ),
    // Unlike PostgreSQL (store/browse.ts keyedStart), SQLite takes no index bound from a row
    // comparison on an expression: the key's own `>=` starts the search at the page's key, and
    // without it a page read the workspace's index from its first entry (3 s at 1,000,000 users;
    // query-plans.test.ts holds the plan).
    byEmail: db.prepare(
      `SELECT *, ${EMAIL} AS k FROM users WHERE workspace_id = ? AND ${EMAIL} >= ?
         AND (${EMAIL}, id) > (?, ?) AND ${EMAIL} < ? ORDER BY ${EMAIL}, id LIMIT ?`,
    ),
    byMobile: db.prepare(
      `SELECT *, ${MOBILE} AS k FROM users WHERE workspace_id = ? AND ${MOBILE} >= ?
         AND (${MOBILE}, id) > (?, ?) AND ${MOBILE} < ? ORDER BY ${MOBILE}, id LIMIT ?`,
    ),
    // The last user an attribute page examines (ATTRIBUTE_SCAN_ROWS on from the position).
    scanEnd: db.prepare(
      `SELECT created_at, id FROM users WHERE workspace_id = ? AND (created_at, id) < (?, ?)
       ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?`,
    ),
    byAttribute: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ? AND (created_at, id) < (?, ?)
         AND (created_at, id) >= (?, ?) AND CAST(json_extract(attributes, ?) AS TEXT) = ?
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    ),
    byAnyAttribute: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ? AND (created_at, id) < (?, ?)
         AND (created_at, id) >= (?, ?)
         AND EXISTS (SELECT 1 FROM json_each(users.attributes) WHERE CAST(value AS TEXT) = ?)
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    ),
    events: db.prepare(
      `${EVENT_ROWS} WHERE e.user_num = ${USER_NUM} AND (e.event_time, e.seq) < (?, ?)
       ORDER BY e.event_time DESC, e.seq DESC LIMIT ?`,
    ),
    rejections: db.prepare(
      `SELECT * FROM record_outcomes WHERE workspace_id = ? AND seq < ?
         AND outcome IN ('skipped', 'dead') AND (? IS NULL OR outcome = ?)
         AND (? IS NULL OR instr(lower(reason), lower(?)) > 0)
       ORDER BY seq DESC LIMIT ?`,
    ),
    outcomesAfter: db.prepare('SELECT * FROM record_outcomes WHERE seq > ? ORDER BY seq LIMIT ?'),
    identityLinks: db.prepare(
      'SELECT name, value FROM identities WHERE workspace_id = ? AND user_id = ? ORDER BY name, value',
    ),
    accepted: logDb.prepare(
      'SELECT minute, api, records FROM log_minutes WHERE workspace_id = ? AND minute >= ?',
    ),
    requests: logDb.prepare(
      `SELECT seq, request_id, kind, received_at, records FROM log
       WHERE workspace_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
  }
  const users = (rows: unknown[]): UserRow[] => (rows as Row[]).map(toUser)

  // Alike in its steps to postgres/browse.ts's search: other SQL, and the driver answers in turn.
  function search(s: UserSearch) {
    const { workspaceId: ws, value, limit } = s
    switch (s.kind) {
      case 'all': {
        const [at, id] = s.after ?? TOP
        const found = users(q.newest.all(ws, at, id, limit))
        return { users: found, next: shared.lastOf(found, limit, shared.newestKey) }
      }
      case 'id': {
        const found = s.after === undefined ? users(q.byId.all(ws, value)) : []
        return { users: found, next: null }
      }
      case 'customer_id': {
        const [after] = s.after ?? ['']
        const found = users(q.byCustomer.all(ws, value, shared.prefixEnd(value), after, limit))
        return { users: found, next: shared.lastOf(found, limit, (u) => [u.customerId ?? '']) }
      }
      case 'email':
      case 'mobile': {
        const prefix = s.kind === 'email' ? value.toLowerCase() : value
        const [k, id] = shared.keyedStart(prefix, s.after)
        const statement = s.kind === 'email' ? q.byEmail : q.byMobile
        const rows = statement.all(ws, k, k, id, shared.prefixEnd(prefix), limit) as Row[]
        return { users: rows.map(toUser), next: shared.keyedNext(rows, limit) }
      }
      case 'attribute':
        return shared.attributePage(s, (position, left) =>
          attempt(() => {
            const [at, id] = position
            const end = q.scanEnd.get(ws, at, id, shared.ATTRIBUTE_SCAN_CHUNK - 1) as
              Row | undefined
            const [endAt, endId] = shared.scanEndOf(end)
            const found =
              s.key === undefined
                ? users(q.byAnyAttribute.all(ws, at, id, endAt, endId, value, left))
                : users(q.byAttribute.all(ws, at, id, endAt, endId, pathOf(s.key), value, left))
            return { end, found }
          }),
        )
    }
  }

  return {
    // An attribute page's chunks run each through `attempt`, one after another (store/browse.ts).
    searchUsers: async (s) => await attempt(() => search(s)),
    userEvents: (ws, userId, after, limit) =>
      attempt(() => {
        const [at, seq] = after ?? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
        return (q.events.all(ws, userId, at, seq, limit) as Row[]).map(toEvent)
      }),
    rejections: (ws, f) =>
      attempt(() => {
        const outcome = f.outcome ?? null
        const reason = f.reason ?? null
        const before = f.beforeSeq ?? Number.MAX_SAFE_INTEGER
        const rows = q.rejections.all(ws, before, outcome, outcome, reason, reason, f.limit)
        return (rows as Row[]).map(toOutcome)
      }),
    recentRequests: (ws, beforeSeq, limit) =>
      attempt(() => {
        const before = beforeSeq ?? Number.MAX_SAFE_INTEGER
        const rows = q.requests.all(ws, before, shared.requestScanRows(limit)) as Row[]
        return shared.summarizeRequests(
          rows.map((r) => ({
            seq: num(r['seq']),
            requestId: str(r['request_id']),
            kind: str(r['kind']),
            receivedAt: num(r['received_at']),
            records: num(r['records']),
          })),
          limit,
        )
      }),
    identityLinks: (ws, userId) =>
      attempt(() => (q.identityLinks.all(ws, userId) as Row[]).map(shared.toIdentityValue)),
    acceptedRecords: (ws, sinceMs) =>
      attempt(() =>
        (q.accepted.all(ws, shared.minuteOf(sinceMs)) as Row[]).map(shared.toAcceptedMinute),
      ),
    outcomesAfter: (afterSeq, limit) =>
      attempt(() => (q.outcomesAfter.all(afterSeq, limit) as Row[]).map(toOutcome)),
  }
}
