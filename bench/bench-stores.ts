// The stores the read and expansion benchmarks (browse, segments, push) run on: a fresh SQLite
// store in a temporary directory and a fresh database on a throwaway PostgreSQL cluster, each
// migrated by the store itself, loaded with generated data through a plain connection (faster
// than any API), then opened as Inlet opens them (durability `fsync`) for the measurement; all
// removed at the end, whatever happens.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { expandBulkRow } from '../src/families/data/bulk-rows.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { Store } from '../src/store/store.js'
import { openPostgres } from '../test/helpers/postgres.js'

/**
 * `load` writes through a connection to store.db (closed after it), then `run` measures on the
 * store; `dir` is the store's directory (for a read-only connection of its own, e.g. EXPLAIN).
 */
export async function onSqlite<T>(
  name: string,
  load: (db: Database.Database) => void,
  run: (store: Store, dir: string) => Promise<T>,
  /** Open it as the server does, with its outbox writer thread (bench:push). */
  server: Readonly<{ outboxWriterThread?: boolean }> = {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `inlet-bench-${name}-`))
  try {
    await createSqliteStore({ dir, durability: 'os', expandRow: expandBulkRow }).close()
    const db = new Database(join(dir, 'store.db'))
    try {
      load(db)
    } finally {
      db.close()
    }
    const store = createSqliteStore({
      dir,
      durability: 'fsync',
      expandRow: expandBulkRow,
      ...server,
    })
    try {
      return await run(store, dir)
    } finally {
      await store.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * `load` writes through a client, which `run` may use too (closed after it); undefined, said on
 * stderr, when there is no PostgreSQL (neither binaries nor TEST_DATABASE_URL).
 */
export async function onPostgres<T>(
  load: (client: pg.Client) => Promise<void>,
  run: (store: Store, client: pg.Client) => Promise<T>,
): Promise<T | undefined> {
  const cluster = await openPostgres({ durable: true })
  if (cluster === undefined) {
    process.stderr.write('no PostgreSQL (binaries or TEST_DATABASE_URL): no postgres run\n')
    return undefined
  }
  try {
    const url = await cluster.freshUrl()
    const store = await createPostgresStore({ url, durability: 'fsync', expandRow: expandBulkRow })
    try {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await load(client)
        return await run(store, client)
      } finally {
        await client.end()
      }
    } finally {
      await store.close()
    }
  } finally {
    await cluster.stop()
  }
}
