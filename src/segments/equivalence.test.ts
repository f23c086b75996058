// The property that makes one grammar with three implementations safe (docs/segments.md): for
// generated users (attributes of every type, arrays, datetimes, nulls), events (names, times on
// and around window edges, attributes), subscription preferences, list-segment memberships and
// segment queries using every operator (and Inlet's subscription and list filters), both stores'
// compiled SQL — count and every page of members — answer exactly the users the reference
// evaluator (evaluate.ts) selects. Each run writes its data under a workspace of its own, with a
// decoy workspace holding the same user ids beside it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { startPostgres } from '../../test/helpers/postgres.js'
import { batchChanges } from '../../test/helpers/batches.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createPostgresStore } from '../store/postgres/postgres-store.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import {
  DATETIME_OPERATORS,
  DAY_MS,
  PERIOD_UNITS,
  STRING_OPERATORS,
  dayStart,
  type ActionFilter,
  type AttributeFilter,
  type Condition,
  type EventAttributeFilter,
  type Execution,
  type Field,
  type FilterNode,
  type ListFilter,
  type SegmentQuery,
  type SubscriptionFilter,
  type TimePoint,
  type TimeSpec,
} from '../store/segments.js'
import type { AttributeMap, EventRow, Store, UserRow, UserSubscriptions } from '../store/store.js'
import { OPT_IN_STATUSES, type OptInStatus } from '../profile/subscriptions.js'
import { evaluateSegment } from './evaluate.js'

const NOW = Date.parse('2026-11-15T10:30:00.000Z')
const HOUR = 3_600_000

/** Times on and around the edges windows are made of: whole days, ±1 ms, today's start. */
const timeNear = fc.oneof(
  fc.integer({ min: -70, max: 70 }).map((d) => NOW + d * DAY_MS),
  fc
    .tuple(fc.integer({ min: -70, max: 70 }), fc.constantFrom(-1, 1))
    .map(([d, e]) => NOW + d * DAY_MS + e),
  fc.integer({ min: -40, max: 40 }).map((d) => dayStart(NOW, 0) + d * DAY_MS),
  fc.integer({ min: -60 * 24, max: 60 * 24 }).map((h) => NOW + h * HOUR),
  fc.constantFrom(NOW, NOW + 1, NOW - 1),
)

const date = (ms: number): AttributeMap => ({ $date: new Date(ms).toISOString() })

/** Strings that meet each other under every operator: prefixes, cases, non-ASCII letters. */
const TEXT = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('', 'a', 'A', 'ab', 'aB', 'ba', 'bab', 'é', 'É', 'aé', 'a b'),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'é', 'É', ' '), maxLength: 4 }),
  },
)
const NUMBER = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom(0.5, 2.5, -1.5, 0.1, 1e21, -0.25),
)
const DATE = timeNear.map((ms) => date(ms))

const scalarValue: fc.Arbitrary<unknown> = fc.oneof(
  TEXT,
  NUMBER,
  fc.boolean(),
  DATE,
  fc.constantFrom(null, { a: 1 }, date(Date.UTC(1, 0, 1)), date(Date.UTC(9999, 0, 1))),
)
/** Mostly the given kind of value, sometimes any other (types are not pinned). */
const mostly = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: scalarValue })

const VALUES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  plan: mostly(TEXT),
  score: mostly(NUMBER),
  seen: mostly(DATE),
  vip: mostly(fc.boolean()),
  tags: mostly(fc.array(fc.oneof(TEXT, NUMBER, DATE), { maxLength: 3 })),
  sku: mostly(TEXT),
  price: mostly(NUMBER),
  when: mostly(DATE),
}

const USER_KEYS = ['plan', 'score', 'tags', 'seen', 'vip'] as const
const EVENT_KEYS = ['sku', 'price', 'when'] as const
const EVENTS = ['buy', 'view', 'MOE_EMAIL_SENT'] as const

/** Each key present or not, with a value mostly of its kind. */
const attributes = (keys: readonly string[]): fc.Arbitrary<AttributeMap> =>
  fc.record(Object.fromEntries(keys.map((k) => [k, VALUES[k] ?? scalarValue])), {
    requiredKeys: [],
  })

/** The subscription categories the generated preferences and filters name ('Z': none chose it). */
const CATEGORIES = ['A', 'B', 'C'] as const

type Preferences = Readonly<{
  unsubscribedAll: boolean
  optInStatus: OptInStatus | null
  categories: Readonly<Record<string, boolean>>
}>

