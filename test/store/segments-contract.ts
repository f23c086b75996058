/**
 * The contract of Store `segments` (store/segments.ts, docs/segments.md), run by storeContract on
 * every adapter: counts and member pages (ids in byte order, `afterId` paging, the attributes
 * asked for), a query of every kind of filter over display names, attribute keys that JSON paths
 * find awkward, the workspace's own users and events only, users deleted with their events, and
 * relative windows resolved against the `now` given. The full semantics are held to the reference
 * evaluator by src/segments/equivalence.test.ts on both stores.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { prepareSegment } from '../../src/segments/resolve.js'
import type { MemberPageRequest, SegmentQuery } from '../../src/store/segments.js'
import type { EventRow, Store, UserRow } from '../../src/store/store.js'
import { batchChanges } from '../helpers/batches.js'
import { anActionFilter, anAttributeFilter, filterGroup, type Json } from '../helpers/segments.js'
import { anEvent } from './contract.js'

const NOW = Date.parse('2026-11-15T10:30:00.000Z')
const DAY = 86_400_000
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

const user = (id: string, attributes: Json, ws = WS): UserRow => ({
  workspaceId: ws,
  id,
  customerId: `cust-${id}`,
  attributes,
  createdAt: NOW,
  updatedAt: NOW,
})

let seq = 0
const event = (userId: string, name: string, daysAgo: number, ws = WS): EventRow =>
  anEvent({ seq: ++seq, workspaceId: ws, userId, name, eventTime: NOW - daysAgo * DAY })

async function queryOf(...filters: Json[]): Promise<SegmentQuery> {
  const r = await prepareSegment(filterGroup(...filters), () => Promise.resolve(undefined))
  assert.ok(r.ok, JSON.stringify(r))
  return r.value.query
}

/** Every member's id, a page of `limit` at a time. */
async function allMembers(store: Store, q: SegmentQuery, limit: number): Promise<string[]> {
  const ids: string[] = []
  let page: MemberPageRequest = { now: NOW, limit, attributes: 'none' }
  for (;;) {
    const found = await store.segments.members(WS, q, page)
    assert.ok(found.members.length <= limit)
    ids.push(...found.members.map((m) => m.id))
    if (found.next === null) return ids
    page = { ...page, afterId: found.next }
  }
}

// Ids whose byte order (upper case first) differs from a dictionary order.
const USERS = [
  user('b1', { plan: 'gold', u_fn: 'Bea', score: 9, tags: ['vip', 'beta'] }),
  user('B2', { plan: 'Gold', u_fn: 'Bo', score: 2 }),
  user('a3', { plan: 'silver', score: 7, 'a"b': 'quoted', 'x.y': 'dotted', ключ: 'юникод' }),
  user('A4', { plan: 'gold', churned: true }),
  user('_5', {}),
]
/** The events of USERS and the decoys (built when a test runs: contract.ts imports this module). */
function events(): { own: EventRow[]; decoys: EventRow[] } {
  return {
    own: [
      ...[1, 2, 3].map((d) => event('b1', 'Purchased', d)),
      ...[1, 2, 3, 40].map((d) => event('B2', 'Purchased', d)),
      ...[1, 2].map((d) => event('a3', 'Purchased', d)),
      event('A4', 'Viewed', 1),
    ],
    // Another workspace with the same ids: its users and events are never members here.
    decoys: USERS.flatMap((u) => [1, 2, 3, 4].map((d) => event(u.id, 'Purchased', d, OTHER))),
  }
}
const DECOYS = USERS.map((u) => ({ ...u, workspaceId: OTHER, attributes: { plan: 'gold' } }))

