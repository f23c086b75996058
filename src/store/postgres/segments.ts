/**
 * The PostgreSQL adapter's segments (Store `segments`, store/segments.ts): the PostgreSQL dialect
 * of the segment compiler (store/segment-sql.ts) — a user's attributes parsed to jsonb once per
 * row (a LATERAL subquery that the planner keeps), values read by jsonb_typeof under CASE so that
 * no cast ever sees a value of another type, array elements with jsonb_array_elements, ASCII
 * folding with lower() under the "C" collation, and text ordered bytewise (COLLATE "C", on
 * migration 17's users_by_id_c for the member pages) — and the count and member-page statements.
 */
import {
  countStatement,
  eventsPerUserByText,
  memberPage,
  membersStatement,
  textColumn,
  type SegmentDialect,
  type Statement,
  type ValueRef,
} from '../segment-sql.js'
import type { SegmentRepo } from '../segments.js'
import { num, toUser, type Row } from '../rows.js'
import { rows, transaction, type PostgresConnection } from './connection.js'

/** The jsonb value `v` read as each type. */
function jsonbValue(v: string): Omit<ValueRef, 'anyElement'> {
  return {
    text: `CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END`,
    number: `CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v} #>> '{}')::float8 END`,
    bool: `CASE WHEN jsonb_typeof(${v}) = 'boolean' THEN (${v} #>> '{}')::boolean END`,
    date: `CASE WHEN jsonb_typeof(${v} -> '$date') = 'string' THEN ${v} ->> '$date' END`,
    present: `(${v} IS NOT NULL AND ${v} <> 'null'::jsonb AND ${v} <> '[]'::jsonb)`,
  }
}

const CAST: Readonly<Record<string, string>> = { double: 'float8' }

export const postgresSegmentDialect: SegmentDialect = {
  placeholder: (n, type) => `$${n}::${CAST[type] ?? type}`,
  userDocument: {
    expr: 'ua.a',
    // OFFSET 0 keeps the subquery as it is: the text is parsed once per user, not once per filter.
    join: 'CROSS JOIN LATERAL (SELECT u.attributes::jsonb AS a OFFSET 0) ua',
  },
  eventDocument: '(e.attributes::jsonb)',
  attribute(doc, key, bind) {
    const k = bind(key, 'text')
    const v = `(${doc} -> ${k})`
    const j = `j${k.slice(1, k.indexOf(':'))}`
    return {
      ...jsonbValue(v),
      anyElement: (pred) =>
        `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${v}) = 'array' THEN ${v} END) AS ${j}(v)
          WHERE ${pred(jsonbValue(`${j}.v`))})`,
    }
  },
  column: (name) =>
    textColumn(name, { number: 'NULL::float8', bool: 'NULL::boolean', date: 'NULL::text' }),
  fold: (text) => `lower(${text} COLLATE "C")`,
  contains: (text, needle) => `strpos(${text}, ${needle}) > 0`,
  startsWith: (text, needle) => `substr(${text}, 1, length(${needle})) = ${needle}`,
  endsWith: (text, needle) => `right(${text}, length(${needle})) = ${needle}`,
  bytewise: (text) => `(${text} COLLATE "C")`,
  drivingJoin: 'JOIN',
  eventsPerUser: eventsPerUserByText,
}

/**
 * Memory each sort or hash of a segment statement may use before it spills to disk: grouping the
 * users of a frequent event over millions of events (bench:segments) fits in it, where the
 * server's default (4 MB) sorted on disk. Set for the statement's transaction alone.
 */
export const SEGMENT_WORK_MEM = '64MB'

/**
 * Parallel workers a segment statement may use: none. With workers, the plan of the grouping
 * (`atleast` over a frequent event) is a hash join whose inner side — the whole grouping — every
 * process builds for itself (loops=3 in query-plans.md "Segments"): on this machine's two cores
 * three processes did the same work. Measured (benchmarks.md, 22:20): the count 3.6 s → 3.1 s and
 * the first page 3.7 s → 3.6 s at 1M users (load 15), 500 → 294 ms for the page at 1/5 scale.
 */
export const SEGMENT_PARALLEL_WORKERS = 0

export function postgresSegments({ pool, open }: PostgresConnection): SegmentRepo {
  const read = (s: Statement): Promise<Row[]> =>
    open(() =>
      transaction(pool, 'BEGIN READ ONLY', async (c) => {
        await c.query(`SET LOCAL work_mem = '${SEGMENT_WORK_MEM}'`)
        await c.query(`SET LOCAL max_parallel_workers_per_gather = ${SEGMENT_PARALLEL_WORKERS}`)
        return rows(c, s.text, s.values)
      }),
    )
  return {
    count: async (ws, query, now) => {
      const [row] = await read(countStatement(postgresSegmentDialect, ws, query, now))
      return row === undefined ? 0 : num(row['n'])
    },
    members: async (ws, query, page) => {
      const found = await read(membersStatement(postgresSegmentDialect, ws, query, page))
      return memberPage(found.map(toUser), page)
    },
  }
}
