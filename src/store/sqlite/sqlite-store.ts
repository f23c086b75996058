/**
 * The embedded store: two SQLite files in WAL mode through better-sqlite3 — `log.db` (the ingest
 * log) and `store.db` (workspaces and profiles). With durability `fsync` both use
 * `synchronous=FULL`, so a committed transaction has been fsynced before the promise resolves; with
 * `os` they use `synchronous=NORMAL` (survives a process crash, not a power loss). Pass `:memory:`
 * as the directory for a throwaway store in tests.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Durability } from '../../core/config.js'
import {
  BULK_ROW_KIND,
  StoreConflictError,
  type BatchChanges,
  type BatchSnapshot,
  type DeletionRow,
  type DeviceRow,
  type EventOwner,
  type EventRow,
  type GdprRequestRow,
  type HeldQuery,
  type HeldRecords,
  type IdentityLink,
  type LogRecord,
  type LogRowExpander,
  noBulkRowExpander,
  type MergeRow,
  type NewLogRecord,
  type OutcomeKind,
  type RecordKind,
  type RecordOutcomeRow,
  type Store,
  type SuppressionRow,
  type UserLookup,
  type UserMatch,
  type UserRow,
  type Workspace,
  type WorkspacePatch,
  type WorkspaceState,
} from '../store.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'
import { sqliteKeyRepo } from './sqlite-keys.js'
import { sqliteQuotaRepo } from './sqlite-quotas.js'

export type SqliteStoreOptions = Readonly<{
  /** Directory holding log.db and store.db, or ':memory:'. */
  dir: string
  durability: Durability
  /**
   * The processor's own store (its worker thread): commit `store.db` batches under
   * `synchronous=NORMAL` (no fsync per batch) and sync it before each log compaction instead, so
   * that compaction (up to a cursor the processor read before) deletes only records whose applied
   * state is on disk (docs/config.md, Durability). After a power loss `store.db` may come back at an older cursor, and the processor
   * applies the records after it again from the log, which still holds them. Only with durability
   * `fsync` (under `os` every commit is NORMAL anyway); the main thread's store never sets it: its
   * workspace writes answer 200 and must stay durable.
   */
  deferStoreSync?: boolean
  /**
   * Expands the log's Bulk rows into their records: the Data family's derivation
   * (families/data/bulk-rows.ts), injected by the composition root. Without it a store that
   * reads a Bulk row fails with noBulkRowExpander's error; appends never need it.
   */
  expandRow?: LogRowExpander
}>

type Row = Record<string, unknown>

function openDatabase(path: string, durability: Durability): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}

/** Applies the migrations newer than the file's `user_version`, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  const current = Number(db.pragma('user_version', { simple: true }))
  for (const m of migrations) {
    if (m.version <= current) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    }).immediate()
  }
}

/** Rows per multi-row INSERT of the log (7 parameters each, far below SQLite's 32,766). */
const LOG_ROWS_PER_INSERT = 64

const LOG_INSERT_HEAD =
  'INSERT INTO log (workspace_id, request_id, idx, kind, customer_id, received_at, payload) VALUES '

/**
 * Appending to the log in one transaction: multi-row INSERTs of LOG_ROWS_PER_INSERT rows (one
 * statement step per 64 records instead of one per record), the rest row by row.
 */
function logAppend(logDb: Database.Database): (records: readonly NewLogRecord[]) => void {
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
  })
}

