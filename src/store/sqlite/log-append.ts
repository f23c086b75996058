/**
 * Appending to the SQLite ingest log (`log.db`): the multi-row INSERTs and Bulk rows' reserved
 * seqs, the per-minute counts of accepted records each append adds to (`log_minutes`), used by the store's `log.append` and by the log writer's own connection in its thread
 * (openSqliteLogAppender), with the checkpoint policy that connection follows.
 */
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import type { Durability } from '../../core/config.js'
import { acceptedCounts } from '../browse.js'
import { BULK_ROW_KIND, type NewLogRecord } from '../store.js'
import { openDatabase } from './connection.js'

/** Rows per multi-row INSERT of the log (7 parameters each, far below SQLite's 32,766). */
const LOG_ROWS_PER_INSERT = 64

const LOG_INSERT_HEAD =
  'INSERT INTO log (workspace_id, request_id, idx, kind, customer_id, received_at, payload) VALUES '

/**
 * Appending to the log in one transaction: multi-row INSERTs of LOG_ROWS_PER_INSERT rows (one
 * statement step per 64 records instead of one per record), the rest row by row.
 */
export function logAppend(logDb: Database.Database): (records: readonly NewLogRecord[]) => void {
  const values = (n: number): string =>
    Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')
  const many = logDb.prepare(LOG_INSERT_HEAD + values(LOG_ROWS_PER_INSERT))
  const one = logDb.prepare(LOG_INSERT_HEAD + values(1))
  const params: unknown[] = new Array<unknown>(7 * LOG_ROWS_PER_INSERT)
  const put = (r: NewLogRecord, at: number, into: unknown[]): void => {
    into[at] = r.workspaceId
    into[at + 1] = r.requestId
    into[at + 2] = r.index
    into[at + 3] = r.kind
    into[at + 4] = r.customerId
    into[at + 5] = r.receivedAt
    into[at + 6] = r.payload
  }
  // A Bulk row takes the next `records` seqs and is stored at the last of them, so the seqs
  // AUTOINCREMENT hands out next (sqlite_sequence: the largest ever stored) come after them.
  const bulk = logDb.prepare(
    `INSERT INTO log (seq, workspace_id, request_id, idx, kind, customer_id, received_at, payload,
       records)
     VALUES (COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0) + ?,
       ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const count = logDb.prepare(
    `INSERT INTO log_minutes (workspace_id, minute, api, records) VALUES (?, ?, ?, ?)
     ON CONFLICT (workspace_id, minute, api) DO UPDATE SET records = records + excluded.records`,
  )
  const row: unknown[] = new Array<unknown>(7)
  const plain = (records: readonly NewLogRecord[], from: number, to: number): void => {
    let i = from
    for (; i + LOG_ROWS_PER_INSERT <= to; i += LOG_ROWS_PER_INSERT) {
      for (let j = 0; j < LOG_ROWS_PER_INSERT; j++) {
        put(records[i + j] as NewLogRecord, 7 * j, params) // i + j < to <= records.length
      }
      many.run(params)
    }
    for (; i < to; i++) {
      put(records[i] as NewLogRecord, 0, row) // i < to <= records.length
      one.run(row)
    }
  }
  return logDb.transaction((records: readonly NewLogRecord[]) => {
    let from = 0
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as NewLogRecord // i < records.length
      if (r.kind !== BULK_ROW_KIND) continue
      plain(records, from, i)
      put(r, 0, row)
      const reserved = Math.max(1, r.records ?? 1)
      bulk.run(reserved, ...row, reserved)
      from = i + 1
    }
    plain(records, from, records.length)
    for (const c of acceptedCounts(records)) count.run(c.workspaceId, c.minute, c.api, c.records)
  })
}

/**
 * WAL pages after which the log writer's own commit checkpoints `log.db` (SQLite's default is
 * 1,000). The store checkpointer's thread (checkpointer.ts; without it, the processor's thread)
 * checkpoints the log every 500 ms, copying the pages while appends go on, so a commit that
 * acknowledges requests no longer also copies the WAL into the database file and fsyncs it — a few
 * milliseconds every ~250 group commits, during which every request waiting for the next commit
 * waited too. Paired A/B (docs/benchmarks.md): single events +4 % req/s (three runs: +0 to +9 %),
 * server CPU per request −4 %. A WAL starts over only after a checkpoint that copied all of it,
 * which one beside a busy writer never does, so the writer still checkpoints at this size: the
 * copying mostly done, it finishes it and the WAL starts over. `log.db-wal` therefore grows to
 * about 40 MB under load (and is removed when the last connection closes); without a processor
 * on the directory the writer does all the copying, every 40 MB.
 */
export const LOG_WRITER_AUTOCHECKPOINT_PAGES = 10_000

/**
 * The log writer's own connection to `log.db` (ingest/log-writer-worker.ts): appends only, with
 * the same pragmas as the store's (so the same durability), but checkpointing only as a fallback
 * (LOG_WRITER_AUTOCHECKPOINT_PAGES). The store that created the file has migrated it already.
 */
export function openSqliteLogAppender(
  dir: string,
  durability: Durability,
): Readonly<{ append(records: readonly NewLogRecord[]): void; close(): void }> {
  const logDb = openDatabase(join(dir, 'log.db'), durability)
  logDb.pragma(`wal_autocheckpoint = ${LOG_WRITER_AUTOCHECKPOINT_PAGES}`)
  const append = logAppend(logDb)
  return {
    append: (records) => {
      if (records.length > 0) append(records)
    },
    close: () => logDb.close(),
  }
}
