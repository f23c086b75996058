/**
 * The SQLite adapter's refused-record counts (Store `refusals`, table `refused_minutes` of
 * store.db): sums per workspace, minute and API, added to by one IMMEDIATE transaction per batch
 * (http/refusals.ts flushes at most one a second per process), read per workspace from a minute
 * on, pruned by minute. It owns this SQL only; what counts as refused is http/refusals.ts's.
 */
import type Database from 'better-sqlite3'
import { minuteOf } from '../browse.js'
import { toRefusedMinute, type Row } from '../rows.js'
import type { RefusalRepo, RefusedCount } from '../store.js'

export function sqliteRefusalRepo(
  db: Database.Database,
  attempt: <T>(fn: () => T) => Promise<T>,
): RefusalRepo {
  const q = {
    add: db.prepare(
      `INSERT INTO refused_minutes (workspace_id, minute, api, records) VALUES (?, ?, ?, ?)
       ON CONFLICT (workspace_id, minute, api) DO UPDATE SET records = records + excluded.records`,
    ),
    since: db.prepare(
      'SELECT minute, api, records FROM refused_minutes WHERE workspace_id = ? AND minute >= ?',
    ),
    prune: db.prepare('DELETE FROM refused_minutes WHERE minute < ?'),
  }
  const add = db.transaction((counts: readonly RefusedCount[]) => {
    for (const c of counts) q.add.run(c.workspaceId, c.minute, c.api, c.records)
  })
  return {
    add: (counts) => attempt(() => add.immediate(counts)),
    since: (workspaceId, sinceMs) =>
      attempt(() => (q.since.all(workspaceId, minuteOf(sinceMs)) as Row[]).map(toRefusedMinute)),
    prune: (beforeMinute) => attempt(() => q.prune.run(beforeMinute).changes),
  }
}
