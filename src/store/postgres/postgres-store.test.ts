// The PostgreSQL adapter: the shared Store contract against a real PostgreSQL (TEST_DATABASE_URL,
// or a throwaway cluster from the installed binaries, each store in its own fresh schema), then
// what only this adapter has besides its migrations (postgres-migrations.test.ts): seqs without
// gaps and never out of order, monthly partitions, being the store DATABASE_URL opens, time
// limits, and the test-database guard. Reopening is the contract's (its reopen hook).
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import pg from 'pg'
import { assertTestDatabase, startPostgres } from '../../../test/helpers/postgres.js'
import { batchChanges } from '../../../test/helpers/batches.js'
import { queryRows as query } from '../../../test/helpers/pg-query.js'
import { loadConfig } from '../../core/config.js'
import { silentLogger } from '../../core/log.js'
import { startInlet } from '../../server/server.js'
import {
  aLogRecord,
  anEvent,
  aWorkspace,
  reopenable,
  storeContract,
} from '../../../test/store/contract.js'
import { StoreTimeoutError, isStoreUnavailable } from '../store-errors.js'
import type { NewLogRecord, Store } from '../store.js'
import { openStore } from '../open-store.js'
import { createPostgresStore, type PostgresStoreOptions } from './postgres-store.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WORKSPACE = aWorkspace({ id: 'PGWS0000000000000001', name: 'PostgreSQL' })

