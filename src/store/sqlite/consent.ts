/**
 * The SQLite adapter's consent repository (Store `consent`, tables `subscription_categories`,
 * `subscription_status` and `subscription_preferences` of store.db, migration 16). It owns this
 * SQL only; what a category or a preference means is the consent family's. A write for a user that
 * no longer exists writes nothing: each statement selects the user row it writes for, in the same
 * IMMEDIATE transaction, and the foreign key removes a user's rows with it.
 */
import {
  SUBSCRIPTION_CATEGORY_COLUMNS,
  str,
  subscriptionCategoryValues,
  toCategoryPreference,
  toSubscriptionCategory,
  toSubscriptionStatus,
  type Row,
} from '../rows.js'
import {
  mergeSubscriptionUpdates,
  type ConsentRepo,
  type SubscriptionChange,
  type SubscriptionUpdate,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

/** The repository, and the part of a batch commit it writes (processing.ts). */
export type SqliteConsent = Readonly<{
  repo: ConsentRepo
  /** A batch's preference changes, in order, inside the commit's transaction. */
  change(changes: readonly SubscriptionChange[]): void
}>

/** Most ids bound in one `IN (…)` list (SQLite's default limit is 32,766 parameters). */
const CHUNK = 500

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

const marks = (n: number): string => new Array<string>(n).fill('?').join(', ')

/** A user's status row made or updated (a NULL keeping the column), `guard` deciding an update. */
const statusUpsertSql = (guard: string): string =>
  `INSERT INTO subscription_status
     (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
   SELECT u.workspace_id, u.id, ?, coalesce(?, 0), ?, ?
     FROM users u WHERE u.workspace_id = ? AND u.id = ?
   ON CONFLICT (workspace_id, user_id, channel) DO UPDATE SET
     unsubscribed_all = coalesce(?, unsubscribed_all),
     opt_in_status = coalesce(excluded.opt_in_status, opt_in_status),
     updated_at = excluded.updated_at
   ${guard}`

export function sqliteConsent({ db }: SqliteConnection): SqliteConsent {
  const q = {
    categories: db.prepare(
      'SELECT * FROM subscription_categories WHERE workspace_id = ? ORDER BY created_at, name',
    ),
    categoryPut: db.prepare(
      `INSERT INTO subscription_categories (${SUBSCRIPTION_CATEGORY_COLUMNS.join(', ')})
       VALUES (${marks(SUBSCRIPTION_CATEGORY_COLUMNS.length)})
       ON CONFLICT (workspace_id, name) DO UPDATE SET description = excluded.description,
         active = excluded.active, updated_at = excluded.updated_at`,
    ),
    categoryRemove: db.prepare(
      'DELETE FROM subscription_categories WHERE workspace_id = ? AND name = ?',
    ),
    preferencesOfCategory: db.prepare(
      `DELETE FROM subscription_preferences INDEXED BY subscription_preferences_by_category
       WHERE workspace_id = ? AND category = ?`,
    ),
    // The user row is selected, so a user that is gone gets nothing written.
    statusUpsert: db.prepare(statusUpsertSql('')),
    // SubscriptionChange `set`: rows newer than the change are left as they are.
    statusSet: db.prepare(statusUpsertSql('WHERE updated_at <= excluded.updated_at')),
    // Only categories the workspace defines; the status row above is there (same transaction).
    preferenceSet: db.prepare(
      `INSERT INTO subscription_preferences
         (workspace_id, user_id, channel, category, subscribed, updated_at)
       SELECT c.workspace_id, ?, ?, c.name, ?, ?
         FROM subscription_categories c
         WHERE c.workspace_id = ? AND c.name = ?
           AND EXISTS (SELECT 1 FROM users u WHERE u.workspace_id = c.workspace_id AND u.id = ?)
       ON CONFLICT (workspace_id, user_id, channel, category) DO UPDATE SET
         subscribed = excluded.subscribed, updated_at = excluded.updated_at
       WHERE updated_at <= excluded.updated_at`,
    ),
    // An exclusive list: the user's unsubscribed categories of the channel subscribe again, and
    // then those listed are set (unsubscribed): the others end subscribed.
    preferencesResubscribe: db.prepare(
      `UPDATE subscription_preferences SET subscribed = 1, updated_at = ?
       WHERE workspace_id = ? AND user_id = ? AND channel = ? AND subscribed = 0
         AND updated_at <= ?`,
    ),
    // SubscriptionChange `carry`: fromUser's rows into toUser's, withdrawals of consent winning.
    statusCarry: db.prepare(
      `INSERT INTO subscription_status
         (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
       SELECT f.workspace_id, u.id, f.channel, f.unsubscribed_all, f.opt_in_status, f.updated_at
         FROM subscription_status f JOIN users u ON u.workspace_id = f.workspace_id AND u.id = $to
         WHERE f.workspace_id = $ws AND f.user_id = $from
       ON CONFLICT (workspace_id, user_id, channel) DO UPDATE SET
         unsubscribed_all = max(unsubscribed_all, excluded.unsubscribed_all),
         opt_in_status = CASE WHEN excluded.opt_in_status = $out THEN $out
           ELSE coalesce(opt_in_status, excluded.opt_in_status) END,
         updated_at = CASE
           WHEN unsubscribed_all < excluded.unsubscribed_all
             OR (excluded.opt_in_status = $out AND opt_in_status IS NOT $out)
             OR (opt_in_status IS NULL AND excluded.opt_in_status IS NOT NULL)
           THEN max(updated_at, excluded.updated_at) ELSE updated_at END`,
    ),
    preferencesCarry: db.prepare(
      `INSERT INTO subscription_preferences
         (workspace_id, user_id, channel, category, subscribed, updated_at)
       SELECT f.workspace_id, u.id, f.channel, f.category, f.subscribed, f.updated_at
         FROM subscription_preferences f
         JOIN users u ON u.workspace_id = f.workspace_id AND u.id = $to
         WHERE f.workspace_id = $ws AND f.user_id = $from
       ON CONFLICT (workspace_id, user_id, channel, category) DO UPDATE SET
         subscribed = min(subscribed, excluded.subscribed),
         updated_at = CASE WHEN subscribed > excluded.subscribed
           THEN excluded.updated_at ELSE updated_at END`,
    ),
    preferenceUpsert: db.prepare(
      `INSERT INTO subscription_preferences
         (workspace_id, user_id, channel, category, subscribed, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, user_id, channel, category) DO UPDATE SET
         subscribed = excluded.subscribed, updated_at = excluded.updated_at`,
    ),
  }
  const bit = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0)
  const update = db.transaction((updates: readonly SubscriptionUpdate[]): number => {
    let applied = 0
    for (const u of updates) {
      const wrote = q.statusUpsert.run(
        u.channel,
        bit(u.unsubscribedAll),
        u.optInStatus ?? null,
        u.at,
        u.workspaceId,
        u.userId,
        bit(u.unsubscribedAll),
      )
      if (wrote.changes === 0) continue // the user is gone
      applied++
      for (const [category, subscribed] of Object.entries(u.categories)) {
        q.preferenceUpsert.run(u.workspaceId, u.userId, u.channel, category, bit(subscribed), u.at)
      }
    }
    return applied
  })
  /** Applies a batch's changes in order (inside the commit's transaction). */
  function change(changes: readonly SubscriptionChange[]): void {
    for (const c of changes) {
      if (c.kind === 'carry') {
        const names = { ws: c.workspaceId, from: c.fromUserId, to: c.toUserId, out: c.optedOut }
        q.statusCarry.run(names)
        q.preferencesCarry.run({ ws: c.workspaceId, from: c.fromUserId, to: c.toUserId })
        continue
      }
      const u = c.update
      const unsub = bit(u.unsubscribedAll)
      const status = [u.channel, unsub, u.optInStatus ?? null, u.at, u.workspaceId, u.userId, unsub]
      q.statusSet.run(...status)
      if (c.exclusive) {
        q.preferencesResubscribe.run(u.at, u.workspaceId, u.userId, u.channel, u.at)
      }
      for (const [category, subscribed] of Object.entries(u.categories)) {
        q.preferenceSet.run(
          u.userId,
          u.channel,
          bit(subscribed),
          u.at,
          u.workspaceId,
          category,
          u.userId,
        )
      }
    }
  }
  const removeCategory = db.transaction((workspaceId: string, name: string): boolean => {
    q.preferencesOfCategory.run(workspaceId, name)
    return q.categoryRemove.run(workspaceId, name).changes > 0
  })
  const inUsers = (table: string, n: number) =>
    db.prepare(`SELECT * FROM ${table} WHERE workspace_id = ? AND user_id IN (${marks(n)})`)

  const repo: ConsentRepo = {
    categories: (workspaceId) =>
      attempt(() => (q.categories.all(workspaceId) as Row[]).map(toSubscriptionCategory)),
    putCategory: (row) =>
      attempt(() => {
        q.categoryPut.run(...subscriptionCategoryValues(row))
      }),
    removeCategory: (workspaceId, name) =>
      attempt(() => removeCategory.immediate(workspaceId, name)),
    subscriptionsOf: (workspaceId, userIds) =>
      attempt(() => {
        const statuses = []
        const preferences = []
        for (const ids of chunks([...new Set(userIds)])) {
          const s = inUsers('subscription_status', ids.length).all(workspaceId, ...ids) as Row[]
          const p = inUsers('subscription_preferences', ids.length).all(
            workspaceId,
            ...ids,
          ) as Row[]
          statuses.push(...s.map(toSubscriptionStatus))
          preferences.push(...p.map(toCategoryPreference))
        }
        return { statuses, preferences }
      }),
    update: (updates) => attempt(() => update.immediate(mergeSubscriptionUpdates(updates))),
    usersWithEmail: (workspaceId, emails) =>
      attempt(() => {
        const found: { userId: string; email: string }[] = []
        for (const list of chunks([...new Set(emails)])) {
          // The expression of migration 14's users_by_email index; SQLite's lower() on both sides.
          const rows = db
            .prepare(
              `SELECT id, json_extract(attributes, '$.u_em') AS email FROM users
               WHERE workspace_id = ? AND lower(json_extract(attributes, '$.u_em')) IN (${list.map(() => 'lower(?)').join(', ')})`,
            )
            .all(workspaceId, ...list) as Row[]
          found.push(...rows.map((r) => ({ userId: str(r['id']), email: str(r['email']) })))
        }
        return found.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      }),
  }
  return { repo, change }
}
