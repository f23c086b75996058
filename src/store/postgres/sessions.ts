/**
 * The PostgreSQL adapter's dashboard sessions (Store `sessions`, table `dashboard_sessions`): one
 * row per session, by its token's hash; expired rows are swept as new sessions are created (one
 * statement). It owns this SQL only; what a session is, is families/dashboard/sessions.ts's.
 */
import { SESSION_COLUMNS, sessionValues, toSession } from '../rows.js'
import type { SessionRepo } from '../store.js'
import type { PostgresConnection } from './connection.js'

const SQL = {
  create: `
    WITH swept AS (DELETE FROM dashboard_sessions WHERE expires_at <= $4)
    INSERT INTO dashboard_sessions (${SESSION_COLUMNS.join(', ')})
    VALUES (${SESSION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
  get: 'SELECT * FROM dashboard_sessions WHERE token_hash = $1 AND expires_at > $2',
  end: 'DELETE FROM dashboard_sessions WHERE token_hash = $1',
  endWorkspace: 'DELETE FROM dashboard_sessions WHERE workspace_id = $1',
  sweep: 'DELETE FROM dashboard_sessions WHERE expires_at <= $1',
}

export function postgresSessionRepo({ pool, open, one }: PostgresConnection): SessionRepo {
  const run = (text: string, values: unknown[]): Promise<number> =>
    open(async () => (await pool.query(text, values)).rowCount ?? 0)
  return {
    create: async (row) => {
      await run(SQL.create, sessionValues(row))
    },
    get: (tokenHash, now) => one(SQL.get, [tokenHash, now], toSession),
    end: async (tokenHash) => {
      await run(SQL.end, [tokenHash])
    },
    endWorkspace: (workspaceId) => run(SQL.endWorkspace, [workspaceId]),
    sweep: (now) => run(SQL.sweep, [now]),
  }
}
