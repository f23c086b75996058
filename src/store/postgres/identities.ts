/**
 * The PostgreSQL adapter's identity links (table `identities`, Identity Resolution): the users
 * holding any of many identifier values and the links of many users, for snapshots, and a batch's
 * replacements.
 */
import type { BatchChanges, IdentityLink, UserRow } from '../store.js'
import { toIdentityLink, toUser } from '../rows.js'
import { rows, type Queryable } from './connection.js'
import { rowsOfKeys, unnest, type Keys } from './unnest.js'

const SQL = {
  usersByIdentity: `
    SELECT DISTINCT u.* FROM users u
    JOIN identities i ON i.workspace_id = u.workspace_id AND i.user_id = u.id
    JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(workspace_id, name, value)
      ON i.workspace_id = k.workspace_id AND i.name = k.name AND i.value = k.value`,
  identityLinksOfUsers: `
    SELECT i.workspace_id, i.user_id, i.name, i.value FROM identities i
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON i.workspace_id = k.workspace_id AND i.user_id = k.user_id
    ORDER BY i.user_id COLLATE "C", i.name COLLATE "C", i.value COLLATE "C"`,
  identitiesReplace: `
    WITH k AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)),
      gone AS (
        DELETE FROM identities i USING k
        WHERE i.workspace_id = k.workspace_id AND i.user_id = k.user_id
      )
    SELECT 1`,
  identitiesInsert: `
    INSERT INTO identities (workspace_id, name, value, user_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    ON CONFLICT DO NOTHING`,
} as const

type IdentityValue = Readonly<{ workspaceId: string; name: string; value: string }>

export type PostgresIdentities = ReturnType<typeof postgresIdentities>

export function postgresIdentities() {
  return {
    /** The users holding any of the values. */
    holders: async (db: Queryable, values: readonly IdentityValue[]): Promise<UserRow[]> =>
      (
        await rows(db, SQL.usersByIdentity, [
          values.map((i) => i.workspaceId),
          values.map((i) => i.name),
          values.map((i) => i.value),
        ])
      ).map(toUser),
    /** The links of every one of the users, by (workspace, user id). */
    linksOf: (db: Queryable, users: Keys<string>): Promise<IdentityLink[]> =>
      rowsOfKeys(db, SQL.identityLinksOfUsers, users, toIdentityLink),
    /** Replaces all links of each listed user. */
    async replace(
      db: Queryable,
      relinked: NonNullable<BatchChanges['identityLinks']>,
    ): Promise<void> {
      if (relinked.length === 0) return
      await unnest(db, SQL.identitiesReplace, relinked, (u) => [u.workspaceId, u.userId])
      const links = relinked.flatMap((u) => u.links.map((l) => ({ ...l, ...u })))
      await unnest(db, SQL.identitiesInsert, links, (l) => [
        l.workspaceId,
        l.name,
        l.value,
        l.userId,
      ])
    },
  }
}
