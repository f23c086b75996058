/**
 * The segment compiler (docs/segments.md): a SegmentQuery (store/segments.ts) to one SQL
 * statement, written once for both adapters over a dialect each gives (sqlite/segments.ts,
 * postgres/segments.ts). Every value — attribute keys, event names, strings, numbers, time bounds —
 * is a bound parameter; only the shape of the query is text. It owns the statement's shape and
 * the semantics' SQL; what a dialect spells differently (JSON access, placeholders, byte order)
 * is the dialect's.
 *
 * The statement: one common table expression per action filter (that filter's events grouped by
 * user: how many, or the first or last time), left-joined to the workspace's users, and the
 * filter tree as one boolean WHERE expression. Leaves are written so that NULL means "does not
 * match" (a missing attribute, a user without such events); a negation turns its operand's
 * NULL-or-FALSE into TRUE with `IS NOT TRUE`, so negating a filter selects exactly the users it
 * does not. A positive count at the top (`a1.n >= 3`) stays NULL-rejecting, so each planner may
 * turn its left join into an inner one and start from the events.
 */
import {
  foldAscii,
  stringMatchOf,
  windowOf,
  dateKey,
  type ActionFilter,
  type AttributeFilter,
  type Condition,
  type Field,
  type FilterNode,
  type MemberPage,
  type MemberPageRequest,
  type MemberRow,
  type SegmentQuery,
  type SubscriptionFilter,
  type Window,
} from './segments.js'
import type { AttributeMap, UserRow } from './store.js'

export type SqlValue = string | number | boolean
export type SqlType = 'text' | 'double' | 'bigint' | 'boolean'

/** Binds a value, answering its placeholder. */
export type Bind = (value: SqlValue, type: SqlType) => string

/** How a value of a JSON document (or a column) reads in SQL, each part NULL when it is not so. */
export type ValueRef = Readonly<{
  /** The value when it is a string. */
  text: string
  /** The value when it is a number. */
  number: string
  /** The value when it is a boolean, comparable to a bound boolean. */
  bool: string
  /** The ISO text of the value when it is a datetime (`{"$date": …}`), to compare bytewise. */
  date: string
  /** TRUE when the value is there: not missing, not null, not an empty array. */
  present: string
  /** TRUE when the value is an array one of whose elements satisfies `pred`; absent: never an array. */
  anyElement?: (pred: (element: ValueRef) => string) => string
}>

/** A user column (alias `u`) of text: never a number, boolean or datetime (`none`: a typed NULL). */
export function textColumn(
  name: string,
  none: Readonly<Record<'number' | 'bool' | 'date', string>>,
): ValueRef {
  return { text: `u.${name}`, ...none, present: `(u.${name} IS NOT NULL)` }
}

export interface SegmentDialect {
  /** The placeholder of the n-th bound value (1-based) of a type. */
  placeholder(n: number, type: SqlType): string
  /** The users' attributes as a document `attribute` reads, and what the FROM clause adds for it. */
  readonly userDocument: Readonly<{ expr: string; join: string }>
  /** An event's attributes (alias `e`) as a document. */
  readonly eventDocument: string
  /** The attribute `key` of a JSON document. */
  attribute(doc: string, key: string, bind: Bind): ValueRef
  /** A user column (alias `u`) holding text or NULL. */
  column(name: 'customer_id' | 'id'): ValueRef
  /** `text` with A–Z folded to a–z only (segments.ts foldAscii). */
  fold(text: string): string
  /** TRUE when `text` contains `needle` (a placeholder). */
  contains(text: string, needle: string): string
  /** TRUE when `text` starts / ends with `needle` (a placeholder). */
  startsWith(text: string, needle: string): string
  endsWith(text: string, needle: string): string
  /** `text` in byte order (for <, >, ORDER BY). */
  bytewise(text: string): string
  /** How the driving filter's CTE joins the users it starts from (an inner join, in that order). */
  readonly drivingJoin: string
  /**
   * The body of an action filter's CTE: the workspace's events of one name (`e`) that pass
   * `where`, one row per user: `user_id` and `agg` as `column`, then `having`.
   */
  eventsPerUser(q: EventsPerUser): string
}

