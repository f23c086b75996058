/**
 * The PostgreSQL adapter's list segments (Store `segmentLists`, tables `segment_lists`,
 * `segment_members` and `segment_imports`, migration 26): a list's origin, its members (a chunk
 * written set-based with unnest, one statement), value lookups compiled by the segment compiler's
 * matchStatement, and the import jobs — a claim is one UPDATE of the oldest claimable row, locked
 * with FOR UPDATE SKIP LOCKED, so two claimers never both win.
 */
import { claimableWhere } from '../segment-list-sql.js'
import { matchStatement, valueMatches } from '../segment-sql.js'
import {
  IMPORT_JOB_COLUMNS,
  SEGMENT_LIST_COLUMNS,
  importJobValues,
  num,
  segmentListValues,
  toImportJob,
  toSegmentList,
} from '../rows.js'
import type { SegmentListRepo } from '../store.js'
import { rows, type PostgresConnection } from './connection.js'
import { postgresSegmentDialect } from './segments.js'

const CLAIMABLE = claimableWhere('$2', (text) => `${text} COLLATE "C"`)

const SQL = {
  put: `INSERT INTO segment_lists (${SEGMENT_LIST_COLUMNS.join(', ')})
    VALUES (${SEGMENT_LIST_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
  get: 'SELECT * FROM segment_lists WHERE workspace_id = $1 AND segment_id = $2',
  cohort: `SELECT * FROM segment_lists
    WHERE workspace_id = $1 AND partner = $2 AND external_id = $3`,
  list: 'SELECT * FROM segment_lists WHERE workspace_id = $1 ORDER BY segment_id COLLATE "C"',
  add: `INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
    SELECT $1, $2, u, $4 FROM unnest($3::text[]) AS u ON CONFLICT DO NOTHING`,
  remove: `DELETE FROM segment_members
    WHERE workspace_id = $1 AND segment_id = $2 AND user_id = ANY($3::text[])`,
  // What merges moved into the list is forgotten with its members (MembershipChange).
  clear: `WITH moved AS (
      DELETE FROM merge_memberships WHERE workspace_id = $1 AND segment_id = $2
    )
    DELETE FROM segment_members WHERE workspace_id = $1 AND segment_id = $2`,
  count: 'SELECT count(*) AS n FROM segment_members WHERE workspace_id = $1 AND segment_id = $2',
  memberships: `SELECT segment_id FROM segment_members WHERE workspace_id = $1 AND user_id = $2
    ORDER BY segment_id COLLATE "C"`,
  expire: `WITH l AS (
      UPDATE segment_lists SET expires_at = NULL
      WHERE expires_at IS NOT NULL AND expires_at <= $1
      RETURNING workspace_id, segment_id)
    UPDATE custom_segments c SET archived_at = $1 FROM l
    WHERE c.archived_at IS NULL AND c.workspace_id = l.workspace_id AND c.id = l.segment_id`,
  imported: `SELECT coalesce(sum(user_count), 0) AS n FROM segment_imports
    WHERE workspace_id = $1 AND operation IN ('create', 'add', 'replace')
      AND result_status = 201 AND finished_at >= $2`,
  enqueue: `INSERT INTO segment_imports (${IMPORT_JOB_COLUMNS.join(', ')})
    VALUES (${IMPORT_JOB_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
  claim: `UPDATE segment_imports t SET lease_owner = $1, lease_until = $3,
      state = CASE WHEN t.state = 'queued' THEN 'running' ELSE t.state END,
      attempts = t.attempts + CASE WHEN t.state = 'callback' THEN 0 ELSE 1 END, updated_at = $2
    WHERE (t.workspace_id, t.id) = (
      SELECT j.workspace_id, j.id FROM segment_imports j WHERE ${CLAIMABLE}
      ORDER BY j.created_at, j.id COLLATE "C" LIMIT 1 FOR UPDATE SKIP LOCKED)
      AND (t.lease_until IS NULL OR t.lease_until <= $2)
    RETURNING t.*`,
  renew: `UPDATE segment_imports SET lease_until = $4
    WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3 AND state IN ('running', 'callback')`,
  retry: `UPDATE segment_imports SET state = 'queued', next_attempt_at = $4, lease_owner = NULL,
      lease_until = NULL, updated_at = $5
    WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3`,
  finish: `UPDATE segment_imports SET
      state = CASE WHEN callback_url IS NULL THEN 'done' ELSE 'callback' END,
      callback_state = CASE WHEN callback_url IS NULL THEN 'none' ELSE 'pending' END,
      result_status = $4, error_message = $5, values_found = $6, values_processed = $7,
      user_count = $8, unmatched = $9, ambiguous = $10, finished_at = $11, updated_at = $11,
      next_attempt_at = $11, lease_owner = NULL, lease_until = NULL
    WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3`,
  callback: `UPDATE segment_imports SET state = $4, callback_state = $5,
      callback_attempts = callback_attempts + 1, next_attempt_at = $6, updated_at = $7,
      lease_owner = NULL, lease_until = NULL
    WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'callback'`,
  job: 'SELECT * FROM segment_imports WHERE workspace_id = $1 AND id = $2',
  prune: `DELETE FROM segment_imports j WHERE j.state = 'done' AND j.finished_at < $1 AND EXISTS (
      SELECT 1 FROM segment_imports o WHERE o.workspace_id = j.workspace_id
        AND o.segment_id = j.segment_id
        AND (o.created_at > j.created_at
          OR (o.created_at = j.created_at AND o.id COLLATE "C" > j.id COLLATE "C")))`,
  latest: `SELECT DISTINCT ON (segment_id COLLATE "C") * FROM segment_imports
    WHERE workspace_id = $1
    ORDER BY segment_id COLLATE "C", created_at DESC, id COLLATE "C" DESC`,
}

export function postgresSegmentLists({
  pool,
  open,
  all,
  one,
}: PostgresConnection): SegmentListRepo {
  const run = (text: string, values: readonly unknown[]) =>
    open(async () => (await pool.query(text, [...values])).rowCount ?? 0)
  return {
    put: async (row) => void (await run(SQL.put, segmentListValues(row))),
    get: (ws, id) => one(SQL.get, [ws, id], toSegmentList),
    cohort: (ws, partner, externalId) => one(SQL.cohort, [ws, partner, externalId], toSegmentList),
    list: (ws) => all(SQL.list, [ws], toSegmentList),
    addMembers: (ws, id, users, at) =>
      users.length === 0 ? Promise.resolve(0) : run(SQL.add, [ws, id, users, at]),
    removeMembers: (ws, id, users) =>
      users.length === 0 ? Promise.resolve(0) : run(SQL.remove, [ws, id, users]),
    clearMembers: async (ws, id) => void (await run(SQL.clear, [ws, id])),
    memberCount: async (ws, id) => num((await one(SQL.count, [ws, id], (r) => r['n'])) ?? 0),
    membershipsOf: (ws, user) => all(SQL.memberships, [ws, user], (r) => String(r['segment_id'])),
    match: (ws, field, type, values) =>
      open(async () => {
        if (values.length === 0) return []
        const s = matchStatement(postgresSegmentDialect, ws, field, type, values)
        const found = await rows(pool, s.text, s.values)
        return valueMatches(type, field, values, found as { v: unknown; id: unknown }[])
      }),
    archiveExpired: (now) => run(SQL.expire, [now]),
    usersImported: async (ws, since) =>
      num((await one(SQL.imported, [ws, since], (r) => r['n'])) ?? 0),
    enqueue: async (job) => void (await run(SQL.enqueue, importJobValues(job))),
    claim: (owner, now, until) =>
      open(async () => {
        const [r] = await rows(pool, SQL.claim, [owner, now, until])
        return r === undefined ? undefined : toImportJob(r)
      }),
    renew: async (ws, id, owner, until) => (await run(SQL.renew, [ws, id, owner, until])) === 1,
    retry: async (ws, id, owner, next, now) =>
      void (await run(SQL.retry, [ws, id, owner, next, now])),
    finish: async (ws, id, owner, o, now) =>
      void (await run(SQL.finish, [
        ws,
        id,
        owner,
        o.status,
        o.status === 201 ? null : o.errorMessage,
        o.valuesFound,
        o.valuesProcessed,
        o.userCount,
        o.unmatched,
        o.ambiguous,
        now,
      ])),
    callbackResult: async (ws, id, owner, result, now) => {
      const pending = result.state === 'pending'
      await run(SQL.callback, [
        ws,
        id,
        owner,
        pending ? 'callback' : 'done',
        result.state,
        pending ? result.nextAttemptAt : now,
        now,
      ])
    },
    job: (ws, id) => one(SQL.job, [ws, id], toImportJob),
    latestJobs: (ws) => all(SQL.latest, [ws], toImportJob),
    pruneJobs: (before) => run(SQL.prune, [before]),
  }
}
