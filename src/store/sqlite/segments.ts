/**
 * The SQLite adapter's segments (Store `segments`, store/segments.ts): the SQLite dialect of the
 * segment compiler (store/segment-sql.ts) — attributes read with json_type / json_extract on a
 * bound JSON path, array elements with json_each, ASCII folding with the built-in lower() — and
 * the count and member-page statements run on store.db. Members page in the users table's own
 * (workspace_id, id) order: SQLite compares text bytewise.
 */
import {
  countStatement,
  memberPage,
  membersStatement,
  textColumn,
  type SegmentDialect,
  type SqlValue,
  type ValueRef,
} from '../segment-sql.js'
import type { SegmentRepo } from '../segments.js'
import { num, toUser, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

/** The JSON path of one key, quoted so that any key is one step. */
const pathOf = (key: string): string => `$.${JSON.stringify(key)}`

const DATE_STEP = `'$."$date"'`

/** A value whose JSON type is `type` (json_type's names) and SQL value `value`. */
function jsonValue(type: string, value: string, date: string): Omit<ValueRef, 'present'> {
  return {
    text: `CASE WHEN ${type} = 'text' THEN ${value} END`,
    number: `CASE WHEN ${type} IN ('integer', 'real') THEN ${value} END`,
    bool: `CASE ${type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`,
    date,
  }
}

export const sqliteSegmentDialect: SegmentDialect = {
  placeholder: (n) => `@p${n}`,
  userDocument: { expr: 'u.attributes', join: '' },
  eventDocument: 'e.attributes',
  attribute(doc, key, bind) {
    const path = bind(pathOf(key), 'text')
    const datePath = bind(`${pathOf(key)}."$date"`, 'text')
    const type = `json_type(${doc}, ${path})`
    const j = `j${path.slice(2)}`
    const element = `${j}.value`
    return {
      ...jsonValue(
        type,
        `json_extract(${doc}, ${path})`,
        `CASE WHEN json_type(${doc}, ${datePath}) = 'text' THEN json_extract(${doc}, ${datePath}) END`,
      ),
      present: `(${type} IS NOT NULL AND ${type} <> 'null'
        AND (${type} <> 'array' OR json_array_length(${doc}, ${path}) > 0))`,
      anyElement: (pred) =>
        `(${type} = 'array' AND EXISTS (SELECT 1 FROM json_each(${doc}, ${path}) AS ${j} WHERE ${pred(
          {
            ...jsonValue(
              `${j}.type`,
              element,
              `CASE WHEN ${j}.type = 'object' AND json_type(${element}, ${DATE_STEP}) = 'text'
              THEN json_extract(${element}, ${DATE_STEP}) END`,
            ),
            present: `${j}.type <> 'null'`,
          },
        )}))`,
    }
  },
  column: (name) => textColumn(name, { number: 'NULL', bool: 'NULL', date: 'NULL' }),
  fold: (text) => `lower(${text})`,
  contains: (text, needle) => `instr(${text}, ${needle}) > 0`,
  startsWith: (text, needle) => `substr(${text}, 1, length(${needle})) = ${needle}`,
  endsWith: (text, needle) =>
    `(length(${text}) >= length(${needle}) AND substr(${text}, length(${text}) - length(${needle}) + 1) = ${needle})`,
  bytewise: (text) => text,
  // CROSS JOIN keeps SQLite's join order as written: without statistics it would rather walk
  // every user of the workspace and probe the events.
  drivingJoin: 'CROSS JOIN',
  // Events name their user and name by number (migration 37, sqlite/events.ts): the name's number
  // implies the workspace, and the events are grouped by the user's number (events_by_name_time
  // holds both), each group's user then read back as text.
  eventsPerUser: (q) => {
    const where = [
      `e.name_num = (SELECT num FROM event_names WHERE workspace_id = ${q.ws} AND name = ${q.name})`,
      ...q.where,
    ]
    return `SELECT k.user_id AS user_id, g.${q.column} AS ${q.column}
      FROM (SELECT e.user_num AS user_num, ${q.agg} AS ${q.column} FROM events e
        WHERE ${where.join(' AND ')} GROUP BY e.user_num${q.having}) g
      CROSS JOIN user_nums k ON k.num = g.user_num`
  },
}

/** The named parameters of a statement (`@p1`…); SQLite has no boolean: 1 and 0. */
function named(values: readonly SqlValue[]): Record<string, string | number> {
  return Object.fromEntries(
    values.map((v, i) => [`p${i + 1}`, typeof v === 'boolean' ? (v ? 1 : 0) : v]),
  )
}

export function sqliteSegments({ db }: SqliteConnection): SegmentRepo {
  return {
    count: (ws, query, now) =>
      attempt(() => {
        const s = countStatement(sqliteSegmentDialect, ws, query, now)
        return num((db.prepare(s.text).get(named(s.values)) as Row)['n'])
      }),
    members: (ws, query, page) =>
      attempt(() => {
        const s = membersStatement(sqliteSegmentDialect, ws, query, page)
        return memberPage((db.prepare(s.text).all(named(s.values)) as Row[]).map(toUser), page)
      }),
  }
}
