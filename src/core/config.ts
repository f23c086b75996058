/**
 * Configuration: the one typed loader of environment variables. `loadConfig(env)` takes the env as
 * an argument (never reads `process.env` itself), fills defaults, and throws one ConfigError naming
 * every bad variable — with its value, except for secrets (a token, a key, a database password),
 * which an error names but never shows. docs/config.md documents each entry of SETTINGS;
 * config.test.ts keeps the two in step.
 */
import { BODY_LIMIT_BYTES, BULK_BODY_LIMIT_BYTES } from './wire-limits.js'

export type Durability = 'fsync' | 'os'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type ProcessorThread = 'worker' | 'inline'
/** What one process does: serve HTTP, apply the log, or both (docs/deploying.md). */
export type Role = 'all' | 'api' | 'processor'
export type WriterThread = 'worker' | 'inline'

export type Config = Readonly<{
  /** `api`: HTTP only; `processor`: the processor and deletion sweeper, HTTP only for /healthz. */
  role: Role
  host: string
  port: number
  dataDir: string
  /** PostgreSQL instead of the SQLite files in dataDir, when set (postgres://…). */
  databaseUrl: string | undefined
  /** Most connections this process opens to PostgreSQL. */
  databasePoolSize: number
  /** PostgreSQL: longest wait to open a connection or get one from the pool (0: no limit). */
  databaseConnectTimeoutMs: number
  /** PostgreSQL: `statement_timeout` of Inlet's sessions (0: the server's setting). */
  databaseStatementTimeoutMs: number
  /** PostgreSQL: `idle_in_transaction_session_timeout` of Inlet's sessions (0: the server's). */
  databaseIdleInTransactionTimeoutMs: number
  durability: Durability
  /** Where ingest-log commits run: a dedicated worker thread, or the request thread. */
  logWriter: WriterThread
  /** Where the SQLite outbox's commits (Inform sends) run: a dedicated worker thread, or here. */
  outboxWriter: WriterThread
  /**
   * Who copies store.db's WAL into the database: a thread of its own beside the processor's
   * (store/sqlite/checkpointer.ts), or the processor's commits (SQLite's default).
   */
  storeCheckpointer: WriterThread
  /**
   * Track User, Create Event and Track Device of the common shape served from node:http ahead of
   * Fastify (families/data/raw-ingest.ts); off: every request goes through Fastify.
   */
  rawIngest: boolean
  logLevel: LogLevel
  bodyLimitBytes: number
  bulkBodyLimitBytes: number
  processor: Readonly<{
    enabled: boolean
    batchSize: number
    pollMs: number
    maxAttempts: number
    /** Where the processor loop runs: its own worker thread, or the request thread. */
    thread: ProcessorThread
    /** After catching up, how long the processor lets records accumulate before its next batch. */
    maxDelayMs: number
    /** How long a processor's lease runs without renewal before another processor takes over. */
    leaseMs: number
    /**
     * How much lower the processor thread's CPU priority is than the process's (Linux nice
     * increment, 0–19; core/thread-priority.ts); only with INLET_PROCESSOR_THREAD=worker.
     */
    nice: number
  }>
  /** Events older than this (whole UTC months) are removed; 0 keeps them forever. */
  eventRetentionDays: number
  logRetentionSeconds: number
  /** spec §7.8: seconds between a Delete Users request and the deletion. */
  deleteBufferSeconds: number
  shutdownTimeoutMs: number
  /**
   * The outbox's delivery worker (delivery/, docs/outbox.md): how long a claimed attempt is
   * held before another process may claim it again (its lease), and the attempts a message gets
   * before it is `failed`.
   */
  delivery: Readonly<{ leaseMs: number; maxAttempts: number }>
  /**
   * File Imports' runner (families/file-imports runner.ts, docs/imports.md): how long a claimed
   * run is held without renewal before another process may claim it again (renewed every third).
   */
  fileImports: Readonly<{ leaseMs: number }>
  bootstrap: Readonly<{ workspaceId?: string; dataApiKey?: string; workspaceName: string }>
  /** spec §5: enforce quotas and fair usage (off: neither is counted, for benchmarks). */
  rateLimits: boolean
  /** Bearer token of the admin API; undefined: the admin API is off (404). */
  adminToken: string | undefined
  /**
   * The dashboard is reached over HTTPS (a proxy terminating TLS in front of Inlet): its session
   * cookie is `Secure` (it is anyway for a request that came over HTTPS to Inlet itself).
   */
  dashboardSecureCookie: boolean
  /**
   * The server secret sealing the keys request signatures need (Push, reports; docs/auth.md);
   * undefined: `secret.key` of the data directory (SQLite), none with PostgreSQL.
   */
  secretKey: string | undefined
  /**
   * The server secret before a rotation (INLET_PREVIOUS_SECRET_KEY): what was sealed or signed
   * under it is still opened and accepted; nothing new is. Undefined: none.
   */
  previousSecretKey: string | undefined
  /** Days a consent link token lasts when its issuer names none (INLET_LINK_TOKEN_TTL_DAYS). */
  linkTokenTtlDays: number
  /** How file segments fetch their CSV and post their callbacks (README, "File segments"). */
  segmentFiles: Readonly<{
    /** `file://` URLs are read only under this directory; undefined: refused. */
    fileDir: string | undefined
    /** Private, loopback and link-local addresses may be fetched and called back. */
    allowPrivate: boolean
    /** Download attempts of an import before its failure is reported. */
    fetchAttempts: number
    /** Attempts to post a callback before giving up. */
    callbackAttempts: number
  }>
  /** Failed authentications per source address and minute before it is blocked (0: off). */
  authFailures: Readonly<{ perMinute: number; blockSeconds: number }>
  /** Load shedding: 503 + Retry-After past either bound (0: that bound is off). */
  shed: Readonly<{ lagRecords: number; rssMb: number; retryAfterSeconds: number }>
  /** Node HTTP server limits against slow and oversized requests. */
  http: Readonly<{
    headersTimeoutMs: number
    requestTimeoutMs: number
    maxHeaderBytes: number
    keepAliveTimeoutMs: number
  }>
}>

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError'
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
    this.problems = problems
  }
}

