/**
 * The PostgreSQL adapter's workspaces (Store `workspaces`, table `workspaces`): create, read, list
 * and patch, with a duplicate id refused as a StoreConflictError.
 */
import pg from 'pg'
import { StoreConflictError, type WorkspaceRepo } from '../store.js'
import { toWorkspace, workspacePatchColumns, workspaceValues } from '../rows.js'
import { rows, type PostgresConnection } from './connection.js'

const WS_INSERT = `
  INSERT INTO workspaces (id, name, key_hash, key_salt, state, settings, created_at, updated_at,
    prev_key_hash, prev_key_salt, prev_key_expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

export function postgresWorkspaces({ pool, open, all, one }: PostgresConnection): WorkspaceRepo {
  return {
    create: (w) =>
      open(async () => {
        try {
          await pool.query(WS_INSERT, workspaceValues(w))
        } catch (err) {
          if (err instanceof pg.DatabaseError && err.code === '23505') {
            throw new StoreConflictError(`workspace ${w.id} already exists`)
          }
          throw err
        }
      }),
    get: (id) => one('SELECT * FROM workspaces WHERE id = $1', [id], toWorkspace),
    list: () =>
      all('SELECT * FROM workspaces ORDER BY created_at, id COLLATE "C"', [], toWorkspace),
    update: (id, patch) =>
      open(async () => {
        const set = workspacePatchColumns(patch)
        const [row] = await rows(
          pool,
          `UPDATE workspaces SET ${set.map(([column], i) => `${column} = $${i + 2}`).join(', ')}
           WHERE id = $1 RETURNING *`,
          [id, ...set.map(([, value]) => value)],
        )
        return row === undefined ? undefined : toWorkspace(row)
      }),
  }
}
