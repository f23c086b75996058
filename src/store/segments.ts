/**
 * The segment query language the store answers (Store `segments`, docs/segments.md): a tree of
 * and/or groups over user-attribute filters (on a stored attribute key or a user column), action
 * filters (counts or first/last times of a user's events of one name, in a time window,
 * optionally narrowed by event-attribute filters) and subscription filters (Inlet's: a user's
 * subscription preferences). It is what families' segment definitions
 * become once names are mapped to stored keys and references to other segments are expanded
 * (segments/resolve.ts); the store never sees a wire name or a reference.
 *
 * Besides the types, this module holds the parts of the semantics that every evaluator of a
 * query shares — the reference evaluator (segments/evaluate.ts) and both SQL compilers
 * (store/segment-sql.ts) — so that they cannot drift apart: the time window of each time spec
 * at an injected `now`, the text key datetimes compare by, and ASCII case folding.
 */
import type { AttributeMap } from './store.js'

export const DATA_TYPES = ['string', 'double', 'datetime', 'bool'] as const
export type DataType = (typeof DATA_TYPES)[number]

export const PERIOD_UNITS = ['days', 'weeks', 'months'] as const
export type PeriodUnit = (typeof PERIOD_UNITS)[number]

/** Where a user filter reads its value: a stored attribute key, or one of the user's columns. */
export type Field = AttributeField | Readonly<{ kind: 'column'; column: 'customer_id' | 'id' }>
export type AttributeField = Readonly<{ kind: 'attribute'; key: string }>

/**
 * An absolute time as it was written: the instant (the start of the day for a date), whether it
 * named a whole day or an instant, and the UTC offset it was written in (minutes; 0 for `Z`, for
 * no zone and for a date), which is the time zone its day is taken in.
 */
export type Instant = Readonly<{
  ms: number
  precision: 'day' | 'instant'
  offsetMinutes: number
}>

/** A point in time: absolute, or `amount` units before `now`. */
export type TimePoint =
  | Readonly<{ kind: 'absolute'; at: Instant }>
  | Readonly<{ kind: 'ago'; amount: number; unit: PeriodUnit }>

/** A set of times, resolved against `now` by windowOf. */
export type TimeSpec =
  | Readonly<{ kind: 'before' | 'after' | 'on'; point: TimePoint }>
  | Readonly<{ kind: 'between'; from: TimePoint; to: TimePoint }>
  | Readonly<{ kind: 'last' | 'next'; amount: number; unit: PeriodUnit }>
  | Readonly<{ kind: 'today' }>

export const STRING_OPERATORS = [
  'is',
  'in',
  'contains',
  'containsInTheFollowing',
  'startWithInTheFollowing',
  'endsWithInTheFollowing',
] as const
export type StringOperator = (typeof STRING_OPERATORS)[number]

export const DATETIME_OPERATORS = [
  'inTheLast',
  'on',
  'between',
  'before',
  'after',
  'inTheNext',
  'today',
] as const
export type DatetimeOperator = (typeof DATETIME_OPERATORS)[number]

/** What a user filter asks of the value, by data type (MoEngage's operators, docs/segments.md). */
export type Condition =
  | Readonly<{ type: DataType; op: 'exists' }>
  | Readonly<{
      type: 'string'
      op: StringOperator
      /** At least one; any of them matches. */
      values: readonly string[]
      caseSensitive: boolean
    }>
  | Readonly<{ type: 'double'; op: 'in'; values: readonly number[] }>
  | Readonly<{ type: 'double'; op: 'between'; value: number; value1: number }>
  | Readonly<{ type: 'double'; op: 'lessThan' | 'greaterThan'; value: number }>
  | Readonly<{ type: 'bool'; op: 'is'; value: boolean }>
  | Readonly<{ type: 'datetime'; op: DatetimeOperator; time: TimeSpec }>

export type AttributeFilter = Readonly<{
  kind: 'attribute'
  /** The name as the definition wrote it (descriptions show it). */
  name: string
  field: Field
  negate: boolean
  condition: Condition
}>

export type Execution =
  | Readonly<{ type: 'atleast' | 'exactly' | 'atmost'; count: number }>
  | Readonly<{ type: 'firstTime' | 'lastTime' }>

