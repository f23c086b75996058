/**
 * The PostgreSQL store: the Store interface over one `pg.Pool`, for deployments that outgrow one
 * machine's SQLite files. It owns the SQL of this dialect, its migrations runner and the mapping
 * between rows and the Store's row types; storage semantics are the contract's (store/contract.ts),
 * shared with the SQLite adapter. Of the connection it owns the pool's size and time limits
 * (connecting, and each session's statement_timeout and idle_in_transaction_session_timeout);
 * TLS and the rest come from the URL and the server's configuration.
 *
 * Round trips are what cost here, so each operation is a few set-based statements (arrays through
 * `unnest`) whatever the number of rows: an append is one statement, a batch commit about ten.
 */
import pg from 'pg'
import type { PoolClient } from 'pg'
import type { Durability } from '../../core/config.js'
import {
  BULK_ROW_KIND,
  StoreConflictError,
  type BatchChanges,
  type BatchSnapshot,
  type DeviceRow,
  type EventChange,
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
  type Workspace,
  type WorkspacePatch,
} from '../store.js'
// The one thing the store knows of the wire: how a Bulk row's records are derived.
import { StoreTimeoutError } from '../store-errors.js'
import { snapshotNeeds } from '../snapshot-rules.js'
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'
import { postgresQuotaRepo } from './postgres-quotas.js'
import {
  num,
  str,
  toDeletion,
  toDevice,
  toEvent,
  toGdprRequest,
  toIdentityLink,
  toLogRecord,
  toMerge,
  toOutcome,
  toSuppression,
  toUser,
  toWorkspace,
  type Row,
} from '../rows.js'

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
   * Expands Bulk rows (the Data family's families/data/bulk-rows.ts, injected by the composition
   * root; without it an append of a Bulk row fails with noBulkRowExpander's error), which this
   * store does not keep as rows:
   * append stores their records, one row each (its seqs come from one counter per append).
   */
  expandRow?: LogRowExpander
}>

type Queryable = Pick<PoolClient, 'query'>

