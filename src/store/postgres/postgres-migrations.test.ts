// The PostgreSQL adapter's migrations, against a real PostgreSQL (TEST_DATABASE_URL, or a
// throwaway cluster from the installed binaries, each store in its own fresh schema): numbered in
// step with SQLite's, recorded and applied once (also by processes starting together), and
// upgrades from a schema an older Inlet left (events into monthly partitions, quota counts kept
// before windows had lengths, a log kept before accepted records were counted per minute). The rest of the adapter: postgres-store.test.ts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pg from 'pg'
import { queryRows as query } from '../../../test/helpers/pg-query.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { aWorkspace } from '../../../test/store/contract.js'
import {
  PRE_19_EVENTS,
  PRE_COUNT_LOG,
  PRE_WINDOW_COUNT,
  PRE_LINK_CATEGORIES,
  PRE_LINK_USERS,
  assertLinkedMigrated,
  PRE_25_OUTBOX,
  assertOutboxUpgraded,
  assertLogCounted,
  assertReadAsMinute,
  assertEventsKept,
} from '../../../test/store/upgrades.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import * as sqlite from '../sqlite/migrations.js'
import type { Store } from '../store.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS } from './migrations.js'
import { createPostgresStore, type PostgresStoreOptions } from './postgres-store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WORKSPACE = aWorkspace({ id: 'PGWS0000000000000001', name: 'PostgreSQL' })

describe('PostgreSQL migrations', () => {
  it('are numbered and named in step with SQLite’s, one list for both dialects', () => {
    const outline = (ms: readonly sqlite.Migration[]): string[] =>
      ms.map((m) => `${m.version} ${m.name}`)
    assert.deepEqual(outline(LOG_MIGRATIONS), outline(sqlite.LOG_MIGRATIONS))
    assert.deepEqual(outline(STORE_MIGRATIONS), outline(sqlite.STORE_MIGRATIONS))
  })
})

const postgres = await startPostgres()