type Parser<T> = (raw: string) => T | { error: string }

const integer =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isInteger(n)) return { error: 'must be a whole number' }
    if (n < min || n > max) return { error: `must be between ${min} and ${max}` }
    return n
  }

const oneOf =
  <T extends string>(...values: readonly T[]): Parser<T> =>
  (raw) =>
    (values as readonly string[]).includes(raw)
      ? (raw as T) // narrowed by the includes check above
      : { error: `must be one of ${values.join(', ')}` }

const boolean: Parser<boolean> = (raw) => {
  if (['true', '1', 'on', 'yes'].includes(raw)) return true
  if (['false', '0', 'off', 'no'].includes(raw)) return false
  return { error: 'must be true or false' }
}

const text =
  (pattern?: RegExp, hint?: string): Parser<string> =>
  (raw) =>
    raw === '' || (pattern !== undefined && !pattern.test(raw))
      ? { error: hint ?? 'must not be empty' }
      : raw

/**
 * How a bad value is shown in an error: as it is; not at all (`secret`: a token or a key); or, for
 * a URL that may hold a password, with the password and password-like parameters masked.
 */
type Shown = 'value' | 'secret' | 'url'

type Setting<T> = Readonly<{ parse: Parser<T>; default: T | undefined; shown: Shown }>

const setting = <T>(parse: Parser<T>, def: T | undefined, shown: Shown = 'value'): Setting<T> => ({
  parse,
  default: def,
  shown,
})

/** Query parameters of a connection URL that may hold a secret (libpq takes `password=`). */
const SECRET_PARAM = /pass|secret|token/i

/** The URL with its password and secret-looking parameters masked; undefined when unparsable. */
export function redactUrl(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined // unparsable: no telling where a password would be
  }
  // An '@' the parser did not take as the end of user:password means the URL is malformed around
  // it (a '/', '#' or '?' in a password not percent-encoded): the password may be anywhere.
  if (raw.includes('@') && url.username === '' && url.password === '') return undefined
  if (url.password !== '') url.password = '***'
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) url.searchParams.set(key, '***')
  }
  return url.href
}