/** What an action filter's CTE selects (SegmentDialect.eventsPerUser); every value a placeholder. */
export type EventsPerUser = Readonly<{
  ws: string
  name: string
  where: readonly string[]
  agg: string
  column: string
  having: string
}>

/** eventsPerUser over events that name their workspace, user and name as text (PostgreSQL's). */
export function eventsPerUserByText(q: EventsPerUser): string {
  const where = [`e.workspace_id = ${q.ws}`, `e.name = ${q.name}`, ...q.where]
  return `SELECT e.user_id AS user_id, ${q.agg} AS ${q.column} FROM events e
        WHERE ${where.join(' AND ')} GROUP BY e.user_id${q.having}`
}

export type Statement = Readonly<{ text: string; values: SqlValue[] }>

const TRUE = '(1 = 1)'
const FALSE = '(1 = 0)'

type Compiler = Readonly<{
  d: SegmentDialect
  bind: Bind
  values: SqlValue[]
  now: number
  /** The workspace's placeholder. */
  ws: string
  ctes: string[]
  joins: string[]
  uses: { userDocument: boolean }
  /** The action filter whose events the statement starts from (see drivingFilter), and its CTE. */
  driver: { filter: ActionFilter | undefined; alias?: string }
}>

function compiler(d: SegmentDialect, workspaceId: string, now: number): Compiler {
  const values: SqlValue[] = []
  const bind: Bind = (value, type) => {
    values.push(value)
    return d.placeholder(values.length, type)
  }
  const ws = bind(workspaceId, 'text')
  const uses = { userDocument: false }
  return { d, bind, values, now, ws, ctes: [], joins: [], uses, driver: { filter: undefined } }
}

/**
 * A top-level action filter every member must pass and no user without its events can (a
 * positive count of at least 1, or a first or last time): the statement starts from its events
 * and reads only their users, rather than every user of the workspace. PostgreSQL finds that
 * order by itself from its statistics; SQLite, whose stores are never ANALYZEd, is told
 * (SegmentDialect.drivingJoin).
 */
function drivingFilter(query: SegmentQuery): ActionFilter | undefined {
  if (query.operator !== 'and' && query.filters.length !== 1) return undefined
  return query.filters.find(
    (f): f is ActionFilter =>
      f.kind === 'action' &&
      f.executed &&
      (!('count' in f.execution) || (f.execution.type !== 'atmost' && f.execution.count >= 1)),
  )
}

/** The statement's parts: its WITH clause (or ''), and FROM … WHERE (the query's users). */
function compile(c: Compiler, query: SegmentQuery): Readonly<{ with: string; from: string }> {
  c.driver.filter = drivingFilter(query)
  const where = node(c, query)
  const userJoin = c.uses.userDocument ? ` ${c.d.userDocument.join}` : ''
  const { alias } = c.driver
  const users =
    alias === undefined
      ? 'users u'
      : `${alias} ${c.d.drivingJoin} users u ON u.id = ${alias}.user_id`
  return {
    with: c.ctes.length === 0 ? '' : `WITH ${c.ctes.join(',\n')}\n`,
    from: `FROM ${users}${userJoin}${c.joins.map((j) => ` ${j}`).join('')}
      WHERE u.workspace_id = ${c.ws} AND ${where}`,
  }
}

/** `SELECT count(*) AS n`: how many users of the workspace the query selects at `now`. */
export function countStatement(
  d: SegmentDialect,
  workspaceId: string,
  query: SegmentQuery,
  now: number,
): Statement {
  const c = compiler(d, workspaceId, now)
  const q = compile(c, query)
  return { text: `${q.with}SELECT count(*) AS n ${q.from}`, values: c.values }
}

