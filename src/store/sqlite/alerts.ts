/**
 * The SQLite adapter's Inform alerts (Store `alerts`, table `inform_alerts` of store.db,
 * migration 23): one row per alert, found by any of its four unique names. It owns this SQL only;
 * what a definition holds is workspaces/inform-alerts.ts's.
 */
import Database from 'better-sqlite3'
import { INFORM_ALERT_COLUMNS, informAlertValues, toInformAlert, type Row } from '../rows.js'
import { StoreConflictError, type AlertLookup, type AlertRepo } from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

const LOOKUPS: readonly AlertLookup[] = [
  'alert_id',
  'test_alert_id',
  'reference_name',
  'test_reference_name',
]

export function sqliteAlerts({ db }: SqliteConnection): AlertRepo {
  const q = {
    list: db.prepare(
      'SELECT * FROM inform_alerts WHERE workspace_id = ? ORDER BY created_at, alert_id',
    ),
    put: db.prepare(
      `INSERT INTO inform_alerts (${INFORM_ALERT_COLUMNS.join(', ')})
       VALUES (${INFORM_ALERT_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (workspace_id, alert_id) DO UPDATE SET test_alert_id = excluded.test_alert_id,
         reference_name = excluded.reference_name,
         test_reference_name = excluded.test_reference_name, version = excluded.version,
         definition = excluded.definition, updated_at = excluded.updated_at`,
    ),
    remove: db.prepare('DELETE FROM inform_alerts WHERE workspace_id = ? AND alert_id = ?'),
  }
  const finds = new Map(
    LOOKUPS.map((by) => [
      by,
      db.prepare(`SELECT * FROM inform_alerts WHERE workspace_id = ? AND ${by} = ?`),
    ]),
  )
  return {
    list: (workspaceId) => attempt(() => (q.list.all(workspaceId) as Row[]).map(toInformAlert)),
    find: (workspaceId, by, value) =>
      attempt(() => {
        const row = finds.get(by)?.get(workspaceId, value) as Row | undefined
        return row === undefined ? undefined : toInformAlert(row)
      }),
    put: (row) =>
      attempt(() => {
        try {
          q.put.run(...informAlertValues(row))
        } catch (err) {
          if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreConflictError(`another alert of ${row.workspaceId} has one of its names`)
          }
          throw err
        }
      }),
    remove: (workspaceId, alertId) => attempt(() => q.remove.run(workspaceId, alertId).changes > 0),
  }
}
