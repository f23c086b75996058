/**
 * The PostgreSQL adapter's refused-record counts (Store `refusals`, table `refused_minutes`):
 * sums per workspace, minute and API, a batch added by one upsert statement over unnest (its keys
 * summed first, so that no row is updated twice by one statement, and locked in key order, so
 * that concurrent batches of several processes never deadlock), read per workspace from a minute
 * on, pruned by minute. It owns this SQL only; what counts as refused is http/refusals.ts's.
 */
import { minuteOf } from '../browse.js'
import { toRefusedMinute } from '../rows.js'
import type { RefusalRepo } from '../store.js'
import type { PostgresConnection } from './connection.js'

const SQL = {
  add: `
    INSERT INTO refused_minutes AS r (workspace_id, minute, api, records)
    SELECT workspace_id, minute, api, sum(records)
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])
      AS c(workspace_id, minute, api, records)
    GROUP BY workspace_id, minute, api
    ORDER BY workspace_id, minute, api
    ON CONFLICT (workspace_id, minute, api) DO UPDATE SET records = r.records + excluded.records`,
  since: `
    SELECT minute, api, records FROM refused_minutes WHERE workspace_id = $1 AND minute >= $2`,
  prune: 'DELETE FROM refused_minutes WHERE minute < $1',
}

export function postgresRefusalRepo({ pool, open, all }: PostgresConnection): RefusalRepo {
  return {
    add: async (counts) => {
      if (counts.length === 0) return
      await open(() =>
        pool.query(SQL.add, [
          counts.map((c) => c.workspaceId),
          counts.map((c) => c.minute),
          counts.map((c) => c.api),
          counts.map((c) => c.records),
        ]),
      )
    },
    since: (workspaceId, sinceMs) =>
      all(SQL.since, [workspaceId, minuteOf(sinceMs)], toRefusedMinute),
    prune: (beforeMinute) =>
      open(async () => (await pool.query(SQL.prune, [beforeMinute])).rowCount ?? 0),
  }
}
