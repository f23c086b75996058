/**
 * The SQLite adapter's shared quota counts (Store `quotas`, table `quota_windows` of store.db):
 * each lease is one IMMEDIATE transaction, so processes sharing a data directory take units from
 * one count without passing the limit. It owns this SQL only; the leasing policy is
 * governance/shared-quotas.ts's.
 */
import type Database from 'better-sqlite3'
import type { QuotaLease, QuotaLeaseRequest, QuotaRepo } from '../store.js'

/** Units granted to a lease given the window's count: 0, or from `need` up to `max(need, want)`. */
export function grantOf(request: QuotaLeaseRequest, used: number): number {
  const left = request.limit - used
  const need = Math.max(0, request.need)
  if (left <= 0 || left < need) return 0
  return Math.min(left, Math.max(need, request.want))
}

export function sqliteQuotaRepo(
  db: Database.Database,
  attempt: <T>(fn: () => T) => Promise<T>,
): QuotaRepo {
  const q = {
    used: db
      .prepare(
        'SELECT used FROM quota_windows WHERE workspace_id = ? AND quota = ? AND window_start = ?',
      )
      .pluck(),
    upsert: db.prepare(
      `INSERT INTO quota_windows (workspace_id, quota, window_start, used, last_grant)
       VALUES (@workspaceId, @quota, @windowStart, @granted, @granted)
       ON CONFLICT (workspace_id, quota, window_start)
       DO UPDATE SET used = used + excluded.last_grant, last_grant = excluded.last_grant`,
    ),
    prune: db.prepare('DELETE FROM quota_windows WHERE window_start < ?'),
  }
  const usedOf = (r: QuotaLeaseRequest | Parameters<QuotaRepo['used']>[0]): number =>
    Number(q.used.get(r.workspaceId, r.quota, r.windowStart) ?? 0)
  const lease = db.transaction((request: QuotaLeaseRequest): QuotaLease => {
    const used = usedOf(request)
    const granted = grantOf(request, used)
    if (granted > 0) {
      q.upsert.run({
        workspaceId: request.workspaceId,
        quota: request.quota,
        windowStart: request.windowStart,
        granted,
      })
    }
    return { granted, used: used + granted }
  })
  return {
    lease: (request) => attempt(() => lease.immediate(request)),
    used: (key) => attempt(() => usedOf(key)),
    prune: (before) => attempt(() => q.prune.run(before).changes),
  }
}
