/**
 * The PostgreSQL adapter's outbox (Store `outbox`, tables `outbox` and `outbox_claims` and the
 * sequence `outbox_revs`, migrations 23 and 25): a request's messages and its transaction claim
 * written in one transaction — the claim an upsert that takes over only a claim older than the
 * window, so of two concurrent requests with one key the second waits for the first and finds it
 * taken — pages newest first on the (workspace, seq) and (workspace, customer, seq) indexes, the
 * tail by the (workspace, rev) index; due deliveries claimed with FOR UPDATE SKIP LOCKED (two
 * processes never claim one attempt) and settled only while the attempt is still pending; an
 * erasure's redactions inside its batch (processing.ts). It owns this SQL only; what a message
 * is, is families/inform's.
 */
import { OUTBOX_COLUMNS, num, outboxValues, toOutboxMessage, type Row } from '../rows.js'
import { outboxWhere, settlementColumns } from '../outbox-sql.js'
import type { NewOutboxMessage, OutboxMessageRow, OutboxRedaction, OutboxRepo } from '../store.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'

/** The outbox's integer columns (bigint or integer); the others are text. */
const INTEGER_COLUMNS = new Set([
  'template_version',
  'attempts',
  'created_at',
  'due_at',
  'updated_at',
])

/**
 * `SELECT * FROM unnest($k::text[], …)`: a send's messages as one array per column from
 * parameter `first` on, so that any number of messages is one statement of a fixed text (one
 * parse, one round trip).
 */
const unnestFrom = (first: number): string =>
  `SELECT * FROM unnest(${OUTBOX_COLUMNS.map(
    (c, i) => `$${first + i}::${INTEGER_COLUMNS.has(c) ? 'bigint' : 'text'}[]`,
  ).join(', ')})`

/** The messages' values (outboxValues of each) as one array per column, as unnestFrom reads. */
function columnsOf(messages: readonly NewOutboxMessage[]): unknown[][] {
  const columns: unknown[][] = OUTBOX_COLUMNS.map(() => new Array<unknown>(messages.length))
  messages.forEach((m, r) => {
    outboxValues(m).forEach((v, c) => {
      const column = columns[c]
      if (column !== undefined) column[r] = v
    })
  })
  return columns
}

export const OUTBOX_SQL = {
  insert: `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')}) ${unnestFrom(1)}
    RETURNING id, seq, rev`,
  /** The same without the answer: a Push send's step, whose seqs nobody reads back. */
  insertAll: `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')}) ${unnestFrom(1)}`,
  /**
   * A send with a transaction claim in one statement (its own transaction): claims older than
   * the window pruned (but this key's, which the upsert takes over), the claim an upsert that
   * takes over only a claim older than the window — so of two concurrent sends with one key the
   * second waits for the first and finds it taken — and the messages written only if it was
   * claimed. $1 workspace, $2 the window's start, $3 the key, $4 the time, then the columns. The
   * answer: a `claimed` row when claimed, and each message's id, seq and rev.
   */
  record: `WITH pruned AS (
      DELETE FROM outbox_claims WHERE workspace_id = $1 AND claimed_at <= $2 AND claim_key <> $3
    ), claim AS (
      INSERT INTO outbox_claims (workspace_id, claim_key, claimed_at) VALUES ($1, $3, $4)
      ON CONFLICT (workspace_id, claim_key) DO UPDATE SET claimed_at = excluded.claimed_at
      WHERE outbox_claims.claimed_at <= $2
      RETURNING 1
    ), written AS (
      INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')}) ${unnestFrom(5)}
      WHERE EXISTS (SELECT 1 FROM claim)
      RETURNING id, seq, rev
    )
    SELECT true AS claimed, NULL::text AS id, NULL::bigint AS seq, NULL::bigint AS rev FROM claim
    UNION ALL SELECT false, id, seq, rev FROM written`,
  after: 'SELECT * FROM outbox WHERE workspace_id = $1 AND rev > $2 ORDER BY rev LIMIT $3',
  lastRev: 'SELECT coalesce(max(rev), 0) AS rev FROM outbox WHERE workspace_id = $1',
  claimDue: `UPDATE outbox SET attempts = attempts + 1, due_at = $1
    WHERE seq IN (
      SELECT seq FROM outbox WHERE due_at <= $2 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED
    )
    RETURNING *`,
  settle: `UPDATE outbox SET status = $1, reason = $2, due_at = $3, rev = nextval('outbox_revs'),
      updated_at = $4
    WHERE seq = $5 AND workspace_id = $6 AND attempts = $7 AND due_at IS NOT NULL`,
  redact: `UPDATE outbox SET recipient = '', subject = NULL, body = '', payload = $4,
      status = CASE WHEN due_at IS NULL THEN status ELSE 'suppressed' END,
      reason = CASE WHEN due_at IS NULL THEN reason ELSE $5 END,
      due_at = NULL, rev = nextval('outbox_revs'), updated_at = $6
    WHERE workspace_id = $1 AND (customer_id = ANY($2::text[]) OR recipient = ANY($3::text[]))`,
  // The messages `redact` changes, counted.
  holding: `SELECT count(*) AS n FROM outbox
    WHERE workspace_id = $1 AND (customer_id = ANY($2::text[]) OR recipient = ANY($3::text[]))`,
}

