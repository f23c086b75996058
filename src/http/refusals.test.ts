// Refused records counted durably (refusals.ts): sums held in memory and written to the store each
// second and at close, a failed write kept for the next, the held sums bounded, old minutes
// forgotten; and, through the whole app, which refusals count and for which workspace — every
// refusal after a workspace's key accepted the request, for that workspace; none for a key that
// no workspace accepted, and nothing written for a 200.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createMemoryLogger } from '../core/log.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { recordsOfBody } from '../families/data/quotas.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { RefusalRepo, RefusedCount, Store } from '../store/store.js'
import { createSequentialIds } from '../core/ids.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../../test/helpers/app.js'
import { ACCEPTED_MINUTES_KEPT } from '../store/browse.js'
import { MAX_HELD_REFUSALS, REFUSALS_FLUSH_MS, createRefusalCounter } from './refusals.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const M0 = T0 / 60_000
const WS = 'WORKSPACEAAAAAAAAAA1'

/** A real store whose `refusals.add` records each batch and fails while `failing` is set. */
function watchedStore(t: TestContext) {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const batches: RefusedCount[][] = []
  const state = { failing: false }
  const refusals: RefusalRepo = {
    ...store.refusals,
    add: (counts) => {
      batches.push([...counts])
      return state.failing ? Promise.reject(new Error('disk full')) : store.refusals.add(counts)
    },
  }
  return { store, watched: { refusals }, batches, state }
}

/** Lets the writes a timer started finish (the store answers in later turns of the loop). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('the refused-records counter', () => {
  it('holds sums per workspace, minute and API and writes them each second, in one write', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] })
    const { store, watched, batches } = watchedStore(t)
    const clock = createManualClock(T0)
    const counter = createRefusalCounter({ store: watched, clock, log: createMemoryLogger() })
    t.after(() => counter.close())
    counter.add(WS, 'event', 3)
    counter.add(WS, 'event', 2)
    counter.add(WS, 'customer', 1)
    clock.advance(60_000)
    counter.add(WS, 'event', 1)
    await settle()
    assert.equal(batches.length, 0, 'nothing written before the second is up')
    t.mock.timers.tick(REFUSALS_FLUSH_MS)
    await settle()
    assert.equal(batches.length, 1)
    assert.deepEqual(
      (await store.refusals.since(WS, T0)).sort(
        (a, b) => a.minute - b.minute || (a.api < b.api ? -1 : 1),
      ),
      [
        { minute: M0, api: 'customer', records: 1 },
        { minute: M0, api: 'event', records: 5 },
        { minute: M0 + 1, api: 'event', records: 1 },
      ],
    )
    // A second with nothing refused writes nothing.
    t.mock.timers.tick(REFUSALS_FLUSH_MS)
    await settle()
    assert.equal(batches.length, 1)
  })

  it('keeps the sums of a failed write for the next one, and writes what it holds at close', async (t) => {
    const { store, watched, batches, state } = watchedStore(t)
    const log = createMemoryLogger()
    const counter = createRefusalCounter({ store: watched, clock: createManualClock(T0), log })
    counter.add(WS, 'event', 3)
    state.failing = true
    await counter.flush()
    assert.deepEqual(await store.refusals.since(WS, 0), [])
    assert.ok(log.lines.some((l) => l.includes('kept for the next write')))
    state.failing = false
    counter.add(WS, 'event', 1)
    await counter.close()
    assert.equal(batches.length, 2)
    assert.deepEqual(await store.refusals.since(WS, 0), [{ minute: M0, api: 'event', records: 4 }])
  })

  it('holds at most MAX_HELD_REFUSALS sums, and says how many records went uncounted', async (t) => {
    const { store, watched } = watchedStore(t)
    const log = createMemoryLogger()
    const counter = createRefusalCounter({ store: watched, clock: createManualClock(T0), log })
    t.after(() => counter.close())
    for (let i = 0; i < MAX_HELD_REFUSALS; i++) counter.add(`WS${i}`, 'event', 1)
    counter.add(WS, 'event', 7) // a new sum past the bound
    counter.add('WS0', 'event', 1) // a sum held already still adds up
    await counter.flush()
    const warned = log.lines.find((l) => l.includes('not counted'))
    assert.equal((JSON.parse(warned ?? '{}') as { records?: number }).records, 7)
    assert.deepEqual(await store.refusals.since(WS, 0), [])
    assert.deepEqual(await store.refusals.since('WS0', 0), [
      { minute: M0, api: 'event', records: 2 },
    ])
  })

  it('forgets minutes older than the chart shows, once a minute', async (t) => {
    const { store, watched } = watchedStore(t)
    const clock = createManualClock(T0)
    const counter = createRefusalCounter({ store: watched, clock, log: createMemoryLogger() })
    t.after(() => counter.close())
    await store.refusals.add([
      { workspaceId: WS, minute: M0 - ACCEPTED_MINUTES_KEPT, api: 'event', records: 1 },
      { workspaceId: WS, minute: M0 - ACCEPTED_MINUTES_KEPT + 1, api: 'event', records: 1 },
    ])
    counter.add(WS, 'event', 1)
    await counter.flush()
    assert.deepEqual(
      (await store.refusals.since(WS, 0)).map((c) => c.minute - M0),
      [1 - ACCEPTED_MINUTES_KEPT, 0],
    )
  })
})

/** The app with a second workspace, B, and the counts its store holds after a write. */
async function appWithB(t: TestContext) {
  const app = await createTestApp(t)
  await createWorkspaces({ store: app.store, clock: app.clock, ids: createSequentialIds() }).create(
    { id: 'WORKSPACEBBBBBBBBBB2', key: 'key-of-b', name: 'B' },
  )
  const counted = async (store: Store, ws: string): Promise<Record<string, number>> => {
    await app.refusals.flush()
    const out: Record<string, number> = {}
    for (const c of await store.refusals.since(ws, 0)) out[c.api] = (out[c.api] ?? 0) + c.records
    return out
  }
  return { app, counted: (ws: string) => counted(app.store, ws) }
}

