/**
 * The PostgreSQL adapter's connection: it owns the `pg.Pool` — its size and time limits
 * (connecting, and each session's statement_timeout and idle_in_transaction_session_timeout, set
 * on each new connection), the migrations runner, transactions, and the wrapper every
 * repository's methods go through (work after close() fails plainly; a time limit's error names
 * its setting). TLS and the rest come from the URL and the server's configuration.
 */
import pg from 'pg'
import type { PoolClient } from 'pg'
import type { Durability } from '../../core/config.js'
import { noBulkRowExpander, type LogRowExpander } from '../store.js'
import { num, str, type Row } from '../rows.js'
import { StoreTimeoutError } from '../store-errors.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'

export type PostgresStoreOptions = Readonly<{
  /** `postgres://user:password@host:port/database?…` (libpq-style parameters, e.g. `options`). */
  url: string
  /**
   * `fsync`: commits wait for the server's WAL flush (its `synchronous_commit`, `on` by default);
   * `os`: this store's sessions use `synchronous_commit = off` (a server crash may lose the last
   * commits; a crash of Inlet loses nothing).
   */
  durability: Durability
  /** Most connections the pool opens (default 10). */
  maxConnections?: number
  /**
   * Longest wait, in ms, to open a connection or to get one from a full pool (INLET_DATABASE_
   * CONNECT_TIMEOUT_MS); 0 or absent: no limit.
   */
  connectTimeoutMs?: number
  /**
   * `statement_timeout` of every session, in ms (INLET_DATABASE_STATEMENT_TIMEOUT_MS); 0 or
   * absent: the server's setting. Migrations are exempt.
   */
  statementTimeoutMs?: number
  /** `idle_in_transaction_session_timeout` of every session, in ms; 0 or absent: the server's. */
  idleInTransactionTimeoutMs?: number
  /**
   * Most log rows one compaction statement deletes (default 10,000): compaction deletes in
   * statements of this many, so a backlog of millions never meets `statement_timeout` or holds
   * one long transaction.
   */
  logCompactChunkRows?: number
  /**
   * Expands Bulk rows (the Data family's families/data/bulk-rows.ts, injected by the composition
   * root; without it an append of a Bulk row fails with noBulkRowExpander's error), which this
   * store does not keep as rows:
   * append stores their records, one row each (its seqs come from one counter per append).
   */
  expandRow?: LogRowExpander
}>

/** A pooled connection or the pool itself: what a statement runs on. */
export type Queryable = Pick<PoolClient, 'query'>

/** What every repository of the adapter is built on. */
export type PostgresConnection = Readonly<{
  pool: pg.Pool
  /** The Bulk-row expander (PostgresStoreOptions.expandRow). */
  expandRow: LogRowExpander
  /** PostgresStoreOptions.logCompactChunkRows, defaulted. */
  logCompactChunkRows: number
  /** Runs a public method's work: refused after close(), time limits' errors explained. */
  open<T>(fn: () => Promise<T>): Promise<T>
  /** A public read (through `open`): the rows of one statement on the pool, each mapped. */
  all<T>(text: string, values: readonly unknown[], map: (row: Row) => T): Promise<T[]>
  /** A public read of one row (undefined when there is none), mapped. */
  one<T>(text: string, values: readonly unknown[], map: (row: Row) => T): Promise<T | undefined>
  close(): Promise<void>
}>

/** The rows of one statement. */
export async function rows(
  db: Queryable,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  return (await db.query<Row>(text, [...values])).rows
}

/** The migration lists by the name under which `inlet_migrations` records them. */
const MIGRATION_LISTS: readonly (readonly [string, readonly Migration[]])[] = [
  ['log', LOG_MIGRATIONS],
  ['store', STORE_MIGRATIONS],
]

/**
 * A pg Client that runs `SET …` for each of `session` once connected, before the pool hands it
 * out: every query of ours runs with them, and none is sent while the SET runs (pg deprecates a
 * query sent to a client that is still executing one, and pg@9 refuses it).
 */
function clientWithSession(session: readonly string[]): typeof pg.Client {
  const sql = session.map((s) => `SET ${s}`).join('; ')
  return class SessionClient extends pg.Client {
    override connect(): Promise<pg.Client>
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void
    override connect(
      callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void),
    ): Promise<pg.Client> | void {
      const ready = super.connect().then(async (client) => {
        await this.query(sql)
        return client
      })
      if (callback === undefined) return ready
      // pg-pool connects with a callback: called with no error once the SET has run.
      const done = callback as (err: Error | null, c?: pg.Client) => void
      ready.then(
        (client) => done(null, client),
        (err: Error) => done(err),
      )
    }
  }
}

