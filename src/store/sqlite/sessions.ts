/**
 * The SQLite adapter's dashboard sessions (Store `sessions`, table `dashboard_sessions` of
 * store.db): one row per session, by its token's hash; expired rows are swept as new sessions
 * are created. It owns this SQL only; what a session is, is families/dashboard/sessions.ts's.
 */
import type Database from 'better-sqlite3'
import { SESSION_COLUMNS, sessionValues, toSession, type Row } from '../rows.js'
import type { SessionRepo } from '../store.js'

export function sqliteSessionRepo(
  db: Database.Database,
  attempt: <T>(fn: () => T) => Promise<T>,
): SessionRepo {
  const q = {
    insert: db.prepare(
      `INSERT INTO dashboard_sessions (${SESSION_COLUMNS.join(', ')})
       VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})`,
    ),
    get: db.prepare('SELECT * FROM dashboard_sessions WHERE token_hash = ? AND expires_at > ?'),
    end: db.prepare('DELETE FROM dashboard_sessions WHERE token_hash = ?'),
    endWorkspace: db.prepare('DELETE FROM dashboard_sessions WHERE workspace_id = ?'),
    sweep: db.prepare('DELETE FROM dashboard_sessions WHERE expires_at <= ?'),
  }
  const create = db.transaction((row: Parameters<SessionRepo['create']>[0]) => {
    q.sweep.run(row.createdAt)
    q.insert.run(...sessionValues(row))
  })
  return {
    create: (row) => attempt(() => create.immediate(row)),
    get: (tokenHash, now) =>
      attempt(() => {
        const row = q.get.get(tokenHash, now) as Row | undefined
        return row === undefined ? undefined : toSession(row)
      }),
    end: (tokenHash) =>
      attempt(() => {
        q.end.run(tokenHash)
      }),
    endWorkspace: (workspaceId) => attempt(() => q.endWorkspace.run(workspaceId).changes),
    sweep: (now) => attempt(() => q.sweep.run(now).changes),
  }
}