describe('which refusals count', () => {
  const B = 'WORKSPACEBBBBBBBBBB2'
  const three = { type: 'event', actions: [{ action: 'A' }, { action: 'B' }, { action: 'C' }] }

  it('counts every refusal after the key was accepted, for its workspace, with its records', async (t) => {
    const { app, counted } = await appWithB(t)
    // A body refused (400): its three actions.
    assert.equal((await app.post(`/v1/event/${WORKSPACE_ID}`, three)).statusCode, 400)
    // The gateway's checks after the key: B's id with A's key (409) counts for A, not B — as one
    // record, since the gateway answers before the body is read.
    assert.equal((await app.post(`/v1/event/${B}`, three)).statusCode, 409)
    // No Content-Type (400): the body is never read, so one record.
    const bare = await app.app.inject({
      method: 'POST',
      url: `/v1/customer/${WORKSPACE_ID}`,
      headers: { authorization: app.headers['authorization'] ?? '' },
      payload: '{}',
    })
    assert.equal(bare.statusCode, 400, bare.body)
    // A quota spent (429): its records.
    await app.store.workspaces.update(WORKSPACE_ID, {
      settings: { quotas: { merge: 1 } },
      updatedAt: app.clock.now(),
    })
    const pair = { merged_user: 'a1', retained_user: 'b1' }
    const merge = `/v1/customer/merge?app_id=${WORKSPACE_ID}`
    assert.equal((await app.post(merge, { merge_data: [pair] })).statusCode, 200)
    assert.equal((await app.post(merge, { merge_data: [pair, pair] })).statusCode, 429)
    // Accepted: nothing.
    const ok = await app.post(`/v1/event/${WORKSPACE_ID}`, { ...three, customer_id: 'ada' })
    assert.equal(ok.statusCode, 200)
    assert.deepEqual(await counted(WORKSPACE_ID), { event: 4, customer: 1, merge: 2 })
    assert.deepEqual(await counted(B), {})
  })

  it("counts nothing for a workspace whose key did not accept the request, nor a 200's", async (t) => {
    const { app, counted } = await appWithB(t)
    const asB = (secret: string) => ({
      headers: { authorization: basicAuth(B, secret), 'content-type': 'application/json' },
    })
    // Anybody can name B: a wrong key (401) writes nothing of B's.
    assert.equal((await app.post(`/v1/event/${B}`, three, asB(API_KEY))).statusCode, 401)
    // An unknown workspace (400 InvalidAppId, spec §4.4): nothing anywhere.
    const unknown = { headers: { authorization: basicAuth('NOSUCHWORKSPACE00001', 'x') } }
    assert.equal((await app.post('/v1/event/NOSUCHWORKSPACE00001', three, unknown)).statusCode, 400)
    // Accepted requests write nothing at all.
    assert.equal(
      (await app.post(`/v1/event/${B}`, { ...three, customer_id: 'b' }, asB('key-of-b')))
        .statusCode,
      200,
    )
    assert.deepEqual(await counted(B), {})
    assert.deepEqual(await counted(WORKSPACE_ID), {})
    assert.deepEqual(await counted('NOSUCHWORKSPACE00001'), {})
  })

  it("counts a refused request's records from its body", () => {
    assert.equal(recordsOfBody({ actions: [{}, {}, {}] }), 3)
    assert.equal(recordsOfBody({ type: 'transition', elements: [{}, {}] }), 2)
    assert.equal(recordsOfBody({ merge_data: [] }), 1)
    assert.equal(recordsOfBody({ customer_id: 'a' }), 1)
    assert.equal(recordsOfBody(undefined), 1)
    assert.equal(recordsOfBody([1, 2]), 1)
  })
})
