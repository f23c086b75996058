// The segment semantics, case by case, on the reference evaluator (docs/segments.md): what a
// missing attribute does under negate, case folding, arrays, exists, datetime windows and their
// edges and time zones, counts and first/last times of events with their attribute filters. The
// stores are held to the same answers by equivalence.test.ts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SegmentQuery } from '../store/segments.js'
import { evaluateSegment, type EvaluatedEvent, type EvaluatedUser } from './evaluate.js'
import { prepareSegment } from './resolve.js'
import { anActionFilter, type Json } from '../../test/helpers/segments.js'

const NOW = Date.parse('2026-11-15T10:30:00.000Z')
const DAY = 86_400_000
const date = (iso: string): Json => ({ $date: new Date(iso).toISOString() })

async function queryOf(...filters: Json[]): Promise<SegmentQuery> {
  const r = await prepareSegment({ filter_operator: 'and', filters }, () =>
    Promise.resolve(undefined),
  )
  assert.ok(r.ok, JSON.stringify(r))
  return r.value.query
}

const attr = (more: Json): Json => ({ filter_type: 'user_attributes', name: 'plan', ...more })

const user = (id: string, attributes: Json, customerId: string | null = id): EvaluatedUser => ({
  id,
  customerId,
  attributes,
})

async function members(
  users: readonly EvaluatedUser[],
  filter: Json,
  events: readonly EvaluatedEvent[] = [],
): Promise<string[]> {
  return evaluateSegment(await queryOf(filter), users, events, NOW)
}

describe('user attribute filters', () => {
  const users = [
    user('a', { plan: 'Gold' }),
    user('b', { plan: 'gold' }),
    user('c', { plan: 'GOLDEN' }),
    user('d', {}),
    user('e', { plan: null }),
    user('f', { plan: 7 }),
    user('g', { plan: ['silver', 'gold'] }),
    user('h', { plan: 'Éclair' }),
  ]
  const string = (more: Json): Json => attr({ data_type: 'string', ...more })

  it('compare strings ignoring ASCII case unless case_sensitive', async () => {
    assert.deepEqual(await members(users, string({ operator: 'in', value: ['gold'] })), [
      'a',
      'b',
      'g',
    ])
    assert.deepEqual(
      await members(users, string({ operator: 'is', value: 'gold', case_sensitive: true })),
      ['b', 'g'],
    )
    // Only A–Z fold: 'É' and 'é' stay different, as in every store.
    assert.deepEqual(await members(users, string({ operator: 'is', value: 'éclair' })), [])
    assert.deepEqual(await members(users, string({ operator: 'is', value: 'Éclair' })), ['h'])
  })

  it('match contains, starts-with and ends-with against any of the values', async () => {
    assert.deepEqual(await members(users, string({ operator: 'contains', value: 'OLD' })), [
      'a',
      'b',
      'c',
      'g',
    ])
    assert.deepEqual(
      await members(
        users,
        string({ operator: 'startWithInTheFollowing', value: ['sil', 'gOlDe'] }),
      ),
      ['c', 'g'],
    )
    assert.deepEqual(
      await members(users, string({ operator: 'endsWithInTheFollowing', value: ['EN', 'air'] })),
      ['c', 'h'],
    )
  })

  it('negate is the complement: users without the attribute (or of another type) match', async () => {
    assert.deepEqual(
      await members(users, string({ operator: 'in', value: ['gold'], negate: true })),
      ['c', 'd', 'e', 'f', 'h'],
    )
  })

  it('exists wants a value: not missing, not null, not an empty array; of any type', async () => {
    const more = [...users, user('i', { plan: [] })]
    assert.deepEqual(await members(more, string({ operator: 'exists' })), [
      'a',
      'b',
      'c',
      'f',
      'g',
      'h',
    ])
    assert.deepEqual(await members(more, string({ operator: 'exists', negate: true })), [
      'd',
      'e',
      'i',
    ])
  })

  it('read numbers only as numbers, with inclusive between in either order', async () => {
    const people = [
      user('a', { score: 1 }),
      user('b', { score: 5 }),
      user('c', { score: '5' }),
      user('d', { score: [0, 9] }),
    ]
    const double = (more: Json): Json => attr({ name: 'score', data_type: 'double', ...more })
    assert.deepEqual(await members(people, double({ operator: 'in', value: [5, 9] })), ['b', 'd'])
    assert.deepEqual(await members(people, double({ operator: 'between', value: 5, value1: 1 })), [
      'a',
      'b',
    ])
    assert.deepEqual(await members(people, double({ operator: 'lessThan', value: 1 })), ['d'])
    assert.deepEqual(await members(people, double({ operator: 'greaterThan', value: 1 })), [
      'b',
      'd',
    ])
  })

  it('read booleans only as booleans', async () => {
    const people = [user('a', { vip: true }), user('b', { vip: 'true' }), user('c', { vip: false })]
    const bool = (value: unknown): Json =>
      attr({ name: 'vip', data_type: 'bool', operator: 'is', value })
    assert.deepEqual(await members(people, bool(true)), ['a'])
    assert.deepEqual(await members(people, bool(false)), ['c'])
  })

  it('read the ID and internal id columns through their names', async () => {
    const people = [user('a', {}, 'alice'), user('b', {}, null)]
    assert.deepEqual(
      await members(
        people,
        attr({ name: 'ID', data_type: 'string', operator: 'is', value: 'ALICE' }),
      ),
      ['a'],
    )
    assert.deepEqual(
      await members(people, attr({ name: 'ID', data_type: 'string', operator: 'exists' })),
      ['a'],
    )
    assert.deepEqual(
      await members(
        people,
        attr({ name: 'moengage_id', data_type: 'string', operator: 'is', value: 'b' }),
      ),
      ['b'],
    )
  })
})

