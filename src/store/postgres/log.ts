/**
 * The PostgreSQL ingest log (Store `log`, tables `log`, `log_counter` and `log_minutes`): appends
 * numbered by the counter (a Bulk row expanded into its records, one row each) with the
 * per-minute counts of accepted records they add to, reads in seq order, compaction, and what an
 * erasure finds and redacts in the log. Checkpoints are the server's.
 */
import { BULK_ROW_KIND, type HeldQuery, type IngestLog, type NewLogRecord } from '../store.js'
import { ACCEPTED_MINUTES_KEPT, acceptedCounts } from '../browse.js'
import { num, toLogRecord } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import { bySeq, keepLater, collapse, unnest } from './unnest.js'

const SQL = {
  compactChunk: `DELETE FROM log WHERE seq IN (
    SELECT seq FROM log WHERE seq <= $1 AND received_at < $2 ORDER BY seq LIMIT $3)`,
  minutesCompact: `
    DELETE FROM log_minutes WHERE minute <= (SELECT max(minute) FROM log_minutes) - $1`,
  // Seqs come from a one-row counter rather than a sequence: the counter's row lock is held until
  // commit, so appends commit in seq order and a reader never sees seq n+1 before seq n (which a
  // sequence allows, letting the processor skip a record), and a rolled-back append leaves no gap
  // (lastSeq − cursor is the lag). One statement: one round trip, its own transaction. The counts
  // per minute (store/browse.ts acceptedCounts: one row per workspace, minute and API, no key
  // twice) are added after the counter's row is locked — they read it — so concurrent appends
  // lock count rows in one order and never deadlock.
  append: `
    WITH counter AS (
      UPDATE log_counter SET last_seq = last_seq + $8::bigint
      RETURNING last_seq - $8::bigint AS base
    ), counted AS (
      INSERT INTO log_minutes (workspace_id, minute, api, records)
      SELECT c.workspace_id, c.minute, c.api, c.records
      FROM counter, unnest($9::text[], $10::bigint[], $11::text[], $12::bigint[])
        AS c(workspace_id, minute, api, records)
      ON CONFLICT (workspace_id, minute, api)
        DO UPDATE SET records = log_minutes.records + excluded.records
    )
    INSERT INTO log (seq, workspace_id, request_id, idx, kind, customer_id, received_at, payload)
    SELECT counter.base + r.ord, r.workspace_id, r.request_id, r.idx, r.kind, r.customer_id,
      r.received_at, r.payload
    FROM counter,
      unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[])
        WITH ORDINALITY AS r(workspace_id, request_id, idx, kind, customer_id, received_at,
          payload, ord)`,
  logRedact: `
    UPDATE log l SET payload = k.payload, customer_id = NULL
    FROM unnest($1::bigint[], $2::text[]) AS k(seq, payload) WHERE l.seq = k.seq`,
  logSeqsHolding: `
    SELECT seq FROM log WHERE workspace_id = $1 AND seq < $2
      AND (customer_id = ANY($3::text[])
        OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS t(token) WHERE strpos(payload, t.token) > 0))
    ORDER BY seq`,
} as const

export type PostgresLog = ReturnType<typeof postgresLog>

export function postgresLog({
  pool,
  open,
  all,
  one,
  expandRow,
  logCompactChunkRows,
}: PostgresConnection) {
  async function append(appended: readonly NewLogRecord[]): Promise<void> {
    const records = appended.some((r) => r.kind === BULK_ROW_KIND)
      ? appended.flatMap((r) => (r.kind === BULK_ROW_KIND ? recordsOfRow(r) : [r]))
      : appended
    if (records.length === 0) return
    const counts = acceptedCounts(appended)
    await pool.query(SQL.append, [
      records.map((r) => r.workspaceId),
      records.map((r) => r.requestId),
      records.map((r) => r.index),
      records.map((r) => r.kind),
      records.map((r) => r.customerId),
      records.map((r) => r.receivedAt),
      records.map((r) => r.payload),
      records.length,
      counts.map((c) => c.workspaceId),
      counts.map((c) => c.minute),
      counts.map((c) => c.api),
      counts.map((c) => c.records),
    ])
  }

  /** A Bulk row's records, each to be a row of its own (this store keeps no Bulk rows). */
  function recordsOfRow(row: NewLogRecord): NewLogRecord[] {
    const records = Math.max(1, row.records ?? 1)
    return expandRow({ ...row, seq: records, records }).map((r): NewLogRecord => ({
      workspaceId: r.workspaceId,
      requestId: r.requestId,
      index: r.index,
      kind: r.kind,
      customerId: r.customerId,
      receivedAt: r.receivedAt,
      payload: r.payload,
      api: row.api,
    }))
  }

  const repo: IngestLog = {
    append: (records) => open(() => append(records)),
    readAfter: (afterSeq, limit) =>
      all('SELECT * FROM log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit], toLogRecord),
    lastSeq: () =>
      open(async () =>
        num((await rows(pool, 'SELECT last_seq FROM log_counter', []))[0]?.['last_seq'] ?? 0),
      ),
    // PostgreSQL's checkpointer does this on its own.
    checkpoint: () => Promise.resolve(),
    receivedAfter: (afterSeq) =>
      one('SELECT received_at FROM log WHERE seq > $1 ORDER BY seq LIMIT 1', [afterSeq], (row) =>
        num(row['received_at']),
      ),
    recordsOfRequest: (workspaceId, requestId) =>
      all(
        'SELECT * FROM log WHERE request_id = $1 AND workspace_id = $2 ORDER BY seq',
        [requestId, workspaceId],
        toLogRecord,
      ),
    // In statements of at most logCompactChunkRows rows, oldest first (connection.ts).
    compact: (upToSeq, receivedBefore) =>
      open(async () => {
        let removed = 0
        for (;;) {
          const result = await pool.query(SQL.compactChunk, [
            upToSeq,
            receivedBefore,
            logCompactChunkRows,
          ])
          removed += result.rowCount ?? 0
          if ((result.rowCount ?? 0) < logCompactChunkRows) break
        }
        await pool.query(SQL.minutesCompact, [ACCEPTED_MINUTES_KEPT])
        return removed
      }),
  }

  return {
    repo,
    /** spec §7.12: the seqs of the log records before `h.beforeSeq` holding an erased user's data. */
    async seqsHolding(workspaceId: string, h: HeldQuery): Promise<number[]> {
      if (h.customerIds.length === 0 && h.logTokens.length === 0) return []
      return (
        await rows(pool, SQL.logSeqsHolding, [
          workspaceId,
          h.beforeSeq,
          [...h.customerIds],
          [...h.logTokens],
        ])
      ).map((r) => num(r['seq']))
    },
    /** In the batch's transaction: the log is in this database, so its redactions commit with it. */
    async redact(
      db: Queryable,
      redacted: readonly Readonly<{ seq: number; payload: string }>[],
    ): Promise<void> {
      const redactedLog = collapse(redacted, bySeq, keepLater)
      await unnest(db, SQL.logRedact, redactedLog, (r) => [r.seq, r.payload])
    },
  }
}
