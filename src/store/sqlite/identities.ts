/**
 * The SQLite adapter's identity links (table `identities` of store.db, Identity Resolution): the
 * users holding an identifier value, each user's links for snapshots, and a batch's replacements.
 */
import type { BatchChanges, IdentityLink } from '../store.js'
import { str, type Row } from '../rows.js'
import type { SqliteConnection } from './connection.js'

export type SqliteIdentities = ReturnType<typeof sqliteIdentities>

export function sqliteIdentities({ db }: SqliteConnection) {
  const q = {
    identityUsers: db
      .prepare('SELECT user_id FROM identities WHERE workspace_id = ? AND name = ? AND value = ?')
      .pluck(),
    identityLinksOfUser: db.prepare(
      'SELECT name, value FROM identities WHERE workspace_id = ? AND user_id = ? ORDER BY name, value',
    ),
    identityInsert: db.prepare(
      'INSERT OR IGNORE INTO identities (workspace_id, name, value, user_id) VALUES (?, ?, ?, ?)',
    ),
    identityDeleteOfUser: db.prepare(
      'DELETE FROM identities WHERE workspace_id = ? AND user_id = ?',
    ),
  }
  return {
    /** The internal ids of the users holding the value. */
    holders: (workspaceId: string, name: string, value: string): string[] =>
      q.identityUsers.all(workspaceId, name, value) as string[],
    linksOf: (workspaceId: string, userId: string): IdentityLink[] =>
      (q.identityLinksOfUser.all(workspaceId, userId) as Row[]).map((l) => ({
        workspaceId,
        userId,
        name: str(l['name']),
        value: str(l['value']),
      })),
    /** Replaces all links of each listed user. */
    replace(relinked: NonNullable<BatchChanges['identityLinks']>): void {
      for (const u of relinked) {
        q.identityDeleteOfUser.run(u.workspaceId, u.userId)
        for (const l of u.links) q.identityInsert.run(u.workspaceId, l.name, l.value, u.userId)
      }
    },
    removeOfUser(workspaceId: string, userId: string): void {
      q.identityDeleteOfUser.run(workspaceId, userId)
    },
  }
}