/** No rows at all (never chose), or a status with some category choices. */
const preferences: fc.Arbitrary<Preferences | null> = fc.option(
  fc.record({
    unsubscribedAll: fc.boolean(),
    optInStatus: fc.constantFrom(null, ...OPT_IN_STATUSES),
    categories: fc.dictionary(fc.constantFrom(...CATEGORIES), fc.boolean(), { maxKeys: 3 }),
  }),
  { nil: null, freq: 3 },
)

/** A user's preferences as the store's rows (what the reference evaluator reads). */
function rowsOf(userId: string, p: Preferences | null): UserSubscriptions {
  if (p === null) return { statuses: [], preferences: [] }
  const at = { workspaceId: 'any', userId, channel: 'email', updatedAt: NOW }
  return {
    statuses: [{ ...at, unsubscribedAll: p.unsubscribedAll, optInStatus: p.optInStatus }],
    preferences: Object.entries(p.categories).map(([category, subscribed]) => ({
      ...at,
      category,
      subscribed,
    })),
  }
}

/** The list segments (file segments, cohorts) the generated users may be members of; 'L3' has none. */
const LISTS = ['L1', 'L2'] as const
const EMPTY_LIST = 'L3'

type Dataset = Readonly<{
  users: readonly (Omit<UserRow, 'workspaceId'> & {
    subscriptions: UserSubscriptions
    lists: ReadonlySet<string>
  })[]
  preferences: readonly (Preferences | null)[]
  events: readonly Omit<EventRow, 'workspaceId' | 'seq'>[]
}>

const dataset: fc.Arbitrary<Dataset> = fc
  .array(
    fc.record({
      customerId: fc.option(fc.constantFrom('alice', 'Bob', 'carol', 'dave', ''), {
        nil: null,
      }),
      attributes: attributes(USER_KEYS),
      preferences,
      lists: fc.subarray([...LISTS]),
    }),
    { minLength: 8, maxLength: 30 },
  )
  .chain((people) => {
    const users = people.map((p, i) => {
      const id = `u${String(i).padStart(3, '0')}`
      return {
        id,
        customerId: p.customerId === null ? null : `${p.customerId}${i}`,
        attributes: p.attributes,
        createdAt: NOW - i,
        updatedAt: NOW - i,
        subscriptions: rowsOf(id, p.preferences),
        lists: new Set<string>(p.lists),
      }
    })
    const event = fc.record({
      // u999 has events but no profile: it must never be a member.
      userId: fc.constantFrom(...users.map((u) => u.id), 'u999'),
      name: fc.constantFrom(...EVENTS),
      eventTime: timeNear,
      attributes: attributes(EVENT_KEYS),
    })
    return fc.array(event, { maxLength: 120 }).map((events) => ({
      users,
      preferences: people.map((p) => p.preferences),
      events: events.map((e) => ({
        ...e,
        deviceId: null,
        platform: null,
        appVersion: null,
        userTime: null,
        receivedAt: NOW,
        requestId: 'REQEQUIV',
      })),
    }))
  })

// Queries: every operator of every data type, negated or not, on attributes and columns.

const instant = fc.oneof(
  timeNear.map((ms) => ({ ms, precision: 'instant' as const, offsetMinutes: 0 })),
  fc.integer({ min: -60, max: 60 }).map((d) => ({
    ms: dayStart(NOW, 0) + d * DAY_MS,
    precision: 'day' as const,
    offsetMinutes: 0,
  })),
  fc
    .tuple(timeNear, fc.constantFrom(330, -300, 60))
    .map(([ms, offsetMinutes]) => ({ ms, precision: 'instant' as const, offsetMinutes })),
)
const unit = fc.constantFrom(...PERIOD_UNITS)
const amount = fc.integer({ min: 0, max: 40 })
const absolute: fc.Arbitrary<TimePoint> = instant.map((at) => ({ kind: 'absolute', at }))
const ago: fc.Arbitrary<TimePoint> = fc.record({ kind: fc.constant('ago'), amount, unit })

