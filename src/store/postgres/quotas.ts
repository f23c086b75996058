/**
 * The PostgreSQL adapter's shared quota counts (Store `quotas`, table `quota_windows`). A lease of
 * a fixed window is one upsert statement, so processes on one database take units from one count
 * per quota and window without passing the limit, whatever their concurrency (the row lock orders
 * them). A lease of a rolling window's slice reads a sum over several rows, which no row lock
 * covers: it is one transaction under an advisory lock of its series (workspace, quota, span), so
 * leases of one series take turns. It owns this SQL only; the leasing policy is
 * governance/shared-quotas.ts's, the grant rule store.ts's.
 */
import type pg from 'pg'
import {
  DEFAULT_QUOTA_WINDOW_MS,
  grantOf,
  type QuotaLease,
  type QuotaLeaseRequest,
  type QuotaRepo,
} from '../store.js'

type Queryable = Pick<pg.PoolClient, 'query'>

/**
 * $5 limit, $6 need, $7 want. In `DO UPDATE SET` every `w.used` is the count before this lease,
 * so `last_grant` is what this statement granted, read back with the new count.
 */
const GRANT = (used: string): string => `CASE
    WHEN $5::bigint - ${used} <= 0 OR $5::bigint - ${used} < greatest($6::bigint, 0) THEN 0
    ELSE least($5::bigint - ${used}, greatest($6::bigint, $7::bigint))
  END`

/** $1 workspace, $2 quota, $3 span (ms), $4 start. */
const LEASE = `
  INSERT INTO quota_windows AS w (workspace_id, quota, window_ms, window_start, used, last_grant)
  VALUES ($1, $2, $3, $4, ${GRANT('0')}, ${GRANT('0')})
  ON CONFLICT (workspace_id, quota, window_ms, window_start)
  DO UPDATE SET used = w.used + ${GRANT('w.used')}, last_grant = ${GRANT('w.used')}
  RETURNING used, last_grant`

const SERIES_LOCK = `SELECT pg_advisory_xact_lock(hashtext('inlet quota series'),
  hashtext(concat_ws(' ', $1::text, $2::text, $3::text)))`

/** The series' counts in force at $4 or later (store.ts `overlapping`). */
const IN_FORCE = `SELECT coalesce(sum(used), 0) AS used FROM quota_windows
  WHERE workspace_id = $1 AND quota = $2 AND window_ms = $3 AND window_start > $4 - $3`

const GIVE_BACK = `UPDATE quota_windows SET used = greatest(0, used - $5)
  WHERE workspace_id = $1 AND quota = $2 AND window_ms = $3 AND window_start = $4`

const ADD = `INSERT INTO quota_windows AS w (workspace_id, quota, window_ms, window_start, used, last_grant)
  VALUES ($1, $2, $3, $4, $5, $5)
  ON CONFLICT (workspace_id, quota, window_ms, window_start)
  DO UPDATE SET used = w.used + $5, last_grant = $5`

export function postgresQuotaRepo(
  pool: pg.Pool,
  open: <T>(fn: () => Promise<T>) => Promise<T>,
  transaction: <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>,
): QuotaRepo {
  /** A rolling window's slice, or any lease that gives units back: one locked transaction. */
  const leaseInTurn = (r: QuotaLeaseRequest, windowMs: number): Promise<QuotaLease> =>
    transaction(async (db) => {
      const series = [r.workspaceId, r.quota, windowMs]
      await db.query(SERIES_LOCK, series)
      if (r.giveBack !== undefined && r.giveBack.units > 0) {
        await db.query(GIVE_BACK, [...series, r.giveBack.windowStart, r.giveBack.units])
      }
      if (r.overlapping !== true) return leaseOne(db, r, windowMs)
      const { rows } = await db.query<{ used: string }>(IN_FORCE, [...series, r.windowStart])
      const used = Number(rows[0]?.used ?? 0)
      const granted = grantOf(r, used)
      if (granted > 0) await db.query(ADD, [...series, r.windowStart, granted])
      return { granted, used: used + granted }
    })

  /** One count's lease in one statement: the row lock orders concurrent leases. */
  async function leaseOne(
    db: Queryable,
    r: QuotaLeaseRequest,
    windowMs: number,
  ): Promise<QuotaLease> {
    const { rows } = await db.query<{ used: string; last_grant: string }>(LEASE, [
      r.workspaceId,
      r.quota,
      windowMs,
      r.windowStart,
      r.limit,
      r.need,
      r.want,
    ])
    const row = rows[0]
    return { granted: Number(row?.last_grant ?? 0), used: Number(row?.used ?? 0) }
  }

  async function usedOf(
    db: Queryable,
    workspaceId: string,
    quota: string,
    windowMs: number,
    windowStart: number,
  ): Promise<number> {
    const { rows } = await db.query<{ used: string }>(
      `SELECT used FROM quota_windows
       WHERE workspace_id = $1 AND quota = $2 AND window_ms = $3 AND window_start = $4`,
      [workspaceId, quota, windowMs, windowStart],
    )
    return Number(rows[0]?.used ?? 0)
  }

  return {
    lease: (r) =>
      open(async () => {
        const windowMs = r.windowMs ?? DEFAULT_QUOTA_WINDOW_MS
        if (r.overlapping === true || (r.giveBack !== undefined && r.giveBack.units > 0)) {
          return leaseInTurn(r, windowMs)
        }
        return leaseOne(pool, r, windowMs)
      }),
    used: (key) =>
      open(() =>
        usedOf(
          pool,
          key.workspaceId,
          key.quota,
          key.windowMs ?? DEFAULT_QUOTA_WINDOW_MS,
          key.windowStart,
        ),
      ),
    prune: (before) =>
      open(async () => {
        const result = await pool.query(
          'DELETE FROM quota_windows WHERE window_start + window_ms <= $1',
          [before],
        )
        return result.rowCount ?? 0
      }),
  }
}
