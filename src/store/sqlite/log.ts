/**
 * The SQLite ingest log (Store `log`, table `log` of `log.db`): reads in seq order with Bulk rows
 * expanded into their records, compaction (after syncing store.db's applied state when its sync is
 * deferred), checkpoints, the log records an erasure must redact (found, and redacted through
 * `pending_log_redactions` of store.db, which carries a batch's redactions over to the other file).
 * Appends are log-append.ts's.
 */
import {
  BULK_ROW_KIND,
  type HeldQuery,
  type IngestLog,
  type LogRecord,
  type LogRowExpander,
} from '../store.js'
import { num, str, toBulkLogRow, toLogRecord, type Row } from '../rows.js'
import { ACCEPTED_MINUTES_KEPT } from '../browse.js'
import { attempt, type SqliteConnection } from './connection.js'
import { logAppend } from './log-append.js'

export type SqliteLog = ReturnType<typeof sqliteLog>

/**
 * `checkpointedElsewhere`: true while another thread checkpoints `log.db` (the store
 * checkpointer's, checkpointer.ts), so that `checkpoint` need not.
 */
export function sqliteLog(
  { logDb, db, expand, deferSync }: SqliteConnection,
  checkpointedElsewhere: () => boolean = () => false,
) {
  const q = {
    logAfter: logDb.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq LIMIT ?'),
    // Rows whose records all lie in (after, upTo]: seqs are dense, so at most upTo - after records
    // however many of the rows are Bulk rows (a LIMIT on rows could read hundreds of them).
    logWindow: logDb.prepare('SELECT * FROM log WHERE seq > ? AND seq <= ? ORDER BY seq'),
    logReceivedAfter: logDb
      .prepare('SELECT received_at FROM log WHERE seq > ? ORDER BY seq LIMIT 1')
      .pluck(),
    logRowAtOrAfter: logDb.prepare('SELECT * FROM log WHERE seq >= ? ORDER BY seq LIMIT 1'),
    logDeleteRow: logDb.prepare('DELETE FROM log WHERE seq = ?'),
    logInsertAt: logDb.prepare(
      `INSERT INTO log (seq, workspace_id, request_id, idx, kind, customer_id, received_at, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    logLastSeq: logDb.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").pluck(),
    logOfRequest: logDb.prepare(
      'SELECT * FROM log WHERE request_id = ? AND workspace_id = ? ORDER BY seq',
    ),
    // A Bulk row goes once all of its records are applied (its seq is the last); counted by record.
    logCompact: logDb
      .prepare('DELETE FROM log WHERE seq <= ? AND received_at < ? RETURNING records')
      .pluck(),
    minutesCompact: logDb.prepare(
      `DELETE FROM log_minutes WHERE minute <= (SELECT max(minute) FROM log_minutes) - ?`,
    ),
    logSeqsOfCustomer: logDb
      .prepare('SELECT seq FROM log WHERE workspace_id = ? AND seq < ? AND customer_id = ?')
      .pluck(),
    logSeqsHolding: logDb
      .prepare('SELECT seq FROM log WHERE workspace_id = ? AND seq < ? AND instr(payload, ?) > 0')
      .pluck(),
    // A Bulk row's records are known only expanded (its text may spell a value with escapes).
    // `seq < ?` on the row's last seq: `beforeSeq` is an erasure's record, never inside a row.
    logBulkRowsBefore: logDb.prepare(
      `SELECT * FROM log WHERE workspace_id = ? AND kind = '${BULK_ROW_KIND}' AND seq < ?`,
    ),
    pendingRedactionInsert: db.prepare(
      'INSERT OR REPLACE INTO pending_log_redactions (seq, payload) VALUES (?, ?)',
    ),
    pendingRedactions: db.prepare('SELECT seq, payload FROM pending_log_redactions ORDER BY seq'),
    pendingRedactionDelete: db.prepare('DELETE FROM pending_log_redactions WHERE seq = ?'),
    logRedact: logDb.prepare('UPDATE log SET payload = ?, customer_id = NULL WHERE seq = ?'),
    // The cursor as of the last sync: a real change (SQLite skips the commit of one that is not).
    syncedSet: db.prepare(
      `INSERT INTO processor_state (name, value) SELECT 'synced_cursor', value FROM processor_state
       WHERE name = 'cursor' ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ),
  }
  const append = logAppend(logDb)

  /**
   * Records the cursor as synced, in a transaction committed under FULL by the caller: fsyncing
   * the WAL makes that and every earlier commit durable. When the cursor has not moved since the
   * last sync nothing changes and nothing is committed — and nothing needs to be: the commit that
   * moved it there came before that sync.
   */
  const syncCursor = db.transaction(() => {
    q.syncedSet.run()
  })

  /**
   * Carries the redactions committed to store.db over to log.db, then forgets them: idempotent,
   * so it runs after every commit that has some and at open (a crash between the two commits).
   */
  function flushRedactions(): void {
    const pending = q.pendingRedactions.all() as Row[]
    if (pending.length === 0) return
    logDb.transaction(() => {
      for (const r of pending) redactLogRecord(num(r['seq']), str(r['payload']))
    })()
    db.transaction(() => {
      for (const r of pending) q.pendingRedactionDelete.run(num(r['seq']))
    })()
  }
  /**
   * Replaces one record's payload in log.db. A record inside a Bulk row first has its row split
   * into rows of their own (the row's records, at their seqs), so that only it is redacted.
   */
  function redactLogRecord(seq: number, payload: string): void {
    const row = q.logRowAtOrAfter.get(seq) as Row | undefined
    if (row === undefined) return // compacted already
    const inBulkRow = row['kind'] === BULK_ROW_KIND && num(row['seq']) - num(row['records']) < seq
    if (inBulkRow) {
      const records = expandRow(row, expand)
      q.logDeleteRow.run(num(row['seq']))
      for (const r of records) {
        q.logInsertAt.run(
          r.seq,
          r.workspaceId,
          r.requestId,
          r.index,
          r.kind,
          r.customerId,
          r.receivedAt,
          r.payload,
        )
      }
    }
    q.logRedact.run(payload, seq)
  }
  flushRedactions()

  /** spec §7.12: the seqs of the log records before `h.beforeSeq` holding an erased user's data. */
  function seqsHolding(workspaceId: string, h: HeldQuery): Set<number> {
    const logSeqs = new Set<number>()
    for (const id of h.customerIds) {
      for (const seq of q.logSeqsOfCustomer.all(workspaceId, h.beforeSeq, id) as number[]) {
        logSeqs.add(num(seq))
      }
    }
    for (const token of h.logTokens) {
      for (const seq of q.logSeqsHolding.all(workspaceId, h.beforeSeq, token) as number[]) {
        logSeqs.add(num(seq))
      }
    }
    // Bulk rows: each record as if it were a row of its own (the rows found above by their
    // text are dropped: a Bulk row's seq is one of its records', not the row).
    const ids = new Set(h.customerIds)
    for (const row of q.logBulkRowsBefore.all(workspaceId, h.beforeSeq) as Row[]) {
      logSeqs.delete(num(row['seq']))
      for (const r of expandRow(row, expand)) {
        const holds =
          (r.customerId !== null && ids.has(r.customerId)) ||
          h.logTokens.some((token) => r.payload.includes(token))
        if (r.seq < h.beforeSeq && holds) logSeqs.add(r.seq)
      }
    }
    return logSeqs
  }

  const repo: IngestLog = {
    append: (records) =>
      attempt(() => {
        if (records.length > 0) append(records)
      }),
    readAfter: (afterSeq, limit) =>
      attempt(() => {
        let rows = q.logWindow.all(afterSeq, afterSeq + limit) as Row[]
        // None: the next row holds more than `limit` records, or seqs jump (reserveSeqsUpTo).
        if (rows.length === 0) rows = q.logAfter.all(afterSeq, 1) as Row[]
        return toLogRecords(rows, expand, afterSeq, limit)
      }),
    lastSeq: () => attempt(() => num(q.logLastSeq.get() ?? 0)),
    receivedAfter: (afterSeq) =>
      attempt(() => {
        const at = q.logReceivedAfter.get(afterSeq)
        return at === undefined ? undefined : num(at)
      }),
    recordsOfRequest: (workspaceId, requestId) =>
      attempt(() => toLogRecords(q.logOfRequest.all(requestId, workspaceId) as Row[], expand)),
    // PASSIVE: copies what no reader still needs, never waits for a writer or a reader.
    checkpoint: () =>
      attempt(() => {
        if (!checkpointedElsewhere()) logDb.pragma('wal_checkpoint(PASSIVE)')
      }),
    compact: (upToSeq, receivedBefore) =>
      attempt(() => {
        if (deferSync) {
          // Sync store.db first (an fsynced commit makes every earlier NORMAL commit durable):
          // the processor compacts up to a cursor it read before, so whatever it deletes has
          // its applied state on disk before it leaves the log.
          db.pragma('synchronous = FULL')
          try {
            syncCursor.immediate()
          } finally {
            db.pragma('synchronous = NORMAL')
          }
        }
        let records = 0
        for (const n of q.logCompact.all(upToSeq, receivedBefore) as number[]) records += num(n)
        q.minutesCompact.run(ACCEPTED_MINUTES_KEPT)
        return records
      }),
  }

  return {
    repo,
    seqsHolding,
    /** In the batch's store.db transaction: the redactions to carry over to log.db after it. */
    queueRedactions(redacted: readonly Readonly<{ seq: number; payload: string }>[]): void {
      for (const r of redacted) q.pendingRedactionInsert.run(r.seq, r.payload)
    },
    flushRedactions,
  }
}

/**
 * The records of log rows after `afterSeq`, at most `limit`: a Bulk row is expanded into its
 * records (of which those at or before `afterSeq` are dropped: a processor that met a failing
 * record in a Bulk row commits its cursor inside the row).
 */
function toLogRecords(
  rows: readonly Row[],
  expand: LogRowExpander,
  afterSeq = 0,
  limit = Infinity,
): LogRecord[] {
  const out: LogRecord[] = []
  for (const r of rows) {
    if (out.length >= limit) break
    if (r['kind'] !== BULK_ROW_KIND) {
      out.push(toLogRecord(r))
      continue
    }
    for (const record of expandRow(r, expand)) {
      if (record.seq > afterSeq && out.length < limit) out.push(record)
    }
  }
  return out
}

function expandRow(r: Row, expand: LogRowExpander): LogRecord[] {
  return expand(toBulkLogRow(r))
}