describe('datetime filters', () => {
  const at = (id: string, iso: string): EvaluatedUser => user(id, { seen: date(iso) })
  const dt = (more: Json): Json => attr({ name: 'seen', data_type: 'datetime', ...more })
  const people = [
    at('a', '2026-11-08T10:30:00.000Z'), // exactly 7 days before now
    at('b', '2026-11-08T10:29:59.999Z'), // 1 ms earlier
    at('c', '2026-11-15T10:30:00.000Z'), // now
    at('d', '2026-11-15T10:30:00.001Z'), // 1 ms after now
    at('e', '2026-11-15T00:00:00.000Z'), // today's start (UTC)
    at('f', '2026-11-14T23:59:59.999Z'), // yesterday's end
    user('g', { seen: '2026-11-15T10:30:00.000Z' }), // a string, not a datetime
  ]

  it('inTheLast runs from `amount` units before now up to now, both included', async () => {
    assert.deepEqual(await members(people, dt({ operator: 'inTheLast', value: 7 })), [
      'a',
      'c',
      'e',
      'f',
    ])
  })

  it('inTheNext runs from now on, today is the UTC day of now', async () => {
    assert.deepEqual(await members(people, dt({ operator: 'inTheNext', value: '1' })), ['c', 'd'])
    assert.deepEqual(await members(people, dt({ operator: 'today' })), ['c', 'd', 'e'])
  })

  it('before, after and between take a date as a whole day, and an instant as itself', async () => {
    assert.deepEqual(await members(people, dt({ operator: 'before', value: '2026-11-15' })), [
      'a',
      'b',
      'f',
    ])
    assert.deepEqual(await members(people, dt({ operator: 'after', value: '2026-11-14' })), [
      'c',
      'd',
      'e',
    ])
    assert.deepEqual(
      await members(people, dt({ operator: 'after', value: '2026-11-15T10:30:00.000Z' })),
      ['d'],
    )
    assert.deepEqual(
      await members(people, dt({ operator: 'between', value: '2026-11-15', value1: '2026-11-08' })),
      ['a', 'b', 'c', 'd', 'e', 'f'],
    )
  })

  it("on is the value's day, in the offset it is written in", async () => {
    assert.deepEqual(await members(people, dt({ operator: 'on', value: '2026-11-14' })), ['f'])
    // 2026-11-15 in +05:30 runs from 2026-11-14T18:30Z to 2026-11-15T18:30Z.
    assert.deepEqual(
      await members(people, dt({ operator: 'on', value: '2026-11-15T12:00:00+05:30' })),
      ['c', 'd', 'e', 'f'],
    )
  })

  it('counts months on the calendar, clamped to the end of a shorter month', async () => {
    const march = Date.parse('2026-03-31T12:00:00.000Z')
    const q = await queryOf(dt({ operator: 'inTheLast', value: 1, period_unit: 'months' }))
    const feb = [at('a', '2026-02-28T12:00:00.000Z'), at('b', '2026-02-28T11:59:59.999Z')]
    assert.deepEqual(evaluateSegment(q, feb, [], march), ['a'])
  })
})

