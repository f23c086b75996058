/**
 * Set-based statements of the PostgreSQL adapter: rows passed as the parallel arrays `unnest`
 * takes, so that an operation is a few statements whatever the number of rows (round trips are
 * what cost here). Helpers only: the SQL is each repository's.
 */
import type { Row } from '../rows.js'
import { rows, type Queryable } from './connection.js'

/** A (workspace, key) pair as one string, for sets and maps. */
export const pairKey = (workspaceId: string, key: string | number): string =>
  `${workspaceId}\u0000${key}`

/**
 * The statement selecting `table`'s rows whose (workspace_id, `column`) is one of a Keys' pairs
 * ($1 the workspaces, $2 the keys, of SQL type `keyType`), `orderBy` its order (columns of `t`):
 * the join through unnest of every lookup of many rows by key.
 */
export function selectByKeys(
  table: string,
  column: string,
  keyType: 'text' | 'bigint' = 'text',
  orderBy?: string,
): string {
  return `
    SELECT t.* FROM ${table} t
    JOIN unnest($1::text[], $2::${keyType}[]) AS k(workspace_id, ${column})
      ON t.workspace_id = k.workspace_id AND t.${column} = k.${column}${
        orderBy === undefined
          ? ''
          : `
    ORDER BY ${orderBy}`
      }`
}

/** (workspace, key) pairs as the two parallel arrays `unnest` takes. */
export type Keys<K extends string | number> = Readonly<{
  workspaceIds: readonly string[]
  keys: readonly K[]
}>

/** The rows of `text` (whose $1 and $2 are a Keys' two arrays) for the pairs, each mapped. */
export async function rowsOfKeys<K extends string | number, T>(
  db: Queryable,
  text: string,
  keys: Keys<K>,
  map: (row: Row) => T,
): Promise<T[]> {
  return (await rows(db, text, [keys.workspaceIds, keys.keys])).map(map)
}

/** The (workspace, key) pairs of a list's items, as they come. */
export function keysOf<T extends Readonly<{ workspaceId: string }>, K extends string | number>(
  items: readonly T[],
  key: (item: T) => K,
): Keys<K> {
  return { workspaceIds: items.map((i) => i.workspaceId), keys: items.map(key) }
}

/** Distinct (workspace, key) pairs, in the order first added. */
export class Pairs<K extends string | number> implements Keys<K> {
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
export function collapse<T>(
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

/** collapse's rules for a key written twice: the first row stays, or the later one wins. */
export const keepFirst = <T>(first: T): T => first
export const keepLater = <T>(_first: T, later: T): T => later
/** collapse's key of a row keyed by its seq alone (log records, outcomes, events). */
export const bySeq = (row: Readonly<{ seq: number }>): string => String(row.seq)

/** collapse for users and devices: the later row of a key wins, created when the first was. */
export const collapseProfiles = <T extends Readonly<{ createdAt: number }>>(
  rows: readonly T[],
  key: (row: T) => string,
): T[] => collapse(rows, key, (first, later) => ({ ...later, createdAt: first.createdAt }))

/**
 * The SQL of parameter `$n` holding a column of JSON texts (or NULLs) joined by joinJson, as the
 * text[] `unnest` takes. pg would send a text[] as an array literal, every `"` and `\` of the
 * JSON escaped (JSON is full of them) for PostgreSQL to unescape again; joined, neither side
 * escapes anything. JSON text never holds U+001F or U+001E (JSON.stringify writes control
 * characters as \u escapes), so they separate the texts and stand for NULL.
 */
export const jsonColumn = (n: number): string => `string_to_array($${n}::text, E'\\x1f', E'\\x1e')`

/** A column of JSON texts (or NULLs) as jsonColumn's one text. */
function joinJson(texts: readonly unknown[]): string {
  let out = ''
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]
    out += (i === 0 ? '' : '\u001f') + (t === null ? '\u001e' : (t as string)) // JSON text or NULL
  }
  return out
}

/**
 * Runs `text` with one array parameter per column of `rows` — `values(row)` gives a row's values
 * in the order of the statement's parameters ($1 the first) — in one round trip; nothing at all
 * when there are no rows. The columns at `jsonColumns` (0-based) are JSON texts, passed joined
 * (the statement reads them with jsonColumn). Resolves to the rows the statement returns.
 */
export async function unnest<T>(
  db: Queryable,
  text: string,
  rows: readonly T[],
  values: (row: T) => readonly unknown[],
  jsonColumns: readonly number[] = [],
): Promise<Row[]> {
  if (rows.length === 0) return []
  const tuples = rows.map(values)
  const columns: unknown[] = (tuples[0] ?? []).map((_, i) => tuples.map((v) => v[i]))
  for (const i of jsonColumns) columns[i] = joinJson(columns[i] as unknown[])
  return (await db.query<Row>(text, columns)).rows
}
