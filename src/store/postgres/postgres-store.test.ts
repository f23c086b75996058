// The PostgreSQL adapter: the shared Store contract against a real PostgreSQL (TEST_DATABASE_URL,
// or a throwaway cluster from the installed binaries, each store in its own fresh schema), then
// what only this adapter has: migrations recorded and applied once (also by processes starting
// together), numbered in step with SQLite's, reopening, and the test-database guard.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pg from 'pg'
import { assertTestDatabase, startPostgres } from '../../../test/helpers/postgres.js'
import { loadConfig } from '../../config.js'
import { silentLogger } from '../../log.js'
import { startInlet } from '../../server.js'
import { aWorkspace, storeContract } from '../contract.js'
import * as sqlite from '../sqlite/migrations.js'
import type { NewLogRecord } from '../store.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS } from './migrations.js'
import { openStore } from '../open-store.js'
import { createPostgresStore } from './postgres-store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WORKSPACE = aWorkspace({ id: 'PGWS0000000000000001', name: 'PostgreSQL' })

function record(index: number): NewLogRecord {
  return {
    workspaceId: WORKSPACE.id,
    requestId: 'REQAAAAA',
    index,
    kind: 'customer',
    customerId: 'alice',
    receivedAt: T0,
    payload: '{}',
  }
}

describe('PostgreSQL migrations', () => {
  it('are numbered and named in step with SQLite’s, one list for both dialects', () => {
    const outline = (ms: readonly sqlite.Migration[]): string[] =>
      ms.map((m) => `${m.version} ${m.name}`)
    assert.deepEqual(outline(LOG_MIGRATIONS), outline(sqlite.LOG_MIGRATIONS))
    assert.deepEqual(outline(STORE_MIGRATIONS), outline(sqlite.STORE_MIGRATIONS))
  })
})

describe('the test-database guard', () => {
  it('refuses a database whose name does not mark it as a test database', () => {
    for (const url of [
      'postgres://u:p@db.example:5432/inlet',
      'postgres://u@localhost/production',
      'postgres://localhost',
      'postgres://localhost/',
      'not a url',
    ]) {
      assert.throws(() => assertTestDatabase(url), /test/, url)
    }
  })

  it('accepts one that does, and says which', () => {
    assert.equal(assertTestDatabase('postgres://u@localhost:5433/inlet_test'), 'inlet_test')
    assert.equal(assertTestDatabase('postgresql://localhost/TEST%20db?sslmode=disable'), 'TEST db')
  })
})

const postgres = await startPostgres()