describe('action filters', () => {
  const people = [user('a', {}), user('b', {}), user('c', {}), user('d', {})]
  const ev = (
    userId: string,
    daysAgo: number,
    attributes: Json = {},
    name = 'Purchased',
  ): EvaluatedEvent => ({
    userId,
    name,
    eventTime: NOW - daysAgo * DAY,
    attributes,
  })
  const events = [
    ev('a', 1, { sku: 'A1' }),
    ev('a', 2, { sku: 'B2' }),
    ev('a', 3, { sku: 'A1' }),
    ev('b', 1, { sku: 'A1' }),
    ev('b', 40),
    ev('c', 40, { sku: 'A1' }),
    ev('d', 1, {}, 'Viewed'),
  ]
  const action = (execution: Json, more: Json = {}): Json => anActionFilter({ execution, ...more })

  it('count the events of the name in the window', async () => {
    assert.deepEqual(await members(people, action({ type: 'atleast', count: 2 }), events), ['a'])
    assert.deepEqual(await members(people, action({ type: 'exactly', count: 1 }), events), ['b'])
    // atmost includes users who never did it.
    assert.deepEqual(await members(people, action({ type: 'atmost', count: 1 }), events), [
      'b',
      'c',
      'd',
    ])
    assert.deepEqual(await members(people, action({ type: 'exactly', count: 0 }), events), [
      'c',
      'd',
    ])
  })

  it('executed false is the complement of the same filter', async () => {
    assert.deepEqual(
      await members(people, action({ type: 'atleast', count: 1 }, { executed: false }), events),
      ['c', 'd'],
    )
  })

  it('firstTime and lastTime test the first or last matching event, whenever it was', async () => {
    assert.deepEqual(await members(people, action({ type: 'firstTime', count: 1 }), events), ['a'])
    assert.deepEqual(await members(people, action({ type: 'lastTime', count: 1 }), events), [
      'a',
      'b',
    ])
  })

  it('count only events whose attributes pass the attribute filters', async () => {
    const where = (filter_operator: string, filters: Json[]): Json => ({
      attributes: { filter_operator, filters },
    })
    const sku = (value: string): Json => ({
      name: 'sku',
      data_type: 'string',
      operator: 'is',
      value,
    })
    assert.deepEqual(
      await members(
        people,
        action({ type: 'atleast', count: 2 }, where('and', [sku('a1')])),
        events,
      ),
      ['a'],
    )
    assert.deepEqual(
      await members(people, action({ type: 'firstTime' }, where('and', [sku('A1')])), events),
      ['a', 'b'],
    )
    assert.deepEqual(
      await members(
        people,
        action({ type: 'atleast', count: 3 }, where('or', [sku('A1'), sku('B2')])),
        events,
      ),
      ['a'],
    )
  })
})

describe('groups', () => {
  it('and, or and nested groups combine filters', async () => {
    const people = [
      user('a', { plan: 'gold', score: 5 }),
      user('b', { plan: 'gold', score: 1 }),
      user('c', { plan: 'silver', score: 5 }),
    ]
    const q = await queryOf(attr({ data_type: 'string', operator: 'is', value: 'silver' }), {
      filter_operator: 'or',
      filters: [
        attr({ name: 'score', data_type: 'double', operator: 'greaterThan', value: 3 }),
        attr({ name: 'score', data_type: 'double', operator: 'in', value: [1] }),
      ],
    })
    assert.deepEqual(evaluateSegment(q, people, [], NOW), ['c'])
  })
})

describe('subscription filters (Inlet)', () => {
  const at = { workspaceId: 'W', channel: 'email', updatedAt: NOW }
  const withRows = (
    id: string,
    status: { unsubscribedAll: boolean; optInStatus: string | null } | undefined,
    choices: Record<string, boolean> = {},
  ): EvaluatedUser => ({
    ...user(id, {}),
    subscriptions: {
      statuses: status === undefined ? [] : [{ ...at, userId: id, ...status }],
      preferences: Object.entries(choices).map(([category, subscribed]) => ({
        ...at,
        userId: id,
        category,
        subscribed,
      })),
    },
  })
  const users = [
    user('never', {}), // no rows: subscribed to everything, no opt-in status
    withRows('all-off', { unsubscribedAll: true, optInStatus: 'OPTED_OUT' }, { Promo: true }),
    withRows(
      'promo-off',
      { unsubscribedAll: false, optInStatus: 'DOUBLE_OPTED_IN' },
      { Promo: false },
    ),
    withRows(
      'promo-on',
      { unsubscribedAll: false, optInStatus: null },
      { Promo: true, News: false },
    ),
  ]
  const sub = (more: Json): Json => ({ filter_type: 'subscription', channel: 'email', ...more })

  it('subscribed: not unsubscribed from all, and not from the category; never chose is subscribed', async () => {
    assert.deepEqual(await members(users, sub({ subscribed: true })), [
      'never',
      'promo-off',
      'promo-on',
    ])
    assert.deepEqual(await members(users, sub({ subscribed: true, category: 'Promo' })), [
      'never',
      'promo-on',
    ])
    assert.deepEqual(await members(users, sub({ subscribed: false, category: 'Promo' })), [
      'all-off',
      'promo-off',
    ])
    assert.deepEqual(await members(users, sub({ subscribed: true, category: 'News' })), [
      'never',
      'promo-off',
    ])
  })

  it('opt_in_status: one of the statuses; a user without one matches none (negate: all others)', async () => {
    assert.deepEqual(
      await members(users, sub({ opt_in_status: ['OPTED_OUT', 'DOUBLE_OPTED_IN'] })),
      ['all-off', 'promo-off'],
    )
    assert.deepEqual(await members(users, sub({ opt_in_status: 'OPTED_OUT', negate: true })), [
      'never',
      'promo-off',
      'promo-on',
    ])
  })
})
