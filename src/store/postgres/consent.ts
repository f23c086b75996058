/**
 * The PostgreSQL adapter's consent repository (Store `consent`, tables `subscription_categories`,
 * `subscription_status` and `subscription_preferences`, migration 16), set-based over `unnest`.
 * It owns this SQL only; what a category or a preference means is the consent family's. A write
 * joins the user rows it writes for, so a user that is gone gets nothing; one deleted while the
 * write runs makes the foreign key refuse it, and the write is tried again once (finding the user
 * gone, it writes nothing for it).
 */
import pg from 'pg'
import {
  SUBSCRIPTION_CATEGORY_COLUMNS,
  num,
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
  // Existing rows updated (a NULL keeps the column), rows of existing users inserted otherwise.
  statusUpsert: `
    WITH k AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[],
        $6::bigint[]) AS k(workspace_id, user_id, channel, unsub, opt, at)
    ),
    upd AS (
      UPDATE subscription_status s SET unsubscribed_all = coalesce(k.unsub, s.unsubscribed_all),
        opt_in_status = coalesce(k.opt, s.opt_in_status), updated_at = k.at
      FROM k WHERE s.workspace_id = k.workspace_id AND s.user_id = k.user_id
        AND s.channel = k.channel
      RETURNING 1
    ),
    ins AS (
      INSERT INTO subscription_status
        (workspace_id, user_id, channel, unsubscribed_all, opt_in_status, updated_at)
      SELECT k.workspace_id, k.user_id, k.channel, coalesce(k.unsub, false), k.opt, k.at
      FROM k JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
      WHERE NOT EXISTS (
        SELECT 1 FROM subscription_status s WHERE s.workspace_id = k.workspace_id
          AND s.user_id = k.user_id AND s.channel = k.channel
      )
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM upd) + (SELECT count(*) FROM ins) AS applied`,
  preferenceUpsert: `
    INSERT INTO subscription_preferences
      (workspace_id, user_id, channel, category, subscribed, updated_at)
    SELECT k.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[],
      $6::bigint[]) AS k(workspace_id, user_id, channel, category, subscribed, at)
    JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
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

/** PostgreSQL's foreign_key_violation: the user was deleted while the write ran. */
const isForeignKeyViolation = (err: unknown): boolean =>
  err instanceof pg.DatabaseError && err.code === '23503'

export function postgresConsent({ pool, open, all }: PostgresConnection): ConsentRepo {
  async function writeOnce(updates: readonly SubscriptionUpdate[]): Promise<number> {
    return transaction(pool, 'BEGIN', async (db) => {
      const [row] = await rows(db, SQL.statusUpsert, [
        updates.map((u) => u.workspaceId),
        updates.map((u) => u.userId),
        updates.map((u) => u.channel),
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
      return num(row?.['applied'] ?? 0)
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
          if (!isForeignKeyViolation(err)) throw err
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
