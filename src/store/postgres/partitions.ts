/**
 * The monthly partitions of the PostgreSQL adapter's `events` (migration 10): created as event
 * times need them, each with the next month's ahead of time, and dropped whole for retention
 * (Store `processing.expireEvents`). It owns this DDL and this process's memory of the months
 * it has seen; the rows are events.ts's.
 */
import pg from 'pg'
import { str } from '../rows.js'
import { rows, transaction, type PostgresConnection, type Queryable } from './connection.js'

const SQL = {
  partitionLock: `SELECT pg_advisory_xact_lock(hashtext('inlet partitions ' || current_schema()))`,
  partitions: `
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass`,
} as const

/** "no partition of relation … found for row": a month whose partition is missing (or dropped). */
const NO_PARTITION = '23514'

/** The start of the UTC month of `ms`, in ms. */
export function monthStart(ms: number): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

function nextMonthStart(ms: number): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/** The partition of events holding the month that starts at `start`: `events_y2026m11`. */
export function partitionName(start: number): string {
  const d = new Date(start)
  return `events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

export type PostgresPartitions = ReturnType<typeof postgresPartitions>

export function postgresPartitions({ pool }: PostgresConnection) {
  /** Months (by start) whose events partition this process has seen exist. */
  const partitioned = new Set<number>()

  /**
   * Creates the monthly partitions of events that the given event times need and that this
   * process has not seen yet, each with the following month's ahead of time: one short DDL
   * transaction (about once a month in steady state; CREATE … PARTITION OF locks the parent for
   * its moment), under an advisory lock so that processes creating the same month do not collide.
   */
  async function ensurePartitions(times: readonly number[]): Promise<void> {
    const months = new Set(times.map(monthStart))
    if ([...months].every((m) => partitioned.has(m))) return
    // Each month with the next one: the next month's partition is in place before its first event.
    for (const m of [...months]) months.add(nextMonthStart(m))
    const missing = [...months].filter((m) => !partitioned.has(m))
    await transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.partitionLock)
      for (const start of missing) {
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(start)} PARTITION OF events
           FOR VALUES FROM (${start}) TO (${nextMonthStart(start)})`,
        )
      }
    })
    for (const start of missing) partitioned.add(start)
  }

  /** The monthly partitions of events: name and [from, to) in ms. */
  async function partitionsOf(db: Queryable): Promise<{ name: string; to: number }[]> {
    return (await rows(db, SQL.partitions, [])).flatMap((r) => {
      const to = /TO \('?(-?\d+)'?\)/.exec(str(r['bound']))?.[1]
      return to === undefined ? [] : [{ name: str(r['relname']), to: Number(to) }]
    })
  }

  return {
    /**
     * Runs `write` (a transaction writing events at `times`) once the partitions of those months
     * exist; when one this process saw was dropped since (retention), creates it again and runs
     * `write` once more.
     */
    async writing<T>(times: readonly number[], write: () => Promise<T>): Promise<T> {
      await ensurePartitions(times)
      try {
        return await write()
      } catch (err) {
        if (!(err instanceof pg.DatabaseError && err.code === NO_PARTITION)) throw err
        partitioned.clear()
        await ensurePartitions(times)
        return await write()
      }
    },
    /** Drops every partition whose month ended before the month of `before` began. */
    async expire(before: number): Promise<void> {
      const cutoff = monthStart(before)
      await transaction(pool, 'BEGIN', async (db) => {
        await db.query(SQL.partitionLock)
        for (const p of await partitionsOf(db)) {
          if (p.to > cutoff) continue
          await db.query(`DROP TABLE ${p.name}`)
        }
      })
      partitioned.clear() // another process may have dropped some too; re-checked on next write
    },
  }
}