/** The members' user rows after `afterId`, in byte order of their ids: `limit` + 1 of them. */
export function membersStatement(
  d: SegmentDialect,
  workspaceId: string,
  query: SegmentQuery,
  page: MemberPageRequest,
): Statement {
  const c = compiler(d, workspaceId, page.now)
  const q = compile(c, query)
  const id = d.bytewise('u.id')
  const after = page.afterId === undefined ? '' : ` AND ${id} > ${c.bind(page.afterId, 'text')}`
  const limit = c.bind(page.limit + 1, 'bigint')
  return {
    text: `${q.with}SELECT u.* ${q.from}${after} ORDER BY ${id} LIMIT ${limit}`,
    values: c.values,
  }
}

/** A page from the `limit` + 1 rows membersStatement read, with the attributes asked for. */
export function memberPage(rows: readonly UserRow[], page: MemberPageRequest): MemberPage {
  const members = rows.slice(0, page.limit).map((u): MemberRow => {
    const pick = page.attributes ?? 'all'
    return {
      id: u.id,
      customerId: u.customerId,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      attributes: pick === 'all' ? u.attributes : pick === 'none' ? {} : picked(u.attributes, pick),
    }
  })
  const last = members.at(-1)
  return { members, next: rows.length > page.limit && last !== undefined ? last.id : null }
}

function picked(attributes: AttributeMap, keys: readonly string[]): AttributeMap {
  const out: AttributeMap = {}
  for (const k of keys) {
    if (Object.hasOwn(attributes, k))
      Object.defineProperty(out, k, {
        value: attributes[k],
        enumerable: true,
        writable: true,
        configurable: true,
      })
  }
  return out
}

function node(c: Compiler, n: FilterNode): string {
  switch (n.kind) {
    case 'group': {
      if (n.filters.length === 0) return n.operator === 'and' ? TRUE : FALSE
      const parts = n.filters.map((f) => node(c, f))
      return `(${parts.join(n.operator === 'and' ? ' AND ' : ' OR ')})`
    }
    case 'attribute': {
      if (n.field.kind === 'column') return attribute(c, n, c.d.column(n.field.column))
      c.uses.userDocument = true
      return attribute(c, n, c.d.attribute(c.d.userDocument.expr, n.field.key, c.bind))
    }
    case 'action':
      return action(c, n)
    case 'subscription':
      return subscription(c, n)
    case 'list':
      return `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.workspace_id = ${c.ws}
        AND sm.segment_id = ${c.bind(n.segmentId, 'text')} AND sm.user_id = u.id)`
  }
}

/**
 * A subscription filter: EXISTS probes of the user's preference rows by their primary keys
 * (never NULL, so a negation is the complement). Subscribed: no unsubscribe-all flag and no
 * unsubscribed choice of the category.
 */
function subscription(c: Compiler, f: SubscriptionFilter): string {
  const status = (test: string): string =>
    `EXISTS (SELECT 1 FROM subscription_status s WHERE s.workspace_id = ${c.ws}
      AND s.user_id = u.id AND s.channel = ${c.bind(f.channel, 'text')} AND ${test})`
  const cond = f.condition
  let sql: string
  if (cond.type === 'opt_in_status') {
    sql = status(`s.opt_in_status IN (${cond.values.map((v) => c.bind(v, 'text')).join(', ')})`)
  } else {
    const parts = [`NOT ${status(`s.unsubscribed_all = ${c.bind(true, 'boolean')}`)}`]
    if (cond.category !== null) {
      parts.push(`NOT EXISTS (SELECT 1 FROM subscription_preferences p
        WHERE p.workspace_id = ${c.ws} AND p.user_id = u.id
          AND p.channel = ${c.bind(f.channel, 'text')}
          AND p.category = ${c.bind(cond.category, 'text')}
          AND p.subscribed = ${c.bind(false, 'boolean')})`)
    }
    sql = `(${parts.join(' AND ')})`
  }
  return f.negate ? `((${sql}) IS NOT TRUE)` : sql
}