export type BoolOperator = 'and' | 'or'

/** A filter on an attribute of an event (its key as stored; events have no columns to filter). */
export type EventAttributeFilter = AttributeFilter & Readonly<{ field: AttributeField }>

/** Filters on the attributes of the events an action filter counts. */
export type EventAttributeGroup = Readonly<{
  operator: BoolOperator
  filters: readonly EventAttributeFilter[]
}>

export type ActionFilter = Readonly<{
  kind: 'action'
  /** The event name as stored. */
  event: string
  executed: boolean
  execution: Execution
  time: TimeSpec
  where: EventAttributeGroup
}>

/**
 * Inlet's extension of the grammar (docs/segments.md, "Subscription filters"): a user's
 * subscription preferences on a channel (store/consent-repo.ts). `subscribed`: the user gets the
 * messages of `category` (of the channel, when null): not unsubscribed from all, and not from that
 * category — a user who never chose is subscribed. `opt_in_status`: the user's opt-in status is
 * one of `values` (a user without one matches none). `negate` is the exact complement.
 */
export type SubscriptionFilter = Readonly<{
  kind: 'subscription'
  channel: string
  negate: boolean
  condition:
    | Readonly<{ type: 'subscribed'; category: string | null }>
    | Readonly<{ type: 'opt_in_status'; values: readonly string[] }>
}>

/**
 * Membership of a list segment (a file segment or a cohort, store/segment-list-repo.ts): the user
 * is one of its stored members. It is what a segment query of such a segment is, and what a
 * reference to one (`custom_segments`) expands to.
 */
export type ListFilter = Readonly<{
  kind: 'list'
  segmentId: string
  /** The segment's name (descriptions show it). */
  name: string
}>

/** An and/or group; `R` is what else a leaf may be (a segment reference before resolution). */
export type Group<R = never> = Readonly<{
  kind: 'group'
  operator: BoolOperator
  filters: readonly FilterNode<R>[]
}>

export type FilterNode<R = never> =
  Group<R> | AttributeFilter | ActionFilter | SubscriptionFilter | ListFilter | R

/** A resolved segment: what the store counts and pages. */
export type SegmentQuery = Group

/** One member as a page answers it. */
export type MemberRow = Readonly<{
  id: string
  customerId: string | null
  createdAt: number
  updatedAt: number
  /** All stored attributes, or only those the page asked for (those the user has). */
  attributes: AttributeMap
}>

export type MemberPageRequest = Readonly<{
  /** The time relative windows (inTheLast, today, …) resolve against. */
  now: number
  /** Members after this internal id (byte order); absent: from the first. */
  afterId?: string
  limit: number
  /** Which stored attributes to answer: all (the default), none, or these keys. */
  attributes?: 'all' | 'none' | readonly string[]
}>

export type MemberPage = Readonly<{
  members: MemberRow[]
  /** The `afterId` of the next page; null after the last. */
  next: string | null
}>

export interface SegmentRepo {
  /** How many users of the workspace the query selects at `now`. */
  count(workspaceId: string, query: SegmentQuery, now: number): Promise<number>
  /** The query's members in internal-id order (byte order), a page at a time. */
  members(workspaceId: string, query: SegmentQuery, page: MemberPageRequest): Promise<MemberPage>
}

/** Milliseconds of a day. */
export const DAY_MS = 86_400_000

/** `ms` moved by `amount` units (negative: back). Months move the calendar month (UTC), the day
 * clamped to the target month's last (Mar 31 − 1 month = Feb 28/29), the time of day kept. */
export function shiftTime(ms: number, amount: number, unit: PeriodUnit): number {
  switch (unit) {
    case 'days':
      return ms + amount * DAY_MS
    case 'weeks':
      return ms + amount * 7 * DAY_MS
    case 'months': {
      const d = new Date(ms)
      const target = new Date(0)
      target.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + amount, 1)
      const lastDay = new Date(0)
      lastDay.setUTCFullYear(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)
      target.setUTCDate(Math.min(d.getUTCDate(), lastDay.getUTCDate()))
      return target.getTime() + (ms - Math.floor(ms / DAY_MS) * DAY_MS)
    }
  }
}

