// The workspace page's traffic: accepted records read from the counts the log's appends keep per
// minute and API, refused records from the counts the HTTP layer writes (http/refusals.ts) — so a
// restarted process and every process on the store count both the same (SQLite and PostgreSQL),
// and a Bulk request's records count under Bulk Import on both stores.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createManualClock } from '../../core/clock.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { aLogRecord } from '../../../test/store/contract.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../../../test/helpers/app.js'
import { createSequentialIds } from '../../core/ids.js'
import { createWorkspaces } from '../../workspaces/workspaces.js'
import { dashboardGet, signIn } from '../../../test/helpers/dashboard.js'
import { createTrafficMeter } from './meter.js'
import type { Store } from '../../store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const postgres = await startPostgres()
const WS = 'CONTRACTWS0000000001' // aLogRecord's workspace

describe('the workspace traffic meter', () => {
  it('counts accepted and refused records per minute per API from the store, across restarts', async (t) => {
    const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
    t.after(() => store.close())
    const clock = createManualClock(T0 + 90_000)
    await store.log.append([
      aLogRecord({ requestId: 'REQ1', index: 0, kind: 'event', receivedAt: T0, api: 'event' }),
      aLogRecord({ requestId: 'REQ1', index: 1, kind: 'event', receivedAt: T0 + 1, api: 'event' }),
      aLogRecord({ requestId: 'REQ2', index: 0, receivedAt: T0 + 60_000 }),
      // Kept out at validation, sent by Track User: counted under it.
      aLogRecord({ requestId: 'REQ3', kind: 'invalid', receivedAt: T0 + 60_000 }),
      // A count kept before counts were by API names the record's kind (log migration 5).
      aLogRecord({ requestId: 'REQ4', receivedAt: T0 + 60_000, api: 'device_opt_out' }),
    ])
    const minute = T0 / 60_000
    // Refused: as the HTTP layer writes them (http/refusals.ts), this process's or another's.
    await store.refusals.add([{ workspaceId: WS, minute: minute + 1, api: 'event', records: 3 }])
    let flushes = 0
    const meter = createTrafficMeter(store, clock, {
      flush: () => {
        flushes++
        return Promise.resolve()
      },
    })
    const pick = (s: Awaited<ReturnType<typeof meter.series>>, endpoint: string) =>
      (s[endpoint] ?? []).map((c) => [c.minute - minute, c.accepted, c.refused])
    const first = await meter.series(WS, 3)
    assert.equal(flushes, 1, "this process's refusals are written before the page reads")
    assert.deepEqual(Object.keys(first).sort(), ['customer', 'event', 'opt_out'])
    assert.deepEqual(pick(first, 'event'), [
      [-1, 0, 0],
      [0, 2, 0],
      [1, 0, 3],
    ])
    assert.deepEqual(pick(first, 'customer'), [
      [-1, 0, 0],
      [0, 0, 0],
      [1, 2, 0],
    ])
    assert.deepEqual(pick(first, 'opt_out'), [
      [-1, 0, 0],
      [0, 0, 0],
      [1, 1, 0],
    ])
    // Read again: nothing counted twice; a new record and a new refusal add to their minute.
    await store.log.append([
      aLogRecord({ requestId: 'REQ5', kind: 'event', receivedAt: T0 + 61_000, api: 'event' }),
    ])
    await store.refusals.add([{ workspaceId: WS, minute: minute + 1, api: 'event', records: 1 }])
    assert.deepEqual(pick(await meter.series(WS, 2), 'event'), [
      [0, 2, 0],
      [1, 1, 4],
    ])
    // A restarted process (a new meter on the same store) reads the same counts.
    const restarted = createTrafficMeter(store, clock, { flush: () => Promise.resolve() })
    assert.deepEqual(pick(await restarted.series(WS, 2), 'event'), [
      [0, 2, 0],
      [1, 1, 4],
    ])
    // A refusal older than the span is not shown; another workspace's never.
    await store.refusals.add([
      { workspaceId: WS, minute: minute - 5, api: 'merge', records: 1 },
      { workspaceId: 'OTHERWORKSPACE000001', minute: minute + 1, api: 'device', records: 9 },
    ])
    const later = await restarted.series(WS, 2)
    assert.deepEqual(Object.keys(later).sort(), ['customer', 'event', 'opt_out'])
    assert.deepEqual(await restarted.series('NOSUCHWORKSPACE', 60), {})
  })

  it('answers the overview with records accepted and refused per endpoint', async (t) => {
    const app = await createTestApp(t)
    const ok = await app.post(`/v1/event/${WORKSPACE_ID}`, {
      type: 'event',
      customer_id: 'ada',
      actions: [{ action: 'A' }, { action: 'B' }],
    })
    assert.equal(ok.statusCode, 200, ok.body)
    const refused = await app.post(`/v1/event/${WORKSPACE_ID}`, {
      type: 'event',
      actions: [{ action: 'A' }, { action: 'B' }, { action: 'C' }],
    })
    assert.equal(refused.statusCode, 400, refused.body)
    // Another workspace's refusals are its own.
    const other = 'WORKSPACEBBBBBBBBBB2'
    await createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    }).create({ id: other, key: 'key-of-b', name: 'B' })
    const refusedOfOther = await app.post(
      `/v1/transition/${other}`,
      { type: 'transition', elements: 'not a list' },
      { headers: { authorization: basicAuth(other, 'key-of-b') } },
    )
    assert.equal(refusedOfOther.statusCode, 400, refusedOfOther.body)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const overview = await dashboardGet<{
      traffic: Record<string, { accepted: number; refused: number }[]>
    }>(app, session, `/w/${WORKSPACE_ID}/overview?span=hour`)
    assert.deepEqual(Object.keys(overview.traffic), ['event'])
    const ofOther = await dashboardGet<{ traffic: Record<string, { refused: number }[]> }>(
      app,
      await signIn(app, other, 'key-of-b'),
      `/w/${other}/overview?span=hour`,
    )
    assert.deepEqual(Object.keys(ofOther.traffic), ['bulk'])
    const event = overview.traffic['event'] ?? []
    assert.equal(event.length, 60)
    assert.deepEqual(event.at(-1), {
      minute: Math.floor(app.clock.now() / 60_000),
      accepted: 2,
      refused: 3,
    })
  })

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(
      `counts a Bulk Import request's records under Bulk Import, also those it rejects (${kind})`,
      kind === 'postgres' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
      async (t) => {
        const store =
          kind === 'postgres' && postgres !== undefined
            ? await createPostgresStore({
                expandRow: expandBulkRow,
                url: await postgres.freshUrl(),
                durability: 'os',
                maxConnections: 4,
              })
            : undefined
        const app = await createTestApp(t, {}, store === undefined ? {} : { store })
        const bulk = await app.post(`/v1/transition/${WORKSPACE_ID}`, {
          type: 'transition',
          elements: [
            { type: 'customer', customer_id: 'ada', attributes: { name: 'Ada' } },
            { type: 'event', customer_id: 'ada', actions: [{ action: 'A' }, { action: 'B' }] },
            { type: 'device', customer_id: 'ada', device_id: 'd1', attributes: {} },
            { type: 'nonsense' },
          ],
        })
        assert.equal(bulk.statusCode, 200, bulk.body)
        const session = await signIn(app, WORKSPACE_ID, API_KEY)
        const overview = await dashboardGet<{
          traffic: Record<string, { accepted: number; refused: number }[]>
        }>(app, session, `/w/${WORKSPACE_ID}/overview?span=hour`)
        assert.deepEqual(Object.keys(overview.traffic), ['bulk'])
        assert.deepEqual(overview.traffic['bulk']?.at(-1), {
          minute: Math.floor(app.clock.now() / 60_000),
          accepted: 5,
          refused: 0,
        })
      },
    )
  }

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(
      `shows the refusals of one process on every process's workspace page (${kind})`,
      kind === 'postgres' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
      async (t) => {
        // Three processes on one store: each its own Store (connections), app and counter.
        const place =
          kind === 'postgres' && postgres !== undefined
            ? await postgres.freshUrl()
            : mkdtempSync(join(tmpdir(), 'inlet-meter-'))
        if (kind === 'sqlite') t.after(() => rmSync(place, { recursive: true, force: true }))
        const open = (): Promise<Store> | Store =>
          kind === 'postgres'
            ? createPostgresStore({
                expandRow: expandBulkRow,
                url: place,
                durability: 'os',
                maxConnections: 4,
              })
            : createSqliteStore({ expandRow: expandBulkRow, dir: place, durability: 'os' })
        const one = await createTestApp(t, {}, { store: await open() })
        const two = await createTestApp(t, {}, { store: await open() })
        const refused = await one.post(`/v1/event/${WORKSPACE_ID}`, {
          type: 'event',
          actions: [{ action: 'A' }, { action: 'B' }, { action: 'C' }],
        })
        assert.equal(refused.statusCode, 400, refused.body)
        const refusedOf = async (app: typeof one): Promise<number | undefined> => {
          const session = await signIn(app, WORKSPACE_ID, API_KEY)
          const overview = await dashboardGet<{
            traffic: Record<string, { refused: number }[]>
          }>(app, session, `/w/${WORKSPACE_ID}/overview?span=hour`)
          return overview.traffic['event']?.at(-1)?.refused
        }
        // The first process writes its refusals within a second, by itself.
        const deadline = Date.now() + 5_000
        while ((await refusedOf(two)) !== 3 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        assert.equal(await refusedOf(two), 3)
        // A process started later (or after a restart) reads them too.
        const three = await createTestApp(t, {}, { store: await open() })
        assert.equal(await refusedOf(three), 3)
        assert.equal(await refusedOf(one), 3)
      },
    )
  }
})
