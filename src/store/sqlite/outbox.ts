/**
 * The SQLite adapter's outbox (Store `outbox`, tables `outbox` and `outbox_claims` of store.db,
 * migration 23): a request's messages and its transaction claim written in one IMMEDIATE
 * transaction, pages newest first on the (workspace, seq) and (workspace, customer, seq)
 * indexes, the tail oldest first. It owns this SQL only; what a message is, is families/inform's.
 */
import type Database from 'better-sqlite3'
import { OUTBOX_COLUMNS, num, outboxValues, toOutboxMessage, type Row } from '../rows.js'
import { outboxWhere } from '../outbox-sql.js'
import type {
  NewOutboxMessage,
  OutboxClaim,
  OutboxMessageRow,
  OutboxRecordResult,
  OutboxRepo,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

export function sqliteOutbox({ db }: SqliteConnection): OutboxRepo {
  const q = {
    insert: db.prepare(
      `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')})
       VALUES (${OUTBOX_COLUMNS.map(() => '?').join(', ')})`,
    ),
    prune: db.prepare('DELETE FROM outbox_claims WHERE workspace_id = ? AND claimed_at <= ?'),
    claim: db.prepare(
      `INSERT INTO outbox_claims (workspace_id, claim_key, claimed_at) VALUES (?, ?, ?)
       ON CONFLICT (workspace_id, claim_key) DO NOTHING`,
    ),
    after: db.prepare(
      'SELECT * FROM outbox WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    lastSeq: db.prepare('SELECT max(seq) AS seq FROM outbox WHERE workspace_id = ?'),
  }
  const lists = new Map<string, Database.Statement>()
  const record = db.transaction(
    (
      workspaceId: string,
      messages: readonly NewOutboxMessage[],
      claim: OutboxClaim | undefined,
    ): OutboxRecordResult => {
      if (claim !== undefined) {
        // Claims older than the window no longer count: gone, a repeat of them is a new claim.
        q.prune.run(workspaceId, claim.at - claim.windowMs)
        if (q.claim.run(workspaceId, claim.key, claim.at).changes === 0) return { duplicate: true }
      }
      const rows: OutboxMessageRow[] = messages.map((m) => ({
        seq: Number(q.insert.run(...outboxValues(m)).lastInsertRowid),
        ...m,
      }))
      return { duplicate: false, rows }
    },
  )
  return {
    record: (workspaceId, messages, claim) =>
      attempt(() => record.immediate(workspaceId, messages, claim)),
    list: (workspaceId, filter, limit) =>
      attempt(() => {
        const where = outboxWhere(workspaceId, filter, () => '?')
        const sql = `SELECT * FROM outbox WHERE ${where.sql} ORDER BY seq DESC LIMIT ?`
        let statement = lists.get(sql)
        if (statement === undefined) {
          statement = db.prepare(sql)
          lists.set(sql, statement)
        }
        return (statement.all(...where.values, limit) as Row[]).map(toOutboxMessage)
      }),
    after: (workspaceId, afterSeq, limit) =>
      attempt(() => (q.after.all(workspaceId, afterSeq, limit) as Row[]).map(toOutboxMessage)),
    lastSeq: (workspaceId) => attempt(() => num((q.lastSeq.get(workspaceId) as Row)['seq'] ?? 0)),
  }
}
