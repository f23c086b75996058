/**
 * The PostgreSQL adapter's cards (Store `cards`, tables `card_campaigns` and `cards`, migration
 * 31): campaigns by id (names unique); each user's cards, written with their outbox messages
 * (outbox.ts `insertOutbox`) in one transaction; deletions; fetches and activity, each a
 * read-modify-write of the card's row under its row lock (impressions counted); the revision of
 * each workspace's campaigns (table `card_campaign_revs`, bumped by migration 36's trigger); and
 * its part of a batch's commit (processing.ts): a removed user's cards go with the user, an
 * event-triggered campaign's cards are written where the user has none of that id, a merge moves
 * the merged user's cards. It owns this SQL only; what a card shows and how a fetch syncs are
 * families/cards'.
 */
import { CARD_COLUMNS, cardValues, num, toCard } from '../rows.js'
import type { CardRepo, CardRow, CardSend, MembershipChange, OutboxMessageRow } from '../store.js'
import { rows, transaction, type PostgresConnection, type Queryable } from './connection.js'
import { postgresCampaignTable } from './campaign-table.js'
import { insertOutbox } from './outbox.js'
import { collapse, jsonColumn, keepFirst, unnest } from './unnest.js'

const marks = (columns: readonly string[]): string => columns.map((_, i) => `$${i + 1}`).join(', ')

const SQL = {
  put: `INSERT INTO cards (${CARD_COLUMNS.join(', ')}) VALUES (${marks(CARD_COLUMNS)})
    ON CONFLICT (workspace_id, user_id, card_id) DO UPDATE SET
      campaign_id = excluded.campaign_id, platform = excluded.platform,
      category = excluded.category, content = excluded.content,
      updated_at = excluded.updated_at, deleted_at = NULL, seen_count = 0`,
  // Cards of event-triggered campaigns: those the users have none of, in one statement (columns
  // as rows.ts CARDS: the JSON texts content and show_counts joined).
  putNew: `INSERT INTO cards (${CARD_COLUMNS.join(', ')})
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      ${jsonColumn(7)}, $8::bigint[], $9::bigint[], $10::bigint[], $11::boolean[], $12::bigint[],
      $13::bigint[], ${jsonColumn(14)}, $15::bigint[])
    ON CONFLICT (workspace_id, user_id, card_id) DO NOTHING
    RETURNING workspace_id, user_id, card_id`,
  // A merge ($1 workspace, $2 merged user, $3 retained user, $4 the time): the retained user's
  // card of an id wins; the merged user's others move to it, their state kept and changed now.
  carryDrop: `DELETE FROM cards f WHERE f.workspace_id = $1 AND f.user_id = $2
    AND EXISTS (SELECT 1 FROM cards t WHERE t.workspace_id = $1 AND t.user_id = $3
      AND t.card_id = f.card_id)
    AND EXISTS (SELECT 1 FROM users WHERE workspace_id = $1 AND id = $3)`,
  carryMove: `UPDATE cards SET user_id = $3, updated_at = $4 WHERE workspace_id = $1 AND user_id = $2
    AND EXISTS (SELECT 1 FROM users WHERE workspace_id = $1 AND id = $3)`,
  revs: `SELECT workspace_id, rev FROM card_campaign_revs WHERE workspace_id = ANY($1::text[])`,
  ofUser: `SELECT * FROM cards WHERE workspace_id = $1 AND user_id = $2
    ORDER BY updated_at DESC, card_id COLLATE "C"`,
  lockCard: `SELECT * FROM cards WHERE workspace_id = $1 AND user_id = $2 AND card_id = $3
    FOR UPDATE`,
  remove: `UPDATE cards SET deleted_at = $1, updated_at = $1
    WHERE workspace_id = $2 AND user_id = $3 AND card_id = ANY($4::text[]) AND deleted_at IS NULL
    RETURNING card_id`,
  fetched: `UPDATE cards SET first_delivered = coalesce(first_delivered, $1), show_counts = $2
    WHERE workspace_id = $3 AND user_id = $4 AND card_id = $5`,
  activity: `UPDATE cards SET clicked = $1, first_seen = $2, seen_count = seen_count + $3,
    updated_at = $4 WHERE workspace_id = $5 AND user_id = $6 AND card_id = $7`,
  userOfDevice: 'SELECT user_id FROM devices WHERE workspace_id = $1 AND device_id = $2',
  usersCardsDelete: `
    DELETE FROM cards c USING unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
    WHERE c.workspace_id = k.workspace_id AND c.user_id = k.user_id`,
  countOfUsers: `SELECT count(*) AS n FROM cards WHERE workspace_id = $1
    AND user_id = ANY($2::text[])`,
}

