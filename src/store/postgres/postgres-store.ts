/**
 * The PostgreSQL store: the Store interface over one `pg.Pool`, for deployments that outgrow one
 * machine's SQLite files. It owns the SQL of this dialect, its migrations runner and the mapping
 * between rows and the Store's row types; storage semantics are the contract's (store/contract.ts),
 * shared with the SQLite adapter. It does not own connection settings beyond the URL (TLS, pool
 * sizing and the server's `synchronous_commit` come from the URL and the server's configuration).
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
// The one thing the store knows of the wire: how a Bulk row's records are derived.
import { LOG_MIGRATIONS, STORE_MIGRATIONS, type Migration } from './migrations.js'
import { postgresKeyRepo } from './postgres-keys.js'
import { postgresQuotaRepo } from './postgres-quotas.js'

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
   * Expands Bulk rows (the Data family's families/data/bulk-rows.ts, injected by the composition
   * root; without it an append of a Bulk row fails with noBulkRowExpander's error), which this
   * store does not keep as rows:
   * append stores their records, one row each (its seqs come from one counter per append).
   */
  expandRow?: LogRowExpander
}>

type Row = Record<string, unknown>
type Queryable = Pick<PoolClient, 'query'>

/** The migration lists by the name under which `inlet_migrations` records them. */
const MIGRATION_LISTS: readonly (readonly [string, readonly Migration[]])[] = [
  ['log', LOG_MIGRATIONS],
  ['store', STORE_MIGRATIONS],
]

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 })
  // An idle connection that the server drops emits 'error' on the pool; without a listener that
  // would crash the process. The pool discards the connection and the next query opens another.
  pool.on('error', () => undefined)
  if (options.durability === 'os') {
    // Queued on the new connection before any query of ours, so it is in force for all of them.
    pool.on('connect', (client) => {
      client.query('SET synchronous_commit = off').catch(() => undefined)
    })
  }
  try {
    await migrate(pool)
  } catch (err) {
    await pool.end()
    throw err
  }
  return storeOver(pool, options.expandRow ?? noBulkRowExpander)
}

