/**
 * The reference evaluator of segment queries (docs/segments.md): plain TypeScript over users and
 * their events, defining what every store's compiled SQL (store/segment-sql.ts) must answer —
 * the property test (segments/equivalence.test.ts) holds both stores to it. It is written for
 * clarity, not speed: it is the semantics, not a query engine.
 *
 * A user filter reads one value (a stored attribute, or a column); a typed condition matches a
 * value of its type only, and an array when any element matches; `exists` wants a value that is
 * not null and not an empty array; `negate` is the exact complement. An action filter looks at the
 * user's events of its name that pass its event-attribute filters: how many fall in the window,
 * or whether the first (last) of them does; `executed: false` is the complement. A subscription
 * filter asks the user's preference rows (profile/subscriptions.ts `subscribedTo`), a list filter
 * the list segments the user is a member of.
 */
import {
  dateKey,
  foldAscii,
  stringMatchOf,
  windowOf,
  type ActionFilter,
  type AttributeFilter,
  type Condition,
  type FilterNode,
  type SegmentQuery,
  type SubscriptionFilter,
  type Window,
} from '../store/segments.js'
import type { AttributeMap, EventRow, UserRow, UserSubscriptions } from '../store/store.js'
import { subscribedTo } from '../profile/subscriptions.js'

export type EvaluatedUser = Pick<UserRow, 'id' | 'customerId' | 'attributes'> & {
  /** The user's subscription rows (none when absent). */
  subscriptions?: UserSubscriptions
  /** The list segments (file segments, cohorts) the user is a member of (none when absent). */
  lists?: ReadonlySet<string>
}
export type EvaluatedEvent = Pick<EventRow, 'userId' | 'name' | 'eventTime' | 'attributes'>

/** The ids of the users the query selects at `now`, in byte order (ids are ASCII). */
export function evaluateSegment(
  query: SegmentQuery,
  users: readonly EvaluatedUser[],
  events: readonly EvaluatedEvent[],
  now: number,
): string[] {
  const byUser = new Map<string, EvaluatedEvent[]>()
  for (const e of events) {
    const list = byUser.get(e.userId)
    if (list === undefined) byUser.set(e.userId, [e])
    else list.push(e)
  }
  return users
    .filter((u) => matches(query, { user: u, events: byUser.get(u.id) ?? [], now }))
    .map((u) => u.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

type Subject = Readonly<{ user: EvaluatedUser; events: readonly EvaluatedEvent[]; now: number }>

/** Whether one user (with all of their events) is in the query's segment at `now`. */
export function matches(n: FilterNode, s: Subject): boolean {
  switch (n.kind) {
    case 'group':
      return n.operator === 'and'
        ? n.filters.every((f) => matches(f, s))
        : n.filters.some((f) => matches(f, s))
    case 'attribute': {
      const value =
        n.field.kind === 'column'
          ? n.field.column === 'id'
            ? s.user.id
            : (s.user.customerId ?? undefined)
          : own(s.user.attributes, n.field.key)
      return attributeMatches(n, value, s.now)
    }
    case 'action':
      return actionMatches(n, s)
    case 'subscription':
      return subscriptionMatches(n, s.user.subscriptions)
    case 'list':
      return s.user.lists?.has(n.segmentId) ?? false
  }
}

/** A subscription filter, over the user's rows on the filter's channel. */
function subscriptionMatches(f: SubscriptionFilter, rows: UserSubscriptions | undefined): boolean {
  const status = rows?.statuses.find((r) => r.channel === f.channel)
  const c = f.condition
  let hit: boolean
  if (c.type === 'opt_in_status') {
    hit = status?.optInStatus !== undefined && c.values.some((v) => v === status.optInStatus)
  } else {
    const choice = rows?.preferences.find(
      (p) => p.channel === f.channel && p.category === c.category,
    )
    hit = subscribedTo(status, c.category === null ? undefined : choice?.subscribed)
  }
  return f.negate ? !hit : hit
}

const own = (attributes: AttributeMap, key: string): unknown =>
  Object.hasOwn(attributes, key) ? attributes[key] : undefined

function attributeMatches(f: AttributeFilter, value: unknown, now: number): boolean {
  const c = f.condition
  let hit: boolean
  if (c.op === 'exists') {
    hit = value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)
  } else {
    hit = Array.isArray(value)
      ? value.some((e) => scalarMatches(c, e, now))
      : scalarMatches(c, value, now)
  }
  return f.negate ? !hit : hit
}

/** The ISO text of a stored datetime (`{"$date": …}`), or undefined for any other value. */
function dateText(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const d = own(v as AttributeMap, '$date') // an object, checked above
  return typeof d === 'string' ? d : undefined
}

const inWindow = <T>(w: Window, v: T, key: (ms: number) => T): boolean =>
  (w.from === undefined || v >= key(w.from)) && (w.to === undefined || v < key(w.to))

function scalarMatches(c: Exclude<Condition, { op: 'exists' }>, v: unknown, now: number): boolean {
  switch (c.type) {
    case 'string': {
      if (typeof v !== 'string') return false
      const fold = (s: string): string => (c.caseSensitive ? s : foldAscii(s))
      const text = fold(v)
      const needles = c.values.map(fold)
      switch (stringMatchOf(c.op)) {
        case 'equals':
          return needles.includes(text)
        case 'contains':
          return needles.some((n) => text.includes(n))
        case 'prefix':
          return needles.some((n) => text.startsWith(n))
        case 'suffix':
          return needles.some((n) => text.endsWith(n))
      }
      break
    }
    case 'double': {
      if (typeof v !== 'number') return false
      switch (c.op) {
        case 'in':
          return c.values.includes(v)
        case 'between':
          return v >= Math.min(c.value, c.value1) && v <= Math.max(c.value, c.value1)
        case 'lessThan':
          return v < c.value
        case 'greaterThan':
          return v > c.value
      }
      break
    }
    case 'bool':
      return typeof v === 'boolean' && v === c.value
    case 'datetime': {
      const d = dateText(v)
      return d !== undefined && inWindow(windowOf(c.time, now), d, dateKey)
    }
  }
}

function actionMatches(f: ActionFilter, s: Subject): boolean {
  const considered = s.events.filter(
    (e) =>
      e.name === f.event &&
      (f.where.operator === 'and'
        ? f.where.filters.every((a) => attributeMatches(a, own(e.attributes, a.field.key), s.now))
        : f.where.filters.length === 0 ||
          f.where.filters.some((a) => attributeMatches(a, own(e.attributes, a.field.key), s.now))),
  )
  const window = windowOf(f.time, s.now)
  const ex = f.execution
  let hit: boolean
  if (!('count' in ex)) {
    const first = ex.type === 'firstTime'
    let t: number | undefined
    for (const e of considered) {
      if (t === undefined || (first ? e.eventTime < t : e.eventTime > t)) t = e.eventTime
    }
    hit = t !== undefined && inWindow(window, t, (ms) => ms)
  } else {
    const n = considered.filter((e) => inWindow(window, e.eventTime, (ms) => ms)).length
    hit =
      ex.type === 'atleast' ? n >= ex.count : ex.type === 'exactly' ? n === ex.count : n <= ex.count
  }
  return f.executed ? hit : !hit
}
