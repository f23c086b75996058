/**
 * The PostgreSQL adapter's shared quota counts (Store `quotas`, table `quota_windows`): a lease is
 * one upsert statement, so processes on one database take units from one count per quota and
 * window without passing the limit, whatever their concurrency (the row lock orders them). It owns
 * this SQL only; the leasing policy is governance/shared-quotas.ts's.
 */
import type pg from 'pg'
import type { QuotaRepo } from '../store.js'

/**
 * $4 limit, $5 need, $6 want. In `DO UPDATE SET` every `w.used` is the count before this lease,
 * so `last_grant` is what this statement granted, read back with the new count.
 */
const GRANT = (used: string): string => `CASE
    WHEN $4::bigint - ${used} <= 0 OR $4::bigint - ${used} < greatest($5::bigint, 0) THEN 0
    ELSE least($4::bigint - ${used}, greatest($5::bigint, $6::bigint))
  END`

const LEASE = `
  INSERT INTO quota_windows AS w (workspace_id, quota, window_start, used, last_grant)
  VALUES ($1, $2, $3, ${GRANT('0')}, ${GRANT('0')})
  ON CONFLICT (workspace_id, quota, window_start)
  DO UPDATE SET used = w.used + ${GRANT('w.used')}, last_grant = ${GRANT('w.used')}
  RETURNING used, last_grant`

export function postgresQuotaRepo(
  pool: pg.Pool,
  open: <T>(fn: () => Promise<T>) => Promise<T>,
): QuotaRepo {
  return {
    lease: (r) =>
      open(async () => {
        const { rows } = await pool.query<{ used: string; last_grant: string }>(LEASE, [
          r.workspaceId,
          r.quota,
          r.windowStart,
          r.limit,
          r.need,
          r.want,
        ])
        const row = rows[0]
        return { granted: Number(row?.last_grant ?? 0), used: Number(row?.used ?? 0) }
      }),
    used: (key) =>
      open(async () => {
        const { rows } = await pool.query<{ used: string }>(
          'SELECT used FROM quota_windows WHERE workspace_id = $1 AND quota = $2 AND window_start = $3',
          [key.workspaceId, key.quota, key.windowStart],
        )
        return Number(rows[0]?.used ?? 0)
      }),
    prune: (before) =>
      open(async () => {
        const result = await pool.query('DELETE FROM quota_windows WHERE window_start < $1', [
          before,
        ])
        return result.rowCount ?? 0
      }),
  }
}
