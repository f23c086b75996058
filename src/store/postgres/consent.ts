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
import {
  mergeSubscriptionUpdates,
  type ConsentRepo,
  type SubscriptionChange,
  type SubscriptionUpdate,
} from '../store.js'
import { rows, transaction, type PostgresConnection, type Queryable } from './connection.js'

/** The repository, and the part of a batch commit it writes (processing.ts). */
export type PostgresConsent = Readonly<{
  repo: ConsentRepo
  /** A batch's preference changes, in order, over the commit's transaction. */
  change(db: Queryable, changes: readonly SubscriptionChange[]): Promise<void>
}>

type SetChange = Extract<SubscriptionChange, { kind: 'set' }>

/** Each listed status row updated (a NULL keeping the column) where `guard` allows. */
const statusUpdateSql = (guard: string): string => `
  UPDATE subscription_status s SET unsubscribed_all = coalesce(k.unsub, s.unsubscribed_all),
    opt_in_status = coalesce(k.opt, s.opt_in_status), updated_at = k.at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::bigint[])
    AS k(workspace_id, user_id, channel, unsub, opt, at)
  WHERE s.workspace_id = k.workspace_id AND s.user_id = k.user_id AND s.channel = k.channel
    ${guard}`

/**
 * The rows of user $2 in `table` copied to user $3 (of workspace $1, when $3 exists), keyed by
 * `keys` besides the user, the existing ones of $3 (`t`) updated as `onConflict` says.
 */
const carrySql = (
  table: string,
  keys: readonly string[],
  values: readonly string[],
  onConflict: string,
): string => `
  INSERT INTO ${table} AS t (workspace_id, user_id, ${[...keys, ...values].join(', ')}, updated_at)
  SELECT f.workspace_id, u.id, ${[...keys, ...values].map((c) => `f.${c}`).join(', ')}, f.updated_at
  FROM ${table} f JOIN users u ON u.workspace_id = f.workspace_id AND u.id = $3
  WHERE f.workspace_id = $1 AND f.user_id = $2
  ORDER BY ${keys.map((c) => `f.${c} COLLATE "C"`).join(', ')}
  ON CONFLICT (workspace_id, user_id, ${keys.join(', ')}) DO UPDATE SET ${onConflict}`

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
  statusUpdate: statusUpdateSql(''),
  // SubscriptionChange `set`: rows newer than the change are left as they are.
  statusSet: statusUpdateSql('AND s.updated_at <= k.at'),
  // Only categories the workspace defines (active or not).
  preferenceSet: `
    INSERT INTO subscription_preferences AS p
      (workspace_id, user_id, channel, category, subscribed, updated_at)
    SELECT k.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[],
      $6::bigint[]) AS k(workspace_id, user_id, channel, category, subscribed, at)
    JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
    JOIN subscription_categories c ON c.workspace_id = k.workspace_id AND c.name = k.category
    ORDER BY k.workspace_id COLLATE "C", k.user_id COLLATE "C", k.channel COLLATE "C",
      k.category COLLATE "C"
    ON CONFLICT (workspace_id, user_id, channel, category) DO UPDATE SET
      subscribed = excluded.subscribed, updated_at = excluded.updated_at
    WHERE p.updated_at <= excluded.updated_at`,
  // An exclusive list: the user's other unsubscribed categories of the channel subscribe again.
  preferencesResubscribe: `
    UPDATE subscription_preferences p SET subscribed = true, updated_at = k.at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
      AS k(workspace_id, user_id, channel, at, listed)
    WHERE p.workspace_id = k.workspace_id AND p.user_id = k.user_id AND p.channel = k.channel
      AND NOT p.subscribed AND p.updated_at <= k.at
      AND p.category <> ALL (ARRAY(SELECT jsonb_array_elements_text(k.listed::jsonb)))`,
  // SubscriptionChange `carry`: $2's rows into $3's, withdrawals of consent ($4) winning.
  statusCarry: carrySql(
    'subscription_status',
    ['channel'],
    ['unsubscribed_all', 'opt_in_status'],
    `
    unsubscribed_all = t.unsubscribed_all OR excluded.unsubscribed_all,
    opt_in_status = CASE WHEN excluded.opt_in_status = $4 THEN $4
      ELSE coalesce(t.opt_in_status, excluded.opt_in_status) END,
    updated_at = CASE
      WHEN (excluded.unsubscribed_all AND NOT t.unsubscribed_all)
        OR (excluded.opt_in_status = $4 AND t.opt_in_status IS DISTINCT FROM $4)
        OR (t.opt_in_status IS NULL AND excluded.opt_in_status IS NOT NULL)
      THEN greatest(t.updated_at, excluded.updated_at) ELSE t.updated_at END`,
  ),
  preferencesCarry: carrySql(
    'subscription_preferences',
    ['channel', 'category'],
    ['subscribed'],
    `
    subscribed = t.subscribed AND excluded.subscribed,
    updated_at = CASE WHEN t.subscribed AND NOT excluded.subscribed
      THEN excluded.updated_at ELSE t.updated_at END`,
  ),
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

