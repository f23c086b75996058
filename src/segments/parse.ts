/**
 * MoEngage's filter-segment grammar (spec §2.1, docs/segments.md) from wire JSON to a
 * SegmentDefinition: every field checked against the grammar, user-attribute names mapped to
 * stored fields (attribute-names.ts), datetimes and relative periods read into time specs. Bad
 * input is answered, never thrown: an `invalid_filters` error naming the field's path
 * (`included_filters.filters[1].operator`) and what is wrong with it, or a 413 limit.
 */
import {
  DATA_TYPES,
  DATETIME_OPERATORS,
  PERIOD_UNITS,
  STRING_OPERATORS,
  type ActionFilter,
  type AttributeFilter,
  type BoolOperator,
  type Condition,
  type DataType,
  type EventAttributeFilter,
  type Execution,
  type Field,
  type Instant,
  type PeriodUnit,
  type SubscriptionFilter,
  type TimePoint,
  type TimeSpec,
} from '../store/segments.js'
import {
  OPT_IN_STATUSES,
  SUBSCRIPTION_CHANNELS,
  isLinkedAttribute,
} from '../profile/subscriptions.js'
import { fieldOf } from './attribute-names.js'
import {
  limitBroken,
  limitError,
  sizeOf,
  SEGMENT_LIMITS,
  type DefinitionNode,
  type SegmentDefinition,
  type SegmentError,
  type SegmentResult,
} from './definition.js'

/** Thrown inside the parser only, caught by parseFilters. */
class Refused extends Error {
  readonly error: SegmentError
  constructor(error: SegmentError) {
    super(error.message)
    this.error = error
  }
}

const refuse = (path: string, message: string): never => {
  throw new Refused({ code: 'invalid_filters', path, message })
}

type Obj = Readonly<Record<string, unknown>>

function objectAt(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(path, 'must be an object')
  return v as Obj // checked just above: a non-null, non-array object
}

const get = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  const found = allowed.find((a) => a === v)
  if (found === undefined) {
    refuse(path, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
  }
  return found as T // found above
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') refuse(path, 'must be a non-empty string')
  return v as string
}

function optionalBool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') refuse(path, 'must be true or false')
  return v as boolean
}

function arrayAt(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) refuse(path, 'must be an array')
  return v as unknown[]
}

/**
 * Parses `included_filters` (the wire JSON of a filter group). `path` names it in errors.
 * Limits are checked on the definition itself; resolveSegment checks them again with the
 * referenced segments expanded.
 */
export function parseFilters(
  json: unknown,
  path = 'included_filters',
): SegmentResult<SegmentDefinition> {
  try {
    const value = group(json, path, 1)
    const broken = limitBroken(sizeOf(value))
    return broken === undefined ? { ok: true, value } : { ok: false, error: broken }
  } catch (err) {
    if (err instanceof Refused) return { ok: false, error: err.error }
    throw err
  }
}

function group(json: unknown, path: string, depth: number): SegmentDefinition {
  // Checked while parsing so that a deep document is refused before it is walked further.
  if (depth > SEGMENT_LIMITS.nestingLevels) {
    throw new Refused(limitError('too_many_nesting_levels', SEGMENT_LIMITS.nestingLevels))
  }
  const o = objectAt(json, path)
  const operator = boolOperator(get(o, 'filter_operator'), `${path}.filter_operator`)
  const list = arrayAt(get(o, 'filters'), `${path}.filters`)
  if (list.length === 0) refuse(`${path}.filters`, 'must hold at least one filter')
  if (list.length > SEGMENT_LIMITS.filters) {
    throw new Refused(limitError('query_too_long', SEGMENT_LIMITS.filters))
  }
  const filters = list.map((f, i) => filter(f, `${path}.filters[${i}]`, depth))
  return { kind: 'group', operator, filters }
}

const boolOperator = (v: unknown, path: string): BoolOperator => oneOf(v, ['and', 'or'], path)

/** MoEngage's filter types, and Inlet's `subscription` (docs/segments.md). */
const FILTER_TYPES = ['user_attributes', 'actions', 'custom_segments', 'subscription'] as const

