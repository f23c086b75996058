/**
 * The SQLite adapter's connection: it owns the two files in WAL mode through better-sqlite3 —
 * `log.db` (the ingest log) and `store.db` (workspaces, profiles, processing state) — their
 * pragmas, the migrations runner, and the promise wrapper every repository's methods go through.
 * With durability `fsync` both use `synchronous=FULL`, so a committed transaction has been fsynced
 * before the promise resolves; with `os` they use `synchronous=NORMAL` (survives a process crash,
 * not a power loss). `:memory:` as the directory opens a throwaway store for tests.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Durability } from '../../core/config.js'
import type { Logger } from '../../core/log.js'
import { num } from '../rows.js'
import { noBulkRowExpander, type LogRowExpander } from '../store.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'

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
   * The server's store: sends are written to the outbox by a thread of their own
   * (outbox-writer.ts), so the COMMIT's fsync does not stop the request thread. Only for a store
   * in a directory (a thread cannot share `:memory:`); other stores write in the calling thread.
   */
  outboxWriterThread?: boolean
  /**
   * The processor's own store in its thread (INLET_STORE_CHECKPOINTER=worker): `store.db`'s WAL
   * is copied into the database by a thread of its own (checkpointer.ts), not at this
   * connection's commits; `log` reports the thread's failures. Only for a store in a directory.
   */
  checkpointer?: Readonly<{ log: Logger }>
  /**
   * Expands the log's Bulk rows into their records: the Data family's derivation
   * (families/data/bulk-rows.ts), injected by the composition root. Without it a store that
   * reads a Bulk row fails with noBulkRowExpander's error; appends never need it.
   */
  expandRow?: LogRowExpander
}>

/** What every repository of the adapter is built on. */
export type SqliteConnection = Readonly<{
  /** `log.db`: the ingest log. */
  logDb: Database.Database
  /** `store.db`: workspaces, the profile store and the processor's state. */
  db: Database.Database
  /** The Bulk-row expander (SqliteStoreOptions.expandRow). */
  expand: LogRowExpander
  /** store.db commits under NORMAL and is synced before each compaction (deferStoreSync). */
  deferSync: boolean
  close(): void
}>

export function openDatabase(path: string, durability: Durability): Database.Database {
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

/** Opens (creating and migrating) both files of a directory, or two in-memory databases. */
export function openSqlite(options: SqliteStoreOptions): SqliteConnection {
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
  const deferSync = options.deferStoreSync === true && options.durability === 'fsync' && !inMemory
  if (deferSync) db.pragma('synchronous = NORMAL')
  let closed = false
  return {
    logDb,
    db,
    expand: options.expandRow ?? noBulkRowExpander,
    deferSync,
    close: () => {
      if (closed) return
      closed = true
      logDb.close()
      db.close()
    },
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
export function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn())
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)))
  }
}