/** Opens the pool with this store's session settings and migrates the database. */
export async function openPostgres(options: PostgresStoreOptions): Promise<PostgresConnection> {
  // Session settings, by SET on each new connection rather than as startup parameters: PgBouncer
  // refuses startup parameters it does not know (docs/deploying.md).
  const session = [
    ...(options.durability === 'os' ? ['synchronous_commit = off'] : []),
    ...((options.statementTimeoutMs ?? 0) > 0
      ? [`statement_timeout = ${Math.trunc(options.statementTimeoutMs ?? 0)}`]
      : []),
    ...((options.idleInTransactionTimeoutMs ?? 0) > 0
      ? [
          `idle_in_transaction_session_timeout = ${Math.trunc(options.idleInTransactionTimeoutMs ?? 0)}`,
        ]
      : []),
  ]
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...((options.connectTimeoutMs ?? 0) > 0
      ? { connectionTimeoutMillis: options.connectTimeoutMs }
      : {}),
    ...(session.length > 0 ? { Client: clientWithSession(session) } : {}),
  })
  // An idle connection that the server drops emits 'error' on the pool; without a listener that
  // would crash the process. The pool discards the connection and the next query opens another.
  pool.on('error', () => undefined)
  const explain = explainer(options)
  try {
    await migrate(pool)
  } catch (err) {
    await pool.end()
    throw explain(err)
  }
  let closed = false
  const open = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new Error('The PostgreSQL store is not open'))
    return fn().catch((err: unknown) => {
      throw explain(err)
    })
  }
  return {
    pool,
    expandRow: options.expandRow ?? noBulkRowExpander,
    logCompactChunkRows: options.logCompactChunkRows ?? 10_000,
    open,
    all: (text, values, map) => open(async () => (await rows(pool, text, values)).map(map)),
    one: (text, values, map) =>
      open(async () => {
        const [row] = await rows(pool, text, values)
        return row === undefined ? undefined : map(row)
      }),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

/** SQLSTATE query_canceled: here, a statement past its statement_timeout. */
const QUERY_CANCELED = '57014'

/**
 * Tells the errors of this store's time limits in terms of the settings that set them (the
 * driver's own messages name no setting); other errors pass unchanged.
 */
function explainer(options: PostgresStoreOptions): (err: unknown) => unknown {
  return (err) => {
    if (!(err instanceof Error)) return err
    if (
      err instanceof pg.DatabaseError &&
      err.code === QUERY_CANCELED &&
      /statement timeout/i.test(err.message)
    ) {
      return new StoreTimeoutError(
        `PostgreSQL cancelled a statement that ran longer than ${options.statementTimeoutMs} ms (INLET_DATABASE_STATEMENT_TIMEOUT_MS): ${err.message}`,
        { cause: err },
      )
    }
    if (err.message === 'Connection terminated due to connection timeout') {
      return new StoreTimeoutError(
        `could not connect to PostgreSQL within ${options.connectTimeoutMs} ms (INLET_DATABASE_CONNECT_TIMEOUT_MS)`,
        { cause: err },
      )
    }
    if (err.message === 'timeout exceeded when trying to connect') {
      return new StoreTimeoutError(
        `no PostgreSQL connection was free or could be opened within ${options.connectTimeoutMs} ms (INLET_DATABASE_CONNECT_TIMEOUT_MS; the pool holds ${options.maxConnections ?? 10}, INLET_DATABASE_POOL_SIZE)`,
        { cause: err },
      )
    }
    return err
  }
}

/**
 * Applies every migration not yet recorded in `inlet_migrations`, all in one transaction (DDL is
 * transactional here), under an advisory lock so that processes starting together migrate once.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  await transaction(pool, 'BEGIN', async (c) => {
    // A migration (or waiting for another process's) takes as long as it takes: a statement
    // timeout would fail every start while the schema is being rewritten.
    await c.query('SET LOCAL statement_timeout = 0')
    await c.query(
      "SELECT pg_advisory_xact_lock(hashtext('inlet migrations ' || coalesce(current_schema(), '')))",
    )
    await c.query(`
      CREATE TABLE IF NOT EXISTS inlet_migrations (
        list text NOT NULL,
        version integer NOT NULL,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (list, version)
      )`)
    const applied = new Set(
      (await c.query<Row>('SELECT list, version FROM inlet_migrations')).rows.map(
        (r) => `${str(r['list'])}:${num(r['version'])}`,
      ),
    )
    for (const [list, migrations] of MIGRATION_LISTS) {
      for (const m of migrations) {
        if (applied.has(`${list}:${m.version}`)) continue
        await c.query(m.sql)
        await c.query('INSERT INTO inlet_migrations (list, version, name) VALUES ($1, $2, $3)', [
          list,
          m.version,
          m.name,
        ])
      }
    }
  })
}

/** Runs `fn` in a transaction on one pooled connection: COMMIT on success, ROLLBACK on a throw. */
export async function transaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  // A checked-out client whose server goes away (a restart, a stop) emits 'error'; the pool's own
  // listener covers idle clients only, and an unheard 'error' would crash the process. The query
  // in progress fails too, so the transaction throws; the client is then dropped, not reused.
  const onError = (err: Error): void => {
    broken = err
  }
  client.on('error', onError)
  try {
    await client.query(begin)
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (rollbackError) {
      // The connection is unusable: the pool must drop it rather than hand it out again.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))
    }
    throw err
  } finally {
    client.removeListener('error', onError)
    client.release(broken)
  }
}