const datetimeCondition: fc.Arbitrary<Condition> = fc
  .constantFrom(...DATETIME_OPERATORS)
  .chain((op): fc.Arbitrary<Condition> => {
    const time: fc.Arbitrary<TimeSpec> = (() => {
      switch (op) {
        case 'inTheLast':
        case 'inTheNext':
          return fc.record({
            kind: fc.constant(op === 'inTheLast' ? 'last' : 'next'),
            amount,
            unit,
          })
        case 'today':
          return fc.constant({ kind: 'today' as const })
        case 'between':
          return fc.record({ kind: fc.constant('between' as const), from: absolute, to: absolute })
        case 'on':
        case 'before':
        case 'after':
          return fc.record({ kind: fc.constant(op), point: absolute })
      }
    })()
    return time.map((t) => ({ type: 'datetime', op, time: t }))
  })

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    type: fc.constant('string' as const),
    op: fc.constantFrom(...STRING_OPERATORS),
    values: fc.array(TEXT, { minLength: 1, maxLength: 3 }),
    caseSensitive: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('double' as const),
    op: fc.constant('in' as const),
    values: fc.array(NUMBER, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('double' as const),
    op: fc.constant('between' as const),
    value: NUMBER,
    value1: NUMBER,
  }),
  fc.record({
    type: fc.constant('double' as const),
    op: fc.constantFrom('lessThan' as const, 'greaterThan' as const),
    value: NUMBER,
  }),
  fc.record({
    type: fc.constant('bool' as const),
    op: fc.constant('is' as const),
    value: fc.boolean(),
  }),
  datetimeCondition,
  fc.record({
    type: fc.constantFrom(
      'string' as const,
      'double' as const,
      'datetime' as const,
      'bool' as const,
    ),
    op: fc.constant('exists' as const),
  }),
)

/** The keys holding mostly values of each type. */
const KEYS_OF: Readonly<Record<string, readonly string[]>> = {
  string: ['plan', 'tags', 'sku'],
  double: ['score', 'tags', 'price'],
  datetime: ['seen', 'tags', 'when'],
  bool: ['vip'],
}

const attributeFilter = (
  keys: readonly string[],
  columns: boolean,
): fc.Arbitrary<AttributeFilter> =>
  condition.chain((c) => {
    const preferred = (KEYS_OF[c.type] ?? []).filter((k) => keys.includes(k))
    const field: fc.Arbitrary<Field> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...(preferred.length > 0 ? preferred : keys))
          .map((key) => ({ kind: 'attribute' as const, key })),
      },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(...keys, 'absent')
          .map((key) => ({ kind: 'attribute' as const, key })),
      },
      ...(columns
        ? [
            {
              weight: 1,
              arbitrary: fc
                .constantFrom('customer_id' as const, 'id' as const)
                .map((column) => ({ kind: 'column' as const, column })),
            },
          ]
        : []),
    )
    return fc.record({
      kind: fc.constant('attribute' as const),
      name: fc.constant('generated'),
      field,
      negate: fc.boolean(),
      condition: fc.constant(c),
    })
  })

const eventFilter: fc.Arbitrary<EventAttributeFilter> = attributeFilter(EVENT_KEYS, false).map(
  (f) => ({
    ...f,
    field: { kind: 'attribute', key: f.field.kind === 'attribute' ? f.field.key : 'sku' },
  }),
)

const actionTime: fc.Arbitrary<TimeSpec> = fc.oneof(
  fc.record({ kind: fc.constant('last' as const), amount, unit }),
  fc.record({
    kind: fc.constantFrom('on' as const, 'before' as const, 'after' as const),
    point: fc.oneof(absolute, ago),
  }),
  fc.oneof(
    fc.record({ kind: fc.constant('between' as const), from: absolute, to: absolute }),
    fc.record({ kind: fc.constant('between' as const), from: ago, to: ago }),
  ),
)

const execution: fc.Arbitrary<Execution> = fc.oneof(
  fc.record({
    type: fc.constantFrom('atleast' as const, 'exactly' as const, 'atmost' as const),
    count: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ type: fc.constantFrom('firstTime' as const, 'lastTime' as const) }),
)

const actionFilter: fc.Arbitrary<ActionFilter> = fc.record({
  kind: fc.constant('action' as const),
  event: fc.constantFrom(...EVENTS, 'never'),
  executed: fc.boolean(),
  execution,
  time: actionTime,
  where: fc.record({
    operator: fc.constantFrom('and' as const, 'or' as const),
    filters: fc.array(eventFilter, { maxLength: 2 }),
  }),
})

