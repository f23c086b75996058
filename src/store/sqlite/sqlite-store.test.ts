// The SQLite adapter: the shared Store contract against an in-memory store and against file stores
// in both durabilities (reopened in their directories by the contract's reopen hook), then what
// only this adapter has (its files, WAL mode, migrations, the two files synced apart).
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import type { Durability } from '../../core/config.js'
import { aLogRecord, aWorkspace, reopenable, storeContract } from '../../../test/store/contract.js'
import { batchChanges } from '../../../test/helpers/batches.js'
import {
  PRE_COUNT_LOG,
  PRE_WINDOW_COUNT,
  PRE_LINK_CATEGORIES,
  PRE_LINK_USERS,
  assertLinkedMigrated,
  assertLogCounted,
  assertReadAsMinute,
  PRE_19_EVENTS,
  assertEventsKept,
  PRE_25_OUTBOX,
  assertOutboxUpgraded,
  PRE_37_EVENTS,
  assertNumberedEvents,
} from '../../../test/store/upgrades.js'
import type { NewLogRecord, Store } from '../store.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS } from './migrations.js'
import {
  createSqliteStore,
  LOG_WRITER_AUTOCHECKPOINT_PAGES,
  migrate,
  openSqliteLogAppender,
} from './sqlite-store.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'

const tempDirs: string[] = []
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-sqlite-'))
  tempDirs.push(dir)
  return dir
}

storeContract('sqlite :memory:', {
  open: () =>
    Promise.resolve(
      createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' }),
    ),
})
for (const durability of ['fsync', 'os'] as const satisfies readonly Durability[]) {
  storeContract(
    `sqlite file (${durability})`,
    reopenable(tempDir, (dir) => createSqliteStore({ expandRow: expandBulkRow, dir, durability })),
  )
}

// The processor's own store in its worker thread: store.db synced before compaction, not per batch.
storeContract(
  'sqlite file (fsync, store.db sync deferred)',
  reopenable(tempDir, (dir) =>
    createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'fsync', deferStoreSync: true }),
  ),
)

const T0 = Date.parse('2026-11-01T10:00:00Z')

/** Two stores open on one fresh directory, as two processes on one machine; closed at the end. */
function twoStoresOnOneDirectory(t: TestContext): [Store, Store] {
  const dir = tempDir()
  const a = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  const b = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  t.after(async () => {
    await a.close()
    await b.close()
  })
  return [a, b]
}
const WORKSPACE = aWorkspace({ id: 'SQLITEWS000000000001', name: 'SQLite' })

/** A record of the adapter's own workspace, read back with payload `{}`. */
const record = (index: number): NewLogRecord =>
  aLogRecord({ workspaceId: WORKSPACE.id, index, payload: '{}' })

/** Opens a file in `dir` read-only with its own connection, closed when the test ends. */
function inspect(t: TestContext, dir: string, file: string): Database.Database {
  const db = new Database(join(dir, file), { readonly: true })
  t.after(() => db.close())
  return db
}