if (postgres === undefined) {
  describe(
    'PostgreSQL migrations',
    { skip: 'no PostgreSQL binaries and no TEST_DATABASE_URL' },
    () => {
      it('applies the migrations to a real PostgreSQL', () => undefined)
    },
  )
} else {
  const freshUrl = postgres.freshUrl

  /** A store of the schema of `url`, durability `fsync` unless `more` says otherwise. */
  const storeAt = (url: string, more: Partial<PostgresStoreOptions> = {}): Promise<Store> =>
    createPostgresStore({ expandRow: expandBulkRow, url, durability: 'fsync', ...more })

  /**
   * The schema of `url` as an older Inlet left it: the migrations up to `lastVersion` (both lists)
   * applied and recorded, then `seed` run on the same connection.
   */
  async function schemaUpTo(
    url: string,
    lastVersion: number,
    seed: (client: pg.Client) => Promise<unknown>,
  ): Promise<void> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(`CREATE TABLE inlet_migrations (list text NOT NULL,
        version integer NOT NULL, name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (list, version))`)
      for (const [list, ms] of [
        ['log', LOG_MIGRATIONS],
        ['store', STORE_MIGRATIONS],
      ] as const) {
        for (const m of ms.filter((x) => x.version <= lastVersion)) {
          await client.query(m.sql)
          await client.query('INSERT INTO inlet_migrations VALUES ($1, $2, $3)', [
            list,
            m.version,
            m.name,
          ])
        }
      }
      await seed(client)
    } finally {
      await client.end()
    }
  }

  describe('PostgreSQL migrations', () => {
    it('records each migration once, and reopening applies none again', async () => {
      const url = await freshUrl()
      await (await storeAt(url)).close()
      const applied = await query(url, 'SELECT list, version, name FROM inlet_migrations')
      const expected = [
        ...LOG_MIGRATIONS.map((m) => ({ list: 'log', version: m.version, name: m.name })),
        ...STORE_MIGRATIONS.map((m) => ({ list: 'store', version: m.version, name: m.name })),
      ]
      const byVersion = (rows: readonly Record<string, unknown>[]): string[] =>
        rows.map((r) => `${String(r['list'])}:${String(r['version'])}:${String(r['name'])}`).sort()
      assert.deepEqual(byVersion(applied), byVersion(expected))
      const [before] = await query(url, 'SELECT max(applied_at)::text AS at FROM inlet_migrations')
      await (await storeAt(url, { durability: 'os' })).close()
      assert.deepEqual(
        await query(url, 'SELECT list, version, name FROM inlet_migrations'),
        applied,
      )
      const [again] = await query(url, 'SELECT max(applied_at)::text AS at FROM inlet_migrations')
      assert.deepEqual(again, before)
    })

    it('migrates once when several processes open the same database together', async () => {
      const url = await freshUrl()
      const stores = await Promise.all([1, 2, 3].map(() => storeAt(url, { maxConnections: 2 })))
      try {
        await stores[0]?.workspaces.create(WORKSPACE)
        for (const store of stores) assert.deepEqual(await store.workspaces.list(), [WORKSPACE])
      } finally {
        await Promise.all(stores.map((s) => s.close()))
      }
      const [count] = await query(url, 'SELECT count(*)::int AS n FROM inlet_migrations')
      assert.equal(count?.['n'], LOG_MIGRATIONS.length + STORE_MIGRATIONS.length)
    })

    it('moves the events of an existing database into monthly partitions when upgrading', async (t) => {
      const url = await freshUrl()
      // The schema as it was before events were partitioned (every migration before 10).
      await schemaUpTo(url, 9, (client) =>
        client.query(
          `INSERT INTO events (seq, workspace_id, user_id, name, event_time, received_at,
             request_id) VALUES (1, $1, 'u1', 'Old', $2, $2, 'R1'), (2, $1, 'u1', 'New', $3, $3, 'R2')`,
          [WORKSPACE.id, Date.parse('2026-03-05T00:00:00Z'), Date.parse('2026-11-05T00:00:00Z')],
        ),
      )
      const store = await storeAt(url)
      t.after(() => store.close())
      assert.deepEqual(
        (await store.profiles.eventsOfUser(WORKSPACE.id, 'u1', 10)).map((e) => e.name),
        ['New', 'Old'],
      )
      const [kind] = await query(url, "SELECT relkind FROM pg_class WHERE oid = 'events'::regclass")
      assert.equal(kind?.['relkind'], 'p', 'events is a partitioned table')
      const [march] = await query(url, 'SELECT count(*)::int AS n FROM events_y2026m03')
      assert.equal(march?.['n'], 1)
    })

    it('reads the counts of a database migrated before windows had lengths as the minute’s', async (t) => {
      const url = await freshUrl()
      // The schema as the previous version left it (every migration up to 11), one minute counted.
      const { workspaceId, quota, used } = PRE_WINDOW_COUNT
      await schemaUpTo(url, 11, (client) =>
        client.query('INSERT INTO quota_windows VALUES ($1, $2, $3, $4, $4)', [
          workspaceId,
          quota,
          T0,
          used,
        ]),
      )
      const store = await storeAt(url, { durability: 'os' })
      t.after(() => store.close())
      await assertReadAsMinute(store, T0)
    })

    it('drops the unread events index of a database written before migration 19, events kept', async (t) => {
      const url = await freshUrl()
      await schemaUpTo(url, 18, async (client) => {
        // The month's partition, as the store makes it on its first event of the month.
        const month = Date.UTC(2026, 10, 1)
        await client.query(
          `CREATE TABLE events_y2026m11 PARTITION OF events
             FOR VALUES FROM (${month}) TO (${Date.UTC(2026, 11, 1)})`,
        )
        for (const row of PRE_19_EVENTS.rows(T0)) {
          await client.query(
            `INSERT INTO events (${PRE_19_EVENTS.columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [...row],
          )
        }
      })
      // The parent's index and each partition's, by their definition.
      const timeIndexes = async () =>
        (
          await query(
            url,
            `SELECT indexname FROM pg_indexes WHERE tablename LIKE 'events%'
               AND indexdef LIKE '%(workspace_id, event_time)'`,
          )
        ).length
      assert.ok((await timeIndexes()) >= 2, 'the old schema has the index on every partition')
      const store = await storeAt(url, { durability: 'os' })
      t.after(() => store.close())
      await assertEventsKept(store)
      assert.equal(await timeIndexes(), 0)
    })

    it('turns subscription attributes stored before migration 22 into preference records', async (t) => {
      const url = await freshUrl()
      await schemaUpTo(url, 21, async (client) => {
        for (const [ws, id, attributes] of PRE_LINK_USERS) {
          await client.query('INSERT INTO users VALUES ($1, $2, NULL, $3, $4, $4)', [
            ws,
            id,
            attributes,
            T0,
          ])
        }
        for (const name of PRE_LINK_CATEGORIES) {
          await client.query(
            "INSERT INTO subscription_categories VALUES ('W', $1, '', true, $2, $2)",
            [name, T0],
          )
        }
      })
      const store = await storeAt(url, { durability: 'os' })
      t.after(() => store.close())
      await assertLinkedMigrated(store, T0)
    })

    it('gives messages recorded before migration 25 their seq as rev, due for nothing', async (t) => {
      const url = await freshUrl()
      await schemaUpTo(url, 24, async (client) => {
        for (const row of PRE_25_OUTBOX(T0)) {
          await client.query(
            `INSERT INTO outbox OVERRIDING SYSTEM VALUE VALUES (${row.map((_, i) => `$${i + 1}`).join(', ')})`,
            [...row],
          )
        }
        await client.query("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), 2)")
      })
      const store = await storeAt(url, { durability: 'os' })
      t.after(() => store.close())
      await assertOutboxUpgraded(store, T0)
    })

    it('counts the accepted records of a log written before it kept counts per minute', async (t) => {
      const url = await freshUrl()
      // The log as the previous version left it (log migrations 1–4), with records in it.
      await schemaUpTo(url, 4, async (client) => {
        for (const row of PRE_COUNT_LOG(T0)) {
          await client.query('INSERT INTO log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)', [...row])
        }
        await client.query('UPDATE log_counter SET last_seq = 4')
      })
      const store = await storeAt(url, { durability: 'os' })
      t.after(() => store.close())
      await assertLogCounted(store, T0)
    })
  })
}
