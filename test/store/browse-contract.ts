/**
 * The contract of Store `browse` (store/browse.ts: the dashboard's reads), run by
 * storeContract on every adapter: the newest-first list and each search kind with its pages,
 * events newest first, skipped and dead records filtered, recent requests grouped from the log,
 * outcomes in seq order, accepted records per minute and API, a user's identity links — each within its
 * workspace.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { bulkRowPayload } from '../../src/families/data/bulk-rows.js'
import {
  ACCEPTED_MINUTES_KEPT,
  ATTRIBUTE_SCAN_CHUNK,
  type PagePosition,
  type UserSearch,
} from '../../src/store/browse.js'
import {
  BULK_ROW_KIND,
  type BatchChanges,
  type EventRow,
  type RecordOutcomeRow,
  type Store,
  type UserRow,
} from '../../src/store/store.js'
import { aLogRecord, anEvent } from './contract.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

const user = (n: number, attributes: Record<string, unknown>, ws = WS): UserRow => ({
  workspaceId: ws,
  id: `u${String(n).padStart(3, '0')}`,
  customerId: `cust-${String(n).padStart(3, '0')}`,
  attributes,
  createdAt: T0 + n,
  updatedAt: T0 + n,
})

const outcome = (seq: number, o: Partial<RecordOutcomeRow>): RecordOutcomeRow => ({
  seq,
  workspaceId: WS,
  requestId: `REQ${seq}`,
  index: 0,
  kind: 'customer',
  outcome: 'skipped',
  reason: 'a reason',
  at: T0 + seq,
  ...o,
})

function batch(toSeq: number, parts: Partial<BatchChanges>): BatchChanges {
  return {
    fromSeq: 0,
    toSeq,
    users: [],
    devices: [],
    deletedDevices: [],
    events: [],
    outcomes: [],
    ...parts,
  }
}

const USERS = [
  user(1, { u_em: 'Ada@Example.com', u_mb: '+4470001', plan: 'gold' }),
  user(2, { u_em: 'adam@example.com', u_mb: 4470002, plan: 'silver' }),
  user(3, { u_em: 'bob@example.com', plan: 'gold', vip: true }),
  user(4, {}),
  user(5, { u_em: 'ada@other.com', plan: 'gold' }, OTHER),
]

const LINKS: NonNullable<BatchChanges['identityLinks']> = [
  {
    workspaceId: WS,
    userId: 'u001',
    links: [
      { name: 'u_mb', value: '+4470001' },
      { name: 'u_em', value: 'ada@example.com' },
    ],
  },
  { workspaceId: OTHER, userId: 'u001', links: [{ name: 'u_em', value: 'x@y.z' }] },
]

async function all(store: Store, search: Omit<UserSearch, 'after'>): Promise<string[]> {
  const ids: string[] = []
  let after: PagePosition | undefined
  for (let pages = 0; pages < 20; pages++) {
    const page = await store.browse.searchUsers({ ...search, ...(after ? { after } : {}) })
    ids.push(...page.users.map((u) => u.id))
    if (page.next === null) return ids
    after = page.next
  }
  throw new Error('no last page')
}

export function browseContract(fresh: (t: TestContext) => Promise<Store>): void {
  describe('browse (the dashboard)', () => {
    async function seeded(t: TestContext): Promise<Store> {
      const store = await fresh(t)
      await store.processing.commit(batch(10, { users: USERS, identityLinks: LINKS }))
      return store
    }

    it('lists users newest first, a page at a time, within the workspace', async (t) => {
      const store = await seeded(t)
      const first = await store.browse.searchUsers({
        workspaceId: WS,
        kind: 'all',
        value: '',
        limit: 3,
      })
      assert.deepEqual(
        first.users.map((u) => u.id),
        ['u004', 'u003', 'u002'],
      )
      assert.deepEqual(await all(store, { workspaceId: WS, kind: 'all', value: '', limit: 3 }), [
        'u004',
        'u003',
        'u002',
        'u001',
      ])
    })

    it('searches by customer_id, email (any case) and mobile prefix, and by internal id', async (t) => {
      const store = await seeded(t)
      const search = (kind: UserSearch['kind'], value: string, limit = 1) =>
        all(store, { workspaceId: WS, kind, value, limit })
      assert.deepEqual(await search('customer_id', 'cust-00'), ['u001', 'u002', 'u003', 'u004'])
      assert.deepEqual(await search('customer_id', 'cust-003'), ['u003'])
      assert.deepEqual(await search('email', 'ADA'), ['u001', 'u002'])
      assert.deepEqual(await search('email', 'ada@e'), ['u001'])
      assert.deepEqual(await search('mobile', '+447000'), ['u001'])
      assert.deepEqual(await search('mobile', '447000'), ['u002'], 'a number, as text')
      assert.deepEqual(await search('id', 'u003'), ['u003'])
      assert.deepEqual(await search('id', 'u005'), [], "another workspace's user")
      // A position before the prefix (a page token of another search) starts at the prefix.
      const from = (after: PagePosition) =>
        store.browse.searchUsers({ workspaceId: WS, kind: 'email', value: 'ada', after, limit: 5 })
      assert.deepEqual(
        (await from(['', ''])).users.map((u) => u.id),
        ['u001', 'u002'],
      )
      assert.deepEqual(
        (await from(['ada@example.com', 'u001'])).users.map((u) => u.id),
        ['u002'],
      )
    })

    it("searches an attribute's value, named or any, page by page to the last user", async (t) => {
      const store = await seeded(t)
      const search = (value: string, key?: string) =>
        all(store, { workspaceId: WS, kind: 'attribute', value, ...(key ? { key } : {}), limit: 1 })
      assert.deepEqual(await search('gold', 'plan'), ['u003', 'u001'])
      assert.deepEqual(await search('gold'), ['u003', 'u001'])
      assert.deepEqual(await search('silver', 'nope'), [])
    })

    it('examines an attribute page chunk by chunk, stopping after one when stopScan says so', async (t) => {
      const store = await fresh(t)
      // More users than a chunk: the oldest and the newest have the value searched for.
      const n = ATTRIBUTE_SCAN_CHUNK + 500
      const many = Array.from({ length: n }, (_, i) =>
        user(i, i === 0 || i === n - 1 ? { tag: 'rare' } : { tag: `t${i}` }),
      )
      await store.processing.commit(batch(10, { users: many }))
      const page = (after: PagePosition | undefined, stop: boolean, key?: string) =>
        store.browse.searchUsers({
          workspaceId: WS,
          kind: 'attribute',
          value: 'rare',
          ...(key === undefined ? {} : { key }),
          limit: 50,
          ...(after === undefined ? {} : { after }),
          ...(stop ? { stopScan: () => true } : {}),
        })
      const ids = (p: { users: readonly UserRow[] }) => p.users.map((u) => u.id)
      const newest = many.at(-1)?.id ?? ''
      const oldest = many[0]?.id ?? ''
      for (const key of [undefined, 'tag']) {
        const whole = await page(undefined, false, key)
        assert.deepEqual([ids(whole), whole.next], [[newest, oldest], null], 'chunks up to 20,000')
        const first = await page(undefined, true, key)
        assert.deepEqual(ids(first), [newest], 'one chunk examined')
        assert.notEqual(first.next, null)
        const second = await page(first.next ?? undefined, true, key)
        assert.deepEqual([ids(second), second.next], [[oldest], null])
      }
    })

    it("pages a user's events newest first", async (t) => {
      const store = await fresh(t)
      const events: EventRow[] = [1, 2, 3].map((seq) =>
        anEvent({ seq, eventTime: T0 + (seq === 2 ? 500 : seq), name: `e${seq}` }),
      )
      await store.processing.commit(
        batch(10, { users: [user(1, {})], events: events.map((e) => ({ ...e, userId: 'u001' })) }),
      )
      const page = await store.browse.userEvents(WS, 'u001', undefined, 2)
      assert.deepEqual(
        page.map((e) => e.name),
        ['e2', 'e3'],
      )
      const last = page.at(-1)
      assert.ok(last !== undefined)
      const next = await store.browse.userEvents(WS, 'u001', [last.eventTime, last.seq], 2)
      assert.deepEqual(
        next.map((e) => e.name),
        ['e1'],
      )
    })

    it('lists skipped and dead records newest first, by outcome and reason words', async (t) => {
      const store = await fresh(t)
      await store.processing.commit(
        batch(10, {
          outcomes: [
            outcome(1, { reason: "customer_id 'guest' is not allowed" }),
            outcome(2, { outcome: 'dead', reason: 'store failed' }),
            outcome(3, { outcome: 'applied', reason: '["a note"]' }),
            outcome(4, { workspaceId: OTHER, reason: 'guest elsewhere' }),
          ],
        }),
      )
      const seqs = async (f: Parameters<Store['browse']['rejections']>[1]) =>
        (await store.browse.rejections(WS, f)).map((o) => o.seq)
      assert.deepEqual(await seqs({ limit: 10 }), [2, 1])
      assert.deepEqual(await seqs({ outcome: 'dead', limit: 10 }), [2])
      assert.deepEqual(await seqs({ reason: 'GUEST', limit: 10 }), [1])
      assert.deepEqual(await seqs({ beforeSeq: 2, limit: 10 }), [1])
      assert.deepEqual(
        (await store.browse.outcomesAfter(1, 10)).map((o) => o.seq),
        [2, 3, 4],
      )
    })

    it("groups the log's recent records into requests, newest first", async (t) => {
      const store = await fresh(t)
      await store.log.append([
        aLogRecord({ requestId: 'REQ1', index: 0 }),
        aLogRecord({ requestId: 'REQ1', index: 1, kind: 'event' }),
        aLogRecord({ requestId: 'REQ2', index: 0 }),
        aLogRecord({ requestId: 'REQX', workspaceId: OTHER }),
      ])
      const requests = await store.browse.recentRequests(WS, undefined, 10)
      assert.deepEqual(
        requests.map((r) => [r.requestId, r.records, [...r.kinds].sort()]),
        [
          ['REQ2', 1, ['customer']],
          ['REQ1', 2, ['customer', 'event']],
        ],
      )
      const older = await store.browse.recentRequests(WS, requests[0]?.lastSeq, 10)
      assert.deepEqual(
        older.map((r) => r.requestId),
        ['REQ1'],
      )
    })

    it("reads a user's stored identity links, by name then value, within its workspace", async (t) => {
      const store = await seeded(t)
      assert.deepEqual(await store.browse.identityLinks(WS, 'u001'), [
        { name: 'u_em', value: 'ada@example.com' },
        { name: 'u_mb', value: '+4470001' },
      ])
      assert.deepEqual(await store.browse.identityLinks(WS, 'u002'), [])
      assert.deepEqual(await store.browse.identityLinks(OTHER, 'u001'), [
        { name: 'u_em', value: 'x@y.z' },
      ])
    })

    it('counts the records the log accepted per minute and sending API, a Bulk row as its records under its API', async (t) => {
      const store = await fresh(t)
      const M = 60_000
      const minute = T0 / M
      // A Bulk request of three elements, as a Bulk row (SQLite keeps it, PostgreSQL expands it
      // into a customer, an event and an invalid record) and as the records it holds.
      const body = JSON.stringify({
        type: 'transition',
        elements: [
          { type: 'customer', customer_id: 'erin', attributes: {} },
          { type: 'event', customer_id: 'erin', actions: [{ action: 'Viewed' }] },
          { type: 'nonsense' },
        ],
      })
      await store.log.append([
        aLogRecord({ requestId: 'REQ1', index: 0, receivedAt: T0 }),
        aLogRecord({ requestId: 'REQ1', index: 1, kind: 'event', receivedAt: T0 + 1 }),
        {
          ...aLogRecord({ requestId: 'REQB', receivedAt: T0 + 2, customerId: null }),
          kind: BULK_ROW_KIND,
          payload: bulkRowPayload(body, { strict: false }),
          records: 3,
          api: 'bulk',
        },
        aLogRecord({ requestId: 'REQB2', kind: 'event', receivedAt: T0 + M, api: 'bulk' }),
        aLogRecord({
          requestId: 'REQB2',
          index: 1,
          kind: 'invalid',
          receivedAt: T0 + M,
          api: 'bulk',
        }),
        aLogRecord({ requestId: 'REQ2', kind: 'event', receivedAt: T0 + M + 59_999, api: 'event' }),
        aLogRecord({ requestId: 'REQX', workspaceId: OTHER, receivedAt: T0 }),
      ])
      const counts = (list: readonly { minute: number; api: string; records: number }[]) =>
        list.map((c) => [c.minute - minute, c.api, c.records]).sort()
      assert.deepEqual(counts(await store.browse.acceptedRecords(WS, T0)), [
        [0, 'bulk', 3],
        [0, 'customer', 2],
        [1, 'bulk', 2],
        [1, 'event', 1],
      ])
      assert.deepEqual(counts(await store.browse.acceptedRecords(WS, T0 + M + 5)), [
        [1, 'bulk', 2],
        [1, 'event', 1],
      ])
      assert.deepEqual(counts(await store.browse.acceptedRecords(OTHER, T0)), [[0, 'customer', 1]])
      // Appends add to a minute's count; the log's compaction leaves the counts.
      await store.log.append([aLogRecord({ requestId: 'REQ3', receivedAt: T0 + M, api: 'event' })])
      await store.log.compact(Number.MAX_SAFE_INTEGER, T0 + 2 * M)
      assert.deepEqual(await store.log.readAfter(0, 100), [])
      assert.deepEqual(counts(await store.browse.acceptedRecords(WS, T0 + M)), [
        [1, 'bulk', 2],
        [1, 'event', 2],
      ])
      assert.deepEqual(await store.browse.acceptedRecords('NOSUCHWORKSPACE', T0), [])
    })

    it('forgets counts of accepted records a day older than the newest when compacting', async (t) => {
      const store = await fresh(t)
      const M = 60_000
      const newest = T0 + ACCEPTED_MINUTES_KEPT * M
      await store.log.append([
        aLogRecord({ requestId: 'OLD', receivedAt: T0 }),
        aLogRecord({ requestId: 'KEPT', receivedAt: T0 + M }),
        aLogRecord({ requestId: 'NEW', receivedAt: newest, workspaceId: OTHER }),
      ])
      await store.log.compact(0, 0)
      assert.deepEqual(
        (await store.browse.acceptedRecords(WS, 0)).map((c) => c.minute * M),
        [T0 + M],
        'the newest minute of any workspace counts',
      )
    })
  })
}