/** The migration lists by the name under which `inlet_migrations` records them. */
const MIGRATION_LISTS: readonly (readonly [string, readonly Migration[]])[] = [
  ['log', LOG_MIGRATIONS],
  ['store', STORE_MIGRATIONS],
]

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
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
  })
  // An idle connection that the server drops emits 'error' on the pool; without a listener that
  // would crash the process. The pool discards the connection and the next query opens another.
  pool.on('error', () => undefined)
  if (session.length > 0) {
    // Queued on the new connection before any query of ours, so it is in force for all of them.
    pool.on('connect', (client) => {
      client.query(session.map((s) => `SET ${s}`).join('; ')).catch(() => undefined)
    })
  }
  const explain = explainer(options)
  try {
    await migrate(pool)
  } catch (err) {
    await pool.end()
    throw explain(err)
  }
  return storeOver(pool, options.expandRow ?? noBulkRowExpander, explain)
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
async function transaction<T>(
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

/** A (workspace, key) pair as one string, for sets and maps. */
const pairKey = (workspaceId: string, key: string | number): string => `${workspaceId}\u0000${key}`

/** Distinct (workspace, key) pairs as the two parallel arrays `unnest` takes. */
class Pairs<K extends string | number> {
  readonly #seen = new Set<string>()
  readonly workspaceIds: string[] = []
  readonly keys: K[] = []
  add(workspaceId: string, key: K): void {
    const k = pairKey(workspaceId, key)
    if (this.#seen.has(k)) return
    this.#seen.add(k)
    this.workspaceIds.push(workspaceId)
    this.keys.push(key)
  }
  get size(): number {
    return this.keys.length
  }
}

/**
 * One row per key where the SQLite adapter writes row after row: a multi-row upsert may not touch
 * the same row twice. `merge(first, later)` says what writing `later` over `first` leaves.
 */
function collapse<T>(
  rows: readonly T[],
  key: (row: T) => string,
  merge: (first: T, later: T) => T,
): T[] {
  const byKey = new Map<string, T>()
  for (const row of rows) {
    const k = key(row)
    const first = byKey.get(k)
    byKey.set(k, first === undefined ? row : merge(first, row))
  }
  return [...byKey.values()]
}

const SQL = {
  // Seqs come from a one-row counter rather than a sequence: the counter's row lock is held until
  // commit, so appends commit in seq order and a reader never sees seq n+1 before seq n (which a
  // sequence allows, letting the processor skip a record), and a rolled-back append leaves no gap
  // (lastSeq − cursor is the lag). One statement: one round trip, its own transaction.
  append: `
    WITH counter AS (
      UPDATE log_counter SET last_seq = last_seq + $8::bigint
      RETURNING last_seq - $8::bigint AS base
    )
    INSERT INTO log (seq, workspace_id, request_id, idx, kind, customer_id, received_at, payload)
    SELECT counter.base + r.ord, r.workspace_id, r.request_id, r.idx, r.kind, r.customer_id,
      r.received_at, r.payload
    FROM counter,
      unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[])
        WITH ORDINALITY AS r(workspace_id, request_id, idx, kind, customer_id, received_at,
          payload, ord)`,
  wsInsert: `
    INSERT INTO workspaces (id, name, key_hash, key_salt, state, settings, created_at, updated_at,
      prev_key_hash, prev_key_salt, prev_key_expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  usersByCustomer: `
    SELECT u.* FROM users u
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, customer_id)
      ON u.workspace_id = k.workspace_id AND u.customer_id = k.customer_id`,
  usersById: `
    SELECT u.* FROM users u
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, id)
      ON u.workspace_id = k.workspace_id AND u.id = k.id`,
  devicesById: `
    SELECT d.* FROM devices d
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, device_id)
      ON d.workspace_id = k.workspace_id AND d.device_id = k.device_id`,
  devicesOfUsers: `
    SELECT d.* FROM devices d
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON d.workspace_id = k.workspace_id AND d.user_id = k.user_id
    ORDER BY d.created_at, d.device_id COLLATE "C"`,
  eventCountsOfUsers: `
    SELECT e.workspace_id, e.user_id, count(*) AS n FROM events e
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON e.workspace_id = k.workspace_id AND e.user_id = k.user_id
    GROUP BY e.workspace_id, e.user_id`,
  usersByIdentity: `
    SELECT DISTINCT u.* FROM users u
    JOIN identities i ON i.workspace_id = u.workspace_id AND i.user_id = u.id
    JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(workspace_id, name, value)
      ON i.workspace_id = k.workspace_id AND i.name = k.name AND i.value = k.value`,
  identityLinksOfUsers: `
    SELECT i.workspace_id, i.user_id, i.name, i.value FROM identities i
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON i.workspace_id = k.workspace_id AND i.user_id = k.user_id
    ORDER BY i.user_id COLLATE "C", i.name COLLATE "C", i.value COLLATE "C"`,
  identitiesReplace: `
    WITH k AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)),
      gone AS (
        DELETE FROM identities i USING k
        WHERE i.workspace_id = k.workspace_id AND i.user_id = k.user_id
      )
    SELECT 1`,
  identitiesInsert: `
    INSERT INTO identities (workspace_id, name, value, user_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    ON CONFLICT DO NOTHING`,
  mergesById: `
    SELECT m.* FROM merges m
    JOIN unnest($1::text[], $2::bigint[]) AS k(workspace_id, id)
      ON m.workspace_id = k.workspace_id AND m.id = k.id`,
  // The failed attempts of the records acked here are forgotten in the same round trip.
  moveCursor: `
    WITH forgotten AS (DELETE FROM processor_failures WHERE seq <= $2)
    UPDATE processor_state SET value = $2 WHERE name = 'cursor' AND value = $1`,
  leaseTake: `
    INSERT INTO processor_leases (name, owner, expires_at) VALUES ('processor', $1, $2)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE processor_leases.owner = excluded.owner OR processor_leases.expires_at <= $3
    RETURNING owner`,
  leaseRelease: `DELETE FROM processor_leases WHERE name = 'processor' AND owner = $1`,
  failureRecord: `
    INSERT INTO processor_failures (seq, attempts, last_error, at) VALUES ($1, 1, $2, $3)
    ON CONFLICT (seq) DO UPDATE SET attempts = processor_failures.attempts + 1,
      last_error = excluded.last_error, at = excluded.at
    RETURNING attempts`,
  partitionLock: `SELECT pg_advisory_xact_lock(hashtext('inlet partitions ' || current_schema()))`,
  partitions: `
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass`,
  cursor: `SELECT value FROM processor_state WHERE name = 'cursor'`,
  usersUpsert: `
    INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
      $6::bigint[])
    ON CONFLICT (workspace_id, id) DO UPDATE SET customer_id = excluded.customer_id,
      attributes = excluded.attributes, updated_at = excluded.updated_at`,
  devicesDelete: `
    DELETE FROM devices d USING unnest($1::text[], $2::text[]) AS k(workspace_id, device_id)
    WHERE d.workspace_id = k.workspace_id AND d.device_id = k.device_id`,
  devicesUpsert: `
    INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
      created_at, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::bigint[], $8::bigint[])
    ON CONFLICT (workspace_id, device_id) DO UPDATE SET user_id = excluded.user_id,
      platform = excluded.platform, push_id = excluded.push_id,
      attributes = excluded.attributes, updated_at = excluded.updated_at`,
  eventsInsert: `
    INSERT INTO events (seq, workspace_id, user_id, name, device_id, platform, app_version,
      event_time, user_time, received_at, request_id, attributes)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], $12::text[])
    ON CONFLICT (seq, event_time) DO NOTHING`,
  eventsMove: `
    UPDATE events e SET user_id = k.user_id
    FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(workspace_id, seq, user_id)
    WHERE e.workspace_id = k.workspace_id AND e.seq = k.seq`,
  eventsDelete: `
    DELETE FROM events e USING unnest($1::text[], $2::bigint[]) AS k(workspace_id, seq)
    WHERE e.workspace_id = k.workspace_id AND e.seq = k.seq`,
  mergesUpsert: `
    INSERT INTO merges (workspace_id, id, request_id, retained_user_id, merged_user_id, at, before,
      undone_at)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
      $6::bigint[], $7::text[], $8::bigint[])
    ON CONFLICT (workspace_id, id) DO UPDATE SET undone_at = excluded.undone_at`,
  usersDelete: `
    WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)),
      devices_gone AS (
        DELETE FROM devices d USING k WHERE d.workspace_id = k.workspace_id AND d.user_id = k.user_id
      ),
      deletions_gone AS (
        DELETE FROM pending_deletions p USING k
        WHERE p.workspace_id = k.workspace_id AND p.user_id = k.user_id
      ),
      identities_gone AS (
        DELETE FROM identities i USING k
        WHERE i.workspace_id = k.workspace_id AND i.user_id = k.user_id
      )
    DELETE FROM users u USING k WHERE u.workspace_id = k.workspace_id AND u.id = k.user_id`,
  // A deleted user's events: after the batch's event changes, which may have given it some.
  usersEventsDelete: `
    DELETE FROM events e USING unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
    WHERE e.workspace_id = k.workspace_id AND e.user_id = k.user_id`,
  // EventChange 'merge', for merges whose users are all distinct: each moves every event of its
  // merged user made before its record, and the merge keeps their seqs.
  eventsMerge: `
    WITH k AS (
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
        AS k(workspace_id, merge_id, from_user, to_user, before_seq)
    ),
    moved AS (
      UPDATE events e SET user_id = k.to_user FROM k
      WHERE e.workspace_id = k.workspace_id AND e.user_id = k.from_user
        AND abs(e.seq) < k.before_seq
      RETURNING e.workspace_id, k.merge_id, e.seq
    )
    INSERT INTO merge_events (workspace_id, merge_id, seq) SELECT * FROM moved
    ON CONFLICT DO NOTHING`,
  // EventChange 'unmerge': the merge's kept events still with the retained user go back.
  eventsUnmerge: `
    WITH forgotten AS (
      DELETE FROM merge_events WHERE workspace_id = $1 AND merge_id = $2 RETURNING seq
    )
    UPDATE events e SET user_id = $4 FROM forgotten f
    WHERE e.workspace_id = $1 AND e.user_id = $3 AND e.seq = f.seq`,
  deletionsInsert: `
    INSERT INTO pending_deletions (workspace_id, user_id, due_at, request_id, seq)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
    ON CONFLICT (workspace_id, user_id) DO NOTHING`,
  deletionsDue: `
    SELECT * FROM pending_deletions WHERE due_at <= $1 ORDER BY due_at, seq LIMIT $2`,
  outcomesUpsert: `
    INSERT INTO record_outcomes (seq, workspace_id, request_id, idx, kind, outcome, reason, at)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
      $7::text[], $8::bigint[])
    ON CONFLICT (seq) DO UPDATE SET workspace_id = excluded.workspace_id,
      request_id = excluded.request_id, idx = excluded.idx, kind = excluded.kind,
      outcome = excluded.outcome, reason = excluded.reason, at = excluded.at`,
  mergesDelete: `
    WITH k AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS k(workspace_id, id)),
      moved_gone AS (
        DELETE FROM merge_events x USING k
        WHERE x.workspace_id = k.workspace_id AND x.merge_id = k.id
      )
    DELETE FROM merges m USING k WHERE m.workspace_id = k.workspace_id AND m.id = k.id`,
  outcomesRedact: `
    UPDATE record_outcomes o
    SET reason = CASE WHEN o.outcome = 'applied' THEN k.notes ELSE k.reason END
    FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(seq, reason, notes)
    WHERE o.seq = k.seq`,
  logRedact: `
    UPDATE log l SET payload = k.payload, customer_id = NULL
    FROM unnest($1::bigint[], $2::text[]) AS k(seq, payload) WHERE l.seq = k.seq`,
  suppressionsInsert: `
    INSERT INTO suppressions (workspace_id, hash, identity_type, request_id, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
    ON CONFLICT (workspace_id, hash) DO NOTHING`,
  gdprUpsert: `
    INSERT INTO gdpr_requests (workspace_id, request_id, seq, received_at, done_at, counts)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (workspace_id, request_id) DO UPDATE SET seq = excluded.seq,
      received_at = excluded.received_at, done_at = excluded.done_at, counts = excluded.counts`,
  // Attribute maps are JSON text (never jsonb, see migrations.ts): parsed as json for the match.
  usersByAttribute: `
    SELECT * FROM users WHERE workspace_id = $1 AND (attributes::json ->> $2) = $3`,
  usersByAttributeNoCase: `
    SELECT * FROM users WHERE workspace_id = $1 AND lower(attributes::json ->> $2) = lower($3)`,
  deviceUsersByAttribute: `
    SELECT DISTINCT user_id FROM devices WHERE workspace_id = $1 AND (attributes::json ->> $2) = $3`,
  mergesOfUsers: `
    SELECT * FROM merges WHERE workspace_id = $1
      AND (retained_user_id = ANY($2::text[]) OR merged_user_id = ANY($2::text[]))
    ORDER BY id`,
  logSeqsHolding: `
    SELECT seq FROM log WHERE workspace_id = $1 AND seq < $2
      AND (customer_id = ANY($3::text[])
        OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS t(token) WHERE strpos(payload, t.token) > 0))
    ORDER BY seq`,
  outcomeSeqsHolding: `
    SELECT DISTINCT o.seq FROM record_outcomes o, unnest($2::text[]) AS t(token)
    WHERE o.workspace_id = $1 AND strpos(o.reason, t.token) > 0
    ORDER BY o.seq`,
  eventCount: `
    SELECT count(*) AS n FROM events WHERE workspace_id = $1 AND user_id = ANY($2::text[])`,
} as const

/** The start of the UTC month of `ms`, in ms. */
export function monthStart(ms: number): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

function nextMonthStart(ms: number): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/** The partition of events holding the month that starts at `start`: `events_y2026m11`. */
export function partitionName(start: number): string {
  const d = new Date(start)
  return `events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/**
 * A batch's event changes as statements, in order: consecutive merges in one statement as long as
 * no user appears in two of them (a chain A→B, B→C must run in two), consecutive deletions in one,
 * each undo and each listed move on its own.
 */
