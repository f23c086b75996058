/**
 * A workspace's events in (event time, seq) order, a keyset page at a time (Store
 * `profiles.eventsPage`, `inlet export`), merged from one keyset run per event name. Neither
 * store indexes events by workspace and time (each event would pay for it on insert: store
 * migration 19); both index them by name and time (`events_by_name_time`), so a page reads each
 * name's next events along that index and merges them, instead of sorting every event of the
 * workspace for every page.
 */
import type { EventRow } from './store.js'

/** The next events of one name after (afterTime, afterSeq), in (event time, seq) order. */
export type NameRun<N> = (
  name: N,
  afterTime: number,
  afterSeq: number,
  limit: number,
) => Promise<readonly EventRow[]>

type Run<N> = { name: N; rows: readonly EventRow[]; at: number; more: boolean }

const before = (a: EventRow, b: EventRow): boolean =>
  a.eventTime < b.eventTime || (a.eventTime === b.eventTime && a.seq < b.seq)

/**
 * The first `limit` events after (afterTime, afterSeq) of the names given, each name read in
 * chunks (about twice its share of the page, at least 16) as the merge reaches its end.
 */
export async function eventsPageByName<N>(
  names: readonly N[],
  runOf: NameRun<N>,
  afterTime: number,
  afterSeq: number,
  limit: number,
): Promise<EventRow[]> {
  if (limit <= 0 || names.length === 0) return []
  const chunk = Math.min(limit, Math.max(16, Math.ceil((2 * limit) / names.length)))
  const runs: Run<N>[] = []
  for (const name of names) {
    const rows = await runOf(name, afterTime, afterSeq, chunk)
    if (rows.length > 0) runs.push({ name, rows, at: 0, more: rows.length === chunk })
  }
  const out: EventRow[] = []
  while (out.length < limit) {
    // Every run still in the merge has a next row (a run is refilled as it empties).
    let best: Run<N> | undefined
    for (const r of runs) {
      const head = r.rows[r.at]
      if (head === undefined) continue
      const bestHead = best?.rows[best.at]
      if (bestHead === undefined || before(head, bestHead)) best = r
    }
    const next = best?.rows[best.at]
    if (best === undefined || next === undefined) break
    out.push(next)
    best.at++
    if (best.at === best.rows.length && best.more) {
      best.rows = await runOf(best.name, next.eventTime, next.seq, chunk)
      best.at = 0
      best.more = best.rows.length === chunk
    }
  }
  return out
}
