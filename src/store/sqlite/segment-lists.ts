/**
 * The SQLite adapter's list segments (Store `segmentLists`, tables `segment_lists`,
 * `segment_members` and `segment_imports` of store.db, migration 26): a list's origin, its
 * members (written in chunks, each its own transaction), value lookups compiled by the segment
 * compiler's matchStatement, and the import jobs — a claim is one conditional UPDATE under an
 * IMMEDIATE transaction, so two claimers never both win.
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
  type Row,
} from '../rows.js'
import type { SegmentListRepo } from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'
import { sqliteSegmentDialect } from './segments.js'

/** Jobs that may be claimed at `now` (@now); `j` the job. */
const CLAIMABLE = claimableWhere('@now', (text) => text)

/** A list whose expiry has come: its segment is archived and the expiry forgotten. */
const EXPIRED = 'expires_at IS NOT NULL AND expires_at <= ?'

export function sqliteSegmentLists({ db }: SqliteConnection): SegmentListRepo {
  const q = {
    put: db.prepare(
      `INSERT INTO segment_lists (${SEGMENT_LIST_COLUMNS.join(', ')})
       VALUES (${SEGMENT_LIST_COLUMNS.map(() => '?').join(', ')})`,
    ),
    get: db.prepare('SELECT * FROM segment_lists WHERE workspace_id = ? AND segment_id = ?'),
    cohort: db.prepare(
      'SELECT * FROM segment_lists WHERE workspace_id = ? AND partner = ? AND external_id = ?',
    ),
    list: db.prepare('SELECT * FROM segment_lists WHERE workspace_id = ? ORDER BY segment_id'),
    add: db.prepare(
      `INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
       VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    remove: db.prepare(
      'DELETE FROM segment_members WHERE workspace_id = ? AND segment_id = ? AND user_id = ?',
    ),
    // The planner, without statistics, would rather walk the workspace's primary-key range.
    clear: db.prepare(
      `DELETE FROM segment_members INDEXED BY segment_members_by_segment
       WHERE workspace_id = ? AND segment_id = ?`,
    ),
    // What merges moved into the list is forgotten with its members (MembershipChange).
    clearMoved: db.prepare(
      `DELETE FROM merge_memberships INDEXED BY merge_memberships_by_segment
       WHERE workspace_id = ? AND segment_id = ?`,
    ),
    count: db.prepare(
      'SELECT count(*) AS n FROM segment_members WHERE workspace_id = ? AND segment_id = ?',
    ),
    memberships: db.prepare(
      'SELECT segment_id FROM segment_members WHERE workspace_id = ? AND user_id = ? ORDER BY segment_id',
    ),
    expire: db.prepare(
      `UPDATE custom_segments SET archived_at = @now
       WHERE archived_at IS NULL AND (workspace_id, id) IN (
         SELECT workspace_id, segment_id FROM segment_lists
         WHERE expires_at IS NOT NULL AND expires_at <= @now)`,
    ),
    // The tick's look before it takes the write lock (archiveExpired below).
    anyExpired: db.prepare(`SELECT 1 FROM segment_lists WHERE ${EXPIRED} LIMIT 1`).pluck(),
    forget: db.prepare(`UPDATE segment_lists SET expires_at = NULL WHERE ${EXPIRED}`),
    imported: db.prepare(
      `SELECT coalesce(sum(user_count), 0) AS n FROM segment_imports
       WHERE workspace_id = ? AND operation IN ('create', 'add', 'replace')
         AND result_status = 201 AND finished_at >= ?`,
    ),
    enqueue: db.prepare(
      `INSERT INTO segment_imports (${IMPORT_JOB_COLUMNS.join(', ')})
       VALUES (${IMPORT_JOB_COLUMNS.map(() => '?').join(', ')})`,
    ),
    next: db.prepare(
      `SELECT * FROM segment_imports j WHERE ${CLAIMABLE} ORDER BY j.created_at, j.id LIMIT 1`,
    ),
    take: db.prepare(
      `UPDATE segment_imports SET lease_owner = @owner, lease_until = @until,
         state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,
         attempts = attempts + CASE WHEN state = 'callback' THEN 0 ELSE 1 END, updated_at = @now
       WHERE workspace_id = @ws AND id = @id
         AND (lease_until IS NULL OR lease_until <= @now) AND next_attempt_at <= @now`,
    ),
    renew: db.prepare(
      `UPDATE segment_imports SET lease_until = ?
       WHERE workspace_id = ? AND id = ? AND lease_owner = ? AND state IN ('running', 'callback')`,
    ),
    retry: db.prepare(
      `UPDATE segment_imports SET state = 'queued', next_attempt_at = ?, lease_owner = NULL,
         lease_until = NULL, updated_at = ?
       WHERE workspace_id = ? AND id = ? AND lease_owner = ?`,
    ),
    finish: db.prepare(
      `UPDATE segment_imports SET
         state = CASE WHEN callback_url IS NULL THEN 'done' ELSE 'callback' END,
         callback_state = CASE WHEN callback_url IS NULL THEN 'none' ELSE 'pending' END,
         result_status = @status, error_message = @message, values_found = @found,
         values_processed = @processed, user_count = @users, unmatched = @unmatched,
         ambiguous = @ambiguous, finished_at = @now, updated_at = @now, next_attempt_at = @now,
         lease_owner = NULL, lease_until = NULL
       WHERE workspace_id = @ws AND id = @id AND lease_owner = @owner`,
    ),
    callback: db.prepare(
      `UPDATE segment_imports SET state = @state, callback_state = @callbackState,
         callback_attempts = callback_attempts + 1, next_attempt_at = @next, updated_at = @now,
         lease_owner = NULL, lease_until = NULL
       WHERE workspace_id = @ws AND id = @id AND lease_owner = @owner AND state = 'callback'`,
    ),
    job: db.prepare('SELECT * FROM segment_imports WHERE workspace_id = ? AND id = ?'),
    prune: db.prepare(
      `DELETE FROM segment_imports WHERE state = 'done' AND finished_at < ? AND EXISTS (
         SELECT 1 FROM segment_imports o WHERE o.workspace_id = segment_imports.workspace_id
           AND o.segment_id = segment_imports.segment_id
           AND (o.created_at > segment_imports.created_at
             OR (o.created_at = segment_imports.created_at AND o.id > segment_imports.id)))`,
    ),
    latest: db.prepare(
      `SELECT * FROM segment_imports j WHERE j.workspace_id = ? AND NOT EXISTS (
         SELECT 1 FROM segment_imports o WHERE o.workspace_id = j.workspace_id
           AND o.segment_id = j.segment_id
           AND (o.created_at > j.created_at OR (o.created_at = j.created_at AND o.id > j.id)))
       ORDER BY j.segment_id`,
    ),
  }
  const addAll = db.transaction((ws: string, id: string, users: readonly string[], at: number) => {
    let n = 0
    for (const user of users) n += q.add.run(ws, id, user, at).changes
    return n
  })
  const removeAll = db.transaction((ws: string, id: string, users: readonly string[]) => {
    let n = 0
    for (const user of users) n += q.remove.run(ws, id, user).changes
    return n
  })
  const clear = db.transaction((ws: string, id: string) => {
    q.clear.run(ws, id)
    q.clearMoved.run(ws, id)
  })
  const expire = db.transaction((now: number) => {
    const archived = q.expire.run({ now }).changes
    q.forget.run(now)
    return archived
  })
  const claim = db.transaction((owner: string, now: number, until: number) => {
    const r = q.next.get({ now }) as Row | undefined
    if (r === undefined) return undefined
    const job = toImportJob(r)
    const taken = q.take.run({ owner, until, now, ws: job.workspaceId, id: job.id })
    if (taken.changes !== 1) return undefined
    return toImportJob(q.job.get(job.workspaceId, job.id) as Row)
  })
  return {
    put: (row) => attempt(() => void q.put.run(...segmentListValues(row))),
    get: (ws, id) =>
      attempt(() => {
        const r = q.get.get(ws, id) as Row | undefined
        return r === undefined ? undefined : toSegmentList(r)
      }),
    cohort: (ws, partner, externalId) =>
      attempt(() => {
        const r = q.cohort.get(ws, partner, externalId) as Row | undefined
        return r === undefined ? undefined : toSegmentList(r)
      }),
    list: (ws) => attempt(() => (q.list.all(ws) as Row[]).map(toSegmentList)),
    addMembers: (ws, id, users, at) => attempt(() => addAll.immediate(ws, id, users, at)),
    removeMembers: (ws, id, users) => attempt(() => removeAll.immediate(ws, id, users)),
    clearMembers: (ws, id) => attempt(() => clear.immediate(ws, id)),
    memberCount: (ws, id) => attempt(() => num((q.count.get(ws, id) as Row)['n'])),
    membershipsOf: (ws, user) =>
      attempt(() => (q.memberships.all(ws, user) as Row[]).map((r) => String(r['segment_id']))),
    match: (ws, field, type, values) =>
      attempt(() => {
        if (values.length === 0) return []
        const s = matchStatement(sqliteSegmentDialect, ws, field, type, values)
        const named = Object.fromEntries(s.values.map((v, i) => [`p${i + 1}`, v]))
        const found = db.prepare(s.text).all(named) as Row[]
        return valueMatches(type, field, values, found as { v: unknown; id: unknown }[])
      }),
    // Nothing expired: no write transaction (outbox.ts claimDue says why).
    archiveExpired: (now) =>
      attempt(() => (q.anyExpired.get(now) === undefined ? 0 : expire.immediate(now))),
    usersImported: (ws, since) => attempt(() => num((q.imported.get(ws, since) as Row)['n'])),
    enqueue: (job) => attempt(() => void q.enqueue.run(...importJobValues(job))),
    // No job waiting: no write transaction either.
    claim: (owner, now, until) =>
      attempt(() =>
        q.next.get({ now }) === undefined ? undefined : claim.immediate(owner, now, until),
      ),
    renew: (ws, id, owner, until) => attempt(() => q.renew.run(until, ws, id, owner).changes === 1),
    retry: (ws, id, owner, next, now) => attempt(() => void q.retry.run(next, now, ws, id, owner)),
    finish: (ws, id, owner, o, now) =>
      attempt(() => {
        q.finish.run({
          ws,
          id,
          owner,
          now,
          status: o.status,
          message: o.status === 201 ? null : o.errorMessage,
          found: o.valuesFound,
          processed: o.valuesProcessed,
          users: o.userCount,
          unmatched: o.unmatched,
          ambiguous: o.ambiguous,
        })
      }),
    callbackResult: (ws, id, owner, result, now) =>
      attempt(() => {
        const pending = result.state === 'pending'
        q.callback.run({
          ws,
          id,
          owner,
          now,
          state: pending ? 'callback' : 'done',
          callbackState: result.state,
          next: pending ? result.nextAttemptAt : now,
        })
      }),
    job: (ws, id) =>
      attempt(() => {
        const r = q.job.get(ws, id) as Row | undefined
        return r === undefined ? undefined : toImportJob(r)
      }),
    latestJobs: (ws) => attempt(() => (q.latest.all(ws) as Row[]).map(toImportJob)),
    pruneJobs: (before) => attempt(() => q.prune.run(before).changes),
  }
}
