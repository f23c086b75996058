/**
 * The SQLite adapter's shared quota counts (Store `quotas`, table `quota_windows` of store.db):
 * each lease is one IMMEDIATE transaction, so processes sharing a data directory take units from
 * one count (or, for a rolling window's slices, one sum of counts) without passing the limit. It
 * owns this SQL only; the leasing policy is governance/shared-quotas.ts's, the grant rule store.ts's.
 */
import type Database from 'better-sqlite3'
import {
  DEFAULT_QUOTA_WINDOW_MS,
  grantOf,
  type QuotaLease,
  type QuotaLeaseRequest,
  type QuotaRepo,
  type QuotaWindowKey,
} from '../store.js'

/** A key's row parameters, its span defaulting to the Data API's minute. */
const rowOf = (key: QuotaWindowKey) => ({
  workspaceId: key.workspaceId,
  quota: key.quota,
  windowMs: key.windowMs ?? DEFAULT_QUOTA_WINDOW_MS,
  windowStart: key.windowStart,
})

export function sqliteQuotaRepo(
  db: Database.Database,
  attempt: <T>(fn: () => T) => Promise<T>,
): QuotaRepo {
  const KEY =
    'workspace_id = @workspaceId AND quota = @quota AND window_ms = @windowMs AND window_start = @windowStart'
  const q = {
    used: db.prepare(`SELECT used FROM quota_windows WHERE ${KEY}`).pluck(),
    // The series' counts in force at @windowStart or later (store.ts `overlapping`).
    inForce: db
      .prepare(
        `SELECT coalesce(sum(used), 0) FROM quota_windows
         WHERE workspace_id = @workspaceId AND quota = @quota AND window_ms = @windowMs
           AND window_start > @windowStart - @windowMs`,
      )
      .pluck(),
    upsert: db.prepare(
      `INSERT INTO quota_windows (workspace_id, quota, window_ms, window_start, used, last_grant)
       VALUES (@workspaceId, @quota, @windowMs, @windowStart, @granted, @granted)
       ON CONFLICT (workspace_id, quota, window_ms, window_start)
       DO UPDATE SET used = used + excluded.last_grant, last_grant = excluded.last_grant`,
    ),
    giveBack: db.prepare(`UPDATE quota_windows SET used = max(0, used - @units) WHERE ${KEY}`),
    prune: db.prepare('DELETE FROM quota_windows WHERE window_start + window_ms <= ?'),
  }
  const usedOf = (key: QuotaWindowKey): number => Number(q.used.get(rowOf(key)) ?? 0)
  const lease = db.transaction((request: QuotaLeaseRequest): QuotaLease => {
    const row = rowOf(request)
    if (request.giveBack !== undefined && request.giveBack.units > 0) {
      q.giveBack.run({
        ...row,
        windowStart: request.giveBack.windowStart,
        units: request.giveBack.units,
      })
    }
    const used = request.overlapping === true ? Number(q.inForce.get(row)) : usedOf(request)
    const granted = grantOf(request, used)
    if (granted > 0) q.upsert.run({ ...row, granted })
    return { granted, used: used + granted }
  })
  return {
    lease: (request) => attempt(() => lease.immediate(request)),
    used: (key) => attempt(() => usedOf(key)),
    prune: (before) => attempt(() => q.prune.run(before).changes),
  }
}