/** A record of the adapter's own workspace, read back with payload `{}`. */
const record = (index: number): NewLogRecord =>
  aLogRecord({ workspaceId: WORKSPACE.id, index, payload: '{}' })

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

  /** A store of the schema of `url`, durability `fsync` unless `more` says otherwise. */
  const storeAt = (url: string, more: Partial<PostgresStoreOptions> = {}): Promise<Store> =>
    createPostgresStore({ expandRow: expandBulkRow, url, durability: 'fsync', ...more })

  // One run: durability only changes a session setting. Reopened: in the same schema.
  storeContract(
    'postgres',
    reopenable(freshUrl, (url) => storeAt(url, { maxConnections: 4 })),
  )

  describe('PostgreSQL store', () => {
    it('numbers appends without gaps, even after a failed append', async (t) => {
      const store = await storeAt(await freshUrl())
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
      const store = await storeAt(await freshUrl())
      await store.close()
      await store.close()
      await assert.rejects(store.log.append([record(0)]), /not open/)
      await assert.rejects(store.workspaces.list(), /not open/)
    })

    it('is the store Inlet opens when DATABASE_URL is set, SQLite otherwise', async (t) => {
      const url = await freshUrl()
      const store = await openStore(
        { dataDir: ':memory:', databaseUrl: url, durability: 'os' },
        expandBulkRow,
      )
      t.after(() => store.close())
      assert.equal(store.kind, 'postgres')
      const embedded = await openStore(
        { dataDir: ':memory:', databaseUrl: undefined, durability: 'os' },
        expandBulkRow,
      )
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

    it('never lets a later append become visible while an earlier one is still committing', async (t) => {
      const url = await freshUrl()
      const store = await storeAt(url, { maxConnections: 2 })
      t.after(() => store.close())
      // Another API process's append, held open between taking its seq and committing: with a
      // sequence, a second append would commit seq 2 meanwhile and a reader at cursor 0 would
      // see 2 before 1. The counter's row lock makes the second append wait instead.
      const slow = new pg.Client({ connectionString: url })
      await slow.connect()
      t.after(() => slow.end())
      await slow.query('BEGIN')
      await slow.query(
        `WITH counter AS (UPDATE log_counter SET last_seq = last_seq + 1 RETURNING last_seq)
         INSERT INTO log (seq, workspace_id, request_id, idx, kind, customer_id, received_at,
           payload)
         SELECT last_seq, $1, 'REQSLOW', 0, 'customer', 'alice', $2, '{}' FROM counter`,
        [WORKSPACE.id, T0],
      )
      let secondDone = false
      const second = store.log.append([record(7)]).then(() => (secondDone = true))
      // The sign that it waits, rather than a sleep: PostgreSQL reports a backend blocked by the
      // open transaction (the second append, on the counter's row lock).
      const slowPid = (await slow.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
        ?.pid
      for (let polls = 0; ; polls++) {
        assert.equal(secondDone, false, 'the second append waits for the first to commit')
        const blocked = await slow.query(
          'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [slowPid],
        )
        if (blocked.rowCount === 1) break
        assert.ok(polls < 1_000, 'the second append never waited on the first')
        await new Promise((r) => setTimeout(r, 10))
      }
      assert.equal(secondDone, false, 'the second append waits for the first to commit')
      assert.deepEqual(await store.log.readAfter(0, 10), [])
      await slow.query('COMMIT')
      await second
      assert.deepEqual(
        (await store.log.readAfter(0, 10)).map((r) => [r.seq, r.requestId]),
        [
          [1, 'REQSLOW'],
          [2, 'REQAAAAA'],
        ],
      )
    })

    it('shows a reader no gap while several processes append at once', async (t) => {
      const url = await freshUrl()
      const writers = await Promise.all([1, 2, 3].map(() => storeAt(url, { maxConnections: 3 })))
      const reader = await storeAt(url, { maxConnections: 1 })
      t.after(() => Promise.all([...writers, reader].map((s) => s.close())))
      const perWriter = 40
      let done = 0
      const appends = Promise.all(
        writers.flatMap((w) =>
          Array.from({ length: perWriter }, (_, i) =>
            w.log.append([record(i), record(i + 1000)]).then(() => done++),
          ),
        ),
      )
      let cursor = 0
      for (let round = 0; round < 20_000 && cursor < writers.length * perWriter * 2; round++) {
        for (const r of await reader.log.readAfter(cursor, 1000)) {
          assert.equal(r.seq, cursor + 1, `after ${cursor} the reader saw ${r.seq}`)
          cursor = r.seq
        }
        if (done === writers.length * perWriter && cursor === (await reader.log.lastSeq())) break
      }
      await appends
      assert.equal(cursor, writers.length * perWriter * 2)
    })

    it('keeps events in monthly partitions, made as needed with the next month ahead, and drops whole ones for retention', async (t) => {
      const url = await freshUrl()
      const store = await storeAt(url)
      t.after(() => store.close())
      const partitions = async (): Promise<string[]> =>
        (
          await query(
            url,
            `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass ORDER BY 1`,
          )
        ).map((r) => String(r['relname']))
      assert.deepEqual(await partitions(), [])
      const event = (seq: number, iso: string) =>
        anEvent({ seq, workspaceId: WORKSPACE.id, userId: 'u1', eventTime: Date.parse(iso) })
      await store.processing.commit(
        batchChanges({
          toSeq: 3,
          events: [
            event(1, '2025-02-10T00:00:00Z'),
            event(2, '2026-11-30T23:59:59.999Z'),
            event(3, '2026-11-01T00:00:00Z'),
          ],
        }),
      )
      assert.deepEqual(await partitions(), [
        'events_y2025m02',
        'events_y2025m03',
        'events_y2026m11',
        'events_y2026m12',
      ])
      const [counts] = await query(
        url,
        `SELECT (SELECT count(*) FROM events_y2026m11)::int AS nov,
           (SELECT count(*) FROM events_y2025m02)::int AS feb`,
      )
      assert.deepEqual(counts, { nov: 2, feb: 1 })
      await store.processing.expireEvents(Date.parse('2026-01-15T00:00:00Z'))
      assert.deepEqual(await partitions(), ['events_y2026m11', 'events_y2026m12'])
      assert.deepEqual(
        (await store.profiles.eventsOfUser(WORKSPACE.id, 'u1', 10)).map((e) => e.seq),
        [2, 3],
      )
    })

    it('hands out only URLs of the test database', async () => {
      assertTestDatabase(postgres.url)
      assertTestDatabase(await freshUrl())
    })
  })

  describe('PostgreSQL time limits (INLET_DATABASE_*_TIMEOUT_MS)', () => {
    const batch = batchChanges({ toSeq: 1 })
    /** What `work` came to within `ms`: its value, its error, or 'still waiting'. */
    const within = (ms: number, work: Promise<unknown>): Promise<unknown> =>
      Promise.race([work.catch((err: unknown) => err), delay(ms).then(() => 'still waiting')])

    /** A second session holding the cursor's row lock, as a processor hung mid-commit would. */
    async function cursorLocked(url: string): Promise<() => Promise<void>> {
      const other = new pg.Client({ connectionString: url })
      await other.connect()
      await other.query('BEGIN')
      await other.query("SELECT value FROM processor_state WHERE name = 'cursor' FOR UPDATE")
      return async () => {
        await other.query('ROLLBACK')
        await other.end()
      }
    }

    it('cancels a statement past INLET_DATABASE_STATEMENT_TIMEOUT_MS, naming it', async () => {
      const url = await freshUrl()
      const config = loadConfig({ DATABASE_URL: url, INLET_DATABASE_STATEMENT_TIMEOUT_MS: '300' })
      const store = await openStore(config, expandBulkRow)
      const release = await cursorLocked(url)
      try {
        // The commit waits for the row lock; the timeout cuts the wait, where nothing else would.
        const outcome = await within(10_000, store.processing.commit(batch))
        assert.ok(outcome instanceof StoreTimeoutError, `got ${String(outcome)}`)
        assert.match(
          outcome.message,
          /^PostgreSQL cancelled a statement that ran longer than 300 ms \(INLET_DATABASE_STATEMENT_TIMEOUT_MS\): canceling statement due to statement timeout$/,
        )
        // 503 store_unavailable on the request path; retried by the processor.
        assert.equal(isStoreUnavailable(outcome), true)
      } finally {
        await release()
      }
      try {
        // Nothing of the cancelled commit was written, and the store keeps working.
        assert.equal(await store.processing.cursor(), 0)
        await store.processing.commit(batch)
        assert.equal(await store.processing.cursor(), 1)
      } finally {
        await store.close()
      }
    })

    it('sets the session on each new connection before any query of ours runs on it', async (t) => {
      const warnings: string[] = []
      const listen = (w: Error): void => void warnings.push(w.message)
      process.on('warning', listen)
      t.after(() => process.off('warning', listen))
      const url = await freshUrl()
      const store = await createPostgresStore({
        url,
        durability: 'os',
        statementTimeoutMs: 4321,
        maxConnections: 4,
      })
      try {
        // Eight reads at once open four new connections, each asked at once for a query.
        await Promise.all(Array.from({ length: 8 }, () => store.processing.cursor()))
        await new Promise((r) => setImmediate(r)) // warnings are emitted on the next tick
        assert.deepEqual(
          warnings.filter((w) => /already executing a query/.test(w)),
          [],
          'pg: no query sent to a client still running the SET',
        )
      } finally {
        await store.close()
      }
    })

    it('lets a start wait for another process’s migration, whatever the statement timeout', async () => {
      const url = await freshUrl()
      const other = new pg.Client({ connectionString: url })
      await other.connect()
      try {
        await other.query('BEGIN')
        // The lock migrate() takes: another process is migrating this schema.
        await other.query(
          "SELECT pg_advisory_xact_lock(hashtext('inlet migrations ' || coalesce(current_schema(), '')))",
        )
        const opening = createPostgresStore({ url, durability: 'fsync', statementTimeoutMs: 100 })
        assert.equal(await within(600, opening), 'still waiting')
        await other.query('COMMIT')
        const store = await opening
        await store.close()
      } finally {
        await other.end()
      }
    })

    it('gives up connecting after INLET_DATABASE_CONNECT_TIMEOUT_MS, naming it', async (t) => {
      // A server that accepts connections and never answers: the connection neither opens nor fails.
      const sockets: Socket[] = []
      const silent = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      t.after(() => {
        for (const socket of sockets) socket.destroy()
        silent.close()
      })
      const { port } = silent.address() as AddressInfo // listening on a TCP port
      const opening = createPostgresStore({
        url: `postgres://inlet@127.0.0.1:${port}/inlet_test`,
        durability: 'fsync',
        connectTimeoutMs: 300,
      })
      const outcome = await within(10_000, opening)
      assert.ok(outcome instanceof StoreTimeoutError, `got ${String(outcome)}`)
      assert.equal(
        outcome.message,
        'could not connect to PostgreSQL within 300 ms (INLET_DATABASE_CONNECT_TIMEOUT_MS)',
      )
      assert.equal(isStoreUnavailable(outcome), true)
    })

    it('gives up waiting for a connection of a full pool after the connect timeout', async () => {
      const url = await freshUrl()
      const store = await createPostgresStore({
        url,
        durability: 'fsync',
        maxConnections: 1,
        // Long enough for the store's own opening (connect, migrations) on a busy machine.
        connectTimeoutMs: 2_000,
      })
      const release = await cursorLocked(url)
      // The pool's one connection waits in a commit (no statement timeout here).
      const stuck = store.processing.commit(batch)
      try {
        for (let waiting = 0, tries = 0; waiting === 0 && tries < 500; tries++, await delay(20)) {
          const [row] = await query(
            url,
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
          )
          waiting = Number(row?.['n'])
        }
        const outcome = await within(10_000, store.processing.cursor())
        assert.ok(outcome instanceof StoreTimeoutError, `got ${String(outcome)}`)
        assert.match(
          outcome.message,
          /^no PostgreSQL connection was free or could be opened within 2000 ms \(INLET_DATABASE_CONNECT_TIMEOUT_MS; the pool holds 1/,
        )
        assert.equal(isStoreUnavailable(outcome), true)
      } finally {
        await release()
        await stuck
        await store.close()
      }
    })
  })
}