/** Inlet's subscription filters: subscribed (to the channel, to a category) or an opt-in status. */
const subscriptionFilter: fc.Arbitrary<SubscriptionFilter> = fc.record({
  kind: fc.constant('subscription' as const),
  channel: fc.constant('email'),
  negate: fc.boolean(),
  condition: fc.oneof(
    fc.record({
      type: fc.constant('subscribed' as const),
      category: fc.constantFrom(null, ...CATEGORIES, 'Z'),
    }),
    fc.record({
      type: fc.constant('opt_in_status' as const),
      values: fc.uniqueArray(fc.constantFrom(...OPT_IN_STATUSES), { minLength: 1, maxLength: 2 }),
    }),
  ),
})

/** Membership of a list segment: one with members, or one that has none. */
const listFilter: fc.Arbitrary<ListFilter> = fc
  .constantFrom(...LISTS, EMPTY_LIST)
  .map((segmentId) => ({ kind: 'list', segmentId, name: `list ${segmentId}` }))

const { node: queryNode } = fc.letrec<{ node: FilterNode; group: SegmentQuery }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: attributeFilter(USER_KEYS, true) },
    { weight: 2, arbitrary: actionFilter },
    { weight: 1, arbitrary: subscriptionFilter },
    { weight: 1, arbitrary: listFilter },
    { weight: 1, arbitrary: tie('group') },
  ),
  group: fc.record({
    kind: fc.constant('group' as const),
    operator: fc.constantFrom('and' as const, 'or' as const),
    filters: fc.array(tie('node'), { maxLength: 3 }),
  }),
}))

const query: fc.Arbitrary<SegmentQuery> = fc.record({
  kind: fc.constant('group' as const),
  operator: fc.constantFrom('and' as const, 'or' as const),
  filters: fc.array(queryNode, { minLength: 1, maxLength: 2 }),
})

/** Which operators the generated queries used, so the test can show it covered them all. */
function operatorsOf(n: FilterNode, into: Set<string>): void {
  switch (n.kind) {
    case 'group':
      for (const f of n.filters) operatorsOf(f, into)
      break
    case 'attribute':
      into.add(`${n.condition.type}:${n.condition.op}`)
      break
    case 'action':
      into.add(`execution:${n.execution.type}`)
      into.add(`time:${n.time.kind}${'point' in n.time ? `:${n.time.point.kind}` : ''}`)
      for (const f of n.where.filters) into.add(`event:${f.condition.type}:${f.condition.op}`)
      break
    case 'subscription': {
      const c = n.condition
      into.add(
        `subscription:${c.type}${c.type === 'subscribed' && c.category === null ? ':channel' : ''}`,
      )
      break
    }
    case 'list':
      into.add('list')
  }
}

const EXPECTED_OPERATORS = [
  ...STRING_OPERATORS.map((op) => `string:${op}`),
  ...['in', 'between', 'lessThan', 'greaterThan'].map((op) => `double:${op}`),
  'bool:is',
  ...DATETIME_OPERATORS.map((op) => `datetime:${op}`),
  ...['string', 'double', 'datetime', 'bool'].map((t) => `${t}:exists`),
  ...['atleast', 'exactly', 'atmost', 'firstTime', 'lastTime'].map((t) => `execution:${t}`),
  'subscription:subscribed',
  'subscription:subscribed:channel',
  'subscription:opt_in_status',
  'list',
  ...[
    'time:last',
    'time:between',
    'time:on:absolute',
    'time:on:ago',
    'time:before:ago',
    'time:after:absolute',
  ],
]

let seq = 0
let workspaceNumber = 0