/**
 * Applies every migration not yet recorded in `inlet_migrations`, all in one transaction (DDL is
 * transactional here), under an advisory lock so that processes starting together migrate once.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  await transaction(pool, 'BEGIN', async (c) => {
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

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v))
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v))
// bigint columns arrive as strings (pg does not narrow int8 to a JS number by itself); every value
// stored in them (ms times, seqs) is a safe integer.
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

function toDeletion(r: Row): DeletionRow {
  return {
    workspaceId: str(r['workspace_id']),
    userId: str(r['user_id']),
    dueAt: num(r['due_at']),
    requestId: str(r['request_id']),
    seq: num(r['seq']),
  }
}

function toMerge(r: Row): MergeRow {
  return {
    id: num(r['id']),
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    retainedUserId: str(r['retained_user_id']),
    mergedUserId: str(r['merged_user_id']),
    at: num(r['at']),
    before: str(r['before']),
    undoneAt: numOrNull(r['undone_at']),
  }
}

/** Record kinds whose snapshot needs all devices of the record's user. */
const NEEDS_DEVICES: readonly string[] = ['device', 'merge', 'device_opt_out']

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
  eventSeqsOfUsers: `
    SELECT e.workspace_id, e.user_id, e.seq FROM events e
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON e.workspace_id = k.workspace_id AND e.user_id = k.user_id
    ORDER BY e.seq`,
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
      events_gone AS (
        DELETE FROM events e USING k WHERE e.workspace_id = k.workspace_id AND e.user_id = k.user_id
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
    DELETE FROM merges m USING unnest($1::text[], $2::bigint[]) AS k(workspace_id, id)
    WHERE m.workspace_id = k.workspace_id AND m.id = k.id`,
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

/** "no partition of relation … found for row": a month whose partition is missing (or dropped). */
const NO_PARTITION = '23514'

function storeOver(pool: pg.Pool, expandRow: LogRowExpander): Store {
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

  /** Every public method goes through here, so that work after close() fails plainly. */
  function open<T>(fn: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('The PostgreSQL store is not open'))
    return fn()
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

  async function loadSnapshot(
    db: Queryable,
    records: readonly LogRecord[],
  ): Promise<BatchSnapshot> {
    // First what the records name (users by customer id, devices by id, merges by id), then what
    // those rows lead to (the users of merges, the devices and events of users): the same rows the
    // SQLite adapter reads record by record, in a fixed number of round trips.
    const byCustomer = new Pairs<string>()
    const devicesNeededOf = new Set<string>() // (workspace, customer id) whose devices are needed
    const eventsNeededOf = new Set<string>() // (workspace, customer id) whose events are needed
    const deviceIds = new Pairs<string>()
    const mergeIds = new Pairs<number>()
    const userIds = new Pairs<string>() // users named by internal id (delete records)
    const identities: [string, string, string][] = [] // (workspace, name, value)
    const identityCustomers = new Set<string>() // (workspace, customer id) of identity records
    const identityUsers = new Set<string>() // (workspace, user id) found by identity
    for (const r of records) {
      const ids = identitiesOf(r.payload)
      for (const [name, value] of ids) identities.push([r.workspaceId, name, value])
      if (ids.length > 0 && r.customerId !== null) {
        // The user named by ID may be merged into one found by identifiers: load all of it.
        devicesNeededOf.add(pairKey(r.workspaceId, r.customerId))
        eventsNeededOf.add(pairKey(r.workspaceId, r.customerId))
        identityCustomers.add(pairKey(r.workspaceId, r.customerId))
      }
      if (r.kind === 'delete' || r.kind === 'install') {
        const userId = stringField(r.payload, 'user_id')
        if (userId !== undefined) userIds.add(r.workspaceId, userId)
      }
      if (r.kind === 'merge') {
        const merged = stringField(r.payload, 'merged_user')
        if (merged !== undefined) {
          byCustomer.add(r.workspaceId, merged)
          devicesNeededOf.add(pairKey(r.workspaceId, merged))
          eventsNeededOf.add(pairKey(r.workspaceId, merged))
        }
      }
      if (r.kind === 'merge_undo') {
        const id = numberField(r.payload, 'merge_id')
        if (id !== undefined) mergeIds.add(r.workspaceId, id)
      }
      if (r.customerId !== null) {
        byCustomer.add(r.workspaceId, r.customerId)
        if (NEEDS_DEVICES.includes(r.kind)) {
          devicesNeededOf.add(pairKey(r.workspaceId, r.customerId))
        }
      }
      if (r.kind === 'device') {
        const deviceId = stringField(r.payload, 'device_id')
        if (deviceId !== undefined) deviceIds.add(r.workspaceId, deviceId)
      }
    }

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

    if (byCustomer.size > 0) {
      for (const row of await rows(db, SQL.usersByCustomer, [
        byCustomer.workspaceIds,
        byCustomer.keys,
      ])) {
        const user = toUser(row)
        addUser(user)
        const key = pairKey(user.workspaceId, user.customerId ?? '')
        if (devicesNeededOf.has(key)) withDevices.add(user.workspaceId, user.id)
        if (eventsNeededOf.has(key)) withEvents.add(user.workspaceId, user.id)
      }
    }
    if (userIds.size > 0) {
      for (const row of await rows(db, SQL.usersById, [userIds.workspaceIds, userIds.keys])) {
        addUser(toUser(row))
      }
    }
    if (identities.length > 0) {
      for (const row of await rows(db, SQL.usersByIdentity, [
        identities.map((i) => i[0]),
        identities.map((i) => i[1]),
        identities.map((i) => i[2]),
      ])) {
        const user = toUser(row)
        addUser(user)
        // A match may be merged into another: its devices and events are needed too.
        withDevices.add(user.workspaceId, user.id)
        withEvents.add(user.workspaceId, user.id)
        identityUsers.add(pairKey(user.workspaceId, user.id))
      }
    }
    const mergesById = new Map<string, MergeRow>()
    if (mergeIds.size > 0) {
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
    if (deviceIds.size > 0) {
      for (const row of await rows(db, SQL.devicesById, [deviceIds.workspaceIds, deviceIds.keys])) {
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
    const eventsOf = new Map<string, EventOwner[]>()
    if (withEvents.size > 0) {
      for (const row of await rows(db, SQL.eventSeqsOfUsers, [
        withEvents.workspaceIds,
        withEvents.keys,
      ])) {
        const owner = {
          workspaceId: str(row['workspace_id']),
          seq: num(row['seq']),
          userId: str(row['user_id']),
        }
        const key = pairKey(owner.workspaceId, owner.userId)
        eventsOf.set(key, [...(eventsOf.get(key) ?? []), owner])
      }
    }

    // Per record, as the SQLite adapter lists them: each merge record's merged user's events, and
    // each undo record's merge.
    const eventOwners: EventOwner[] = []
    const merges: MergeRow[] = []
    const userIdByCustomer = new Map<string, string>()
    for (const u of users.values()) {
      if (u.customerId !== null) userIdByCustomer.set(pairKey(u.workspaceId, u.customerId), u.id)
    }
    for (const u of users.values()) {
      if (u.customerId !== null && identityCustomers.has(pairKey(u.workspaceId, u.customerId))) {
        identityUsers.add(pairKey(u.workspaceId, u.id))
      }
    }
    for (const key of identityUsers) eventOwners.push(...(eventsOf.get(key) ?? []))
    for (const r of records) {
      if (r.kind === 'merge') {
        const merged = stringField(r.payload, 'merged_user')
        const userId =
          merged === undefined ? undefined : userIdByCustomer.get(pairKey(r.workspaceId, merged))
        if (userId !== undefined) {
          eventOwners.push(...(eventsOf.get(pairKey(r.workspaceId, userId)) ?? []))
        }
      }
      if (r.kind === 'merge_undo') {
        const id = numberField(r.payload, 'merge_id')
        const merge = id === undefined ? undefined : mergesById.get(pairKey(r.workspaceId, id))
        if (merge !== undefined) merges.push(merge)
      }
    }
    const identityLinks: IdentityLink[] = []
    if (identities.length > 0 && users.size > 0) {
      const all = [...users.values()]
      for (const row of await rows(db, SQL.identityLinksOfUsers, [
        all.map((u) => u.workspaceId),
        all.map((u) => u.id),
      ])) {
        identityLinks.push({
          workspaceId: str(row['workspace_id']),
          userId: str(row['user_id']),
          name: str(row['name']),
          value: str(row['value']),
        })
      }
    }
    return {
      users: [...users.values()],
      devices: [...devices.values()],
      eventOwners,
      merges,
      ...(identities.length > 0 ? { identityLinks } : {}),
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
      const movedEvents = collapse(
        c.movedEvents ?? [],
        (e) => pairKey(e.workspaceId, e.seq),
        (_, later) => later,
      )
      if (movedEvents.length > 0) {
        await db.query(SQL.eventsMove, [
          movedEvents.map((e) => e.workspaceId),
          movedEvents.map((e) => e.seq),
          movedEvents.map((e) => e.userId),
        ])
      }
      const deletedEvents = c.deletedEvents ?? []
      if (deletedEvents.length > 0) {
        await db.query(SQL.eventsDelete, [
          deletedEvents.map((e) => e.workspaceId),
          deletedEvents.map((e) => e.seq),
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
    keys: postgresKeyRepo(pool, open),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

function toGdprRequest(r: Row): GdprRequestRow {
  return {
    workspaceId: str(r['workspace_id']),
    requestId: str(r['request_id']),
    seq: num(r['seq']),
    receivedAt: num(r['received_at']),
    doneAt: num(r['done_at']),
    counts: str(r['counts']),
  }
}

function toSuppression(r: Row): SuppressionRow {
  return {
    workspaceId: str(r['workspace_id']),
    hash: str(r['hash']),
    identityType: str(r['identity_type']),
    requestId: str(r['request_id']),
    createdAt: num(r['created_at']),
  }
}

/** A string field of a record's JSON payload, read without trusting its shape. */
/** The `identities` of a logged payload (Identity Resolution), as [name, value] pairs. */
function identitiesOf(payload: string): [string, string][] {
  if (!payload.includes('"identities"')) return []
  const ids = fieldOf(payload, 'identities')
  if (typeof ids !== 'object' || ids === null) return []
  return Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string')
}

function stringField(payload: string, field: string): string | undefined {
  const value = fieldOf(payload, field)
  return typeof value === 'string' ? value : undefined
}

function numberField(payload: string, field: string): number | undefined {
  const value = fieldOf(payload, field)
  return typeof value === 'number' ? value : undefined
}

function fieldOf(payload: string, field: string): unknown {
  const parsed: unknown = JSON.parse(payload)
  if (typeof parsed !== 'object' || parsed === null) return undefined
  return (parsed as Record<string, unknown>)[field] // narrowed to object above
}