/** The start of the day holding `ms`, in the time zone `offsetMinutes` east of UTC. */
export function dayStart(ms: number, offsetMinutes: number): number {
  const shift = offsetMinutes * 60_000
  return Math.floor((ms + shift) / DAY_MS) * DAY_MS - shift
}

/** A half-open window of epoch ms: from ≤ t < to; a side left out is unbounded. */
export type Window = Readonly<{ from?: number; to?: number }>

type Span = Readonly<{ lo: number; hi: number }>

/** The times a point stands for: a day, or one millisecond. */
function spanOf(point: TimePoint, now: number): Span {
  if (point.kind === 'ago') {
    const ms = shiftTime(now, -point.amount, point.unit)
    return { lo: ms, hi: ms + 1 }
  }
  const { ms, precision } = point.at
  return precision === 'day' ? { lo: ms, hi: ms + DAY_MS } : { lo: ms, hi: ms + 1 }
}

/** The day a point falls on: in the zone it was written in (UTC for relative points). */
function dayOf(point: TimePoint, now: number): Span {
  const offset = point.kind === 'absolute' ? point.at.offsetMinutes : 0
  const lo = dayStart(spanOf(point, now).lo, offset)
  return { lo, hi: lo + DAY_MS }
}

/**
 * The window of a time spec at `now` (docs/segments.md, "Time"): `before` is earlier than the
 * point (than its day, for a date), `after` later than it, `on` its day, `between` both points
 * and everything between (either order), `last` the `amount` units up to and including `now`,
 * `next` from `now` to `amount` units on, `today` the UTC day of `now`.
 */
export function windowOf(spec: TimeSpec, now: number): Window {
  switch (spec.kind) {
    case 'before':
      return { to: spanOf(spec.point, now).lo }
    case 'after':
      return { from: spanOf(spec.point, now).hi }
    case 'on':
      return { from: dayOf(spec.point, now).lo, to: dayOf(spec.point, now).hi }
    case 'between': {
      const [a, b] = [spanOf(spec.from, now), spanOf(spec.to, now)]
      return { from: Math.min(a.lo, b.lo), to: Math.max(a.hi, b.hi) }
    }
    case 'last':
      return { from: shiftTime(now, -spec.amount, spec.unit), to: now + 1 }
    case 'next':
      return { from: now, to: shiftTime(now, spec.amount, spec.unit) + 1 }
    case 'today': {
      const lo = dayStart(now, 0)
      return { from: lo, to: lo + DAY_MS }
    }
  }
}

const FIRST_DATE_MS = -62_167_219_200_000 // 0000-01-01T00:00:00.000Z
const AFTER_LAST_DATE_MS = 253_402_300_800_000 // 10000-01-01T00:00:00.000Z

/**
 * The text a datetime bound compares by. Stored datetimes are `{"$date": <ISO 8601 UTC>}`
 * (profile/attribute-values.ts) in the fixed 24-character form, whose text order is time order
 * for years 0000–9999; a bound outside those years becomes '' (before every datetime) or '~'
 * (after every one), so that text comparison stays right. Stores compare bytewise.
 */
export function dateKey(ms: number): string {
  if (ms < FIRST_DATE_MS) return ''
  if (ms >= AFTER_LAST_DATE_MS) return '~'
  return new Date(ms).toISOString()
}

/**
 * Case folding of case-insensitive filters: A–Z to a–z and nothing else, as SQLite's lower() and
 * PostgreSQL's lower() under the "C" collation do, so that every store folds alike
 * (docs/segments.md: 'É' and 'é' stay different).
 */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

/** The four ways string operators compare; each matches when any of the values does. */
export type StringMatch = 'equals' | 'contains' | 'prefix' | 'suffix'

export function stringMatchOf(op: StringOperator): StringMatch {
  switch (op) {
    case 'is':
    case 'in':
      return 'equals'
    case 'contains':
    case 'containsInTheFollowing':
      return 'contains'
    case 'startWithInTheFollowing':
      return 'prefix'
    case 'endsWithInTheFollowing':
      return 'suffix'
  }
}