function eventChangeSteps(
  changes: readonly EventChange[],
): ((db: Queryable) => Promise<unknown>)[] {
  const steps: ((db: Queryable) => Promise<unknown>)[] = []
  let merges: Extract<EventChange, { kind: 'merge' }>[] = []
  let mergedUsers = new Set<string>()
  let deletions: Extract<EventChange, { kind: 'delete' }>[] = []
  const flush = (): void => {
    if (merges.length > 0) {
      const group = merges
      steps.push((db) =>
        db.query(SQL.eventsMerge, [
          group.map((m) => m.workspaceId),
          group.map((m) => m.mergeId),
          group.map((m) => m.fromUserId),
          group.map((m) => m.toUserId),
          group.map((m) => m.beforeSeq),
        ]),
      )
      merges = []
      mergedUsers = new Set()
    }
    if (deletions.length > 0) {
      const group = deletions
      steps.push((db) =>
        db.query(SQL.eventsDelete, [group.map((d) => d.workspaceId), group.map((d) => d.seq)]),
      )
      deletions = []
    }
  }
  for (const e of changes) {
    switch (e.kind) {
      case 'merge': {
        const users = [pairKey(e.workspaceId, e.fromUserId), pairKey(e.workspaceId, e.toUserId)]
        if (deletions.length > 0 || users.some((u) => mergedUsers.has(u))) flush()
        merges.push(e)
        for (const u of users) mergedUsers.add(u)
        break
      }
      case 'delete':
        if (merges.length > 0) flush()
        deletions.push(e)
        break
      case 'unmerge':
        flush()
        // A join of the merge's list with the retained user's events: by hash, whatever the
        // statistics say. Lists written in this very transaction have none, and a nested loop
        // over an underestimated list scans the user's events once per moved event (minutes
        // for 100,000 events, against a second).
        steps.push(async (db) => {
          await db.query('SET LOCAL enable_nestloop = off')
          await db.query(SQL.eventsUnmerge, [e.workspaceId, e.mergeId, e.fromUserId, e.toUserId])
          await db.query('SET LOCAL enable_nestloop TO DEFAULT')
        })
        break
      case 'move':
        flush()
        steps.push((db) =>
          db.query(SQL.eventsMove, [
            e.seqs.map(() => e.workspaceId),
            [...e.seqs],
            e.seqs.map(() => e.toUserId),
          ]),
        )
        break
    }
  }
  flush()
  return steps
}

