/**
 * The SQLite adapter's feature-scoped API keys (Store `keys`, table `feature_keys` of store.db):
 * one row per (workspace, feature), written whole. It owns this SQL only; what a key is, how it is
 * hashed, sealed and rotated is workspaces/feature-keys.ts's.
 */
import type Database from 'better-sqlite3'
import { FEATURE_KEY_COLUMNS, featureKeyValues, toFeatureKeyRow } from '../rows.js'
import type { FeatureKeyRepo } from '../store.js'

export function sqliteKeyRepo(
  db: Database.Database,
  attempt: <T>(fn: () => T) => Promise<T>,
): FeatureKeyRepo {
  const q = {
    get: db.prepare('SELECT * FROM feature_keys WHERE workspace_id = ? AND feature = ?'),
    list: db.prepare('SELECT * FROM feature_keys WHERE workspace_id = ? ORDER BY feature'),
    set: db.prepare(
      `INSERT OR REPLACE INTO feature_keys (${FEATURE_KEY_COLUMNS.join(', ')})
       VALUES (${FEATURE_KEY_COLUMNS.map(() => '?').join(', ')})`,
    ),
    delete: db.prepare('DELETE FROM feature_keys WHERE workspace_id = ? AND feature = ?'),
  }
  return {
    get: (workspaceId, feature) =>
      attempt(() => {
        const row = q.get.get(workspaceId, feature) as Record<string, unknown> | undefined
        return row === undefined ? undefined : toFeatureKeyRow(row)
      }),
    list: (workspaceId) =>
      attempt(() =>
        (q.list.all(workspaceId) as Record<string, unknown>[]).map((r) => toFeatureKeyRow(r)),
      ),
    set: (row) =>
      attempt(() => {
        q.set.run(...featureKeyValues(row))
      }),
    delete: (workspaceId, feature) => attempt(() => q.delete.run(workspaceId, feature).changes > 0),
  }
}
