/**
 * The PostgreSQL adapter's feature-scoped API keys (Store `keys`, table `feature_keys`): one row
 * per (workspace, feature), written whole by one upsert. It owns this SQL only; what a key is, how
 * it is hashed, sealed and rotated is workspaces/feature-keys.ts's.
 */
import type pg from 'pg'
import { FEATURE_KEY_COLUMNS, featureKeyValues, toFeatureKeyRow } from '../rows.js'
import type { FeatureKeyRepo } from '../store.js'

const SET = `
  INSERT INTO feature_keys (${FEATURE_KEY_COLUMNS.join(', ')})
  VALUES (${FEATURE_KEY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (workspace_id, feature) DO UPDATE SET
  ${FEATURE_KEY_COLUMNS.slice(2)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`

export function postgresKeyRepo(
  pool: pg.Pool,
  open: <T>(fn: () => Promise<T>) => Promise<T>,
): FeatureKeyRepo {
  return {
    get: (workspaceId, feature) =>
      open(async () => {
        const { rows } = await pool.query<Record<string, unknown>>(
          'SELECT * FROM feature_keys WHERE workspace_id = $1 AND feature = $2',
          [workspaceId, feature],
        )
        const row = rows[0]
        return row === undefined ? undefined : toFeatureKeyRow(row)
      }),
    list: (workspaceId) =>
      open(async () => {
        const { rows } = await pool.query<Record<string, unknown>>(
          'SELECT * FROM feature_keys WHERE workspace_id = $1 ORDER BY feature COLLATE "C"',
          [workspaceId],
        )
        return rows.map((r) => toFeatureKeyRow(r))
      }),
    set: (row) =>
      open(async () => {
        await pool.query(SET, featureKeyValues(row))
      }),
    delete: (workspaceId, feature) =>
      open(async () => {
        const result = await pool.query(
          'DELETE FROM feature_keys WHERE workspace_id = $1 AND feature = $2',
          [workspaceId, feature],
        )
        return (result.rowCount ?? 0) > 0
      }),
  }
}