/** A user or event attribute filter over the value `ref`. */
function attribute(c: Compiler, f: AttributeFilter, ref: ValueRef): string {
  const cond = f.condition
  let sql: string
  if (cond.op === 'exists') sql = ref.present
  else {
    const pred = (r: ValueRef): string => scalar(c, cond, r)
    sql =
      ref.anyElement === undefined ? `(${pred(ref)})` : `(${pred(ref)} OR ${ref.anyElement(pred)})`
  }
  return f.negate ? `((${sql}) IS NOT TRUE)` : sql
}

/** A condition on one value (not `exists`): TRUE when it matches, NULL or FALSE otherwise. */
function scalar(c: Compiler, cond: Exclude<Condition, { op: 'exists' }>, r: ValueRef): string {
  const { d, bind } = c
  switch (cond.type) {
    case 'string': {
      const folded = cond.caseSensitive ? r.text : d.fold(r.text)
      const needles = cond.values.map((v) => bind(cond.caseSensitive ? v : foldAscii(v), 'text'))
      switch (stringMatchOf(cond.op)) {
        case 'equals':
          return `${folded} IN (${needles.join(', ')})`
        case 'contains':
          return anyOf(needles.map((n) => d.contains(folded, n)))
        case 'prefix':
          return anyOf(needles.map((n) => d.startsWith(folded, n)))
        case 'suffix':
          return anyOf(needles.map((n) => d.endsWith(folded, n)))
      }
      break
    }
    case 'double':
      switch (cond.op) {
        case 'in':
          return `${r.number} IN (${cond.values.map((v) => bind(v, 'double')).join(', ')})`
        case 'between': {
          const [lo, hi] = [Math.min(cond.value, cond.value1), Math.max(cond.value, cond.value1)]
          return `${r.number} >= ${bind(lo, 'double')} AND ${r.number} <= ${bind(hi, 'double')}`
        }
        case 'lessThan':
          return `${r.number} < ${bind(cond.value, 'double')}`
        case 'greaterThan':
          return `${r.number} > ${bind(cond.value, 'double')}`
      }
      break
    case 'bool':
      return `${r.bool} = ${bind(cond.value, 'boolean')}`
    case 'datetime':
      return within(
        windowOf(cond.time, c.now),
        (ms) => bind(dateKey(ms), 'text'),
        d.bytewise(r.date),
      )
  }
}

const anyOf = (parts: readonly string[]): string => `(${parts.join(' OR ')})`

/** `expr` within the window (its bounds bound by `bound`); TRUE for an unbounded window. */
function within(w: Window, bound: (ms: number) => string, expr: string): string {
  const parts = [
    ...(w.from === undefined ? [] : [`${expr} >= ${bound(w.from)}`]),
    ...(w.to === undefined ? [] : [`${expr} < ${bound(w.to)}`]),
  ]
  return parts.length === 0 ? `${expr} IS NOT NULL` : `(${parts.join(' AND ')})`
}

/** An action filter: a CTE of the events it looks at per user, joined, and its test. */
function action(c: Compiler, f: ActionFilter): string {
  const alias = `a${c.ctes.length + 1}`
  const name = c.bind(f.event, 'text')
  const where = f.where.filters.length === 0 ? [] : [eventWhere(c, f)]
  const window = windowOf(f.time, c.now)
  const eventTime = (ms: number): string => c.bind(ms, 'bigint')
  const ex = f.execution
  let test: string
  if (!('count' in ex)) {
    // The first (last) of all the user's matching events, whenever it was, must be in the window.
    const agg = `${ex.type === 'firstTime' ? 'min' : 'max'}(e.event_time)`
    const body = c.d.eventsPerUser({ ws: c.ws, name, where, agg, column: 't', having: '' })
    c.ctes.push(`${alias} AS (${body})`)
    test = within(window, eventTime, `${alias}.t`)
  } else {
    const timed = within(window, eventTime, 'e.event_time')
    // `atleast N` keeps only the users with N or more in the CTE: the join (and every attribute
    // test after it) meets those alone. A user left out is NULL after a LEFT JOIN, which the
    // test (and its negation, `executed: false`) answers as it answers a count below N.
    const having =
      ex.type === 'atleast' && ex.count > 0
        ? ` HAVING count(*) >= ${c.bind(ex.count, 'bigint')}`
        : ''
    const body = c.d.eventsPerUser({
      ws: c.ws,
      name,
      where: [...where, timed],
      agg: 'count(*)',
      column: 'n',
      having,
    })
    c.ctes.push(`${alias} AS (${body})`)
    test = countTest(c, `${alias}.n`, ex)
  }
  if (c.driver.filter === f && c.driver.alias === undefined) c.driver.alias = alias
  else c.joins.push(`LEFT JOIN ${alias} ON ${alias}.user_id = u.id`)
  return f.executed ? test : `((${test}) IS NOT TRUE)`
}

