/**
 * The server-side `description` of a filter segment (spec §2.1): an English rendering of its
 * definition in the form of MoEngage's examples — `Subscription Status  is active  (case
 * insensitive) AND Has executed Email Sent atleast 1 time in-between Feb 15, 2023 and Feb 24, 2023`
 * (its double spaces included). MoEngage documents only that example; the wording of the other
 * operators follows it (docs/segments.md lists them).
 */
import type {
  ActionFilter,
  AttributeFilter,
  Condition,
  Instant,
  TimePoint,
  TimeSpec,
  SubscriptionFilter,
} from '../store/segments.js'
import type { DefinitionNode, SegmentDefinition } from './definition.js'

export function describeSegment(definition: SegmentDefinition): string {
  return describeGroup(definition, true)
}

function describeGroup(g: Extract<DefinitionNode, { kind: 'group' }>, top: boolean): string {
  const joined = g.filters.map(describeNode).join(g.operator === 'and' ? ' AND ' : ' OR ')
  return top || g.filters.length === 1 ? joined : `(${joined})`
}

function describeNode(n: DefinitionNode): string {
  switch (n.kind) {
    case 'group':
      return describeGroup(n, false)
    case 'attribute':
      return describeAttribute(n)
    case 'action':
      return describeAction(n)
    case 'segment':
      return `Is in custom segment ${n.name ?? n.id}`
    case 'list':
      return `Is in custom segment ${n.name}`
    case 'subscription':
      return describeSubscription(n)
  }
}

/** `Is subscribed to email category Promotional`, `Email opt-in status is one of OPTED_OUT`. */
function describeSubscription(f: SubscriptionFilter): string {
  const c = f.condition
  if (c.type === 'opt_in_status') {
    return `${f.channel} opt-in status is ${f.negate ? 'not ' : ''}one of ${c.values.join(', ')}`
  }
  const what = c.category === null ? `${f.channel}` : `${f.channel} category ${c.category}`
  return `Is ${f.negate ? 'not ' : ''}subscribed to ${what}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `Feb 15, 2023`: the day of the instant in the offset it was written in. */
function day(at: Instant): string {
  const d = new Date(at.ms + at.offsetMinutes * 60_000)
  const dd = String(d.getUTCDate()).padStart(2, '0')
  return `${MONTHS[d.getUTCMonth()] ?? ''} ${dd}, ${d.getUTCFullYear()}`
}

const plural = (n: number, unit: string): string =>
  `${n} ${n === 1 ? unit.replace(/s$/, '') : unit}`

function point(p: TimePoint): string {
  return p.kind === 'absolute' ? day(p.at) : `${plural(p.amount, p.unit)} ago`
}

function time(t: TimeSpec): string {
  switch (t.kind) {
    case 'before':
    case 'after':
    case 'on':
      return `${t.kind} ${point(t.point)}`
    case 'between':
      return `in-between ${point(t.from)} and ${point(t.to)}`
    case 'last':
      return `in the last ${plural(t.amount, t.unit)}`
    case 'next':
      return `in the next ${plural(t.amount, t.unit)}`
    case 'today':
      return 'today'
  }
}

function describeAttribute(f: AttributeFilter): string {
  const c = f.condition
  const not = f.negate
  return `${f.name}  ${verb(c, not)}${caseNote(c)}`
}

function caseNote(c: Condition): string {
  if (c.type !== 'string' || c.op === 'exists') return ''
  return c.caseSensitive ? '  (case sensitive)' : '  (case insensitive)'
}

function verb(c: Condition, not: boolean): string {
  const is = not ? 'is not' : 'is'
  if (c.op === 'exists') return not ? 'does not exist' : 'exists'
  switch (c.type) {
    case 'string': {
      const values = c.values.join(' or ')
      switch (c.op) {
        case 'is':
        case 'in':
          return `${is} ${values}`
        case 'contains':
        case 'containsInTheFollowing':
          return `${not ? 'does not contain' : 'contains'} ${values}`
        case 'startWithInTheFollowing':
          return `${not ? 'does not start with' : 'starts with'} ${values}`
        case 'endsWithInTheFollowing':
          return `${not ? 'does not end with' : 'ends with'} ${values}`
      }
      break
    }
    case 'double':
      switch (c.op) {
        case 'in':
          return `${is} ${c.values.join(' or ')}`
        case 'between':
          return `${is} between ${c.value} and ${c.value1}`
        case 'lessThan':
          return `${is} less than ${c.value}`
        case 'greaterThan':
          return `${is} greater than ${c.value}`
      }
      break
    case 'bool':
      return `${is} ${c.value}`
    case 'datetime':
      return `${is} ${time(c.time)}`
  }
}

/**
 * How a stored event name reads: MoEngage's own `MOE_EMAIL_SENT` as `Email Sent` (its dashboard
 * name, as in spec §2.1's example), any other name as it is.
 */
export function eventDisplayName(name: string): string {
  if (!/^MOE_[A-Z0-9_]+$/.test(name)) return name
  return name
    .slice(4)
    .split('_')
    .filter((w) => w !== '')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join(' ')
}

function describeAction(f: ActionFilter): string {
  const ex = f.execution
  const how =
    'count' in ex
      ? `${ex.type} ${plural(ex.count, 'times')}`
      : ex.type === 'firstTime'
        ? 'for the first time'
        : 'for the last time'
  const where =
    f.where.filters.length === 0
      ? ''
      : ` with ${f.where.filters.map(describeAttribute).join(f.where.operator === 'and' ? ' AND ' : ' OR ')}`
  const has = f.executed ? 'Has executed' : 'Has not executed'
  return `${has} ${eventDisplayName(f.event)} ${how} ${time(f.time)}${where}`
}
