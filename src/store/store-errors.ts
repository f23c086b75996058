/**
 * Which store failures mean "the store is unavailable" rather than a bug: SQLite out of disk or
 * unable to write its files, PostgreSQL unreachable, shutting down, out of disk or connections,
 * or too slow (a connection or a statement past its timeout: INLET_DATABASE_*_TIMEOUT_MS).
 * The HTTP layer answers these with 503 `store_unavailable` and Retry-After (never a 200: nothing
 * is acknowledged before its commit), and the processor simply retries them; both recover by
 * themselves when the store is back.
 */

/** SQLite result codes (better-sqlite3 `SqliteError.code`) of a full or unwritable store. */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PROTOCOL|NOLFS)/

/** Node socket errors of a database connection. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'])

/**
 * PostgreSQL SQLSTATEs: class 08 connection exceptions, 53 insufficient resources (disk full,
 * out of memory, too many connections), 57P01–57P03 shutdown and not-yet-accepting, 57014 a
 * statement cancelled (its statement_timeout, or an operator's pg_cancel_backend).
 */
const PG_UNAVAILABLE = /^(08|53|57P0[1-3]|57014)/

/**
 * A store operation that ran out of one of its time limits (PostgreSQL: connecting, or a
 * statement), with a message naming the setting; the driver's error is its `cause`.
 */
export class StoreTimeoutError extends Error {
  override readonly name: string = 'StoreTimeoutError'
}

/** pg's own messages for a pool or client that has lost or cannot get its connection. */
const PG_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i

function one(err: unknown): boolean {
  if (err instanceof StoreTimeoutError) return true
  if (typeof err !== 'object' || err === null) return false
  const { code, message } = err as { code?: unknown; message?: unknown } // any thrown object
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.test(code) || SOCKET_CODES.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE.test(code)) return true
  }
  return typeof message === 'string' && PG_MESSAGES.test(message)
}

/** True when `err` (or an error it was caused by) says the store is unavailable. */
export function isStoreUnavailable(err: unknown): boolean {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (one(current)) return true
    current = (current as { cause?: unknown }).cause // walk the cause chain
  }
  return false
}

/**
 * SQLite result codes of a write the store refuses for what it holds (a value too big, a
 * constraint, a type mismatch): the same write fails every time.
 */
const SQLITE_REFUSED = /^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/

/**
 * PostgreSQL SQLSTATEs of the same kind: class 22 data exceptions (a NUL in text, an invalid
 * Unicode escape for `->>`, a number out of range), 23 integrity violations, 54 program limits
 * (an index row over its size limit).
 */
const PG_REFUSED = /^(22|23|54)/

/**
 * True when `err` (or its cause) says the store refuses what a write holds, rather than being
 * unavailable: retrying the same write cannot succeed. The processor narrows such a batch down to
 * the record that causes it and marks that record dead (processor/processor.ts).
 */
export function isWriteRefused(err: unknown): boolean {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code // any thrown object
    if (typeof code === 'string') {
      if (SQLITE_REFUSED.test(code)) return true
      if (/^[0-9A-Z]{5}$/.test(code) && PG_REFUSED.test(code)) return true
    }
    current = (current as { cause?: unknown }).cause // walk the cause chain
  }
  return false
}
