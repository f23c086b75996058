/**
 * The SQLite adapter's cards (Store `cards`, tables `card_campaigns` and `cards` of store.db,
 * migration 31): campaigns by id (names unique); each user's cards, written with their outbox
 * messages (outbox.ts `insert`) in one IMMEDIATE transaction; deletions, fetches and activity
 * (impressions counted); the revision of each workspace's campaigns (table `card_campaign_revs`,
 * bumped by migration 36's triggers); and its part of a batch's commit (processing.ts): a removed
 * user's cards go with the user, an event-triggered campaign's cards are written where the user
 * has none of that id, a merge moves the merged user's cards. It owns this SQL only; what a card
 * shows and how a fetch syncs are families/cards'.
 */
import { CARD_COLUMNS, cardValues, json, num, str, toCard, type Row } from '../rows.js'
import type { CardRepo, CardRow, CardSend, MembershipChange, OutboxMessageRow } from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'
import { sqliteCampaignTable } from './campaign-table.js'
import type { SqliteOutbox } from './outbox.js'

const marks = (columns: readonly string[]): string => columns.map(() => '?').join(', ')

/** The repository, and its part of a batch's commit (a removed user's cards). */
export type SqliteCards = Readonly<{
  repo: CardRepo
  /** Removes the user's cards; only inside a write transaction. */
  removeOfUser(workspaceId: string, userId: string): void
  /**
   * Writes each card where the user has none of its id, with its message (only then); a send
   * without a card records its message. Resolves to the messages of the cards written. Only
   * inside a write transaction.
   */
  send(sends: readonly CardSend[]): OutboxMessageRow[]
  /** A merge's `carry`: the merged user's cards go to the retained user; inside a transaction. */
  carry(changes: readonly MembershipChange[]): void
  countOfUsers(workspaceId: string, userIds: readonly string[]): number
}>

