/**
 * The PostgreSQL adapter's consent repository (Store `consent`, tables `subscription_categories`,
 * `subscription_status` and `subscription_preferences`, migration 16), set-based over `unnest`.
 * It owns this SQL only; what a category or a preference means is the consent family's. A write
 * joins the user rows it writes for, so a user that is gone gets nothing; one deleted while the
 * write runs makes the foreign key refuse it, and the write is tried again once (finding the user
 * gone, it writes nothing for it). Concurrent first writes of one user both apply: the status row
 * is made if missing (a concurrent insert waited for), then updated under its lock, rows locked
 * and inserted in key order so that overlapping writes never deadlock.
 */
import pg from 'pg'
import {
  SUBSCRIPTION_CATEGORY_COLUMNS,
  str,
  subscriptionCategoryValues,
  toCategoryPreference,
  toSubscriptionCategory,
  toSubscriptionStatus,
} from '../rows.js'
import { mergeSubscriptionUpdates, type ConsentRepo, type SubscriptionUpdate } from '../store.js'
import { rows, transaction, type PostgresConnection } from './connection.js'

const SQL = {
  categories: `SELECT * FROM subscription_categories WHERE workspace_id = $1
    ORDER BY created_at, name COLLATE "C"`,
  categoryPut: `
    INSERT INTO subscription_categories (${SUBSCRIPTION_CATEGORY_COLUMNS.join(', ')})
    VALUES (${SUBSCRIPTION_CATEGORY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (workspace_id, name) DO UPDATE SET description = excluded.description,
      active = excluded.active, updated_at = excluded.updated_at`,
  categoryRemove: `
    WITH gone AS (
      DELETE FROM subscription_preferences WHERE workspace_id = $1 AND category = $2
    )
    DELETE FROM subscription_categories WHERE workspace_id = $1 AND name = $2`,
  statuses: `SELECT * FROM subscription_status WHERE workspace_id = $1 AND user_id = ANY($2::text[])`,
  preferences: `SELECT * FROM subscription_preferences
    WHERE workspace_id = $1 AND user_id = ANY($2::text[])`,
  // Two steps, so that concurrent first writes of one user both apply: every row the write
  // needs is made (defaults; a row another transaction is inserting is waited for, then left),
  // then each is updated under its row lock, a NULL keeping the column. Rows of users that do
  // not exist are neither made nor updated.
  statusEnsure: `
    INSERT INTO subscription_status
      (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
    SELECT k.workspace_id, k.user_id, k.channel, false, NULL, k.at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
      AS k(workspace_id, user_id, channel, at)
    JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
    ORDER BY k.workspace_id COLLATE "C", k.user_id COLLATE "C", k.channel COLLATE "C"
    ON CONFLICT DO NOTHING`,
  // The rows locked in one order, so that writes of overlapping users never deadlock.
  statusLock: `
    SELECT 1 FROM subscription_status s
    JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(workspace_id, user_id, channel)
      ON s.workspace_id = k.workspace_id AND s.user_id = k.user_id AND s.channel = k.channel
    ORDER BY s.workspace_id COLLATE "C", s.user_id COLLATE "C", s.channel COLLATE "C"
    FOR UPDATE OF s`,
  statusUpdate: `
    UPDATE subscription_status s SET unsubscribed_all = coalesce(k.unsub, s.unsubscribed_all),
      opt_in_status = coalesce(k.opt, s.opt_in_status), updated_at = k.at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::bigint[])
      AS k(workspace_id, user_id, channel, unsub, opt, at)
    WHERE s.workspace_id = k.workspace_id AND s.user_id = k.user_id AND s.channel = k.channel`,
  preferenceUpsert: `
    INSERT INTO subscription_preferences
      (workspace_id, user_id, channel, category, subscribed, updated_at)
    SELECT k.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[],
      $6::bigint[]) AS k(workspace_id, user_id, channel, category, subscribed, at)
    JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
    ORDER BY k.workspace_id COLLATE "C", k.user_id COLLATE "C", k.channel COLLATE "C",
      k.category COLLATE "C"
    ON CONFLICT (workspace_id, user_id, channel, category) DO UPDATE SET
      subscribed = excluded.subscribed, updated_at = excluded.updated_at`,
  // The expression of migration 14's users_by_email index.
  usersWithEmail: `
    SELECT id, attributes::json ->> 'u_em' AS email FROM users
    WHERE workspace_id = $1 AND (lower(attributes::json ->> 'u_em') COLLATE "C") IN (
      SELECT lower(e) COLLATE "C" FROM unnest($2::text[]) AS e
    )
    ORDER BY id COLLATE "C"`,
}