/** "no partition of relation … found for row": a month whose partition is missing (or dropped). */
const NO_PARTITION = '23514'

function storeOver(
  pool: pg.Pool,
  expandRow: LogRowExpander,
  explain: (err: unknown) => unknown,
): Store {
  let closed = false
  /** Months (by start) whose events partition this process has seen exist. */
  const partitioned = new Set<number>()

  /**
   * Creates the monthly partitions of events that the given event times need and that this
   * process has not seen yet, each with the following month's ahead of time: one short DDL
   * transaction (about once a month in steady state; CREATE … PARTITION OF locks the parent for
   * its moment), under an advisory lock so that processes creating the same month do not collide.
   */
  async function ensurePartitions(times: readonly number[]): Promise<void> {
    const months = new Set(times.map(monthStart))
    if ([...months].every((m) => partitioned.has(m))) return
    // Each month with the next one: the next month's partition is in place before its first event.
    for (const m of [...months]) months.add(nextMonthStart(m))
    const missing = [...months].filter((m) => !partitioned.has(m))
    await transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.partitionLock)
      for (const start of missing) {
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(start)} PARTITION OF events
           FOR VALUES FROM (${start}) TO (${nextMonthStart(start)})`,
        )
      }
    })
    for (const start of missing) partitioned.add(start)
  }

  /** The monthly partitions of events: name and [from, to) in ms. */
  async function partitionsOf(db: Queryable): Promise<{ name: string; to: number }[]> {
    return (await rows(db, SQL.partitions, [])).flatMap((r) => {
      const to = /TO \('?(-?\d+)'?\)/.exec(str(r['bound']))?.[1]
      return to === undefined ? [] : [{ name: str(r['relname']), to: Number(to) }]
    })
  }

  async function expireEvents(before: number): Promise<void> {
    const cutoff = monthStart(before)
    await transaction(pool, 'BEGIN', async (db) => {
      await db.query(SQL.partitionLock)
      for (const p of await partitionsOf(db)) {
        if (p.to > cutoff) continue
        await db.query(`DROP TABLE ${p.name}`)
      }
    })
    partitioned.clear() // another process may have dropped some too; re-checked on next write
  }

  /**
   * Every public method goes through here, so that work after close() fails plainly, and a time
   * limit's error names its setting.
   */
  function open<T>(fn: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('The PostgreSQL store is not open'))
    return fn().catch((err: unknown) => {
      throw explain(err)
    })
  }

  async function rows(db: Queryable, text: string, values: readonly unknown[]): Promise<Row[]> {
    return (await db.query<Row>(text, [...values])).rows
  }

  async function append(appended: readonly NewLogRecord[]): Promise<void> {
    const records = appended.some((r) => r.kind === BULK_ROW_KIND)
      ? appended.flatMap((r) => (r.kind === BULK_ROW_KIND ? recordsOfRow(r) : [r]))
      : appended
    if (records.length === 0) return
    await pool.query(SQL.append, [
      records.map((r) => r.workspaceId),
      records.map((r) => r.requestId),
      records.map((r) => r.index),
      records.map((r) => r.kind),
      records.map((r) => r.customerId),
      records.map((r) => r.receivedAt),
      records.map((r) => r.payload),
      records.length,
    ])
  }

  function recordsOfRow(row: NewLogRecord): NewLogRecord[] {
    const records = Math.max(1, row.records ?? 1)
    return expandRow({ ...row, seq: records, records }).map((r): NewLogRecord => ({
      workspaceId: r.workspaceId,
      requestId: r.requestId,
      index: r.index,
      kind: r.kind,
      customerId: r.customerId,
      receivedAt: r.receivedAt,
      payload: r.payload,
    }))
  }

  /** Runs the queries for what the batch needs (snapshot-rules.ts), in a fixed number of round trips. */
  async function loadSnapshot(
    db: Queryable,
    records: readonly LogRecord[],
  ): Promise<BatchSnapshot> {
    // First what the records name (users by customer id, devices by id, merges by id), then what
    // those rows lead to (the users of merges, the devices and events of users).
    const needs = snapshotNeeds(records)
    const customers = new Map(needs.customers.map((c) => [pairKey(c.workspaceId, c.customerId), c]))
    const users = new Map<string, UserRow>()
    const devices = new Map<string, DeviceRow>()
    const withDevices = new Pairs<string>() // (workspace, user id)
    const withEvents = new Pairs<string>()
    const addUser = (user: UserRow): void => {
      users.set(pairKey(user.workspaceId, user.id), user)
    }
    const addDevice = (device: DeviceRow): void => {
      devices.set(pairKey(device.workspaceId, device.deviceId), device)
    }

    if (needs.customers.length > 0) {
      for (const row of await rows(db, SQL.usersByCustomer, [
        needs.customers.map((c) => c.workspaceId),
        needs.customers.map((c) => c.customerId),
      ])) {
        const user = toUser(row)
        addUser(user)
        const need = customers.get(pairKey(user.workspaceId, user.customerId ?? ''))
        if (need?.devices === true) withDevices.add(user.workspaceId, user.id)
        if (need?.events === true) withEvents.add(user.workspaceId, user.id)
      }
    }
    if (needs.userIds.length > 0) {
      for (const row of await rows(db, SQL.usersById, [
        needs.userIds.map((u) => u.workspaceId),
        needs.userIds.map((u) => u.userId),
      ])) {
        addUser(toUser(row))
      }
    }
    if (needs.identities.length > 0) {
      for (const row of await rows(db, SQL.usersByIdentity, [
        needs.identities.map((i) => i.workspaceId),
        needs.identities.map((i) => i.name),
        needs.identities.map((i) => i.value),
      ])) {
        const user = toUser(row)
        addUser(user)
        withDevices.add(user.workspaceId, user.id)
        withEvents.add(user.workspaceId, user.id)
      }
    }
    const mergesById = new Map<string, MergeRow>()
    if (needs.mergeIds.length > 0) {
      const mergeIds = new Pairs<number>()
      for (const m of needs.mergeIds) mergeIds.add(m.workspaceId, m.mergeId)
      const byId = new Pairs<string>()
      for (const row of await rows(db, SQL.mergesById, [mergeIds.workspaceIds, mergeIds.keys])) {
        const merge = toMerge(row)
        mergesById.set(pairKey(merge.workspaceId, merge.id), merge)
        byId.add(merge.workspaceId, merge.retainedUserId)
        byId.add(merge.workspaceId, merge.mergedUserId)
      }
      if (byId.size > 0) {
        for (const row of await rows(db, SQL.usersById, [byId.workspaceIds, byId.keys])) {
          const user = toUser(row)
          addUser(user)
          withDevices.add(user.workspaceId, user.id)
        }
      }
    }
    if (needs.deviceIds.length > 0) {
      for (const row of await rows(db, SQL.devicesById, [
        needs.deviceIds.map((d) => d.workspaceId),
        needs.deviceIds.map((d) => d.deviceId),
      ])) {
        addDevice(toDevice(row))
      }
    }
    if (withDevices.size > 0) {
      for (const row of await rows(db, SQL.devicesOfUsers, [
        withDevices.workspaceIds,
        withDevices.keys,
      ])) {
        addDevice(toDevice(row))
      }
    }
    // How many events each user that may be merged away has (one row per user, never its events).
    const eventCounts: EventCount[] = []
    if (withEvents.size > 0) {
      for (const row of await rows(db, SQL.eventCountsOfUsers, [
        withEvents.workspaceIds,
        withEvents.keys,
      ])) {
        eventCounts.push({
          workspaceId: str(row['workspace_id']),
          userId: str(row['user_id']),
          count: num(row['n']),
        })
      }
    }

    // One per naming record, in record order (snapshot-rules.ts).
    const merges: MergeRow[] = []
    for (const m of needs.mergeIds) {
      const merge = mergesById.get(pairKey(m.workspaceId, m.mergeId))
      if (merge !== undefined) merges.push(merge)
    }
    const identityLinks: IdentityLink[] = []
    if (needs.identityLinks && users.size > 0) {
      const all = [...users.values()]
      for (const row of await rows(db, SQL.identityLinksOfUsers, [
        all.map((u) => u.workspaceId),
        all.map((u) => u.id),
      ])) {
        identityLinks.push(toIdentityLink(row))
      }
    }
    return {
      users: [...users.values()],
      devices: [...devices.values()],
      eventCounts,
      merges,
      ...(needs.identityLinks ? { identityLinks } : {}),
    }
  }

  async function commit(c: BatchChanges): Promise<void> {
    await ensurePartitions(c.events.map((e) => e.eventTime))
    try {
      await commitOnce(c)
    } catch (err) {
      if (!(err instanceof pg.DatabaseError && err.code === NO_PARTITION)) throw err
      // A partition this process saw was dropped since (retention): create it again, once.
      partitioned.clear()
      await ensurePartitions(c.events.map((e) => e.eventTime))
      await commitOnce(c)
    }
  }

  async function commitOnce(c: BatchChanges): Promise<void> {
    await transaction(pool, 'BEGIN', async (db) => {
      // Moving the cursor first takes its row lock: a concurrent commit from the same cursor
      // waits here, then finds the cursor moved and fails, before writing anything.
      const moved = await db.query(SQL.moveCursor, [c.fromSeq, c.toSeq])
      if (moved.rowCount !== 1) {
        const cursor = num((await rows(db, SQL.cursor, []))[0]?.['value'])
        throw new StoreConflictError(`cursor moved: expected ${c.fromSeq}, found ${cursor}`)
      }
      // Deletions first: a user created later in the batch may take the deleted one's customer id.
      const deletedUsers = c.deletedUsers ?? []
      if (deletedUsers.length > 0) {
        await db.query(SQL.usersDelete, [
          deletedUsers.map((u) => u.workspaceId),
          deletedUsers.map((u) => u.userId),
        ])
      }
      const scheduled = collapse(
        c.scheduledDeletions ?? [],
        (d) => pairKey(d.workspaceId, d.userId),
        (first) => first,
      )
      if (scheduled.length > 0) {
        await db.query(SQL.deletionsInsert, [
          scheduled.map((d) => d.workspaceId),
          scheduled.map((d) => d.userId),
          scheduled.map((d) => d.dueAt),
          scheduled.map((d) => d.requestId),
          scheduled.map((d) => d.seq),
        ])
      }
      const users = collapse(
        c.users,
        (u) => pairKey(u.workspaceId, u.id),
        (first, later) => ({ ...later, createdAt: first.createdAt }),
      )
      if (users.length > 0) {
        await db.query(SQL.usersUpsert, [
          users.map((u) => u.workspaceId),
          users.map((u) => u.id),
          users.map((u) => u.customerId),
          users.map((u) => JSON.stringify(u.attributes)),
          users.map((u) => u.createdAt),
          users.map((u) => u.updatedAt),
        ])
      }
      if (c.deletedDevices.length > 0) {
        await db.query(SQL.devicesDelete, [
          c.deletedDevices.map((d) => d.workspaceId),
          c.deletedDevices.map((d) => d.deviceId),
        ])
      }
      const devices = collapse(
        c.devices,
        (d) => pairKey(d.workspaceId, d.deviceId),
        (first, later) => ({ ...later, createdAt: first.createdAt }),
      )
      if (devices.length > 0) {
        await db.query(SQL.devicesUpsert, [
          devices.map((d) => d.workspaceId),
          devices.map((d) => d.deviceId),
          devices.map((d) => d.userId),
          devices.map((d) => d.platform),
          devices.map((d) => d.pushId),
          devices.map((d) => JSON.stringify(d.attributes)),
          devices.map((d) => d.createdAt),
          devices.map((d) => d.updatedAt),
        ])
      }
      const events = collapse(
        c.events,
        (e) => String(e.seq),
        (first) => first,
      )
      if (events.length > 0) {
        await db.query(SQL.eventsInsert, [
          events.map((e) => e.seq),
          events.map((e) => e.workspaceId),
          events.map((e) => e.userId),
          events.map((e) => e.name),
          events.map((e) => e.deviceId),
          events.map((e) => e.platform),
          events.map((e) => e.appVersion),
          events.map((e) => e.eventTime),
          events.map((e) => e.userTime),
          events.map((e) => e.receivedAt),
          events.map((e) => e.requestId),
          events.map((e) =>
            Object.keys(e.attributes).length === 0 ? null : JSON.stringify(e.attributes),
          ),
        ])
      }
      const relinked = c.identityLinks ?? []
      if (relinked.length > 0) {
        await db.query(SQL.identitiesReplace, [
          relinked.map((u) => u.workspaceId),
          relinked.map((u) => u.userId),
        ])
        const links = relinked.flatMap((u) => u.links.map((l) => ({ ...l, ...u })))
        if (links.length > 0) {
          await db.query(SQL.identitiesInsert, [
            links.map((l) => l.workspaceId),
            links.map((l) => l.name),
            links.map((l) => l.value),
            links.map((l) => l.userId),
          ])
        }
      }
      for (const step of eventChangeSteps(c.eventChanges ?? [])) await step(db)
      if (deletedUsers.length > 0) {
        await db.query(SQL.usersEventsDelete, [
          deletedUsers.map((u) => u.workspaceId),
          deletedUsers.map((u) => u.userId),
        ])
      }
      const merges = collapse(
        c.merges ?? [],
        (m) => pairKey(m.workspaceId, m.id),
        (first, later) => ({ ...first, undoneAt: later.undoneAt }),
      )
      if (merges.length > 0) {
        await db.query(SQL.mergesUpsert, [
          merges.map((m) => m.workspaceId),
          merges.map((m) => m.id),
          merges.map((m) => m.requestId),
          merges.map((m) => m.retainedUserId),
          merges.map((m) => m.mergedUserId),
          merges.map((m) => m.at),
          merges.map((m) => m.before),
          merges.map((m) => m.undoneAt),
        ])
      }
      const outcomes = collapse(
        c.outcomes,
        (o) => String(o.seq),
        (_, later) => later,
      )
      if (outcomes.length > 0) {
        await db.query(SQL.outcomesUpsert, [
          outcomes.map((o) => o.seq),
          outcomes.map((o) => o.workspaceId),
          outcomes.map((o) => o.requestId),
          outcomes.map((o) => o.index),
          outcomes.map((o) => o.kind),
          outcomes.map((o) => o.outcome),
          outcomes.map((o) => o.reason),
          outcomes.map((o) => o.at),
        ])
      }
      // spec §7.12: what an erasure removes, after everything else the batch wrote; the log is
      // in this database, so its redactions commit with the rest.
      const deletedMerges = c.deletedMerges ?? []
      if (deletedMerges.length > 0) {
        await db.query(SQL.mergesDelete, [
          deletedMerges.map((m) => m.workspaceId),
          deletedMerges.map((m) => m.id),
        ])
      }
      const redactedOutcomes = collapse(
        c.redactedOutcomes ?? [],
        (o) => String(o.seq),
        (_, later) => later,
      )
      if (redactedOutcomes.length > 0) {
        await db.query(SQL.outcomesRedact, [
          redactedOutcomes.map((o) => o.seq),
          redactedOutcomes.map((o) => o.reason),
          redactedOutcomes.map((o) => JSON.stringify([o.reason])),
        ])
      }
      const redactedLog = collapse(
        c.redactedLog ?? [],
        (r) => String(r.seq),
        (_, later) => later,
      )
      if (redactedLog.length > 0) {
        await db.query(SQL.logRedact, [
          redactedLog.map((r) => r.seq),
          redactedLog.map((r) => r.payload),
        ])
      }
      const suppressions = collapse(
        c.suppressions ?? [],
        (x) => pairKey(x.workspaceId, x.hash),
        (first) => first,
      )
      if (suppressions.length > 0) {
        await db.query(SQL.suppressionsInsert, [
          suppressions.map((x) => x.workspaceId),
          suppressions.map((x) => x.hash),
          suppressions.map((x) => x.identityType),
          suppressions.map((x) => x.requestId),
          suppressions.map((x) => x.createdAt),
        ])
      }
      for (const g of c.gdprRequests ?? []) {
        await db.query(SQL.gdprUpsert, [
          g.workspaceId,
          g.requestId,
          g.seq,
          g.receivedAt,
          g.doneAt,
          g.counts,
        ])
      }
    })
  }

  async function matchUsers(workspaceId: string, match: UserMatch): Promise<UserRow[]> {
    const found = new Map<string, UserRow>()
    const add = (rs: readonly Row[]): void => {
      for (const r of rs) {
        const user = toUser(r)
        found.set(user.id, user)
      }
    }
    const ids = [...match.userIds]
    if (match.customerIds.length > 0 || ids.length > 0) {
      add(
        await rows(
          pool,
          `SELECT * FROM users WHERE workspace_id = $1
             AND (customer_id = ANY($2::text[]) OR id = ANY($3::text[]))`,
          [workspaceId, [...match.customerIds], ids],
        ),
      )
    }
    for (const a of match.userAttributes) {
      const text = a.caseInsensitive === true ? SQL.usersByAttributeNoCase : SQL.usersByAttribute
      add(await rows(pool, text, [workspaceId, a.key, a.value]))
    }
    const deviceUsers: string[] = []
    for (const a of match.deviceAttributes) {
      for (const r of await rows(pool, SQL.deviceUsersByAttribute, [workspaceId, a.key, a.value])) {
        deviceUsers.push(str(r['user_id']))
      }
    }
    if (deviceUsers.length > 0) {
      add(
        await rows(pool, 'SELECT * FROM users WHERE workspace_id = $1 AND id = ANY($2::text[])', [
          workspaceId,
          deviceUsers,
        ]),
      )
    }
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async function recordsHolding(workspaceId: string, h: HeldQuery): Promise<HeldRecords> {
    const logSeqs =
      h.customerIds.length === 0 && h.logTokens.length === 0
        ? []
        : (
            await rows(pool, SQL.logSeqsHolding, [
              workspaceId,
              h.beforeSeq,
              [...h.customerIds],
              [...h.logTokens],
            ])
          ).map((r) => num(r['seq']))
    const outcomeSeqs =
      h.outcomeTokens.length === 0
        ? []
        : (await rows(pool, SQL.outcomeSeqsHolding, [workspaceId, [...h.outcomeTokens]])).map((r) =>
            num(r['seq']),
          )
    const events =
      h.userIds.length === 0
        ? 0
        : num((await rows(pool, SQL.eventCount, [workspaceId, [...h.userIds]]))[0]?.['n'] ?? 0)
    return { logSeqs, outcomeSeqs, events }
  }

  async function updateWorkspace(
    id: string,
    patch: WorkspacePatch,
  ): Promise<Workspace | undefined> {
    const values: unknown[] = [id]
    const set = (column: string, value: unknown): string => {
      values.push(value)
      return `${column} = $${values.length}`
    }
    const sets: string[] = [set('updated_at', patch.updatedAt)]
    if (patch.name !== undefined) sets.push(set('name', patch.name))
    if (patch.keyHash !== undefined) {
      sets.push(set('key_hash', patch.keyHash), set('key_salt', patch.keySalt ?? null))
    }
    if (patch.state !== undefined) sets.push(set('state', patch.state))
    if (patch.settings !== undefined) sets.push(set('settings', JSON.stringify(patch.settings)))
    if (patch.previousKey !== undefined) {
      sets.push(
        set('prev_key_hash', patch.previousKey?.hash ?? null),
        set('prev_key_salt', patch.previousKey?.salt ?? null),
        set('prev_key_expires_at', patch.previousKey?.expiresAt ?? null),
      )
    }
    const [row] = await rows(
      pool,
      `UPDATE workspaces SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      values,
    )
    return row === undefined ? undefined : toWorkspace(row)
  }

  return {
    kind: 'postgres',
    workspaces: {
      create: (w) =>
        open(async () => {
          try {
            await pool.query(SQL.wsInsert, [
              w.id,
              w.name,
              w.keyHash,
              w.keySalt,
              w.state,
              JSON.stringify(w.settings),
              w.createdAt,
              w.updatedAt,
              w.previousKey?.hash ?? null,
              w.previousKey?.salt ?? null,
              w.previousKey?.expiresAt ?? null,
            ])
          } catch (err) {
            if (err instanceof pg.DatabaseError && err.code === '23505') {
              throw new StoreConflictError(`workspace ${w.id} already exists`)
            }
            throw err
          }
        }),
      get: (id) =>
        open(async () => {
          const [row] = await rows(pool, 'SELECT * FROM workspaces WHERE id = $1', [id])
          return row === undefined ? undefined : toWorkspace(row)
        }),
      list: () =>
        open(async () =>
          (
            await rows(pool, 'SELECT * FROM workspaces ORDER BY created_at, id COLLATE "C"', [])
          ).map(toWorkspace),
        ),
      update: (id, patch) => open(() => updateWorkspace(id, patch)),
    },
    log: {
      append: (records) => open(() => append(records)),
      readAfter: (afterSeq, limit) =>
        open(async () =>
          (
            await rows(pool, 'SELECT * FROM log WHERE seq > $1 ORDER BY seq LIMIT $2', [
              afterSeq,
              limit,
            ])
          ).map(toLogRecord),
        ),
      lastSeq: () =>
        open(async () =>
          num((await rows(pool, 'SELECT last_seq FROM log_counter', []))[0]?.['last_seq'] ?? 0),
        ),
      // PostgreSQL's checkpointer does this on its own.
      checkpoint: () => Promise.resolve(),
      receivedAfter: (afterSeq) =>
        open(async () => {
          const [row] = await rows(
            pool,
            'SELECT received_at FROM log WHERE seq > $1 ORDER BY seq LIMIT 1',
            [afterSeq],
          )
          return row === undefined ? undefined : num(row['received_at'])
        }),
      recordsOfRequest: (workspaceId, requestId) =>
        open(async () =>
          (
            await rows(
              pool,
              'SELECT * FROM log WHERE request_id = $1 AND workspace_id = $2 ORDER BY seq',
              [requestId, workspaceId],
            )
          ).map(toLogRecord),
        ),
      compact: (upToSeq, receivedBefore) =>
        open(async () => {
          const result = await pool.query('DELETE FROM log WHERE seq <= $1 AND received_at < $2', [
            upToSeq,
            receivedBefore,
          ])
          return result.rowCount ?? 0
        }),
    },
    profiles: {
      findUsers: (workspaceId, lookup: UserLookup) =>
        open(async () => {
          if (lookup.customerIds.length === 0 && lookup.ids.length === 0) return []
          const found = (
            await rows(
              pool,
              `SELECT * FROM users WHERE workspace_id = $1
                 AND (customer_id = ANY($2::text[]) OR id = ANY($3::text[]))`,
              [workspaceId, lookup.customerIds, lookup.ids],
            )
          ).map(toUser)
          // In lookup order, customer ids first, as the SQLite adapter answers.
          const out: UserRow[] = []
          for (const id of lookup.customerIds) {
            const user = found.find((u) => u.customerId === id)
            if (user !== undefined) out.push(user)
          }
          for (const id of lookup.ids) {
            const user = found.find((u) => u.id === id)
            if (user !== undefined) out.push(user)
          }
          return out
        }),
      eventsOfUser: (workspaceId, userId, limit) =>
        open(async () =>
          (
            await rows(
              pool,
              `SELECT * FROM events WHERE workspace_id = $1 AND user_id = $2
               ORDER BY event_time DESC, seq DESC LIMIT $3`,
              [workspaceId, userId, limit],
            )
          ).map(toEvent),
        ),
      devicesOfUser: (workspaceId, userId) =>
        open(async () =>
          (
            await rows(
              pool,
              `SELECT * FROM devices WHERE workspace_id = $1 AND user_id = $2
               ORDER BY created_at, device_id COLLATE "C"`,
              [workspaceId, userId],
            )
          ).map(toDevice),
        ),
      outcomesOfRequest: (workspaceId, requestId) =>
        open(async () =>
          (
            await rows(
              pool,
              `SELECT * FROM record_outcomes WHERE request_id = $1 AND workspace_id = $2
               ORDER BY idx, seq`,
              [requestId, workspaceId],
            )
          ).map(toOutcome),
        ),
      merge: (workspaceId, id) =>
        open(async () => {
          const [row] = await rows(
            pool,
            'SELECT * FROM merges WHERE workspace_id = $1 AND id = $2',
            [workspaceId, id],
          )
          return row === undefined ? undefined : toMerge(row)
        }),
      usersPage: (workspaceId, afterId, limit) =>
        open(async () =>
          (
            await rows(
              pool,
              `SELECT * FROM users WHERE workspace_id = $1 AND id COLLATE "C" > $2
               ORDER BY id COLLATE "C" LIMIT $3`,
              [workspaceId, afterId, limit],
            )
          ).map(toUser),
        ),
      matchUsers: (workspaceId, match) => open(() => matchUsers(workspaceId, match)),
      mergesOfUsers: (workspaceId, userIds) =>
        open(async () =>
          userIds.length === 0
            ? []
            : (await rows(pool, SQL.mergesOfUsers, [workspaceId, [...userIds]])).map(toMerge),
        ),
      gdprRequest: (workspaceId, requestId) =>
        open(async () => {
          const [row] = await rows(
            pool,
            'SELECT * FROM gdpr_requests WHERE workspace_id = $1 AND request_id = $2',
            [workspaceId, requestId],
          )
          return row === undefined ? undefined : toGdprRequest(row)
        }),
      suppressions: (workspaceId) =>
        open(async () =>
          (
            await rows(
              pool,
              'SELECT * FROM suppressions WHERE workspace_id = $1 ORDER BY created_at, hash COLLATE "C"',
              [workspaceId],
            )
          ).map(toSuppression),
        ),
      hasSuppressions: (workspaceId) =>
        open(
          async () =>
            (
              await rows(pool, 'SELECT 1 FROM suppressions WHERE workspace_id = $1 LIMIT 1', [
                workspaceId,
              ])
            ).length > 0,
        ),
      suppressed: (workspaceId, hashes) =>
        open(async () =>
          hashes.length === 0
            ? []
            : (
                await rows(
                  pool,
                  'SELECT hash FROM suppressions WHERE workspace_id = $1 AND hash = ANY($2::text[])',
                  [workspaceId, [...new Set(hashes)]],
                )
              ).map((r) => str(r['hash'])),
        ),
      liftSuppressions: (workspaceId, by) =>
        open(async () => {
          const result = await pool.query(
            `DELETE FROM suppressions WHERE workspace_id = $1
               AND (hash = ANY($2::text[]) OR request_id = $3)`,
            [workspaceId, [...(by.hashes ?? [])], by.requestId ?? null],
          )
          return result.rowCount ?? 0
        }),
    },
    processing: {
      recordsHolding: (workspaceId, query) => open(() => recordsHolding(workspaceId, query)),
      cursor: () => open(async () => num((await rows(pool, SQL.cursor, []))[0]?.['value'] ?? 0)),
      // One snapshot for all the reads, as the SQLite adapter's read transaction gives.
      loadSnapshot: (records) =>
        open(() =>
          transaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (db) =>
            loadSnapshot(db, records),
          ),
        ),
      commit: (changes) => open(() => commit(changes)),
      dueDeletions: (now, limit) =>
        open(async () => (await rows(pool, SQL.deletionsDue, [now, limit])).map(toDeletion)),
      acquireLease: (owner, now, ttlMs) =>
        open(async () => (await rows(pool, SQL.leaseTake, [owner, now + ttlMs, now])).length > 0),
      releaseLease: (owner) =>
        open(async () => {
          await pool.query(SQL.leaseRelease, [owner])
        }),
      recordFailure: (seq, error, now) =>
        open(async () =>
          num((await rows(pool, SQL.failureRecord, [seq, error, now]))[0]?.['attempts'] ?? 1),
        ),
      expireEvents: (before) => open(() => expireEvents(before)),
    },
    quotas: postgresQuotaRepo(pool, open),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}