function filter(json: unknown, path: string, depth: number): DefinitionNode {
  const o = objectAt(json, path)
  const type = get(o, 'filter_type')
  // A nested and/or group has no filter_type (Inlet: groups nest, docs/segments.md).
  if (type === undefined && get(o, 'filter_operator') !== undefined) {
    return group(o, path, depth + 1)
  }
  switch (oneOf(type, FILTER_TYPES, `${path}.filter_type`)) {
    case 'user_attributes': {
      const field = fieldOf(text(get(o, 'name'), `${path}.name`))
      // Linked attributes are not stored: they are the preference records (README, Consent).
      if (field.kind === 'attribute' && isLinkedAttribute(field.key)) {
        refuse(
          `${path}.name`,
          `is a subscription preference, not a stored attribute: use a filter of filter_type 'subscription' (docs/segments.md)`,
        )
      }
      return attributeFilter(o, path, field)
    }
    case 'actions':
      return actionFilter(o, path)
    case 'subscription':
      return subscriptionFilter(o, path)
    case 'custom_segments': {
      const name = get(o, 'name')
      return {
        kind: 'segment',
        id: text(get(o, 'id'), `${path}.id`),
        name: typeof name === 'string' && name.trim() !== '' ? name : undefined,
      }
    }
  }
}

const SUBSCRIPTION_KEYS = [
  'filter_type',
  'channel',
  'category',
  'subscribed',
  'opt_in_status',
  'negate',
] as const

/**
 * Inlet's subscription filter (docs/segments.md, "Subscription filters"): `channel` and either
 * `subscribed` (true or false, to the channel or to its `category`) or `opt_in_status` (one or
 * more statuses); `negate` as elsewhere. Unknown keys are refused: a typo must not widen a segment
 * that decides who gets messages.
 */
function subscriptionFilter(o: Obj, path: string): SubscriptionFilter {
  const extra = Object.keys(o).find((k) => !(SUBSCRIPTION_KEYS as readonly string[]).includes(k))
  if (extra !== undefined) {
    refuse(
      `${path}.${extra}`,
      `is not a key of a subscription filter (${SUBSCRIPTION_KEYS.join(', ')})`,
    )
  }
  const given = text(get(o, 'channel'), `${path}.channel`)
  const channel = oneOf(given.toLowerCase(), SUBSCRIPTION_CHANNELS, `${path}.channel`)
  const negate = optionalBool(get(o, 'negate'), `${path}.negate`)
  const subscribed = get(o, 'subscribed')
  const statuses = get(o, 'opt_in_status')
  if ((subscribed === undefined) === (statuses === undefined)) {
    refuse(path, "must have one of 'subscribed' and 'opt_in_status'")
  }
  if (statuses !== undefined) {
    if (get(o, 'category') !== undefined) {
      refuse(`${path}.category`, "goes with 'subscribed', not with 'opt_in_status'")
    }
    const values = list(statuses, `${path}.opt_in_status`, (v, at) =>
      oneOf(typeof v === 'string' ? v.toUpperCase() : v, OPT_IN_STATUSES, at),
    )
    return { kind: 'subscription', channel, negate, condition: { type: 'opt_in_status', values } }
  }
  if (typeof subscribed !== 'boolean') refuse(`${path}.subscribed`, 'must be true or false')
  const category = get(o, 'category')
  return {
    kind: 'subscription',
    channel,
    negate: subscribed === negate, // subscribed: false is the complement, and so is negate
    condition: {
      type: 'subscribed',
      category: category === undefined ? null : text(category, `${path}.category`),
    },
  }
}

/** Operators of each data type (spec §2.1). */
const OPERATORS: Readonly<Record<DataType, readonly string[]>> = {
  bool: ['is', 'exists'],
  double: ['in', 'between', 'lessThan', 'greaterThan', 'exists'],
  string: [...STRING_OPERATORS, 'exists'],
  datetime: [...DATETIME_OPERATORS, 'exists'],
}

function attributeFilter(o: Obj, path: string, field: Field): AttributeFilter {
  const name = text(get(o, 'name'), `${path}.name`)
  const type = oneOf(get(o, 'data_type'), DATA_TYPES, `${path}.data_type`)
  const op = get(o, 'operator')
  if (typeof op !== 'string' || !OPERATORS[type].includes(op)) {
    refuse(
      `${path}.operator`,
      `must be one of ${OPERATORS[type].map((a) => `'${a}'`).join(', ')} for data_type '${type}'`,
    )
  }
  if (get(o, 'is_dynamic_value') === true) {
    refuse(
      `${path}.is_dynamic_value`,
      'dynamic values (campaign personalization) are not supported',
    )
  }
  return {
    kind: 'attribute',
    name,
    field,
    negate: optionalBool(get(o, 'negate'), `${path}.negate`),
    condition: condition(o, path, type, op as string), // checked against OPERATORS above
  }
}