/** `messages` as stored: each with the seq and rev its row (by message id) was given. */
function storedAs(
  messages: readonly NewOutboxMessage[],
  written: readonly Row[],
): OutboxMessageRow[] {
  const byId = new Map(written.map((r) => [String(r['id']), r]))
  return messages.map((m) => {
    const row = byId.get(m.id)
    if (row === undefined) throw new Error(`outbox: message ${m.id} was not written`)
    return { ...m, seq: num(row['seq']), rev: num(row['rev']), updatedAt: m.createdAt }
  })
}

/**
 * Records `messages` on `client` (inside the caller's transaction: a card send, a live-activity
 * write) in one statement, each given the next seq and rev; the rows as stored.
 */
export async function insertOutbox(
  client: Queryable,
  messages: readonly NewOutboxMessage[],
): Promise<OutboxMessageRow[]> {
  if (messages.length === 0) return []
  return storedAs(messages, await rows(client, OUTBOX_SQL.insert, columnsOf(messages)))
}

/**
 * The repository, its part of a batch's commit (processing.ts: an erasure's redactions), and the
 * insert of messages inside another repository's transaction (push.ts: a send's step).
 */
export type PostgresOutbox = Readonly<{
  repo: OutboxRepo
  redact(db: Queryable, redactions: readonly OutboxRedaction[]): Promise<void>
  /** Inserts `messages` (revs from the sequence) in one statement on `db`. */
  insert(db: Queryable, messages: readonly NewOutboxMessage[]): Promise<void>
  /** How many messages `redact` would change for these customer ids and recipients. */
  countHolding(
    workspaceId: string,
    customerIds: readonly string[],
    recipients: readonly string[],
  ): Promise<number>
}>

export function postgresOutbox({ pool, open, all, one }: PostgresConnection): PostgresOutbox {
  const repo: OutboxRepo = {
    // One statement, one round trip: its own transaction (a send's claim and messages together).
    record: (workspaceId, messages, claim) =>
      open(async () => {
        if (claim === undefined) {
          return { duplicate: false as const, rows: await insertOutbox(pool, messages) }
        }
        const answer = await rows(pool, OUTBOX_SQL.record, [
          workspaceId,
          claim.at - claim.windowMs,
          claim.key,
          claim.at,
          ...columnsOf(messages),
        ])
        if (!answer.some((r) => r['claimed'] === true)) return { duplicate: true as const }
        return {
          duplicate: false as const,
          rows: storedAs(
            messages,
            answer.filter((r) => r['claimed'] !== true),
          ),
        }
      }),
    list: (workspaceId, filter, limit) => {
      const where = outboxWhere(workspaceId, filter, (i) => `$${i}`)
      return all(
        `SELECT * FROM outbox WHERE ${where.sql} ORDER BY seq DESC LIMIT $${where.values.length + 1}`,
        [...where.values, limit],
        toOutboxMessage,
      )
    },
    after: (workspaceId, afterRev, limit) =>
      all(OUTBOX_SQL.after, [workspaceId, afterRev, limit], toOutboxMessage),
    lastRev: async (workspaceId) =>
      (await one(OUTBOX_SQL.lastRev, [workspaceId], (r) => num(r['rev']))) ?? 0,
    claimDue: async (now, leaseMs, limit) =>
      (await all(OUTBOX_SQL.claimDue, [now + leaseMs, now, limit], toOutboxMessage)).sort(
        (a, b) => a.seq - b.seq,
      ),
    settle: (a, outcome, now) =>
      open(async () => {
        const [status, reason, dueAt] = settlementColumns(outcome)
        const result = await pool.query(OUTBOX_SQL.settle, [
          status,
          reason,
          dueAt,
          now,
          a.seq,
          a.workspaceId,
          a.attempts,
        ])
        return result.rowCount === 1
      }),
  }
  return {
    repo,
    async insert(db, messages) {
      if (messages.length > 0) await db.query(OUTBOX_SQL.insertAll, columnsOf(messages))
    },
    countHolding: async (workspaceId, customerIds, recipients) =>
      num(
        (await one(
          OUTBOX_SQL.holding,
          [workspaceId, [...customerIds], [...recipients]],
          (r) => r['n'],
        )) ?? 0,
      ),
    async redact(db, redactions) {
      for (const r of redactions) {
        await db.query(OUTBOX_SQL.redact, [
          r.workspaceId,
          r.customerIds,
          r.recipients,
          JSON.stringify(r.payload),
          r.reason,
          r.at,
        ])
      }
    },
  }
}