describe('SQLite store files', () => {
  it('creates the directory with log.db and store.db in it', async (t) => {
    const dir = join(tempDir(), 'nested', 'data')
    const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'fsync' })
    t.after(() => store.close())
    assert.ok(existsSync(join(dir, 'log.db')), 'log.db')
    assert.ok(existsSync(join(dir, 'store.db')), 'store.db')
    await store.log.append([record(0)])
    assert.ok(existsSync(join(dir, 'log.db-wal')), 'the log writes through a WAL file')
  })

  it('lists its migrations in ascending order (migrate skips what user_version already passed)', () => {
    for (const migrations of [LOG_MIGRATIONS, STORE_MIGRATIONS]) {
      const versions = migrations.map((m) => m.version)
      assert.deepEqual(
        versions,
        [...new Set(versions)].sort((a, b) => a - b),
      )
    }
  })

  for (const durability of ['fsync', 'os'] as const) {
    it(`puts both files in WAL mode, migrated to the latest version (${durability})`, async (t) => {
      const dir = tempDir()
      const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability })
      await store.close()
      for (const [file, migrations] of [
        ['log.db', LOG_MIGRATIONS],
        ['store.db', STORE_MIGRATIONS],
      ] as const) {
        const db = inspect(t, dir, file)
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', file)
        assert.equal(
          db.pragma('user_version', { simple: true }),
          Math.max(...migrations.map((m) => m.version)),
          file,
        )
      }
    })
  }

  it('numbers new records after the cursor when the log lost records already applied', async () => {
    // Simulates a power loss under durability `os` (or a deleted log.db): the two files are
    // synced independently, so store.db may remember a cursor past the end of log.db. New records
    // must not reuse those seqs, or the processor would skip them as already applied.
    const dir = tempDir()
    const first = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    await first.log.append([record(0), record(1), record(2)])
    await first.processing.commit(batchChanges({ toSeq: 3 }))
    await first.close()
    for (const file of ['log.db', 'log.db-wal', 'log.db-shm'])
      rmSync(join(dir, file), { force: true })

    const second = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    try {
      assert.equal(await second.processing.cursor(), 3)
      await second.log.append([record(0)])
      const pending = await second.log.readAfter(await second.processing.cursor(), 10)
      assert.equal(pending.length, 1, 'the new record is after the cursor')
      assert.ok((pending[0]?.seq ?? 0) > 3)
    } finally {
      await second.close()
    }
  })

  it('redacts the log (another file) even when a crash came between the two commits (spec §7.12)', async () => {
    const dir = tempDir()
    const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'fsync' })
    await store.workspaces.create(WORKSPACE)
    await store.log.append([record(0), record(1)])
    // The erasure batch commits to store.db; the log redaction has not reached log.db yet (the
    // process died between): only the pending row is there.
    await store.close()
    const storeDb = new Database(join(dir, 'store.db'))
    storeDb
      .prepare('INSERT INTO pending_log_redactions (seq, payload) VALUES (?, ?)')
      .run(2, '{"erased":true}')
    storeDb.close()
    const reopened = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'fsync' })
    try {
      const logged = await reopened.log.recordsOfRequest(WORKSPACE.id, 'REQAAAAA')
      assert.deepEqual(
        logged.map((r) => [r.seq, r.customerId, r.payload]),
        [
          [1, 'alice', '{}'],
          [2, null, '{"erased":true}'],
        ],
      )
    } finally {
      await reopened.close()
    }
    const check = new Database(join(dir, 'store.db'), { readonly: true })
    assert.equal(check.prepare('SELECT count(*) FROM pending_log_redactions').pluck().get(), 0)
    check.close()
  })

  it('with store.db sync deferred, syncs the cursor to disk before compacting', async (t) => {
    const dir = tempDir()
    const store = createSqliteStore({
      expandRow: expandBulkRow,
      dir,
      durability: 'fsync',
      deferStoreSync: true,
    })
    t.after(() => store.close())
    await store.log.append([0, 1, 2, 3].map(record))
    await store.processing.commit(batchChanges({ toSeq: 2 }))
    assert.equal(await store.log.compact(2, T0 + 1), 2)
    assert.deepEqual(
      (await store.log.readAfter(0, 10)).map((r) => r.seq),
      [3, 4],
    )
    const state = (): Record<string, number> =>
      Object.fromEntries(
        (
          inspect(t, dir, 'store.db').prepare('SELECT name, value FROM processor_state').all() as {
            name: string
            value: number
          }[]
        ).map((r) => [r.name, r.value]),
      )
    assert.deepEqual(state(), { cursor: 2, synced_cursor: 2 })
    await store.processing.commit(batchChanges({ fromSeq: 2, toSeq: 3 }))
    assert.equal(await store.log.compact(3, T0 + 1), 1)
    assert.deepEqual(state(), { cursor: 3, synced_cursor: 3 })
    // Nothing new applied: the sync changes nothing and compaction still works.
    assert.equal(await store.log.compact(3, T0 + 1), 0)
  })

  it('leaves checkpointing log.db to log.checkpoint, not to the log writer’s commits', async (t) => {
    const dir = tempDir()
    const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    t.after(() => store.close())
    const writer = openSqliteLogAppender(dir, 'os')
    t.after(() => writer.close())
    const size = (): number => statSync(join(dir, 'log.db')).size
    const before = size()
    // ~2,500 pages of appends: past SQLite's default autocheckpoint (1,000), not past the writer's.
    const payload = JSON.stringify({ text: 'x'.repeat(5000) })
    for (let i = 0; i < 40; i++) {
      writer.append(Array.from({ length: 50 }, (_, j) => ({ ...record(j), payload })))
    }
    assert.ok(LOG_WRITER_AUTOCHECKPOINT_PAGES > 2_500)
    assert.equal(size(), before, 'the commits left everything in the WAL')
    await store.log.checkpoint()
    assert.ok(size() > before + 1_500 * 4096, `log.db grew by ${size() - before} bytes`)
    assert.equal((await store.log.readAfter(0, 5_000)).length, 2_000)
  })

  it('keeps :memory: stores apart from each other', async (t) => {
    const a = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
    const b = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
    t.after(async () => {
      await a.close()
      await b.close()
    })
    await a.workspaces.create(WORKSPACE)
    await a.log.append([record(0)])
    assert.deepEqual(await b.workspaces.list(), [])
    assert.equal(await b.log.lastSeq(), 0)
  })

  it('can be closed twice, and rejects work after closing', async () => {
    const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
    await store.close()
    await store.close()
    await assert.rejects(store.log.append([record(0)]), /not open/)
    await assert.rejects(store.workspaces.list(), /not open/)
  })

  it('shares quota counts between stores open on one directory (two processes)', async (t) => {
    const [a, b] = twoStoresOnOneDirectory(t)
    const lease = { workspaceId: 'W', quota: 'track_user', windowStart: T0, limit: 10, need: 1 }
    assert.deepEqual(await a.quotas.lease({ ...lease, want: 6 }), { granted: 6, used: 6 })
    assert.deepEqual(await b.quotas.lease({ ...lease, want: 6 }), { granted: 4, used: 10 })
    assert.deepEqual(await a.quotas.lease({ ...lease, want: 1 }), { granted: 0, used: 10 })
    assert.equal(await b.quotas.used(lease), 10)
  })

  it('shares the sum of a rolling window’s slices between stores open on one directory', async (t) => {
    const [a, b] = twoStoresOnOneDirectory(t)
    // A rolling hour counted in one-minute slices, each in force for an hour and a minute.
    const slice = (windowStart: number) => ({
      workspaceId: 'W',
      quota: 'segments_get',
      windowMs: 3_660_000,
      windowStart,
      limit: 10,
      need: 1,
      overlapping: true,
    })
    assert.deepEqual(await a.quotas.lease({ ...slice(T0), want: 6 }), { granted: 6, used: 6 })
    assert.deepEqual(await b.quotas.lease({ ...slice(T0 + 60_000), want: 6 }), {
      granted: 4,
      used: 10,
    })
    assert.deepEqual(await a.quotas.lease({ ...slice(T0 + 3_660_000), want: 9 }), {
      granted: 6,
      used: 10,
    })
  })

  /**
   * A store opened on a directory whose `file` an older Inlet left: `migrations` up to
   * `lastVersion` applied, `seed` run on it; `check` reads the store, which is closed after.
   */
  async function upgraded(
    file: 'log.db' | 'store.db',
    lastVersion: number,
    seed: (db: Database.Database) => void,
    check: (store: Store) => Promise<void>,
  ): Promise<void> {
    const dir = tempDir()
    const old = new Database(join(dir, file))
    const migrations = file === 'log.db' ? LOG_MIGRATIONS : STORE_MIGRATIONS
    migrate(
      old,
      migrations.filter((m) => m.version <= lastVersion),
    )
    seed(old)
    old.close()
    const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    try {
      await check(store)
    } finally {
      await store.close()
    }
  }

  it('reads the counts of a store migrated before windows had lengths as the minute’s', async () => {
    // store.db as the previous version left it (every migration up to 11), one minute counted.
    const { workspaceId, quota, used } = PRE_WINDOW_COUNT
    await upgraded(
      'store.db',
      11,
      (old) => {
        old
          .prepare('INSERT INTO quota_windows VALUES (?, ?, ?, ?, ?)')
          .run(workspaceId, quota, T0, used, used)
      },
      (store) => assertReadAsMinute(store, T0),
    )
  })

  it('drops the unread events index of a store written before migration 19, events kept', async () => {
    const indexes = (db: Database.Database) =>
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
        .pluck()
        .all()
    let dir = ''
    await upgraded(
      'store.db',
      18,
      (old) => {
        const insert = old.prepare(
          `INSERT INTO events (${PRE_19_EVENTS.columns}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        for (const row of PRE_19_EVENTS.rows(T0)) insert.run(...row)
        assert.ok(indexes(old).includes('events_by_workspace_time'))
        dir = dirname(old.name)
      },
      assertEventsKept,
    )
    const db = new Database(join(dir, 'store.db'), { readonly: true })
    try {
      assert.deepEqual(indexes(db).sort(), ['events_by_name_time', 'events_by_user'])
    } finally {
      db.close()
    }
  })

  it('numbers the events of a store written before migration 37, every event kept', async () => {
    let dir = ''
    await upgraded(
      'store.db',
      36,
      (old) => {
        const user = old.prepare('INSERT INTO users VALUES (?, ?, NULL, ?, ?, ?)')
        for (const [ws, id] of PRE_37_EVENTS.users) user.run(ws, id, '{}', T0, T0)
        const insert = old.prepare(
          `INSERT INTO events (${PRE_37_EVENTS.columns}) VALUES (${Array(12).fill('?').join(', ')})`,
        )
        for (const row of PRE_37_EVENTS.rows(T0)) insert.run(...row)
        dir = dirname(old.name)
      },
      (store) => assertNumberedEvents(store, T0),
    )
    const db = new Database(join(dir, 'store.db'), { readonly: true })
    try {
      const columns = (index: string) =>
        (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name)
      assert.deepEqual(columns('events_by_user'), ['user_num', 'event_time'])
      assert.deepEqual(columns('events_by_name_time'), ['name_num', 'event_time', 'user_num'])
      const names = db
        .prepare('SELECT workspace_id, name FROM event_names ORDER BY num')
        .raw()
        .all() as unknown[][]
      assert.deepEqual(names, [
        ['V', 'Opened'],
        ['W', 'Opened'],
        ['W', 'Purchased'],
        ['W', 'Shared'],
        ['V', 'Shared'],
      ])
    } finally {
      db.close()
    }
  })

  it('turns subscription attributes stored before migration 22 into preference records', async () => {
    await upgraded(
      'store.db',
      21,
      (old) => {
        const user = old.prepare('INSERT INTO users VALUES (?, ?, NULL, ?, ?, ?)')
        for (const [ws, id, attributes] of PRE_LINK_USERS) user.run(ws, id, attributes, T0, T0)
        const category = old.prepare(
          "INSERT INTO subscription_categories VALUES ('W', ?, '', 1, ?, ?)",
        )
        for (const name of PRE_LINK_CATEGORIES) category.run(name, T0, T0)
      },
      (store) => assertLinkedMigrated(store, T0),
    )
  })

  it('gives messages recorded before migration 25 their seq as rev, due for nothing', async () => {
    await upgraded(
      'store.db',
      24,
      (old) => {
        const insert = old.prepare(`INSERT INTO outbox VALUES (${Array(20).fill('?').join(', ')})`)
        for (const row of PRE_25_OUTBOX(T0)) insert.run(...row)
      },
      (store) => assertOutboxUpgraded(store, T0),
    )
  })

  it('counts the accepted records of a log written before it kept counts per minute', async () => {
    // log.db as the previous version left it (log migrations 1–4), with records in it.
    await upgraded(
      'log.db',
      4,
      (old) => {
        const insert = old.prepare('INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)')
        for (const row of PRE_COUNT_LOG(T0)) insert.run(...row)
      },
      (store) => assertLogCounted(store, T0),
    )
  })
})