function condition(o: Obj, path: string, type: DataType, op: string): Condition {
  if (op === 'exists') return { type, op: 'exists' }
  const value = get(o, 'value')
  const at = `${path}.value`
  switch (type) {
    case 'string':
      return {
        type,
        op: oneOf(op, STRING_OPERATORS, `${path}.operator`),
        values: list(value, at, stringValue),
        caseSensitive: optionalBool(get(o, 'case_sensitive'), `${path}.case_sensitive`),
      }
    case 'double':
      switch (op) {
        case 'in':
          return { type, op, values: list(value, at, numberValue) }
        case 'between':
          return {
            type,
            op,
            value: numberValue(value, at),
            value1: numberValue(get(o, 'value1'), `${path}.value1`),
          }
        default:
          return {
            type,
            op: op === 'lessThan' ? 'lessThan' : 'greaterThan',
            value: numberValue(value, at),
          }
      }
    case 'bool':
      return { type, op: 'is', value: boolValue(value, at) }
    case 'datetime': {
      const dop = oneOf(op, DATETIME_OPERATORS, `${path}.operator`)
      return { type, op: dop, time: datetimeSpec(o, path, dop) }
    }
  }
}

/** A value or a list of them (at least one; `in` takes a list, the others either form). */
function list<T>(v: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(v)) return [item(v, path)]
  if (v.length === 0) refuse(path, 'must hold at least one value')
  if (v.length > SEGMENT_LIMITS.values) {
    throw new Refused(limitError('query_too_long', SEGMENT_LIMITS.filters))
  }
  return v.map((x, i) => item(x, `${path}[${i}]`))
}

function stringValue(v: unknown, path: string): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return refuse(path, 'must be a string')
}

const DECIMAL = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/

function numberValue(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && DECIMAL.test(v) && Number.isFinite(Number(v))) return Number(v)
  return refuse(path, 'must be a number')
}

function boolValue(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'false') return v === 'true'
  return refuse(path, 'must be true or false')
}

/** Most units a relative period may count (about 270 years of days). */
const MAX_AMOUNT = 100_000

function amountOf(v: unknown, path: string): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_AMOUNT) {
    refuse(path, `must be a whole number from 0 to ${MAX_AMOUNT} (a number or a string of digits)`)
  }
  return n as number
}

function unitOf(v: unknown, path: string): PeriodUnit {
  return v === undefined || v === null ? 'days' : oneOf(v, PERIOD_UNITS, path)
}

/** A user-attribute datetime operator's time spec (value, value1, optional period_unit). */
function datetimeSpec(o: Obj, path: string, op: (typeof DATETIME_OPERATORS)[number]): TimeSpec {
  const value = get(o, 'value')
  const at = `${path}.value`
  const absolute = (v: unknown, p: string): TimePoint => ({ kind: 'absolute', at: instantOf(v, p) })
  switch (op) {
    case 'today':
      return { kind: 'today' }
    case 'inTheLast':
    case 'inTheNext':
      return {
        kind: op === 'inTheLast' ? 'last' : 'next',
        amount: amountOf(value, at),
        unit: unitOf(get(o, 'period_unit'), `${path}.period_unit`),
      }
    case 'between':
      return {
        kind: 'between',
        from: absolute(value, at),
        to: absolute(get(o, 'value1'), `${path}.value1`),
      }
    case 'on':
    case 'before':
    case 'after':
      return { kind: op, point: absolute(value, at) }
  }
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

/**
 * An ISO 8601 date (`2023-02-15`: that whole day, UTC) or date-time (`…T10:00:00.000Z`, with an
 * offset such as `+05:30`, or none: UTC); the day of `on` is taken in the offset written.
 */
export function instantOf(v: unknown, path: string): Instant {
  const m = typeof v === 'string' ? ISO.exec(v.trim()) : null
  if (m === null) {
    return refuse(path, "must be an ISO 8601 date or date-time, e.g. '2023-02-15T00:00:00.000Z'")
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  const zone = m[8]
  const offsetMinutes =
    zone === undefined || zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + (zone.length > 3 ? Number(zone.slice(-2)) : 0))
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, fraction)
  const valid =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    Math.abs(offsetMinutes) < 24 * 60
  if (!valid) return refuse(path, 'is not a date that exists')
  return {
    ms: d.getTime() - offsetMinutes * 60_000,
    precision: m[4] === undefined ? 'day' : 'instant',
    offsetMinutes,
  }
}