/**
 * WAL pages after which the log writer's own commit checkpoints `log.db` (SQLite's default is
 * 1,000). The processor checkpoints the log from its thread every LOG_CHECKPOINT_EVERY_MS
 * (`log.checkpoint`), copying the pages while appends go on, so a commit that acknowledges
 * requests no longer also copies the WAL into the database file and fsyncs it — a few
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

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v))
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v))
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))
const json = (v: unknown): Record<string, unknown> => {
  if (typeof v !== 'string' || v === '') return {}
  const parsed: unknown = JSON.parse(v)
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>) // narrowed: a non-array object
    : {}
}

function toWorkspace(r: Row): Workspace {
  return {
    id: str(r['id']),
    name: str(r['name']),
    keyHash: strOrNull(r['key_hash']),
    keySalt: strOrNull(r['key_salt']),
    state: str(r['state']) as WorkspaceState, // written only from the WorkspaceState union
    settings: json(r['settings']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
    ...(r['prev_key_hash'] === null || r['prev_key_hash'] === undefined
      ? {}
      : {
          previousKey: {
            hash: str(r['prev_key_hash']),
            salt: str(r['prev_key_salt']),
            expiresAt: num(r['prev_key_expires_at']),
          },
        }),
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
  return expand({
    seq: num(r['seq']),
    records: num(r['records']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    receivedAt: num(r['received_at']),
    payload: str(r['payload']),
  })
}

function toLogRecord(r: Row): LogRecord {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    index: num(r['idx']),
    kind: str(r['kind']) as RecordKind, // written only from the RecordKind union
    customerId: strOrNull(r['customer_id']),
    receivedAt: num(r['received_at']),
    payload: str(r['payload']),
  }
}

function toUser(r: Row): UserRow {
  return {
    workspaceId: str(r['workspace_id']),
    id: str(r['id']),
    customerId: strOrNull(r['customer_id']),
    attributes: json(r['attributes']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
  }
}

function toDevice(r: Row): DeviceRow {
  return {
    workspaceId: str(r['workspace_id']),
    deviceId: str(r['device_id']),
    userId: str(r['user_id']),
    platform: strOrNull(r['platform']),
    pushId: strOrNull(r['push_id']),
    attributes: json(r['attributes']),
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
  }
}

function toEvent(r: Row): EventRow {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    userId: str(r['user_id']),
    name: str(r['name']),
    deviceId: strOrNull(r['device_id']),
    platform: strOrNull(r['platform']),
    appVersion: strOrNull(r['app_version']),
    eventTime: num(r['event_time']),
    userTime: numOrNull(r['user_time']),
    receivedAt: num(r['received_at']),
    requestId: str(r['request_id']),
    attributes: json(r['attributes']),
  }
}

function toOutcome(r: Row): RecordOutcomeRow {
  return {
    seq: num(r['seq']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    index: num(r['idx']),
    kind: str(r['kind']) as RecordKind, // written only from the RecordKind union
    outcome: str(r['outcome']) as OutcomeKind, // written only from the OutcomeKind union
    reason: str(r['reason']),
    at: num(r['at']),
  }
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const expand = options.expandRow ?? noBulkRowExpander
  const inMemory = options.dir === ':memory:'
  if (!inMemory) mkdirSync(options.dir, { recursive: true })
  const logDb = openDatabase(
    inMemory ? ':memory:' : join(options.dir, 'log.db'),
    options.durability,
  )
  const db = openDatabase(inMemory ? ':memory:' : join(options.dir, 'store.db'), options.durability)
  migrate(logDb, LOG_MIGRATIONS)
  migrate(db, STORE_MIGRATIONS)
  // The two files are synced independently: after a power loss under `os` (or a lost log.db),
  // store.db's cursor can be past the end of the log. New seqs must start after the cursor, or the
  // processor would skip the new records as already applied.
  reserveSeqsUpTo(
    logDb,
    num(db.prepare("SELECT value FROM processor_state WHERE name = 'cursor'").pluck().get()),
  )

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
    wsInsert: db.prepare(
      `INSERT INTO workspaces (id, name, key_hash, key_salt, state, settings, created_at, updated_at,
         prev_key_hash, prev_key_salt, prev_key_expires_at)
       VALUES (@id, @name, @keyHash, @keySalt, @state, @settings, @createdAt, @updatedAt,
         @prevKeyHash, @prevKeySalt, @prevKeyExpiresAt)`,
    ),
    wsGet: db.prepare('SELECT * FROM workspaces WHERE id = ?'),
    wsList: db.prepare('SELECT * FROM workspaces ORDER BY created_at, id'),
    userByCustomer: db.prepare('SELECT * FROM users WHERE workspace_id = ? AND customer_id = ?'),
    userById: db.prepare('SELECT * FROM users WHERE workspace_id = ? AND id = ?'),
    userUpsert: db.prepare(
      `INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET customer_id = excluded.customer_id,
         attributes = excluded.attributes, updated_at = excluded.updated_at`,
    ),
    deviceById: db.prepare('SELECT * FROM devices WHERE workspace_id = ? AND device_id = ?'),
    devicesOfUser: db.prepare(
      'SELECT * FROM devices INDEXED BY devices_by_user WHERE workspace_id = ? AND user_id = ? ORDER BY created_at, device_id',
    ),
    deviceUpsert: db.prepare(
      `INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, device_id) DO UPDATE SET user_id = excluded.user_id,
         platform = excluded.platform, push_id = excluded.push_id,
         attributes = excluded.attributes, updated_at = excluded.updated_at`,
    ),
    deviceDelete: db.prepare('DELETE FROM devices WHERE workspace_id = ? AND device_id = ?'),
    eventInsert: db.prepare(
      `INSERT OR IGNORE INTO events (seq, workspace_id, user_id, name, device_id, platform,
         app_version, event_time, user_time, received_at, request_id, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventsOfUser: db.prepare(
      `SELECT * FROM events WHERE workspace_id = ? AND user_id = ?
       ORDER BY event_time DESC, seq DESC LIMIT ?`,
    ),
    outcomeInsert: db.prepare(
      `INSERT OR REPLACE INTO record_outcomes (seq, workspace_id, request_id, idx, kind, outcome,
         reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // record_outcomes_by_request finds the request's few rows; the workspace is checked on them.
    outcomesOfRequest: db.prepare(
      `SELECT * FROM record_outcomes INDEXED BY record_outcomes_by_request
       WHERE request_id = ? AND workspace_id = ? ORDER BY idx, seq`,
    ),
    identityUsers: db
      .prepare('SELECT user_id FROM identities WHERE workspace_id = ? AND name = ? AND value = ?')
      .pluck(),
    identityLinksOfUser: db.prepare(
      'SELECT name, value FROM identities WHERE workspace_id = ? AND user_id = ? ORDER BY name, value',
    ),
    identityInsert: db.prepare(
      'INSERT OR IGNORE INTO identities (workspace_id, name, value, user_id) VALUES (?, ?, ?, ?)',
    ),
    identityDeleteOfUser: db.prepare(
      'DELETE FROM identities WHERE workspace_id = ? AND user_id = ?',
    ),
    deletionInsert: db.prepare(
      `INSERT OR IGNORE INTO pending_deletions (workspace_id, user_id, due_at, request_id, seq)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    deletionsDue: db.prepare(
      'SELECT * FROM pending_deletions WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?',
    ),
    userDelete: db.prepare('DELETE FROM users WHERE workspace_id = ? AND id = ?'),
    userDevicesDelete: db.prepare(
      'DELETE FROM devices INDEXED BY devices_by_user WHERE workspace_id = ? AND user_id = ?',
    ),
    userEventsDelete: db.prepare('DELETE FROM events WHERE workspace_id = ? AND user_id = ?'),
    userDeletionDelete: db.prepare(
      'DELETE FROM pending_deletions WHERE workspace_id = ? AND user_id = ?',
    ),
    eventSeqsOfUser: db
      .prepare('SELECT seq FROM events WHERE workspace_id = ? AND user_id = ?')
      .pluck(),
    eventMove: db.prepare('UPDATE events SET user_id = ? WHERE workspace_id = ? AND seq = ?'),
    eventDelete: db.prepare('DELETE FROM events WHERE workspace_id = ? AND seq = ?'),
    mergeGet: db.prepare('SELECT * FROM merges WHERE workspace_id = ? AND id = ?'),
    mergeUpsert: db.prepare(
      `INSERT INTO merges (workspace_id, id, request_id, retained_user_id, merged_user_id, at,
         before, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET undone_at = excluded.undone_at`,
    ),
    mergesByRetained: db.prepare(
      'SELECT * FROM merges INDEXED BY merges_by_retained WHERE workspace_id = ? AND retained_user_id = ? ORDER BY id',
    ),
    mergesByMerged: db.prepare(
      'SELECT * FROM merges INDEXED BY merges_by_merged WHERE workspace_id = ? AND merged_user_id = ? ORDER BY id',
    ),
    usersPage: db.prepare(
      'SELECT * FROM users WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?',
    ),
    mergeDelete: db.prepare('DELETE FROM merges WHERE workspace_id = ? AND id = ?'),
    usersByAttribute: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ?
         AND CAST(json_extract(attributes, ?) AS TEXT) = ?`,
    ),
    usersByAttributeNoCase: db.prepare(
      `SELECT * FROM users WHERE workspace_id = ?
         AND lower(CAST(json_extract(attributes, ?) AS TEXT)) = lower(?)`,
    ),
    deviceUsersByAttribute: db
      .prepare(
        `SELECT DISTINCT user_id FROM devices WHERE workspace_id = ?
           AND CAST(json_extract(attributes, ?) AS TEXT) = ?`,
      )
      .pluck(),
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
    outcomeSeqsHolding: db
      .prepare('SELECT seq FROM record_outcomes WHERE workspace_id = ? AND instr(reason, ?) > 0')
      .pluck(),
    eventCountOfUser: db
      .prepare('SELECT count(*) FROM events WHERE workspace_id = ? AND user_id = ?')
      .pluck(),
    // An applied outcome's reason is a JSON array of notes; the redaction becomes its one note.
    outcomeRedact: db.prepare(
      `UPDATE record_outcomes SET reason = CASE WHEN outcome = 'applied' THEN ? ELSE ? END
       WHERE seq = ?`,
    ),
    pendingRedactionInsert: db.prepare(
      'INSERT OR REPLACE INTO pending_log_redactions (seq, payload) VALUES (?, ?)',
    ),
    pendingRedactions: db.prepare('SELECT seq, payload FROM pending_log_redactions ORDER BY seq'),
    pendingRedactionDelete: db.prepare('DELETE FROM pending_log_redactions WHERE seq = ?'),
    logRedact: logDb.prepare('UPDATE log SET payload = ?, customer_id = NULL WHERE seq = ?'),
    suppressionInsert: db.prepare(
      `INSERT OR IGNORE INTO suppressions (workspace_id, hash, identity_type, request_id,
         created_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    suppressionAny: db.prepare('SELECT 1 FROM suppressions WHERE workspace_id = ? LIMIT 1').pluck(),
    suppressionGet: db
      .prepare('SELECT hash FROM suppressions WHERE workspace_id = ? AND hash = ?')
      .pluck(),
    suppressionsOf: db.prepare(
      'SELECT * FROM suppressions WHERE workspace_id = ? ORDER BY created_at, hash',
    ),
    suppressionDelete: db.prepare('DELETE FROM suppressions WHERE workspace_id = ? AND hash = ?'),
    suppressionDeleteOfRequest: db.prepare(
      'DELETE FROM suppressions WHERE workspace_id = ? AND request_id = ?',
    ),
    gdprInsert: db.prepare(
      `INSERT OR REPLACE INTO gdpr_requests (workspace_id, request_id, seq, received_at, done_at,
         counts) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    gdprGet: db.prepare('SELECT * FROM gdpr_requests WHERE workspace_id = ? AND request_id = ?'),
    cursorGet: db.prepare("SELECT value FROM processor_state WHERE name = 'cursor'").pluck(),
    cursorSet: db.prepare("UPDATE processor_state SET value = ? WHERE name = 'cursor'"),
    failuresForget: db.prepare('DELETE FROM processor_failures WHERE seq <= ?'),
    failureRecord: db
      .prepare(
        `INSERT INTO processor_failures (seq, attempts, last_error, at) VALUES (?, 1, ?, ?)
         ON CONFLICT (seq) DO UPDATE SET attempts = attempts + 1,
           last_error = excluded.last_error, at = excluded.at
         RETURNING attempts`,
      )
      .pluck(),
    leaseTake: db
      .prepare(
        `INSERT INTO processor_leases (name, owner, expires_at) VALUES ('processor', ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE processor_leases.owner = excluded.owner OR processor_leases.expires_at <= ?
         RETURNING owner`,
      )
      .pluck(),
    leaseRelease: db.prepare("DELETE FROM processor_leases WHERE name = 'processor' AND owner = ?"),
    eventsExpire: db.prepare('DELETE FROM events WHERE event_time < ?'),
    // The cursor as of the last sync: a real change (SQLite skips the commit of one that is not).
    syncedSet: db.prepare(
      `INSERT INTO processor_state (name, value) SELECT 'synced_cursor', value FROM processor_state
       WHERE name = 'cursor' ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ),
  }

  const append = logAppend(logDb)

  const loadSnapshot = db.transaction((records: readonly LogRecord[]): BatchSnapshot => {
    const users = new Map<string, UserRow>()
    const devices = new Map<string, DeviceRow>()
    const seenUsers = new Set<string>()
    const seenDevicesOf = new Set<string>()
    const addUser = (row: Row | undefined): void => {
      if (row === undefined) return
      const user = toUser(row)
      users.set(`${user.workspaceId}\u0000${user.id}`, user)
    }
    const addDevice = (row: Row | undefined): void => {
      if (row === undefined) return
      const device = toDevice(row)
      devices.set(`${device.workspaceId}\u0000${device.deviceId}`, device)
    }
    const eventOwners: EventOwner[] = []
    const merges: MergeRow[] = []
    let wantLinks = false
    const identityLoaded = new Set<string>()
    /** Merges need the devices and events of both users; undos need both users by id. */
    const withDevicesAndEvents = (row: Row | undefined, events: boolean): void => {
      if (row === undefined) return
      const user = toUser(row)
      for (const d of q.devicesOfUser.all(user.workspaceId, user.id) as Row[]) addDevice(d)
      if (!events) return
      for (const seq of q.eventSeqsOfUser.all(user.workspaceId, user.id) as number[]) {
        eventOwners.push({ workspaceId: user.workspaceId, seq, userId: user.id })
      }
    }
    for (const r of records) {
      if (r.kind === 'merge') {
        const merged = mergedCustomerIdOf(r.payload)
        if (merged !== undefined) {
          const row = q.userByCustomer.get(r.workspaceId, merged) as Row | undefined
          addUser(row)
          withDevicesAndEvents(row, true)
        }
      }
      const identities = identitiesOf(r.payload)
      if (identities.length > 0 && r.customerId !== null) {
        // The user named by ID may be merged into one found by identifiers: load all of it.
        const row = q.userByCustomer.get(r.workspaceId, r.customerId) as Row | undefined
        addUser(row)
        const id = row === undefined ? undefined : `${r.workspaceId}\u0000${String(row['id'])}`
        if (id !== undefined && !identityLoaded.has(id)) {
          identityLoaded.add(id)
          withDevicesAndEvents(row, true)
        }
      }
      for (const [name, value] of identities) {
        wantLinks = true
        for (const userId of q.identityUsers.all(r.workspaceId, name, value) as string[]) {
          // A match may be merged into another: its devices and events are needed too.
          const row = q.userById.get(r.workspaceId, userId) as Row | undefined
          addUser(row)
          if (!identityLoaded.has(`${r.workspaceId}\u0000${userId}`)) {
            identityLoaded.add(`${r.workspaceId}\u0000${userId}`)
            withDevicesAndEvents(row, true)
          }
        }
      }
      if (r.kind === 'delete' || r.kind === 'install') {
        const userId = stringField(r.payload, 'user_id')
        if (userId !== undefined) addUser(q.userById.get(r.workspaceId, userId) as Row | undefined)
      }
      if (r.kind === 'merge_undo') {
        const id = mergeIdOf(r.payload)
        const merge =
          id === undefined ? undefined : (q.mergeGet.get(r.workspaceId, id) as Row | undefined)
        if (merge !== undefined) {
          const m = toMerge(merge)
          merges.push(m)
          for (const userId of [m.retainedUserId, m.mergedUserId]) {
            const row = q.userById.get(r.workspaceId, userId) as Row | undefined
            addUser(row)
            withDevicesAndEvents(row, false)
          }
        }
      }
      if (r.customerId !== null) {
        const key = `${r.workspaceId}\u0000${r.customerId}`
        const needsDevices =
          r.kind === 'device' || r.kind === 'merge' || r.kind === 'device_opt_out'
        if (!seenUsers.has(key) || (needsDevices && !seenDevicesOf.has(key))) {
          seenUsers.add(key)
          const row = q.userByCustomer.get(r.workspaceId, r.customerId) as Row | undefined
          addUser(row)
          if (needsDevices) {
            seenDevicesOf.add(key)
            withDevicesAndEvents(row, false)
          }
        }
      }
      if (r.kind === 'device') {
        const deviceId = deviceIdOf(r.payload)
        if (deviceId !== undefined) {
          addDevice(q.deviceById.get(r.workspaceId, deviceId) as Row | undefined)
        }
      }
    }
    const identityLinks: IdentityLink[] = []
    if (wantLinks) {
      for (const u of users.values()) {
        for (const l of q.identityLinksOfUser.all(u.workspaceId, u.id) as Row[]) {
          identityLinks.push({
            workspaceId: u.workspaceId,
            userId: u.id,
            name: String(l['name']),
            value: String(l['value']),
          })
        }
      }
    }
    return {
      users: [...users.values()],
      devices: [...devices.values()],
      eventOwners,
      merges,
      ...(wantLinks ? { identityLinks } : {}),
    }
  })

  const deferSync = options.deferStoreSync === true && options.durability === 'fsync' && !inMemory
  if (deferSync) db.pragma('synchronous = NORMAL')
  /**
   * Records the cursor as synced, in a transaction committed under FULL by the caller: fsyncing
   * the WAL makes that and every earlier commit durable. When the cursor has not moved since the
   * last sync nothing changes and nothing is committed — and nothing needs to be: the commit that
   * moved it there came before that sync.
   */
  const syncCursor = db.transaction(() => {
    q.syncedSet.run()
  })

  const commit = db.transaction((c: BatchChanges) => {
    const cursor = num(q.cursorGet.get())
    if (cursor !== c.fromSeq) {
      throw new StoreConflictError(`cursor moved: expected ${c.fromSeq}, found ${cursor}`)
    }
    // Deletions first: a user created later in the batch may take the deleted one's customer id.
    for (const u of c.deletedUsers ?? []) {
      q.userDevicesDelete.run(u.workspaceId, u.userId)
      q.userEventsDelete.run(u.workspaceId, u.userId)
      q.userDeletionDelete.run(u.workspaceId, u.userId)
      q.identityDeleteOfUser.run(u.workspaceId, u.userId)
      q.userDelete.run(u.workspaceId, u.userId)
    }
    for (const u of c.users) {
      q.userUpsert.run(
        u.workspaceId,
        u.id,
        u.customerId,
        JSON.stringify(u.attributes),
        u.createdAt,
        u.updatedAt,
      )
    }
    for (const d of c.deletedDevices) q.deviceDelete.run(d.workspaceId, d.deviceId)
    for (const d of c.devices) {
      q.deviceUpsert.run(
        d.workspaceId,
        d.deviceId,
        d.userId,
        d.platform,
        d.pushId,
        JSON.stringify(d.attributes),
        d.createdAt,
        d.updatedAt,
      )
    }
    for (const e of c.events) {
      q.eventInsert.run(
        e.seq,
        e.workspaceId,
        e.userId,
        e.name,
        e.deviceId,
        e.platform,
        e.appVersion,
        e.eventTime,
        e.userTime,
        e.receivedAt,
        e.requestId,
        Object.keys(e.attributes).length === 0 ? null : JSON.stringify(e.attributes),
      )
    }
    for (const d of c.scheduledDeletions ?? []) {
      q.deletionInsert.run(d.workspaceId, d.userId, d.dueAt, d.requestId, d.seq)
    }
    for (const u of c.identityLinks ?? []) {
      q.identityDeleteOfUser.run(u.workspaceId, u.userId)
      for (const l of u.links) q.identityInsert.run(u.workspaceId, l.name, l.value, u.userId)
    }
    for (const e of c.movedEvents ?? []) q.eventMove.run(e.userId, e.workspaceId, e.seq)
    for (const e of c.deletedEvents ?? []) q.eventDelete.run(e.workspaceId, e.seq)
    for (const m of c.merges ?? []) {
      q.mergeUpsert.run(
        m.workspaceId,
        m.id,
        m.requestId,
        m.retainedUserId,
        m.mergedUserId,
        m.at,
        m.before,
        m.undoneAt,
      )
    }
    for (const o of c.outcomes) {
      q.outcomeInsert.run(
        o.seq,
        o.workspaceId,
        o.requestId,
        o.index,
        o.kind,
        o.outcome,
        o.reason,
        o.at,
      )
    }
    // spec §7.12: what an erasure removes, after everything else the batch wrote.
    for (const m of c.deletedMerges ?? []) q.mergeDelete.run(m.workspaceId, m.id)
    for (const o of c.redactedOutcomes ?? []) {
      q.outcomeRedact.run(JSON.stringify([o.reason]), o.reason, o.seq)
    }
    for (const r of c.redactedLog ?? []) q.pendingRedactionInsert.run(r.seq, r.payload)
    for (const x of c.suppressions ?? []) {
      q.suppressionInsert.run(x.workspaceId, x.hash, x.identityType, x.requestId, x.createdAt)
    }
    for (const g of c.gdprRequests ?? []) {
      q.gdprInsert.run(g.workspaceId, g.requestId, g.seq, g.receivedAt, g.doneAt, g.counts)
    }
    q.cursorSet.run(c.toSeq)
    q.failuresForget.run(c.toSeq)
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

  const matchUsers = (workspaceId: string, match: UserMatch): UserRow[] => {
    const found = new Map<string, UserRow>()
    const add = (row: Row | undefined): void => {
      if (row === undefined) return
      const user = toUser(row)
      found.set(user.id, user)
    }
    for (const id of match.customerIds)
      add(q.userByCustomer.get(workspaceId, id) as Row | undefined)
    for (const id of match.userIds) add(q.userById.get(workspaceId, id) as Row | undefined)
    for (const a of match.userAttributes) {
      const query = a.caseInsensitive === true ? q.usersByAttributeNoCase : q.usersByAttribute
      for (const row of query.all(workspaceId, jsonPath(a.key), a.value) as Row[]) add(row)
    }
    for (const a of match.deviceAttributes) {
      for (const userId of q.deviceUsersByAttribute.all(
        workspaceId,
        jsonPath(a.key),
        a.value,
      ) as string[]) {
        add(q.userById.get(workspaceId, userId) as Row | undefined)
      }
    }
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  const recordsHolding = (workspaceId: string, h: HeldQuery): HeldRecords => {
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
    const outcomeSeqs = new Set<number>()
    for (const token of h.outcomeTokens) {
      for (const seq of q.outcomeSeqsHolding.all(workspaceId, token) as number[]) {
        outcomeSeqs.add(num(seq))
      }
    }
    let events = 0
    for (const id of h.userIds) events += num(q.eventCountOfUser.get(workspaceId, id))
    const order = (a: number, b: number): number => a - b
    return { logSeqs: [...logSeqs].sort(order), outcomeSeqs: [...outcomeSeqs].sort(order), events }
  }

  let closed = false
  return {
    kind: 'sqlite',
    workspaces: {
      create: (w) =>
        attempt(() => {
          try {
            q.wsInsert.run({
              id: w.id,
              name: w.name,
              keyHash: w.keyHash,
              keySalt: w.keySalt,
              state: w.state,
              settings: JSON.stringify(w.settings),
              createdAt: w.createdAt,
              updatedAt: w.updatedAt,
              prevKeyHash: w.previousKey?.hash ?? null,
              prevKeySalt: w.previousKey?.salt ?? null,
              prevKeyExpiresAt: w.previousKey?.expiresAt ?? null,
            })
          } catch (err) {
            if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
              throw new StoreConflictError(`workspace ${w.id} already exists`)
            }
            throw err
          }
        }),
      get: (id) =>
        attempt(() => {
          const row = q.wsGet.get(id) as Row | undefined
          return row === undefined ? undefined : toWorkspace(row)
        }),
      list: () => attempt(() => (q.wsList.all() as Row[]).map(toWorkspace)),
      update: (id, patch: WorkspacePatch) =>
        attempt(() => {
          const sets: string[] = ['updated_at = @updatedAt']
          const params: Record<string, unknown> = { id, updatedAt: patch.updatedAt }
          if (patch.name !== undefined) {
            sets.push('name = @name')
            params['name'] = patch.name
          }
          if (patch.keyHash !== undefined) {
            sets.push('key_hash = @keyHash', 'key_salt = @keySalt')
            params['keyHash'] = patch.keyHash
            params['keySalt'] = patch.keySalt ?? null
          }
          if (patch.state !== undefined) {
            sets.push('state = @state')
            params['state'] = patch.state
          }
          if (patch.settings !== undefined) {
            sets.push('settings = @settings')
            params['settings'] = JSON.stringify(patch.settings)
          }
          if (patch.previousKey !== undefined) {
            sets.push(
              'prev_key_hash = @prevKeyHash',
              'prev_key_salt = @prevKeySalt',
              'prev_key_expires_at = @prevKeyExpiresAt',
            )
            params['prevKeyHash'] = patch.previousKey?.hash ?? null
            params['prevKeySalt'] = patch.previousKey?.salt ?? null
            params['prevKeyExpiresAt'] = patch.previousKey?.expiresAt ?? null
          }
          db.prepare(`UPDATE workspaces SET ${sets.join(', ')} WHERE id = @id`).run(params)
          const row = q.wsGet.get(id) as Row | undefined
          return row === undefined ? undefined : toWorkspace(row)
        }),
    },
    log: {
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
          logDb.pragma('wal_checkpoint(PASSIVE)')
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
          return records
        }),
    },
    profiles: {
      findUsers: (workspaceId, lookup: UserLookup) =>
        attempt(() => {
          const out: UserRow[] = []
          for (const id of lookup.customerIds) {
            const row = q.userByCustomer.get(workspaceId, id) as Row | undefined
            if (row !== undefined) out.push(toUser(row))
          }
          for (const id of lookup.ids) {
            const row = q.userById.get(workspaceId, id) as Row | undefined
            if (row !== undefined) out.push(toUser(row))
          }
          return out
        }),
      eventsOfUser: (workspaceId, userId, limit) =>
        attempt(() => (q.eventsOfUser.all(workspaceId, userId, limit) as Row[]).map(toEvent)),
      devicesOfUser: (workspaceId, userId) =>
        attempt(() => (q.devicesOfUser.all(workspaceId, userId) as Row[]).map(toDevice)),
      outcomesOfRequest: (workspaceId, requestId) =>
        attempt(() => (q.outcomesOfRequest.all(requestId, workspaceId) as Row[]).map(toOutcome)),
      merge: (workspaceId, id) =>
        attempt(() => {
          const row = q.mergeGet.get(workspaceId, id) as Row | undefined
          return row === undefined ? undefined : toMerge(row)
        }),
      usersPage: (workspaceId, afterId, limit) =>
        attempt(() => (q.usersPage.all(workspaceId, afterId, limit) as Row[]).map(toUser)),
      matchUsers: (workspaceId, match) => attempt(() => matchUsers(workspaceId, match)),
      mergesOfUsers: (workspaceId, userIds) =>
        attempt(() => {
          const found = new Map<number, MergeRow>()
          for (const id of userIds) {
            for (const query of [q.mergesByRetained, q.mergesByMerged]) {
              for (const row of query.all(workspaceId, id) as Row[]) {
                const m = toMerge(row)
                found.set(m.id, m)
              }
            }
          }
          return [...found.values()].sort((a, b) => a.id - b.id)
        }),
      gdprRequest: (workspaceId, requestId) =>
        attempt(() => {
          const row = q.gdprGet.get(workspaceId, requestId) as Row | undefined
          return row === undefined ? undefined : toGdprRequest(row)
        }),
      suppressions: (workspaceId) =>
        attempt(() => (q.suppressionsOf.all(workspaceId) as Row[]).map(toSuppression)),
      hasSuppressions: (workspaceId) =>
        attempt(() => q.suppressionAny.get(workspaceId) !== undefined),
      suppressed: (workspaceId, hashes) =>
        attempt(() =>
          [...new Set(hashes)].filter((h) => q.suppressionGet.get(workspaceId, h) !== undefined),
        ),
      liftSuppressions: (workspaceId, by) =>
        attempt(() =>
          db.transaction(() => {
            let lifted = 0
            for (const h of by.hashes ?? [])
              lifted += q.suppressionDelete.run(workspaceId, h).changes
            if (by.requestId !== undefined) {
              lifted += q.suppressionDeleteOfRequest.run(workspaceId, by.requestId).changes
            }
            return lifted
          })(),
        ),
    },
    processing: {
      cursor: () => attempt(() => num(q.cursorGet.get())),
      dueDeletions: (now, limit) =>
        attempt(() => (q.deletionsDue.all(now, limit) as Row[]).map(toDeletion)),
      loadSnapshot: (records) => attempt(() => loadSnapshot(records)),
      recordsHolding: (workspaceId, query) => attempt(() => recordsHolding(workspaceId, query)),
      commit: (changes) =>
        attempt(() => {
          commit.immediate(changes)
          if ((changes.redactedLog ?? []).length > 0) flushRedactions()
        }),
      acquireLease: (owner, now, ttlMs) =>
        attempt(() => q.leaseTake.get(owner, now + ttlMs, now) !== undefined),
      releaseLease: (owner) =>
        attempt(() => {
          q.leaseRelease.run(owner)
        }),
      recordFailure: (seq, error, now) => attempt(() => num(q.failureRecord.get(seq, error, now))),
      expireEvents: (before) =>
        attempt(() => {
          const d = new Date(before)
          q.eventsExpire.run(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
        }),
    },
    quotas: sqliteQuotaRepo(db, attempt),
    keys: sqliteKeyRepo(db, attempt),
    close: () =>
      attempt(() => {
        if (closed) return
        closed = true
        logDb.close()
        db.close()
      }),
  }
}

