/**
 * The PostgreSQL adapter's outbox (Store `outbox`, tables `outbox` and `outbox_claims`, migration
 * 23): a request's messages and its transaction claim written in one transaction — the claim an
 * upsert that takes over only a claim older than the window, so of two concurrent requests with
 * one key the second waits for the first and finds it taken — pages newest first on the
 * (workspace, seq) and (workspace, customer, seq) indexes, the tail oldest first. It owns this SQL
 * only; what a message is, is families/inform's.
 */
import { OUTBOX_COLUMNS, num, outboxValues, toOutboxMessage } from '../rows.js'
import { outboxWhere } from '../outbox-sql.js'
import type { OutboxMessageRow, OutboxRepo } from '../store.js'
import { rows, transaction, type PostgresConnection } from './connection.js'

const SQL = {
  insert: `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')})
    VALUES (${OUTBOX_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING seq`,
  prune: 'DELETE FROM outbox_claims WHERE workspace_id = $1 AND claimed_at <= $2',
  claim: `INSERT INTO outbox_claims (workspace_id, claim_key, claimed_at) VALUES ($1, $2, $3)
    ON CONFLICT (workspace_id, claim_key) DO UPDATE SET claimed_at = excluded.claimed_at
    WHERE outbox_claims.claimed_at <= $4
    RETURNING 1`,
  after: 'SELECT * FROM outbox WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
  lastSeq: 'SELECT coalesce(max(seq), 0) AS seq FROM outbox WHERE workspace_id = $1',
}

export function postgresOutbox({ pool, open, all, one }: PostgresConnection): OutboxRepo {
  return {
    record: (workspaceId, messages, claim) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          if (claim !== undefined) {
            const cutoff = claim.at - claim.windowMs
            await client.query(SQL.prune, [workspaceId, cutoff])
            const taken = await rows(client, SQL.claim, [workspaceId, claim.key, claim.at, cutoff])
            if (taken.length === 0) return { duplicate: true as const }
          }
          const stored: OutboxMessageRow[] = []
          for (const m of messages) {
            const [row] = await rows(client, SQL.insert, outboxValues(m))
            stored.push({ seq: num(row?.['seq']), ...m })
          }
          return { duplicate: false as const, rows: stored }
        }),
      ),
    list: (workspaceId, filter, limit) => {
      const where = outboxWhere(workspaceId, filter, (i) => `$${i}`)
      return all(
        `SELECT * FROM outbox WHERE ${where.sql} ORDER BY seq DESC LIMIT $${where.values.length + 1}`,
        [...where.values, limit],
        toOutboxMessage,
      )
    },
    after: (workspaceId, afterSeq, limit) =>
      all(SQL.after, [workspaceId, afterSeq, limit], toOutboxMessage),
    lastSeq: async (workspaceId) =>
      (await one(SQL.lastSeq, [workspaceId], (r) => num(r['seq']))) ?? 0,
  }
}