const EXECUTIONS = ['atleast', 'exactly', 'atmost', 'firstTime', 'lastTime'] as const
const TIME_RANGES = ['on', 'inTheLast', 'before', 'after', 'between'] as const

function actionFilter(o: Obj, path: string): ActionFilter {
  const event = text(get(o, 'action_name'), `${path}.action_name`)
  const executed = get(o, 'executed')
  if (typeof executed !== 'boolean') refuse(`${path}.executed`, 'must be true or false')
  const attrs = get(o, 'attributes')
  return {
    kind: 'action',
    event,
    executed: executed as boolean, // checked above
    execution: execution(get(o, 'execution'), `${path}.execution`),
    time: timeRange(get(o, 'primary_time_range'), `${path}.primary_time_range`),
    where:
      attrs === undefined || attrs === null
        ? { operator: 'and', filters: [] }
        : eventAttributes(attrs, `${path}.attributes`),
  }
}

function execution(json: unknown, path: string): Execution {
  const o = objectAt(json, path)
  const type = oneOf(get(o, 'type'), EXECUTIONS, `${path}.type`)
  if (type === 'firstTime' || type === 'lastTime') return { type }
  return { type, count: amountOf(get(o, 'count'), `${path}.count`) }
}

function timeRange(json: unknown, path: string): TimeSpec {
  const o = objectAt(json, path)
  const type = oneOf(get(o, 'type'), TIME_RANGES, `${path}.type`)
  const valueType = oneOf(get(o, 'value_type'), ['absolute', 'relative_past'], `${path}.value_type`)
  const unitPath = `${path}.period_unit`
  // period_unit counts relative values; an absolute range may carry it (MoEngage's examples do).
  const unit =
    valueType === 'absolute'
      ? unitOf(get(o, 'period_unit'), unitPath)
      : oneOf(get(o, 'period_unit'), PERIOD_UNITS, unitPath)
  const point = (v: unknown, p: string): TimePoint =>
    valueType === 'absolute'
      ? { kind: 'absolute', at: instantOf(v, p) }
      : { kind: 'ago', amount: amountOf(v, p), unit }
  const [value, value1] = [get(o, 'value'), get(o, 'value1')]
  switch (type) {
    case 'inTheLast':
      if (valueType === 'absolute') {
        return refuse(`${path}.value_type`, "must be 'relative_past' for 'inTheLast'")
      }
      return { kind: 'last', amount: amountOf(value, `${path}.value`), unit }
    case 'between':
      return {
        kind: 'between',
        from: point(value, `${path}.value`),
        to: point(value1, `${path}.value1`),
      }
    default:
      return { kind: type, point: point(value, `${path}.value`) }
  }
}

/** An action filter's `attributes`: one and/or group of filters on the event's attributes. */
function eventAttributes(json: unknown, path: string): ActionFilter['where'] {
  const o = objectAt(json, path)
  const operator = boolOperator(get(o, 'filter_operator'), `${path}.filter_operator`)
  const list = arrayAt(get(o, 'filters'), `${path}.filters`)
  if (list.length > SEGMENT_LIMITS.filters) {
    throw new Refused(limitError('query_too_long', SEGMENT_LIMITS.filters))
  }
  const filters = list.map((f, i): EventAttributeFilter => {
    const at = `${path}.filters[${i}]`
    const fo = objectAt(f, at)
    const type = get(fo, 'filter_type')
    if (type !== undefined && type !== 'user_attributes') {
      refuse(
        `${at}.filter_type`,
        "must be 'user_attributes' (or left out) in an action's attributes",
      )
    }
    // Event attributes are read under their names as sent: no display names for them.
    const field = { kind: 'attribute', key: text(get(fo, 'name'), `${at}.name`) } as const
    return { ...attributeFilter(fo, at, field), field }
  })
  return { operator, filters }
}
