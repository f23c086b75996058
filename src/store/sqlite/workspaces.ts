/**
 * The SQLite adapter's workspaces (Store `workspaces`, table `workspaces` of store.db): create,
 * read, list and patch, with a duplicate id refused as a StoreConflictError.
 */
import Database from 'better-sqlite3'
import { StoreConflictError, type WorkspaceRepo } from '../store.js'
import { toWorkspace, workspacePatchColumns, workspaceValues, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export function sqliteWorkspaces({ db }: SqliteConnection): WorkspaceRepo {
  const q = {
    wsInsert: db.prepare(
      `INSERT INTO workspaces (id, name, key_hash, key_salt, state, settings, created_at, updated_at,
         prev_key_hash, prev_key_salt, prev_key_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    wsGet: db.prepare('SELECT * FROM workspaces WHERE id = ?'),
    wsList: db.prepare('SELECT * FROM workspaces ORDER BY created_at, id'),
  }
  const get = (id: string) => {
    const row = q.wsGet.get(id) as Row | undefined
    return row === undefined ? undefined : toWorkspace(row)
  }
  return {
    create: (w) =>
      attempt(() => {
        try {
          q.wsInsert.run(...workspaceValues(w))
        } catch (err) {
          if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreConflictError(`workspace ${w.id} already exists`)
          }
          throw err
        }
      }),
    get: (id) => attempt(() => get(id)),
    list: () => attempt(() => (q.wsList.all() as Row[]).map(toWorkspace)),
    update: (id, patch) =>
      attempt(() => {
        const set = workspacePatchColumns(patch)
        db.prepare(
          `UPDATE workspaces SET ${set.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`,
        ).run(...set.map(([, value]) => value), id)
        return get(id)
      }),
  }
}
