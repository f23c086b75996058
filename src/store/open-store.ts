/**
 * Which store a configuration asks for: PostgreSQL when `DATABASE_URL` is set, else the embedded
 * SQLite files in the data directory. The one place that chooses an adapter; everything else
 * receives a Store.
 */
import type { Config } from '../core/config.js'
import { createPostgresStore } from './postgres/postgres-store.js'
import { createSqliteStore } from './sqlite/sqlite-store.js'
import type { LogRowExpander, Store } from './store.js'

export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'durability'> &
    Partial<
      Pick<
        Config,
        | 'databasePoolSize'
        | 'databaseConnectTimeoutMs'
        | 'databaseStatementTimeoutMs'
        | 'databaseIdleInTransactionTimeoutMs'
      >
    >,
  /** How the log's Bulk rows become records (the Data family's, given by the composition root). */
  expandRow: LogRowExpander,
  /** The server's store: SQLite's outbox commits in a thread of their own (INLET_OUTBOX_WRITER). */
  server?: Pick<Config, 'outboxWriter'>,
): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return createPostgresStore({
      url: config.databaseUrl,
      durability: config.durability,
      expandRow,
      ...(config.databasePoolSize === undefined ? {} : { maxConnections: config.databasePoolSize }),
      ...(config.databaseConnectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: config.databaseConnectTimeoutMs }),
      ...(config.databaseStatementTimeoutMs === undefined
        ? {}
        : { statementTimeoutMs: config.databaseStatementTimeoutMs }),
      ...(config.databaseIdleInTransactionTimeoutMs === undefined
        ? {}
        : { idleInTransactionTimeoutMs: config.databaseIdleInTransactionTimeoutMs }),
    })
  }
  return createSqliteStore({
    dir: config.dataDir,
    durability: config.durability,
    expandRow,
    outboxWriterThread: server?.outboxWriter === 'worker',
  })
}

/** Where the store is, for logs: never the URL itself, which may hold a password. */
export function describeStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): string {
  if (config.databaseUrl === undefined) return `sqlite:${config.dataDir}`
  try {
    const url = new URL(config.databaseUrl)
    return `postgres://${url.host}${url.pathname}`
  } catch {
    return 'postgres'
  }
}
