/**
 * The PostgreSQL adapter's Inform alerts (Store `alerts`, table `inform_alerts`, migration 23):
 * one row per alert, found by any of its four unique names. It owns this SQL only; what a
 * definition holds is workspaces/inform-alerts.ts's.
 */
import pg from 'pg'
import { INFORM_ALERT_COLUMNS, informAlertValues, toInformAlert } from '../rows.js'
import { StoreConflictError, type AlertLookup, type AlertRepo } from '../store.js'
import type { PostgresConnection } from './connection.js'

const LOOKUPS: ReadonlySet<AlertLookup> = new Set<AlertLookup>([
  'alert_id',
  'test_alert_id',
  'reference_name',
  'test_reference_name',
])

const SQL = {
  list: `SELECT * FROM inform_alerts WHERE workspace_id = $1
    ORDER BY created_at, alert_id COLLATE "C"`,
  put: `INSERT INTO inform_alerts (${INFORM_ALERT_COLUMNS.join(', ')})
    VALUES (${INFORM_ALERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (workspace_id, alert_id) DO UPDATE SET test_alert_id = excluded.test_alert_id,
      reference_name = excluded.reference_name,
      test_reference_name = excluded.test_reference_name, version = excluded.version,
      definition = excluded.definition, updated_at = excluded.updated_at`,
  remove: 'DELETE FROM inform_alerts WHERE workspace_id = $1 AND alert_id = $2',
}

export function postgresAlerts({ pool, open, all, one }: PostgresConnection): AlertRepo {
  return {
    list: (workspaceId) => all(SQL.list, [workspaceId], toInformAlert),
    find: (workspaceId, by, value) => {
      // `by` is one of the column names above, never the caller's text.
      if (!LOOKUPS.has(by)) return Promise.reject(new Error(`no alert column ${String(by)}`))
      return one(
        `SELECT * FROM inform_alerts WHERE workspace_id = $1 AND ${by} = $2`,
        [workspaceId, value],
        toInformAlert,
      )
    },
    put: (row) =>
      open(async () => {
        try {
          await pool.query(SQL.put, informAlertValues(row))
        } catch (err) {
          if (err instanceof pg.DatabaseError && err.code === '23505') {
            throw new StoreConflictError(`another alert of ${row.workspaceId} has one of its names`)
          }
          throw err
        }
      }),
    remove: (workspaceId, alertId) =>
      open(async () => ((await pool.query(SQL.remove, [workspaceId, alertId])).rowCount ?? 0) > 0),
  }
}
