/**
 * The SQLite adapter's privacy state (spec §7.12, store.db): the suppression list
 * (`suppressions`) and carried-out erasures (`gdpr_requests`) — a batch's writes and Store
 * `profiles`' reads and lifting of suppressions.
 */
import type { ProfileParts } from '../profiles.js'
import type { GdprRequestRow, SuppressionRow } from '../store.js'
import {
  gdprRequestValues,
  suppressionValues,
  toGdprRequest,
  toSuppression,
  type Row,
} from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqlitePrivacy = ReturnType<typeof sqlitePrivacy>

export function sqlitePrivacy({ db }: SqliteConnection) {
  const q = {
    suppressionInsert: db.prepare(
      `INSERT OR IGNORE INTO suppressions (workspace_id, hash, identity_type, request_id,
         created_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    suppressionAny: db.prepare('SELECT 1 FROM suppressions WHERE workspace_id = ? LIMIT 1').pluck(),
    suppressionGet: db
      .prepare('SELECT hash FROM suppressions WHERE workspace_id = ? AND hash = ?')
      .pluck(),
    suppressionsOf: db.prepare(
      'SELECT * FROM suppressions WHERE workspace_id = ? ORDER BY created_at, hash',
    ),
    suppressionDelete: db.prepare('DELETE FROM suppressions WHERE workspace_id = ? AND hash = ?'),
    suppressionDeleteOfRequest: db.prepare(
      'DELETE FROM suppressions WHERE workspace_id = ? AND request_id = ?',
    ),
    gdprInsert: db.prepare(
      `INSERT OR REPLACE INTO gdpr_requests (workspace_id, request_id, seq, received_at, done_at,
         counts) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    gdprGet: db.prepare('SELECT * FROM gdpr_requests WHERE workspace_id = ? AND request_id = ?'),
  }

  const profiles: ProfileParts['privacy']['profiles'] = {
    gdprRequest: (workspaceId, requestId) =>
      attempt(() => {
        const row = q.gdprGet.get(workspaceId, requestId) as Row | undefined
        return row === undefined ? undefined : toGdprRequest(row)
      }),
    suppressions: (workspaceId) =>
      attempt(() => (q.suppressionsOf.all(workspaceId) as Row[]).map(toSuppression)),
    hasSuppressions: (workspaceId) =>
      attempt(() => q.suppressionAny.get(workspaceId) !== undefined),
    suppressed: (workspaceId, hashes) =>
      attempt(() =>
        [...new Set(hashes)].filter((h) => q.suppressionGet.get(workspaceId, h) !== undefined),
      ),
    liftSuppressions: (workspaceId, by) =>
      attempt(() =>
        db.transaction(() => {
          let lifted = 0
          for (const h of by.hashes ?? []) lifted += q.suppressionDelete.run(workspaceId, h).changes
          if (by.requestId !== undefined) {
            lifted += q.suppressionDeleteOfRequest.run(workspaceId, by.requestId).changes
          }
          return lifted
        })(),
      ),
  }

  return {
    profiles,
    /** A batch's suppressions (an existing hash is kept as it is) and carried-out erasures. */
    write(suppressions: readonly SuppressionRow[], gdprRequests: readonly GdprRequestRow[]): void {
      for (const x of suppressions) q.suppressionInsert.run(...suppressionValues(x))
      for (const g of gdprRequests) q.gdprInsert.run(...gdprRequestValues(g))
    },
  }
}