if (postgres === undefined) {
  describe('PostgreSQL store', { skip: 'no PostgreSQL binaries and no TEST_DATABASE_URL' }, () => {
    it('runs the Store contract against a real PostgreSQL', () => undefined)
  })
} else {
  const freshUrl = postgres.freshUrl

  // One run: durability only changes a session setting (the reopen test below uses `os`).
  storeContract('postgres', async () =>
    createPostgresStore({ url: await freshUrl(), durability: 'fsync', maxConnections: 4 }),
  )

  /** Rows of `sql` in the schema of `url`, through a connection of its own. */
  async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<Record<string, unknown>>(sql)).rows
    } finally {
      await client.end()
    }
  }

  describe('PostgreSQL store', () => {
    it('records each migration once, and reopening applies none again', async () => {
      const url = await freshUrl()
      await (await createPostgresStore({ url, durability: 'fsync' })).close()
      const applied = await query(url, 'SELECT list, version, name FROM inlet_migrations')
      const expected = [
        ...LOG_MIGRATIONS.map((m) => ({ list: 'log', version: m.version, name: m.name })),
        ...STORE_MIGRATIONS.map((m) => ({ list: 'store', version: m.version, name: m.name })),
      ]
      const byVersion = (rows: readonly Record<string, unknown>[]): string[] =>
        rows.map((r) => `${String(r['list'])}:${String(r['version'])}:${String(r['name'])}`).sort()
      assert.deepEqual(byVersion(applied), byVersion(expected))
      const [before] = await query(url, 'SELECT max(applied_at)::text AS at FROM inlet_migrations')
      await (await createPostgresStore({ url, durability: 'os' })).close()
      assert.deepEqual(
        await query(url, 'SELECT list, version, name FROM inlet_migrations'),
        applied,
      )
      const [again] = await query(url, 'SELECT max(applied_at)::text AS at FROM inlet_migrations')
      assert.deepEqual(again, before)
    })

    it('migrates once when several processes open the same database together', async () => {
      const url = await freshUrl()
      const stores = await Promise.all(
        [1, 2, 3].map(() => createPostgresStore({ url, durability: 'fsync', maxConnections: 2 })),
      )
      try {
        await stores[0]?.workspaces.create(WORKSPACE)
        for (const store of stores) assert.deepEqual(await store.workspaces.list(), [WORKSPACE])
      } finally {
        await Promise.all(stores.map((s) => s.close()))
      }
      const [count] = await query(url, 'SELECT count(*)::int AS n FROM inlet_migrations')
      assert.equal(count?.['n'], LOG_MIGRATIONS.length + STORE_MIGRATIONS.length)
    })

    it('keeps everything when reopened', async () => {
      const url = await freshUrl()
      const first = await createPostgresStore({ url, durability: 'fsync' })
      await first.workspaces.create(WORKSPACE)
      await first.log.append([record(0), record(1), record(2)])
      const user = {
        workspaceId: WORKSPACE.id,
        id: '00000000000000000000000a',
        customerId: 'alice',
        // Key order is part of what Get User exports: stored as written, not as jsonb would.
        attributes: { zeta: 1, alpha: { y: 2, b: 1 }, __proto__x: 'p', '10': 'ten', '2': 'two' },
        createdAt: T0,
        updatedAt: T0,
      }
      await first.processing.commit({
        fromSeq: 0,
        toSeq: 2,
        users: [user],
        devices: [],
        deletedDevices: [],
        events: [],
        outcomes: [],
      })
      await first.close()

      const second = await createPostgresStore({ url, durability: 'os' })
      try {
        assert.deepEqual(await second.workspaces.get(WORKSPACE.id), WORKSPACE)
        assert.equal(await second.log.lastSeq(), 3)
        assert.deepEqual(
          (await second.log.readAfter(0, 10)).map((r) => r.index),
          [0, 1, 2],
        )
        assert.equal(await second.processing.cursor(), 2)
        const [found] = await second.profiles.findUsers(WORKSPACE.id, {
          customerIds: ['alice'],
          ids: [],
        })
        assert.deepEqual(found, user)
        assert.equal(JSON.stringify(found?.attributes), JSON.stringify(user.attributes))
        await second.log.append([record(3)])
        assert.equal(await second.log.lastSeq(), 4)
      } finally {
        await second.close()
      }
    })

    it('numbers appends without gaps, even after a failed append', async (t) => {
      const store = await createPostgresStore({ url: await freshUrl(), durability: 'fsync' })
      t.after(() => store.close())
      await store.log.append([record(0)])
      // A payload PostgreSQL refuses (a NUL byte in text) fails the whole append.
      await assert.rejects(store.log.append([record(1), { ...record(2), payload: '\u0000' }]))
      assert.equal(await store.log.lastSeq(), 1)
      await store.log.append([record(3)])
      assert.deepEqual(
        (await store.log.readAfter(0, 10)).map((r) => [r.seq, r.index]),
        [
          [1, 0],
          [2, 3],
        ],
      )
    })

    it('can be closed twice, and rejects work after closing', async () => {
      const store = await createPostgresStore({ url: await freshUrl(), durability: 'fsync' })
      await store.close()
      await store.close()
      await assert.rejects(store.log.append([record(0)]), /not open/)
      await assert.rejects(store.workspaces.list(), /not open/)
    })

    it('is the store Inlet opens when DATABASE_URL is set, SQLite otherwise', async (t) => {
      const url = await freshUrl()
      const store = await openStore({ dataDir: ':memory:', databaseUrl: url, durability: 'os' })
      t.after(() => store.close())
      assert.equal(store.kind, 'postgres')
      const embedded = await openStore({
        dataDir: ':memory:',
        databaseUrl: undefined,
        durability: 'os',
      })
      t.after(() => embedded.close())
      assert.equal(embedded.kind, 'sqlite')
    })

    it('serves a Track User and Get User end to end over PostgreSQL', async (t) => {
      const config = loadConfig({
        DATABASE_URL: await freshUrl(),
        INLET_DATA_DIR: '/nonexistent/inlet-must-not-be-created',
        INLET_PROCESSOR: 'false',
        INLET_LOG_LEVEL: 'silent',
        INLET_WORKSPACE_ID: 'PGSERVE0001',
        INLET_DATA_API_KEY: 'pg-serve-key-1',
      })
      const inlet = await startInlet(config, { log: silentLogger, listen: false })
      t.after(() => inlet.close())
      assert.equal(inlet.store.kind, 'postgres')
      const headers = {
        authorization: `Basic ${Buffer.from('PGSERVE0001:pg-serve-key-1').toString('base64')}`,
        'content-type': 'application/json',
      }
      const track = await inlet.app.inject({
        method: 'POST',
        url: '/v1/customer/PGSERVE0001',
        headers,
        payload: { type: 'customer', customer_id: 'john', attributes: { z: 1, a: 2 } },
      })
      assert.equal(track.statusCode, 200, track.body)
      await inlet.processor.drain()
      const get = await inlet.app.inject({
        method: 'POST',
        url: '/v1/customers/export?app_id=PGSERVE0001',
        headers,
        payload: {
          data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'john' }] },
        },
      })
      assert.equal(get.statusCode, 200, get.body)
      const body = get.json<{ data: { users: { user_attributes: Record<string, unknown> }[] } }>()
      const attributes = body.data.users[0]?.user_attributes ?? {}
      assert.equal(attributes['customer_id'], 'john')
      assert.deepEqual(
        Object.keys(attributes).filter((k) => k === 'z' || k === 'a'),
        ['z', 'a'],
        'attributes keep the order they were sent in',
      )
    })

    it('hands out only URLs of the test database', async () => {
      assertTestDatabase(postgres.url)
      assertTestDatabase(await freshUrl())
    })
  })
}