export function segmentsContract(fresh: (t: TestContext) => Promise<Store>): void {
  async function seeded(t: TestContext): Promise<Store> {
    const store = await fresh(t)
    const { own, decoys } = events()
    await store.processing.commit(
      batchChanges({ users: [...USERS, ...DECOYS], events: [...own, ...decoys] }),
    )
    return store
  }

  describe('segments', () => {
    it('counts members and pages them in byte order of their ids', async (t) => {
      const store = await seeded(t)
      const q = await queryOf(anAttributeFilter({ value: ['gold'] }))
      assert.equal(await store.segments.count(WS, q, NOW), 3)
      for (const limit of [1, 2, 3, 10]) {
        assert.deepEqual(await allMembers(store, q, limit), ['A4', 'B2', 'b1'], `limit ${limit}`)
      }
      const everyone = await queryOf(anAttributeFilter({ name: 'ID', operator: 'exists' }))
      assert.deepEqual(await allMembers(store, everyone, 2), ['A4', 'B2', '_5', 'a3', 'b1'])
    })

    it('answers the attributes asked for: all, none, or some keys', async (t) => {
      const store = await seeded(t)
      const q = await queryOf(
        anAttributeFilter({ name: 'First Name', operator: 'is', value: 'bea' }),
      )
      const page = (attributes: MemberPageRequest['attributes']) =>
        store.segments.members(WS, q, { now: NOW, limit: 10, ...(attributes && { attributes }) })
      assert.deepEqual(await page(undefined), {
        members: [
          {
            id: 'b1',
            customerId: 'cust-b1',
            createdAt: NOW,
            updatedAt: NOW,
            attributes: { plan: 'gold', u_fn: 'Bea', score: 9, tags: ['vip', 'beta'] },
          },
        ],
        next: null,
      })
      assert.deepEqual((await page('none')).members[0]?.attributes, {})
      assert.deepEqual((await page(['score', 'missing', 'u_fn'])).members[0]?.attributes, {
        score: 9,
        u_fn: 'Bea',
      })
    })

    it('runs an attribute, an action and a negated attribute filter together', async (t) => {
      const store = await seeded(t)
      const q = await queryOf(
        anAttributeFilter({ operator: 'in', value: ['gold'] }),
        anActionFilter(),
        anAttributeFilter({
          name: 'score',
          data_type: 'double',
          operator: 'lessThan',
          value: 5,
          negate: true,
        }),
      )
      assert.equal(await store.segments.count(WS, q, NOW), 1)
      assert.deepEqual(await allMembers(store, q, 5), ['b1'])
      // "Did not purchase at least 3 times": the complement, users without events included.
      const not = await queryOf(anActionFilter({ executed: false }))
      assert.deepEqual(await allMembers(store, not, 5), ['A4', '_5', 'a3'])
    })

    it('reads array elements, and keys with quotes, dots and any letters', async (t) => {
      const store = await seeded(t)
      const found = async (filter: Json): Promise<string[]> =>
        allMembers(store, await queryOf(filter), 10)
      assert.deepEqual(
        await found(anAttributeFilter({ name: 'tags', operator: 'is', value: 'VIP' })),
        ['b1'],
      )
      for (const [name, value] of [
        ['a"b', 'quoted'],
        ['x.y', 'dotted'],
        ['ключ', 'юникод'],
      ]) {
        assert.deepEqual(
          await found(anAttributeFilter({ name, operator: 'is', value })),
          ['a3'],
          name,
        )
      }
      assert.deepEqual(
        await found(
          anAttributeFilter({ name: 'churned', data_type: 'bool', operator: 'is', value: true }),
        ),
        ['A4'],
      )
    })

    it('resolves relative windows against the time it is given', async (t) => {
      const store = await seeded(t)
      const q = await queryOf(
        anActionFilter({
          execution: { type: 'atleast', count: 4 },
          primary_time_range: {
            type: 'inTheLast',
            value_type: 'relative_past',
            value: '40',
            period_unit: 'days',
          },
        }),
      )
      assert.equal(await store.segments.count(WS, q, NOW), 1)
      assert.equal(await store.segments.count(WS, q, NOW + DAY), 0)
    })

    it('forgets deleted users, with their events', async (t) => {
      const store = await seeded(t)
      await store.processing.commit(
        batchChanges({ deletedUsers: [{ workspaceId: WS, userId: 'b1' }] }),
      )
      const q = await queryOf(anActionFilter({ execution: { type: 'atleast', count: 1 } }))
      assert.deepEqual(await allMembers(store, q, 10), ['B2', 'a3'])
      assert.equal(await store.segments.count(OTHER, q, NOW), USERS.length)
    })
  })
}