/** The test of a user's count of events `n` (NULL: none). */
function countTest(
  c: Compiler,
  n: string,
  ex: Readonly<{ type: 'atleast' | 'exactly' | 'atmost'; count: number }>,
): string {
  switch (ex.type) {
    case 'atleast':
      return ex.count <= 0 ? TRUE : `${n} >= ${c.bind(ex.count, 'bigint')}`
    case 'exactly':
      return ex.count === 0 ? `${n} IS NULL` : `${n} = ${c.bind(ex.count, 'bigint')}`
    case 'atmost':
      return `(${n} IS NULL OR ${n} <= ${c.bind(ex.count, 'bigint')})`
  }
}

/** The event-attribute filters of an action filter, on the event row `e`. */
function eventWhere(c: Compiler, f: ActionFilter): string {
  const parts = f.where.filters.map((a) =>
    attribute(c, a, c.d.attribute(c.d.eventDocument, a.field.key, c.bind)),
  )
  return `(${parts.join(f.where.operator === 'and' ? ' AND ' : ' OR ')})`
}

/**
 * A list import's lookup (store/segment-list-repo.ts `match`): the users of the workspace whose
 * `field` equals one of `values` — the text value, or for `double` the number (a user column is
 * text, compared as text whatever the type) — at most two per value (`row_number`), so that a
 * value naming more than one user is seen without reading every user it names. Each row is
 * `v` (the value as the store read it) and `id`.
 */
export function matchStatement(
  d: SegmentDialect,
  workspaceId: string,
  field: Field,
  type: 'string' | 'double',
  values: readonly string[],
): Statement {
  const c = compiler(d, workspaceId, 0)
  let ref: ValueRef
  let join = ''
  if (field.kind === 'column') {
    ref = d.column(field.column)
  } else {
    ref = d.attribute(d.userDocument.expr, field.key, c.bind)
    join = ` ${d.userDocument.join}`
  }
  const numeric = type === 'double' && field.kind === 'attribute'
  const expr = numeric ? ref.number : ref.text
  const list = values.map((v) => (numeric ? c.bind(Number(v), 'double') : c.bind(v, 'text')))
  return {
    text: `SELECT t.v AS v, t.id AS id FROM (
        SELECT ${expr} AS v, u.id AS id,
          row_number() OVER (PARTITION BY ${expr} ORDER BY ${d.bytewise('u.id')}) AS r
        FROM users u${join}
        WHERE u.workspace_id = ${c.ws} AND ${expr} IN (${list.join(', ')})
      ) t WHERE t.r <= 2`,
    values: c.values,
  }
}

/** The matches of matchStatement's rows, each under the value it was asked as. */
export function valueMatches(
  type: 'string' | 'double',
  field: Field,
  values: readonly string[],
  rows: readonly Readonly<{ v: unknown; id: unknown }>[],
): { value: string; userId: string }[] {
  const numeric = type === 'double' && field.kind === 'attribute'
  const asked = new Map<string, string[]>()
  for (const v of values) {
    const key = numeric ? String(Number(v)) : v
    asked.set(key, [...(asked.get(key) ?? []), v])
  }
  const out: { value: string; userId: string }[] = []
  for (const r of rows) {
    const key = numeric ? String(Number(r.v)) : String(r.v)
    for (const value of asked.get(key) ?? []) out.push({ value, userId: String(r.id) })
  }
  return out
}