/** Makes the log's next seq greater than `seq` (AUTOINCREMENT reads sqlite_sequence). */
function reserveSeqsUpTo(logDb: Database.Database, seq: number): void {
  const last = num(
    logDb.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").pluck().get() ?? 0,
  )
  if (last >= seq) return
  logDb
    .transaction(() => {
      const updated = logDb
        .prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'log'")
        .run(seq).changes
      if (updated === 0) {
        logDb.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('log', ?)").run(seq)
      }
    })
    .immediate()
}

/** Runs synchronous store work and turns its result or throw into a promise. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn())
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)))
  }
}

/** The device id of a device record's payload, read without trusting its shape. */
/** The `identities` of a logged payload (Identity Resolution), as [name, value] pairs. */
export function identitiesOf(payload: string): [string, string][] {
  if (!payload.includes('"identities"')) return [] // cheap test before parsing
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return []
  const ids: unknown = (parsed as Record<string, unknown>)['identities'] // narrowed above
  if (typeof ids !== 'object' || ids === null) return []
  return Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string')
}

/** A string field of a logged payload (the store reads the few it needs to load a snapshot). */
function stringField(payload: string, key: string): string | undefined {
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const v: unknown = (parsed as Record<string, unknown>)[key] // narrowed to object above
  return typeof v === 'string' ? v : undefined
}