/** The repository, and its part of a batch's commit (removed users' cards). */
export type PostgresCards = Readonly<{
  repo: CardRepo
  removeOfUsers(
    db: Queryable,
    users: readonly Readonly<{ workspaceId: string; userId: string }>[],
  ): Promise<void>
  /**
   * Writes each card where the user has none of its id, with its message (only then); a send
   * without a card records its message. Resolves to the messages of the cards written.
   */
  send(db: Queryable, sends: readonly CardSend[]): Promise<OutboxMessageRow[]>
  /** A merge's `carry`: the merged user's cards go to the retained user. */
  carry(db: Queryable, changes: readonly MembershipChange[]): Promise<void>
}>

export function postgresCards(c: PostgresConnection): PostgresCards {
  const { pool, open, all, one } = c
  const repo: CardRepo = {
    ...postgresCampaignTable(c, 'card_campaigns'),
    deliver: (cards, messages) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          for (const card of cards) await client.query(SQL.put, cardValues(card))
          return insertOutbox(client, messages)
        }),
      ),
    ofUser: (workspaceId, userId) => all(SQL.ofUser, [workspaceId, userId], toCard),
    remove: (workspaceId, userId, cardIds, now) =>
      open(async () =>
        (await rows(pool, SQL.remove, [now, workspaceId, userId, [...new Set(cardIds)]])).map((r) =>
          String(r['card_id']),
        ),
      ),
    recordFetch: (workspaceId, userId, cardIds, key, now) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          for (const id of [...new Set(cardIds)].sort()) {
            const [row] = await rows(client, SQL.lockCard, [workspaceId, userId, id])
            if (row === undefined) continue
            const counts: Record<string, unknown> = { ...toCard(row).showCounts }
            counts[key] = num(counts[key] ?? 0) + 1
            await client.query(SQL.fetched, [now, JSON.stringify(counts), workspaceId, userId, id])
          }
        }),
      ),
    recordActivity: (workspaceId, userId, cardId, activity, now) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          const [row] = await rows(client, SQL.lockCard, [workspaceId, userId, cardId])
          if (row === undefined) return false
          const card = toCard(row)
          await client.query(SQL.activity, [
            card.clicked || activity.clicked === true,
            card.firstSeen ?? (activity.seen === true || activity.clicked === true ? now : null),
            activity.seen === true ? 1 : 0,
            now,
            workspaceId,
            userId,
            cardId,
          ])
          return true
        }),
      ),
    userOfDevice: (workspaceId, deviceId) =>
      one(SQL.userOfDevice, [workspaceId, deviceId], (r) => String(r['user_id'])),
    countOfUsers: (workspaceId, userIds) =>
      open(async () =>
        num((await rows(pool, SQL.countOfUsers, [workspaceId, [...userIds]]))[0]?.['n'] ?? 0),
      ),
    campaignRevs: (workspaceIds) =>
      open(async () => {
        const found = await rows(pool, SQL.revs, [[...new Set(workspaceIds)]])
        return new Map(found.map((r) => [String(r['workspace_id']), num(r['rev'])]))
      }),
  }
  return {
    repo,
    removeOfUsers: async (db, users) => {
      await unnest(db, SQL.usersCardsDelete, users, (u) => [u.workspaceId, u.userId])
    },
    send: async (db, sends) => {
      // A card sent twice in the batch is written (and its message recorded) once: the first.
      const key = (ws: unknown, user: unknown, card: unknown): string =>
        `${String(ws)}\u0000${String(user)}\u0000${String(card)}`
      const keyOf = (c: CardRow): string => key(c.workspaceId, c.userId, c.cardId)
      const cards = collapse(
        sends.flatMap((s) => (s.card === undefined ? [] : [s.card])),
        keyOf,
        keepFirst,
      )
      const written = new Set(
        (await unnest(db, SQL.putNew, cards, cardValues, [6, 13])).map((r) =>
          key(r['workspace_id'], r['user_id'], r['card_id']),
        ),
      )
      const recorded = sends.filter((s) => s.card === undefined || written.delete(keyOf(s.card)))
      return recorded.length === 0
        ? []
        : insertOutbox(
            db,
            recorded.map((s) => s.message),
          )
    },
    carry: async (db, changes) => {
      for (const c of changes) {
        if (c.kind !== 'carry') continue
        const args = [c.workspaceId, c.fromUserId, c.toUserId]
        await db.query(SQL.carryDrop, args)
        await db.query(SQL.carryMove, [...args, c.at])
      }
    },
  }
}