export function sqliteCards({ db }: SqliteConnection, outbox: SqliteOutbox): SqliteCards {
  const q = {
    put: db.prepare(
      `INSERT INTO cards (${CARD_COLUMNS.join(', ')}) VALUES (${marks(CARD_COLUMNS)})
       ON CONFLICT (workspace_id, user_id, card_id) DO UPDATE SET
         campaign_id = excluded.campaign_id, platform = excluded.platform,
         category = excluded.category, content = excluded.content,
         updated_at = excluded.updated_at, deleted_at = NULL, seen_count = 0`,
    ),
    putNew: db.prepare(
      `INSERT INTO cards (${CARD_COLUMNS.join(', ')}) VALUES (${marks(CARD_COLUMNS)})
       ON CONFLICT (workspace_id, user_id, card_id) DO NOTHING`,
    ),
    // A merge: the retained user's card of an id wins; the merged user's others move to it,
    // their state kept and changed now (the retained user's next sync brings them).
    carryDrop: db.prepare(
      `DELETE FROM cards WHERE workspace_id = @ws AND user_id = @from AND card_id IN
         (SELECT card_id FROM cards WHERE workspace_id = @ws AND user_id = @to)
         AND EXISTS (SELECT 1 FROM users WHERE workspace_id = @ws AND id = @to)`,
    ),
    carryMove: db.prepare(
      `UPDATE cards SET user_id = @to, updated_at = @at WHERE workspace_id = @ws AND user_id = @from
         AND EXISTS (SELECT 1 FROM users WHERE workspace_id = @ws AND id = @to)`,
    ),
    rev: db.prepare('SELECT rev FROM card_campaign_revs WHERE workspace_id = ?').pluck(),
    ofUser: db.prepare(
      `SELECT * FROM cards WHERE workspace_id = ? AND user_id = ?
       ORDER BY updated_at DESC, card_id`,
    ),
    card: db.prepare('SELECT * FROM cards WHERE workspace_id = ? AND user_id = ? AND card_id = ?'),
    remove: db.prepare(
      `UPDATE cards SET deleted_at = ?, updated_at = ?
       WHERE workspace_id = ? AND user_id = ? AND card_id = ? AND deleted_at IS NULL`,
    ),
    fetched: db.prepare(
      `UPDATE cards SET first_delivered = coalesce(first_delivered, ?), show_counts = ?
       WHERE workspace_id = ? AND user_id = ? AND card_id = ?`,
    ),
    activity: db.prepare(
      `UPDATE cards SET clicked = ?, first_seen = ?, seen_count = seen_count + ?, updated_at = ?
       WHERE workspace_id = ? AND user_id = ? AND card_id = ?`,
    ),
    userOfDevice: db
      .prepare('SELECT user_id FROM devices WHERE workspace_id = ? AND device_id = ?')
      .pluck(),
    removeOfUser: db.prepare('DELETE FROM cards WHERE workspace_id = ? AND user_id = ?'),
    countOfUser: db.prepare(
      'SELECT count(*) AS n FROM cards WHERE workspace_id = ? AND user_id = ?',
    ),
  }
  const cardOf = (workspaceId: string, userId: string, cardId: string): CardRow | undefined => {
    const row = q.card.get(workspaceId, userId, cardId) as Row | undefined
    return row === undefined ? undefined : toCard(row)
  }
  const deliver = db.transaction(
    (cards: readonly CardRow[], messages: Parameters<SqliteOutbox['insert']>[0]) => {
      for (const card of cards) q.put.run(...cardValues(card))
      return outbox.insert(messages)
    },
  )
  const remove = db.transaction(
    (workspaceId: string, userId: string, cardIds: readonly string[], now: number) =>
      [...new Set(cardIds)].filter(
        (id) => q.remove.run(now, now, workspaceId, userId, id).changes > 0,
      ),
  )
  const recordFetch = db.transaction(
    (workspaceId: string, userId: string, cardIds: readonly string[], key: string, now: number) => {
      for (const id of new Set(cardIds)) {
        const card = cardOf(workspaceId, userId, id)
        if (card === undefined) continue
        const counts = { ...json(JSON.stringify(card.showCounts)) }
        counts[key] = num(counts[key] ?? 0) + 1
        q.fetched.run(now, JSON.stringify(counts), workspaceId, userId, id)
      }
    },
  )
  const repo: CardRepo = {
    ...sqliteCampaignTable(db, 'card_campaigns'),
    deliver: (cards, messages) => attempt(() => deliver.immediate(cards, messages)),
    ofUser: (workspaceId, userId) =>
      attempt(() => (q.ofUser.all(workspaceId, userId) as Row[]).map(toCard)),
    remove: (workspaceId, userId, cardIds, now) =>
      attempt(() => remove.immediate(workspaceId, userId, cardIds, now)),
    recordFetch: (workspaceId, userId, cardIds, key, now) =>
      attempt(() => recordFetch.immediate(workspaceId, userId, cardIds, key, now)),
    recordActivity: (workspaceId, userId, cardId, activity, now) =>
      attempt(() => {
        const card = cardOf(workspaceId, userId, cardId)
        if (card === undefined) return false
        q.activity.run(
          card.clicked || activity.clicked === true ? 1 : 0,
          card.firstSeen ?? (activity.seen === true || activity.clicked === true ? now : null),
          activity.seen === true ? 1 : 0,
          now,
          workspaceId,
          userId,
          cardId,
        )
        return true
      }),
    userOfDevice: (workspaceId, deviceId) =>
      attempt(() => {
        const id: unknown = q.userOfDevice.get(workspaceId, deviceId)
        return id === undefined ? undefined : str(id)
      }),
    countOfUsers: (workspaceId, userIds) => attempt(() => countOfUsers(workspaceId, userIds)),
    campaignRevs: (workspaceIds) =>
      attempt(() => {
        const revs = new Map<string, number>()
        for (const ws of new Set(workspaceIds)) {
          const rev: unknown = q.rev.get(ws)
          if (rev !== undefined) revs.set(ws, num(rev))
        }
        return revs
      }),
  }
  function countOfUsers(workspaceId: string, userIds: readonly string[]): number {
    let n = 0
    for (const id of userIds) n += num((q.countOfUser.get(workspaceId, id) as Row)['n'])
    return n
  }
  return {
    repo,
    removeOfUser: (workspaceId, userId) => {
      q.removeOfUser.run(workspaceId, userId)
    },
    send: (sends) => {
      const recorded = sends.filter((s) =>
        s.card === undefined ? true : q.putNew.run(...cardValues(s.card)).changes > 0,
      )
      return recorded.length === 0 ? [] : outbox.insert(recorded.map((s) => s.message))
    },
    carry: (changes) => {
      for (const c of changes) {
        if (c.kind !== 'carry') continue
        const names = { ws: c.workspaceId, from: c.fromUserId, to: c.toUserId }
        q.carryDrop.run(names)
        q.carryMove.run({ ...names, at: c.at })
      }
    },
    countOfUsers,
  }
}