async function write(store: Store, data: Dataset): Promise<string> {
  workspaceNumber += 1
  const ws = `EQUIV${String(workspaceNumber).padStart(5, '0')}`
  const decoy = `${ws}X`
  /** A generated user as the store's row (its preferences are written below). */
  const row = (u: Dataset['users'][number], workspaceId: string): UserRow => ({
    workspaceId,
    id: u.id,
    customerId: u.customerId,
    attributes: u.attributes,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  })
  const users = data.users.map((u) => row(u, ws))
  // The decoy workspace: the same ids, every attribute set, and events of every name now.
  const decoys = data.users.map((u) => ({
    ...row(u, decoy),
    attributes: { plan: 'a', score: 1, vip: true },
  }))
  const events = data.events.map((e) => ({ ...e, workspaceId: ws, seq: ++seq }))
  const decoyEvents = data.users.flatMap((u) =>
    EVENTS.map((name): EventRow => ({
      seq: ++seq,
      workspaceId: decoy,
      userId: u.id,
      name,
      deviceId: null,
      platform: null,
      appVersion: null,
      eventTime: NOW - HOUR,
      userTime: null,
      receivedAt: NOW,
      requestId: 'REQEQUIV',
      attributes: { sku: 'a', price: 1 },
    })),
  )
  await store.processing.commit(
    batchChanges({ users: [...users, ...decoys], events: [...events, ...decoyEvents] }),
  )
  // The preferences; the decoys unsubscribed from everything, opted out.
  const choose = (workspaceId: string, userId: string, p: Preferences) => ({
    workspaceId,
    userId,
    channel: 'email',
    at: NOW,
    unsubscribedAll: p.unsubscribedAll,
    ...(p.optInStatus === null ? {} : { optInStatus: p.optInStatus }),
    categories: p.categories,
  })
  const decoyChoice: Preferences = {
    unsubscribedAll: true,
    optInStatus: 'OPTED_OUT',
    categories: { A: false, B: false, C: false },
  }
  await store.consent.update([
    ...data.users.flatMap((u, i) => {
      const p = data.preferences[i]
      return p === null || p === undefined ? [] : [choose(ws, u.id, p)]
    }),
    ...data.users.map((u) => choose(decoy, u.id, decoyChoice)),
  ])
  // The list segments of both workspaces; every decoy user is in every list.
  for (const workspaceId of [ws, decoy]) {
    for (const segmentId of [...LISTS, EMPTY_LIST]) {
      const made = await store.customSegments.create(
        {
          workspaceId,
          id: segmentId,
          name: `list ${segmentId}`,
          type: 'FILE',
          source: 'API',
          includedFilters: 'null',
          definitionHash: `list:${segmentId}`,
          description: '',
          createdAt: NOW,
          updatedAt: NOW,
          updatedBy: null,
          archivedAt: null,
        },
        1_000,
      )
      assert.equal(made.kind, 'created')
      await store.segmentLists.put({
        workspaceId,
        segmentId,
        kind: 'file',
        partner: null,
        externalId: null,
        expiresAt: null,
      })
      const members =
        workspaceId === decoy
          ? data.users.map((u) => u.id)
          : data.users.filter((u) => u.lists.has(segmentId)).map((u) => u.id)
      await store.segmentLists.addMembers(workspaceId, segmentId, members, NOW)
    }
  }
  return ws
}

async function membersOf(
  store: Store,
  ws: string,
  q: SegmentQuery,
  limit: number,
): Promise<string[]> {
  const ids: string[] = []
  let afterId: string | undefined
  for (;;) {
    const page = await store.segments.members(ws, q, {
      now: NOW,
      limit,
      attributes: 'none',
      ...(afterId === undefined ? {} : { afterId }),
    })
    ids.push(...page.members.map((m) => m.id))
    if (page.next === null) return ids
    afterId = page.next
  }
}

/** Runs the property on `store`: `runs` datasets, each with `queries` generated queries. */
async function holdsOn(store: Store, runs: number): Promise<Set<string>> {
  const seen = new Set<string>()
  await fc.assert(
    fc.asyncProperty(
      dataset,
      fc.array(fc.tuple(query, fc.integer({ min: 1, max: 8 })), { minLength: 20, maxLength: 20 }),
      async (data, queries) => {
        const ws = await write(store, data)
        for (const [q, limit] of queries) {
          operatorsOf(q, seen)
          const expected = evaluateSegment(q, data.users, data.events, NOW)
          assert.equal(await store.segments.count(ws, q, NOW), expected.length, 'count')
          assert.deepEqual(await membersOf(store, ws, q, limit), expected, 'members')
        }
      },
    ),
    { numRuns: runs },
  )
  return seen
}

function assertCovered(seen: ReadonlySet<string>): void {
  const missing = EXPECTED_OPERATORS.filter((op) => !seen.has(op))
  assert.deepEqual(missing, [], 'operators the generated queries never used')
}

/** Datasets per store, each with 20 queries: about 3 s on SQLite and 9 s on PostgreSQL. */
const RUNS = 100
const postgres = await startPostgres()

describe('segment queries: both stores answer what the reference evaluator selects', () => {
  it('on SQLite', async (t) => {
    const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
    t.after(() => store.close())
    assertCovered(await holdsOn(store, RUNS))
  })

  it('on PostgreSQL', { skip: postgres === undefined && 'no PostgreSQL' }, async (t) => {
    if (postgres === undefined) return
    const store = await createPostgresStore({
      expandRow: expandBulkRow,
      url: await postgres.freshUrl(),
      durability: 'os',
    })
    t.after(() => store.close())
    assertCovered(await holdsOn(store, RUNS))
  })
})