/** How a problem names a bad value: `NAME="value"`, never a secret's value. */
function label(name: string, raw: string, shown: Shown): string {
  const visible = shown === 'value' ? raw : shown === 'url' ? redactUrl(raw) : undefined
  return visible === undefined ? `${name} (value not shown)` : `${name}=${JSON.stringify(visible)}`
}

/**
 * Every environment variable Inlet reads, with its parser and default: one entry per variable,
 * spelled out (docs/config.md is checked against each), so entries are alike but share nothing.
 */
export const SETTINGS = {
  INLET_ROLE: setting(oneOf<Role>('all', 'api', 'processor'), 'all'),
  HOST: setting(text(), '127.0.0.1'),
  PORT: setting(integer(0, 65_535), 8080),
  INLET_DATA_DIR: setting(text(), './data'),
  DATABASE_URL: setting(
    text(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL'),
    undefined,
    'url',
  ),
  INLET_DATABASE_POOL_SIZE: setting(integer(1, 1000), 10),
  INLET_DATABASE_CONNECT_TIMEOUT_MS: setting(integer(0, 600_000), 10_000),
  INLET_DATABASE_STATEMENT_TIMEOUT_MS: setting(integer(0, 86_400_000), 120_000),
  INLET_DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: setting(integer(0, 86_400_000), 60_000),
  INLET_DURABILITY: setting(oneOf<Durability>('fsync', 'os'), 'fsync'),
  INLET_LOG_WRITER: setting(oneOf<WriterThread>('worker', 'inline'), 'worker'),
  INLET_OUTBOX_WRITER: setting(oneOf<WriterThread>('worker', 'inline'), 'worker'),
  INLET_STORE_CHECKPOINTER: setting(oneOf<WriterThread>('worker', 'inline'), 'worker'),
  INLET_RAW_INGEST: setting(boolean, true),
  INLET_LOG_LEVEL: setting(oneOf<LogLevel>('debug', 'info', 'warn', 'error', 'silent'), 'info'),
  INLET_BODY_LIMIT_BYTES: setting(integer(1024, 64 * 1024 * 1024), BODY_LIMIT_BYTES),
  INLET_BULK_BODY_LIMIT_BYTES: setting(integer(1024, 64 * 1024 * 1024), BULK_BODY_LIMIT_BYTES),
  INLET_PROCESSOR: setting(boolean, true),
  INLET_PROCESSOR_BATCH_SIZE: setting(integer(1, 100_000), 1000),
  INLET_PROCESSOR_POLL_MS: setting(integer(1, 60_000), 200),
  INLET_PROCESSOR_MAX_ATTEMPTS: setting(integer(1, 100), 5),
  INLET_PROCESSOR_THREAD: setting(oneOf<ProcessorThread>('worker', 'inline'), 'worker'),
  INLET_PROCESSOR_MAX_DELAY_MS: setting(integer(0, 10_000), 20),
  INLET_PROCESSOR_LEASE_MS: setting(integer(500, 600_000), 15_000),
  INLET_PROCESSOR_NICE: setting(integer(0, 19), 10),
  INLET_EVENT_RETENTION_DAYS: setting(integer(0, 36_500), 0),
  INLET_LOG_RETENTION_SECONDS: setting(integer(0, 365 * 86_400), 86_400),
  INLET_DELETE_BUFFER_SECONDS: setting(integer(0, 365 * 86_400), 86_400),
  INLET_SHUTDOWN_TIMEOUT_MS: setting(integer(0, 600_000), 10_000),
  INLET_DELIVERY_LEASE_SECONDS: setting(integer(1, 3_600), 60),
  INLET_DELIVERY_MAX_ATTEMPTS: setting(integer(1, 100), 10),
  INLET_FILE_IMPORT_LEASE_SECONDS: setting(integer(1, 3_600), 60),
  INLET_WORKSPACE_ID: setting(
    text(/^[A-Z0-9]{4,64}$/, 'must be 4 to 64 upper-case letters or digits'),
    undefined,
  ),
  INLET_DATA_API_KEY: setting(
    text(/^\S{8,256}$/, 'must be 8 to 256 characters, no spaces'),
    undefined,
    'secret',
  ),
  INLET_WORKSPACE_NAME: setting(text(), 'Default workspace'),
  INLET_RATE_LIMITS: setting(boolean, true),
  INLET_DASHBOARD_SECURE_COOKIE: setting(boolean, false),
  INLET_ADMIN_TOKEN: setting(
    text(/^\S{16,512}$/, 'must be 16 to 512 characters, no spaces'),
    undefined,
    'secret',
  ),
  INLET_SECRET_KEY: setting(
    text(/^\S{32,512}$/, 'must be 32 to 512 characters, no spaces'),
    undefined,
    'secret',
  ),
  INLET_PREVIOUS_SECRET_KEY: setting(
    text(/^\S{32,512}$/, 'must be 32 to 512 characters, no spaces'),
    undefined,
    'secret',
  ),
  INLET_LINK_TOKEN_TTL_DAYS: setting(integer(1, 3650), 90),
  INLET_SEGMENT_FILE_DIR: setting(text(), undefined),
  INLET_SEGMENT_FETCH_PRIVATE: setting(boolean, false),
  INLET_SEGMENT_FETCH_ATTEMPTS: setting(integer(1, 20), 4),
  INLET_SEGMENT_CALLBACK_ATTEMPTS: setting(integer(1, 20), 5),
  INLET_AUTH_FAILURES_PER_MINUTE: setting(integer(0, 1_000_000), 30),
  INLET_AUTH_BLOCK_SECONDS: setting(integer(1, 86_400), 60),
  INLET_SHED_LAG_RECORDS: setting(integer(0, 1_000_000_000), 2_000_000),
  INLET_SHED_RSS_MB: setting(integer(0, 1_048_576), 1_024),
  INLET_SHED_RETRY_AFTER_SECONDS: setting(integer(1, 3_600), 5),
  INLET_HEADERS_TIMEOUT_MS: setting(integer(1_000, 600_000), 10_000),
  INLET_REQUEST_TIMEOUT_MS: setting(integer(1_000, 3_600_000), 30_000),
  INLET_MAX_HEADER_BYTES: setting(integer(1_024, 1_048_576), 16_384),
  INLET_KEEP_ALIVE_TIMEOUT_MS: setting(integer(1_000, 600_000), 72_000),
} as const

type Settings = typeof SETTINGS
type Values = {
  [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T | undefined : never
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = []
  const values: Partial<Record<string, unknown>> = {}
  for (const [name, s] of Object.entries(SETTINGS) as [keyof Settings, Setting<unknown>][]) {
    const raw = env[name]
    if (raw === undefined) {
      values[name] = s.default
      continue
    }
    const parsed = s.parse(raw)
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      problems.push(`${label(name, raw, s.shown)}: ${String(parsed.error)}`)
    } else {
      values[name] = parsed
    }
  }
  const v = values as Values // every key was filled above from its own parser or default
  // Judged on what was set, not on what parsed: a bad id with a good key is one problem, not two.
  if ((env['INLET_WORKSPACE_ID'] === undefined) !== (env['INLET_DATA_API_KEY'] === undefined)) {
    problems.push('INLET_WORKSPACE_ID and INLET_DATA_API_KEY must be set together')
  }
  if (v.INLET_ROLE === 'processor' && v.INLET_PROCESSOR === false) {
    problems.push('INLET_ROLE=processor cannot run with INLET_PROCESSOR=false')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const bootstrap: { workspaceId?: string; dataApiKey?: string; workspaceName: string } = {
    workspaceName: v.INLET_WORKSPACE_NAME ?? 'Default workspace',
  }
  if (v.INLET_WORKSPACE_ID !== undefined) bootstrap.workspaceId = v.INLET_WORKSPACE_ID
  if (v.INLET_DATA_API_KEY !== undefined) bootstrap.dataApiKey = v.INLET_DATA_API_KEY
  const role = must(v.INLET_ROLE)
  return Object.freeze({
    role,
    host: must(v.HOST),
    port: must(v.PORT),
    dataDir: must(v.INLET_DATA_DIR),
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: must(v.INLET_DATABASE_POOL_SIZE),
    databaseConnectTimeoutMs: must(v.INLET_DATABASE_CONNECT_TIMEOUT_MS),
    databaseStatementTimeoutMs: must(v.INLET_DATABASE_STATEMENT_TIMEOUT_MS),
    databaseIdleInTransactionTimeoutMs: must(v.INLET_DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS),
    durability: must(v.INLET_DURABILITY),
    logWriter: must(v.INLET_LOG_WRITER),
    outboxWriter: must(v.INLET_OUTBOX_WRITER),
    storeCheckpointer: must(v.INLET_STORE_CHECKPOINTER),
    rawIngest: must(v.INLET_RAW_INGEST),
    logLevel: must(v.INLET_LOG_LEVEL),
    bodyLimitBytes: must(v.INLET_BODY_LIMIT_BYTES),
    bulkBodyLimitBytes: must(v.INLET_BULK_BODY_LIMIT_BYTES),
    processor: Object.freeze({
      enabled: must(v.INLET_PROCESSOR) && role !== 'api',
      batchSize: must(v.INLET_PROCESSOR_BATCH_SIZE),
      pollMs: must(v.INLET_PROCESSOR_POLL_MS),
      maxAttempts: must(v.INLET_PROCESSOR_MAX_ATTEMPTS),
      thread: must(v.INLET_PROCESSOR_THREAD),
      maxDelayMs: must(v.INLET_PROCESSOR_MAX_DELAY_MS),
      leaseMs: must(v.INLET_PROCESSOR_LEASE_MS),
      nice: must(v.INLET_PROCESSOR_NICE),
    }),
    eventRetentionDays: must(v.INLET_EVENT_RETENTION_DAYS),
    logRetentionSeconds: must(v.INLET_LOG_RETENTION_SECONDS),
    deleteBufferSeconds: must(v.INLET_DELETE_BUFFER_SECONDS),
    shutdownTimeoutMs: must(v.INLET_SHUTDOWN_TIMEOUT_MS),
    delivery: Object.freeze({
      leaseMs: must(v.INLET_DELIVERY_LEASE_SECONDS) * 1000,
      maxAttempts: must(v.INLET_DELIVERY_MAX_ATTEMPTS),
    }),
    fileImports: Object.freeze({ leaseMs: must(v.INLET_FILE_IMPORT_LEASE_SECONDS) * 1000 }),
    bootstrap: Object.freeze(bootstrap),
    rateLimits: must(v.INLET_RATE_LIMITS),
    adminToken: v.INLET_ADMIN_TOKEN,
    dashboardSecureCookie: must(v.INLET_DASHBOARD_SECURE_COOKIE),
    secretKey: v.INLET_SECRET_KEY,
    previousSecretKey: v.INLET_PREVIOUS_SECRET_KEY,
    linkTokenTtlDays: must(v.INLET_LINK_TOKEN_TTL_DAYS),
    segmentFiles: Object.freeze({
      fileDir: v.INLET_SEGMENT_FILE_DIR,
      allowPrivate: must(v.INLET_SEGMENT_FETCH_PRIVATE),
      fetchAttempts: must(v.INLET_SEGMENT_FETCH_ATTEMPTS),
      callbackAttempts: must(v.INLET_SEGMENT_CALLBACK_ATTEMPTS),
    }),
    authFailures: Object.freeze({
      perMinute: must(v.INLET_AUTH_FAILURES_PER_MINUTE),
      blockSeconds: must(v.INLET_AUTH_BLOCK_SECONDS),
    }),
    shed: Object.freeze({
      lagRecords: must(v.INLET_SHED_LAG_RECORDS),
      rssMb: must(v.INLET_SHED_RSS_MB),
      retryAfterSeconds: must(v.INLET_SHED_RETRY_AFTER_SECONDS),
    }),
    http: Object.freeze({
      headersTimeoutMs: must(v.INLET_HEADERS_TIMEOUT_MS),
      requestTimeoutMs: must(v.INLET_REQUEST_TIMEOUT_MS),
      maxHeaderBytes: must(v.INLET_MAX_HEADER_BYTES),
      keepAliveTimeoutMs: must(v.INLET_KEEP_ALIVE_TIMEOUT_MS),
    }),
  })
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('config: a setting with a default came out undefined')
  return value
}