/**
 * Errors after which the write is tried again: foreign_key_violation (the user was deleted while
 * the write ran; tried again, it finds the user gone and writes nothing for it) and
 * deadlock_detected (rows are locked in one order, so only a lock taken elsewhere could cause it).
 */
const worthRetrying = (err: unknown): boolean =>
  err instanceof pg.DatabaseError && (err.code === '23503' || err.code === '40P01')

export function postgresConsent({ pool, open, all }: PostgresConnection): ConsentRepo {
  async function writeOnce(updates: readonly SubscriptionUpdate[]): Promise<number> {
    return transaction(pool, 'BEGIN', async (db) => {
      const keys = [
        updates.map((u) => u.workspaceId),
        updates.map((u) => u.userId),
        updates.map((u) => u.channel),
      ]
      await db.query(SQL.statusEnsure, [...keys, updates.map((u) => u.at)])
      await db.query(SQL.statusLock, keys)
      const updated = await db.query(SQL.statusUpdate, [
        ...keys,
        updates.map((u) => u.unsubscribedAll ?? null),
        updates.map((u) => u.optInStatus ?? null),
        updates.map((u) => u.at),
      ])
      const prefs = updates.flatMap((u) =>
        Object.entries(u.categories).map(([category, subscribed]) => ({ u, category, subscribed })),
      )
      if (prefs.length > 0) {
        await db.query(SQL.preferenceUpsert, [
          prefs.map((p) => p.u.workspaceId),
          prefs.map((p) => p.u.userId),
          prefs.map((p) => p.u.channel),
          prefs.map((p) => p.category),
          prefs.map((p) => p.subscribed),
          prefs.map((p) => p.u.at),
        ])
      }
      return updated.rowCount ?? 0
    })
  }

  return {
    categories: (workspaceId) => all(SQL.categories, [workspaceId], toSubscriptionCategory),
    putCategory: (row) =>
      open(async () => {
        await pool.query(SQL.categoryPut, subscriptionCategoryValues(row))
      }),
    removeCategory: (workspaceId, name) =>
      open(
        async () => ((await pool.query(SQL.categoryRemove, [workspaceId, name])).rowCount ?? 0) > 0,
      ),
    subscriptionsOf: (workspaceId, userIds) =>
      open(async () => {
        const ids = [...new Set(userIds)]
        const [statuses, preferences] = await Promise.all([
          rows(pool, SQL.statuses, [workspaceId, ids]),
          rows(pool, SQL.preferences, [workspaceId, ids]),
        ])
        return {
          statuses: statuses.map(toSubscriptionStatus),
          preferences: preferences.map(toCategoryPreference),
        }
      }),
    update: (updates) =>
      open(async () => {
        const merged = mergeSubscriptionUpdates(updates)
        if (merged.length === 0) return 0
        try {
          return await writeOnce(merged)
        } catch (err) {
          if (!worthRetrying(err)) throw err
          return writeOnce(merged)
        }
      }),
    usersWithEmail: (workspaceId, emails) =>
      all(SQL.usersWithEmail, [workspaceId, [...new Set(emails)]], (r) => ({
        userId: str(r['id']),
        email: str(r['email']),
      })),
  }
}
