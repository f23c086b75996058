/**
 * The SQLite adapter's users (table `users` of store.db) and their scheduled deletions
 * (`pending_deletions`): lookups by customer id and internal id for snapshots, a batch's upserts
 * and removals, and the profile reads of Store `profiles` (findUsers, usersPage, matchUsers — the
 * last also by a device attribute's value, through `devices`).
 */
import type { ProfileParts } from '../profiles.js'
import type { DeletionRow, UserRow } from '../store.js'
import { byUserId, deletionValues, toDeletion, toUser, userValues, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteUsers = ReturnType<typeof sqliteUsers>

type UserKey = Readonly<{ workspaceId: string; userId: string }>

export function sqliteUsers({ db }: SqliteConnection) {
  const q = {
    userByCustomer: db.prepare('SELECT * FROM users WHERE workspace_id = ? AND customer_id = ?'),
    userById: db.prepare('SELECT * FROM users WHERE workspace_id = ? AND id = ?'),
    userUpsert: db.prepare(
      `INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET customer_id = excluded.customer_id,
         attributes = excluded.attributes, updated_at = excluded.updated_at`,
    ),
    // A stored user whose customer id, or also its attributes, are as written: only what changed
    // is SET, so that SQLite leaves the indexes on the columns not SET alone (write below).
    userTouch: db.prepare(
      `UPDATE users SET updated_at = ?
       WHERE workspace_id = ? AND id = ? AND customer_id IS ? AND attributes = ?`,
    ),
    userAttributesSet: db.prepare(
      `UPDATE users SET attributes = ?, updated_at = ?
       WHERE workspace_id = ? AND id = ? AND customer_id IS ?`,
    ),
    userDelete: db.prepare('DELETE FROM users WHERE workspace_id = ? AND id = ?'),
    usersPage: db.prepare(
      'SELECT * FROM users WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?',
    ),
    usersByAttribute: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ?
         AND CAST(json_extract(attributes, ?) AS TEXT) = ?`,
    ),
    usersByAttributeNoCase: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ?
         AND lower(CAST(json_extract(attributes, ?) AS TEXT)) = lower(?)`,
    ),
    deviceUsersByAttribute: db
      .prepare(
        `SELECT DISTINCT user_id FROM devices WHERE workspace_id = ?
           AND CAST(json_extract(attributes, ?) AS TEXT) = ?`,
      )
      .pluck(),
    deletionInsert: db.prepare(
      `INSERT OR IGNORE INTO pending_deletions (workspace_id, user_id, due_at, request_id, seq)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    deletionsDue: db.prepare(
      'SELECT * FROM pending_deletions WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?',
    ),
    userDeletionDelete: db.prepare(
      'DELETE FROM pending_deletions WHERE workspace_id = ? AND user_id = ?',
    ),
  }
  const user = (row: unknown): UserRow | undefined =>
    row === undefined ? undefined : toUser(row as Row)
  const byCustomer = (workspaceId: string, customerId: string): UserRow | undefined =>
    user(q.userByCustomer.get(workspaceId, customerId))
  const byId = (workspaceId: string, id: string): UserRow | undefined =>
    user(q.userById.get(workspaceId, id))

  const profiles: ProfileParts['users']['profiles'] = {
    findUsers: (workspaceId, lookup) =>
      attempt(() => {
        const out: UserRow[] = []
        for (const id of lookup.customerIds) {
          const found = byCustomer(workspaceId, id)
          if (found !== undefined) out.push(found)
        }
        for (const id of lookup.ids) {
          const found = byId(workspaceId, id)
          if (found !== undefined) out.push(found)
        }
        return out
      }),
    usersPage: (workspaceId, afterId, limit) =>
      attempt(() => (q.usersPage.all(workspaceId, afterId, limit) as Row[]).map(toUser)),
    matchUsers: (workspaceId, match) =>
      attempt(() => {
        const found = new Map<string, UserRow>()
        const add = (u: UserRow | undefined): void => {
          if (u !== undefined) found.set(u.id, u)
        }
        for (const id of match.customerIds) add(byCustomer(workspaceId, id))
        for (const id of match.userIds) add(byId(workspaceId, id))
        for (const a of match.userAttributes) {
          const query = a.caseInsensitive === true ? q.usersByAttributeNoCase : q.usersByAttribute
          for (const row of query.all(workspaceId, jsonPath(a.key), a.value) as Row[]) {
            add(toUser(row))
          }
        }
        for (const a of match.deviceAttributes) {
          const path = jsonPath(a.key)
          for (const userId of q.deviceUsersByAttribute.all(workspaceId, path, a.value)) {
            add(byId(workspaceId, userId as string))
          }
        }
        return [...found.values()].sort(byUserId)
      }),
  }

  return {
    byCustomer,
    byId,
    profiles,
    /**
     * A batch's users. SQLite rewrites an index entry whenever its column is SET, whatever the
     * value: an upsert of every column rewrote `users_by_customer_id` and the two attribute
     * indexes for each user a batch touched. A user that was stored before (created before it was
     * last updated) is first updated with only the columns that changed — the conditions say
     * whether they did — and upserted only when neither update finds it so (a new user, a new
     * customer id, or a row another writer changed meanwhile). docs/benchmarks.md, 2026-12-05
     * 19:00.
     */
    write(users: readonly UserRow[]): void {
      for (const u of users) {
        const values = userValues(u)
        const [workspaceId, id, customerId, attributes, createdAt, updatedAt] = values
        if (createdAt !== updatedAt) {
          const where = [workspaceId, id, customerId]
          if (q.userTouch.run(updatedAt, ...where, attributes).changes === 1) continue
          if (q.userAttributesSet.run(attributes, updatedAt, ...where).changes === 1) continue
        }
        q.userUpsert.run(...values)
      }
    },
    /** The user's row and its scheduled deletion (its other rows are their tables' to remove). */
    remove(u: UserKey): void {
      q.userDeletionDelete.run(u.workspaceId, u.userId)
      q.userDelete.run(u.workspaceId, u.userId)
    },
    /** Deletions to carry out later; an existing one for the same user is kept. */
    schedule(deletions: readonly DeletionRow[]): void {
      for (const d of deletions) q.deletionInsert.run(...deletionValues(d))
    },
    dueDeletions: (now: number, limit: number): DeletionRow[] =>
      (q.deletionsDue.all(now, limit) as Row[]).map(toDeletion),
  }
}

/** A JSON path naming one top-level key, whatever characters the key holds. */
function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`
}
