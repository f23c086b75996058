/**
 * The PostgreSQL adapter's reads for browsing (Store `browse`, store/browse.ts): users listed and
 * searched on the indexes of migration 14 (text compared byte-wise, COLLATE "C", so that a prefix
 * is a range), a user's events newest first, skipped and dead records, recent requests from the
 * log, outcomes in seq order for the live view.
 */
import * as shared from '../browse.js'
import type { BrowseRepo, PagePosition, UserSearch, UserPage } from '../browse.js'
import { num, str, toEvent, toOutcome, toUser, type Row } from '../rows.js'
import type { PostgresConnection } from './connection.js'

const TOP: PagePosition = [Number.MAX_SAFE_INTEGER, '']
const EMAIL = `(lower(attributes::json ->> 'u_em') COLLATE "C")`
const MOBILE = `((attributes::json ->> 'u_mb') COLLATE "C")`
const ID = `(id COLLATE "C")`

export const BROWSE_SQL = {
  newest: `
    SELECT * FROM users WHERE workspace_id = $1 AND (created_at, ${ID}) < ($2, $3)
    ORDER BY created_at DESC, ${ID} DESC LIMIT $4`,
  byId: 'SELECT * FROM users WHERE workspace_id = $1 AND id = $2',
  byCustomer: `
    SELECT * FROM users WHERE workspace_id = $1 AND (customer_id COLLATE "C") >= $2
      AND (customer_id COLLATE "C") < $3 AND (customer_id COLLATE "C") > $4
    ORDER BY (customer_id COLLATE "C") LIMIT $5`,
  // One lower bound, the row comparison (store/browse.ts keyedStart): with a second one on the
  // same column (`>= prefix`) the index scan started at the workspace's first entry and read on
  // to the prefix (docs/query-plans.md, "The dashboard's user searches").
  byEmail: `
    SELECT *, ${EMAIL} AS k FROM users WHERE workspace_id = $1 AND (${EMAIL}, ${ID}) > ($2, $3)
      AND ${EMAIL} < $4 ORDER BY ${EMAIL}, ${ID} LIMIT $5`,
  byMobile: `
    SELECT *, ${MOBILE} AS k FROM users WHERE workspace_id = $1 AND (${MOBILE}, ${ID}) > ($2, $3)
      AND ${MOBILE} < $4 ORDER BY ${MOBILE}, ${ID} LIMIT $5`,
  scanEnd: `
    SELECT created_at, id FROM users WHERE workspace_id = $1 AND (created_at, ${ID}) < ($2, $3)
    ORDER BY created_at DESC, ${ID} DESC LIMIT 1 OFFSET $4`,
  byAttribute: `
    SELECT * FROM users WHERE workspace_id = $1 AND (created_at, ${ID}) < ($2, $3)
      AND (created_at, ${ID}) >= ($4, $5) AND (attributes::json ->> $6) = $7
    ORDER BY created_at DESC, ${ID} DESC LIMIT $8`,
  byAnyAttribute: `
    SELECT * FROM users WHERE workspace_id = $1 AND (created_at, ${ID}) < ($2, $3)
      AND (created_at, ${ID}) >= ($4, $5)
      AND EXISTS (SELECT 1 FROM json_each_text(attributes::json) e WHERE e.value = $6)
    ORDER BY created_at DESC, ${ID} DESC LIMIT $7`,
  events: `
    SELECT * FROM events WHERE workspace_id = $1 AND user_id = $2 AND (event_time, seq) < ($3, $4)
    ORDER BY event_time DESC, seq DESC LIMIT $5`,
  rejections: `
    SELECT * FROM record_outcomes WHERE workspace_id = $1 AND seq < $2
      AND outcome IN ('skipped', 'dead') AND ($3::text IS NULL OR outcome = $3)
      AND ($4::text IS NULL OR strpos(lower(reason), lower($4)) > 0)
    ORDER BY seq DESC LIMIT $5`,
  outcomesAfter: 'SELECT * FROM record_outcomes WHERE seq > $1 ORDER BY seq LIMIT $2',
  identityLinks: `
    SELECT name, value FROM identities WHERE workspace_id = $1 AND user_id = $2
    ORDER BY name COLLATE "C", value COLLATE "C"`,
  accepted: `
    SELECT minute, api, records FROM log_minutes WHERE workspace_id = $1 AND minute >= $2`,
  requests: `
    SELECT seq, request_id, kind, received_at FROM log
    WHERE workspace_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
}

export function postgresBrowse({ all, one, open }: PostgresConnection): BrowseRepo {
  // Alike in its steps to sqlite/browse.ts's search: other SQL, and the driver answers async.
  async function search(s: UserSearch): Promise<UserPage> {
    const { workspaceId: ws, value, limit } = s
    switch (s.kind) {
      case 'all': {
        const [at, id] = s.after ?? TOP
        const found = await all(BROWSE_SQL.newest, [ws, at, id, limit], toUser)
        return { users: found, next: shared.lastOf(found, limit, shared.newestKey) }
      }
      case 'id':
        return {
          users: s.after === undefined ? await all(BROWSE_SQL.byId, [ws, value], toUser) : [],
          next: null,
        }
      case 'customer_id': {
        const [after] = s.after ?? ['']
        const found = await all(
          BROWSE_SQL.byCustomer,
          [ws, value, shared.prefixEnd(value), after, limit],
          toUser,
        )
        return { users: found, next: shared.lastOf(found, limit, (u) => [u.customerId ?? '']) }
      }
      case 'email':
      case 'mobile': {
        const prefix = s.kind === 'email' ? value.toLowerCase() : value
        const [k, id] = shared.keyedStart(prefix, s.after)
        const text = s.kind === 'email' ? BROWSE_SQL.byEmail : BROWSE_SQL.byMobile
        const rows = await all(text, [ws, k, id, shared.prefixEnd(prefix), limit], (r) => r)
        return { users: rows.map(toUser), next: shared.keyedNext(rows, limit) }
      }
      case 'attribute':
        return shared.attributePage(s, async ([at, id], left) => {
          const end = await one(
            BROWSE_SQL.scanEnd,
            [ws, at, id, shared.ATTRIBUTE_SCAN_CHUNK - 1],
            (r) => r,
          )
          const [endAt, endId] = shared.scanEndOf(end)
          const found =
            s.key === undefined
              ? await all(
                  BROWSE_SQL.byAnyAttribute,
                  [ws, at, id, endAt, endId, value, left],
                  toUser,
                )
              : await all(
                  BROWSE_SQL.byAttribute,
                  [ws, at, id, endAt, endId, s.key, value, left],
                  toUser,
                )
          return { end, found }
        })
    }
  }

  return {
    searchUsers: (s) => open(() => search(s)),
    userEvents: (ws, userId, after, limit) => {
      const [at, seq] = after ?? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
      return all(BROWSE_SQL.events, [ws, userId, at, seq, limit], toEvent)
    },
    rejections: (ws, f) =>
      all(
        BROWSE_SQL.rejections,
        [ws, f.beforeSeq ?? Number.MAX_SAFE_INTEGER, f.outcome ?? null, f.reason ?? null, f.limit],
        toOutcome,
      ),
    recentRequests: async (ws, beforeSeq, limit) => {
      const rows = await all(
        BROWSE_SQL.requests,
        [ws, beforeSeq ?? Number.MAX_SAFE_INTEGER, shared.requestScanRows(limit)],
        (r: Row) => ({
          seq: num(r['seq']),
          requestId: str(r['request_id']),
          kind: str(r['kind']),
          receivedAt: num(r['received_at']),
          records: 1,
        }),
      )
      return shared.summarizeRequests(rows, limit)
    },
    identityLinks: (ws, userId) =>
      all(BROWSE_SQL.identityLinks, [ws, userId], shared.toIdentityValue),
    acceptedRecords: (ws, sinceMs) =>
      all(BROWSE_SQL.accepted, [ws, shared.minuteOf(sinceMs)], shared.toAcceptedMinute),
    outcomesAfter: (afterSeq, limit) => all(BROWSE_SQL.outcomesAfter, [afterSeq, limit], toOutcome),
  }
}