function mergedCustomerIdOf(payload: string): string | undefined {
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const id: unknown = (parsed as Record<string, unknown>)['merged_user'] // narrowed to object above
  return typeof id === 'string' ? id : undefined
}

function mergeIdOf(payload: string): number | undefined {
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const id: unknown = (parsed as Record<string, unknown>)['merge_id'] // narrowed to object above
  return typeof id === 'number' ? id : undefined
}

function toDeletion(row: Row): DeletionRow {
  return {
    workspaceId: String(row['workspace_id']),
    userId: String(row['user_id']),
    dueAt: num(row['due_at']),
    requestId: String(row['request_id']),
    seq: num(row['seq']),
  }
}

function toMerge(row: Row): MergeRow {
  return {
    id: num(row['id']),
    workspaceId: String(row['workspace_id']),
    requestId: String(row['request_id']),
    retainedUserId: String(row['retained_user_id']),
    mergedUserId: String(row['merged_user_id']),
    at: num(row['at']),
    before: String(row['before']),
    undoneAt: row['undone_at'] === null ? null : num(row['undone_at']),
  }
}

/** A JSON path naming one top-level key, whatever characters the key holds. */
function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`
}

function toGdprRequest(row: Row): GdprRequestRow {
  return {
    workspaceId: str(row['workspace_id']),
    requestId: str(row['request_id']),
    seq: num(row['seq']),
    receivedAt: num(row['received_at']),
    doneAt: num(row['done_at']),
    counts: str(row['counts']),
  }
}

function toSuppression(row: Row): SuppressionRow {
  return {
    workspaceId: str(row['workspace_id']),
    hash: str(row['hash']),
    identityType: str(row['identity_type']),
    requestId: str(row['request_id']),
    createdAt: num(row['created_at']),
  }
}

function deviceIdOf(payload: string): string | undefined {
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const id: unknown = (parsed as Record<string, unknown>)['device_id'] // narrowed to object above
  return typeof id === 'string' ? id : undefined
}
