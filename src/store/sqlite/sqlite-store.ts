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
  type DeviceRow,
  type EventCount,
  type HeldQuery,
  type HeldRecords,
  type IdentityLink,
  type LogRecord,
  type LogRowExpander,
  noBulkRowExpander,
  type MergeRow,
  type NewLogRecord,
  type Store,
  type UserLookup,
  type UserMatch,
  type UserRow,
  type WorkspacePatch,
} from '../store.js'
import { snapshotNeeds } from '../snapshot-rules.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'
import { sqliteQuotaRepo } from './sqlite-quotas.js'
import {
  num,
  str,
  toBulkLogRow,
  toDeletion,
  toDevice,
  toEvent,
  toGdprRequest,
  toLogRecord,
  toMerge,
  toOutcome,
  toSuppression,
  toUser,
  toWorkspace,
  type Row,
} from '../rows.js'

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
    // EventChange 'merge': the moved events' seqs are kept first, then the events move.
    mergeEventsKeep: db.prepare(
      `INSERT OR IGNORE INTO merge_events (workspace_id, merge_id, seq)
       SELECT workspace_id, ?, seq FROM events
       WHERE workspace_id = ? AND user_id = ? AND abs(seq) < ?`,
    ),
    mergeEventsMove: db.prepare(
      `UPDATE events SET user_id = ?
       WHERE workspace_id = ? AND user_id = ? AND abs(seq) < ?`,
    ),
    // EventChange 'unmerge': the kept events still with the retained user go back, then the list.
    unmergeEventsMove: db.prepare(
      `UPDATE events SET user_id = ?
       WHERE workspace_id = ? AND user_id = ?
         AND seq IN (SELECT seq FROM merge_events WHERE workspace_id = ? AND merge_id = ?)`,
    ),
    mergeEventsForget: db.prepare(
      'DELETE FROM merge_events WHERE workspace_id = ? AND merge_id = ?',
    ),
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

  /** Runs the queries for what the batch needs (snapshot-rules.ts), in one read transaction. */
  const loadSnapshot = db.transaction((records: readonly LogRecord[]): BatchSnapshot => {
    const needs = snapshotNeeds(records)
    const users = new Map<string, UserRow>()
    const devices = new Map<string, DeviceRow>()
    const eventCounts = new Map<string, EventCount>()
    const withDevices = new Set<string>()
    const counted = new Set<string>()
    const addDevice = (row: Row | undefined): void => {
      if (row === undefined) return
      const device = toDevice(row)
      devices.set(`${device.workspaceId}\u0000${device.deviceId}`, device)
    }
    /** A user found, with all its devices and how many events it has where asked for. */
    const addUser = (row: Row | undefined, allDevices: boolean, events: boolean): void => {
      if (row === undefined) return
      const user = toUser(row)
      const key = `${user.workspaceId}\u0000${user.id}`
      users.set(key, user)
      if (allDevices && !withDevices.has(key)) {
        withDevices.add(key)
        for (const d of q.devicesOfUser.all(user.workspaceId, user.id) as Row[]) addDevice(d)
      }
      if (events && !counted.has(key)) {
        counted.add(key)
        const count = num(q.eventCountOfUser.get(user.workspaceId, user.id))
        if (count > 0)
          eventCounts.set(key, { workspaceId: user.workspaceId, userId: user.id, count })
      }
    }
    for (const c of needs.customers) {
      const row = q.userByCustomer.get(c.workspaceId, c.customerId) as Row | undefined
      addUser(row, c.devices, c.events)
    }
    for (const u of needs.userIds) {
      addUser(q.userById.get(u.workspaceId, u.userId) as Row | undefined, false, false)
    }
    for (const i of needs.identities) {
      for (const userId of q.identityUsers.all(i.workspaceId, i.name, i.value) as string[]) {
        addUser(q.userById.get(i.workspaceId, userId) as Row | undefined, true, true)
      }
    }
    const merges: MergeRow[] = []
    for (const m of needs.mergeIds) {
      const row = q.mergeGet.get(m.workspaceId, m.mergeId) as Row | undefined
      if (row === undefined) continue
      const merge = toMerge(row)
      merges.push(merge)
      for (const userId of [merge.retainedUserId, merge.mergedUserId]) {
        addUser(q.userById.get(m.workspaceId, userId) as Row | undefined, true, false)
      }
    }
    for (const d of needs.deviceIds) {
      addDevice(q.deviceById.get(d.workspaceId, d.deviceId) as Row | undefined)
    }
    const identityLinks: IdentityLink[] = []
    if (needs.identityLinks) {
      for (const u of users.values()) {
        for (const l of q.identityLinksOfUser.all(u.workspaceId, u.id) as Row[]) {
          identityLinks.push({
            workspaceId: u.workspaceId,
            userId: u.id,
            name: str(l['name']),
            value: str(l['value']),
          })
        }
      }
    }
    return {
      users: [...users.values()],
      devices: [...devices.values()],
      eventCounts: [...eventCounts.values()],
      merges,
      ...(needs.identityLinks ? { identityLinks } : {}),
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
    // (Their events go after the batch's event changes, below.)
    for (const u of c.deletedUsers ?? []) {
      q.userDevicesDelete.run(u.workspaceId, u.userId)
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
    for (const e of c.eventChanges ?? []) {
      switch (e.kind) {
        case 'merge':
          q.mergeEventsKeep.run(e.mergeId, e.workspaceId, e.fromUserId, e.beforeSeq)
          q.mergeEventsMove.run(e.toUserId, e.workspaceId, e.fromUserId, e.beforeSeq)
          break
        case 'unmerge':
          q.unmergeEventsMove.run(e.toUserId, e.workspaceId, e.fromUserId, e.workspaceId, e.mergeId)
          q.mergeEventsForget.run(e.workspaceId, e.mergeId)
          break
        case 'move':
          for (const seq of e.seqs) q.eventMove.run(e.toUserId, e.workspaceId, seq)
          break
        case 'delete':
          q.eventDelete.run(e.workspaceId, e.seq)
          break
      }
    }
    // A deleted user's events, those the batch's changes gave it included.
    for (const u of c.deletedUsers ?? []) q.userEventsDelete.run(u.workspaceId, u.userId)
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
    for (const m of c.deletedMerges ?? []) {
      q.mergeDelete.run(m.workspaceId, m.id)
      q.mergeEventsForget.run(m.workspaceId, m.id)
    }
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

/** A JSON path naming one top-level key, whatever characters the key holds. */
function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`
}