export function postgresConsent({ pool, open, all }: PostgresConnection): PostgresConsent {
  /** Makes the status rows `updates` need and locks them, in key order. */
  async function statusRows(db: Queryable, updates: readonly SubscriptionUpdate[]) {
    const keys = [
      updates.map((u) => u.workspaceId),
      updates.map((u) => u.userId),
      updates.map((u) => u.channel),
    ]
    await db.query(SQL.statusEnsure, [...keys, updates.map((u) => u.at)])
    await db.query(SQL.statusLock, keys)
    return [
      ...keys,
      updates.map((u) => u.unsubscribedAll ?? null),
      updates.map((u) => u.optInStatus ?? null),
      updates.map((u) => u.at),
    ]
  }
  const preferenceValues = (updates: readonly SubscriptionUpdate[]) => {
    const prefs = updates.flatMap((u) =>
      Object.entries(u.categories).map(([category, subscribed]) => ({ u, category, subscribed })),
    )
    return prefs.length === 0
      ? undefined
      : [
          prefs.map((p) => p.u.workspaceId),
          prefs.map((p) => p.u.userId),
          prefs.map((p) => p.u.channel),
          prefs.map((p) => p.category),
          prefs.map((p) => p.subscribed),
          prefs.map((p) => p.u.at),
        ]
  }

  /** One run of `set` changes (each user once), set-based. */
  async function applySets(db: Queryable, sets: readonly SetChange[]): Promise<void> {
    const updates = sets.map((c) => c.update)
    await db.query(SQL.statusSet, await statusRows(db, updates))
    const prefs = preferenceValues(updates)
    if (prefs !== undefined) await db.query(SQL.preferenceSet, prefs)
    const exclusive = sets.filter((c) => c.exclusive).map((c) => c.update)
    if (exclusive.length > 0) {
      await db.query(SQL.preferencesResubscribe, [
        exclusive.map((u) => u.workspaceId),
        exclusive.map((u) => u.userId),
        exclusive.map((u) => u.channel),
        exclusive.map((u) => u.at),
        exclusive.map((u) => JSON.stringify(Object.keys(u.categories))),
      ])
    }
  }

  /**
   * In order, set-based where that changes nothing: a run of `set` changes goes in one round of
   * statements until a user comes again (or a carry comes), which starts the next run.
   */
  async function change(db: Queryable, changes: readonly SubscriptionChange[]): Promise<void> {
    let run: SetChange[] = []
    const inRun = new Set<string>()
    const flush = async () => {
      if (run.length > 0) await applySets(db, run)
      run = []
      inRun.clear()
    }
    for (const c of changes) {
      if (c.kind === 'set') {
        const u = c.update
        const key = `${u.workspaceId}\u0000${u.userId}\u0000${u.channel}`
        if (inRun.has(key)) await flush()
        inRun.add(key)
        run.push(c)
        continue
      }
      await flush()
      const args = [c.workspaceId, c.fromUserId, c.toUserId, c.optedOut]
      await db.query(SQL.statusCarry, args)
      await db.query(SQL.preferencesCarry, args.slice(0, 3))
    }
    await flush()
  }

  async function writeOnce(updates: readonly SubscriptionUpdate[]): Promise<number> {
    return transaction(pool, 'BEGIN', async (db) => {
      const updated = await db.query(SQL.statusUpdate, await statusRows(db, updates))
      const prefs = preferenceValues(updates)
      if (prefs !== undefined) await db.query(SQL.preferenceUpsert, prefs)
      return updated.rowCount ?? 0
    })
  }
  const repo: ConsentRepo = {
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
  return { repo, change }
}
