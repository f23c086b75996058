/**
 * The PostgreSQL adapter's users (table `users`) and their scheduled deletions
 * (`pending_deletions`): lookups of many users at once for snapshots, a batch's upserts and
 * removals (a user with its devices, scheduled deletion and identity links, in one statement),
 * and the profile reads of Store `profiles` (findUsers, usersPage, matchUsers — the last also by a
 * device attribute's value, through `devices`).
 */
import type { ProfileParts } from '../profiles.js'
import type { DeletionRow, UserMatch, UserRow } from '../store.js'
import { byUserId, deletionValues, str, toDeletion, toUser, userValues } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import {
  keepFirst,
  collapseProfiles,
  collapse,
  jsonColumn,
  pairKey,
  rowsOfKeys,
  selectByKeys,
  unnest,
  type Keys,
} from './unnest.js'

const SQL = {
  usersPage: `
    SELECT * FROM users WHERE workspace_id = $1 AND id COLLATE "C" > $2
    ORDER BY id COLLATE "C" LIMIT $3`,
  // Rows by (workspace, key) pairs (unnest.ts selectByKeys).
  usersByCustomer: selectByKeys('users', 'customer_id'),
  usersById: selectByKeys('users', 'id'),
  usersOfWorkspace: `
    SELECT * FROM users WHERE workspace_id = $1
      AND (customer_id = ANY($2::text[]) OR id = ANY($3::text[]))`,
  usersUpsert: `
    INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], ${jsonColumn(4)}, $5::bigint[],
      $6::bigint[])
    ON CONFLICT (workspace_id, id) DO UPDATE SET customer_id = excluded.customer_id,
      attributes = excluded.attributes, updated_at = excluded.updated_at`,
  usersDelete: `
    WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)),
      devices_gone AS (
        DELETE FROM devices d USING k WHERE d.workspace_id = k.workspace_id AND d.user_id = k.user_id
      ),
      deletions_gone AS (
        DELETE FROM pending_deletions p USING k
        WHERE p.workspace_id = k.workspace_id AND p.user_id = k.user_id
      ),
      identities_gone AS (
        DELETE FROM identities i USING k
        WHERE i.workspace_id = k.workspace_id AND i.user_id = k.user_id
      )
    DELETE FROM users u USING k WHERE u.workspace_id = k.workspace_id AND u.id = k.user_id`,
  deletionsInsert: `
    INSERT INTO pending_deletions (workspace_id, user_id, due_at, request_id, seq)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
    ON CONFLICT (workspace_id, user_id) DO NOTHING`,
  deletionsDue: `
    SELECT * FROM pending_deletions WHERE due_at <= $1 ORDER BY due_at, seq LIMIT $2`,
  // Attribute maps are JSON text (never jsonb, see migrations.ts): parsed as json for the match.
  usersByAttribute: `
    SELECT * FROM users WHERE workspace_id = $1 AND (attributes::json ->> $2) = $3`,
  usersByAttributeNoCase: `
    SELECT * FROM users WHERE workspace_id = $1 AND lower(attributes::json ->> $2) = lower($3)`,
  deviceUsersByAttribute: `
    SELECT DISTINCT user_id FROM devices WHERE workspace_id = $1 AND (attributes::json ->> $2) = $3`,
} as const

export type PostgresUsers = ReturnType<typeof postgresUsers>

type UserKey = Readonly<{ workspaceId: string; userId: string }>

export function postgresUsers({ pool, open, all }: PostgresConnection) {
  async function matchUsers(workspaceId: string, match: UserMatch): Promise<UserRow[]> {
    const found = new Map<string, UserRow>()
    const add = (users: readonly UserRow[]): void => {
      for (const user of users) found.set(user.id, user)
    }
    const ids = [...match.userIds]
    if (match.customerIds.length > 0 || ids.length > 0) {
      add(
        (await rows(pool, SQL.usersOfWorkspace, [workspaceId, [...match.customerIds], ids])).map(
          toUser,
        ),
      )
    }
    for (const a of match.userAttributes) {
      const text = a.caseInsensitive === true ? SQL.usersByAttributeNoCase : SQL.usersByAttribute
      add((await rows(pool, text, [workspaceId, a.key, a.value])).map(toUser))
    }
    const deviceUsers: string[] = []
    for (const a of match.deviceAttributes) {
      for (const r of await rows(pool, SQL.deviceUsersByAttribute, [workspaceId, a.key, a.value])) {
        deviceUsers.push(str(r['user_id']))
      }
    }
    if (deviceUsers.length > 0) {
      add(
        (
          await rows(pool, 'SELECT * FROM users WHERE workspace_id = $1 AND id = ANY($2::text[])', [
            workspaceId,
            deviceUsers,
          ])
        ).map(toUser),
      )
    }
    return [...found.values()].sort(byUserId)
  }

  const profiles: ProfileParts['users']['profiles'] = {
    findUsers: (workspaceId, lookup) =>
      open(async () => {
        if (lookup.customerIds.length === 0 && lookup.ids.length === 0) return []
        const found = (
          await rows(pool, SQL.usersOfWorkspace, [workspaceId, lookup.customerIds, lookup.ids])
        ).map(toUser)
        // In lookup order, customer ids first, as the SQLite adapter answers.
        const out: UserRow[] = []
        for (const id of lookup.customerIds) {
          const user = found.find((u) => u.customerId === id)
          if (user !== undefined) out.push(user)
        }
        for (const id of lookup.ids) {
          const user = found.find((u) => u.id === id)
          if (user !== undefined) out.push(user)
        }
        return out
      }),
    usersPage: (workspaceId, afterId, limit) =>
      all(SQL.usersPage, [workspaceId, afterId, limit], toUser),
    matchUsers: (workspaceId, match) => open(() => matchUsers(workspaceId, match)),
  }

  return {
    profiles,
    /** Users by (workspace, customer id). */
    byCustomer: (db: Queryable, customerIds: Keys<string>) =>
      rowsOfKeys(db, SQL.usersByCustomer, customerIds, toUser),
    /** Users by (workspace, internal id). */
    byId: (db: Queryable, ids: Keys<string>) => rowsOfKeys(db, SQL.usersById, ids, toUser),
    async write(db: Queryable, written: readonly UserRow[]): Promise<void> {
      const users = collapseProfiles(written, (u) => pairKey(u.workspaceId, u.id))
      await unnest(db, SQL.usersUpsert, users, userValues, [3])
    },
    /** Users with their devices, scheduled deletion and identity links (not their events). */
    async remove(db: Queryable, users: readonly UserKey[]): Promise<void> {
      await unnest(db, SQL.usersDelete, users, (u) => [u.workspaceId, u.userId])
    },
    /** Deletions to carry out later; an existing one for the same user is kept. */
    async schedule(db: Queryable, deletions: readonly DeletionRow[]): Promise<void> {
      const scheduled = collapse(deletions, (d) => pairKey(d.workspaceId, d.userId), keepFirst)
      await unnest(db, SQL.deletionsInsert, scheduled, deletionValues)
    },
    dueDeletions: async (now: number, limit: number): Promise<DeletionRow[]> =>
      (await rows(pool, SQL.deletionsDue, [now, limit])).map(toDeletion),
  }
}
