// The workspace page's traffic: accepted records read from the counts the log's appends keep per
// minute and API (so a restarted process and every process on the store count them, and a Bulk
// request's records count under Bulk Import on both stores), refused records counted in memory
// with the records their bodies asked for.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createManualClock } from '../../core/clock.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { aLogRecord } from '../../../test/store/contract.js'
import { API_KEY, WORKSPACE_ID, createTestApp } from '../../../test/helpers/app.js'
import { dashboardGet, signIn } from '../../../test/helpers/dashboard.js'
import { createTrafficMeter, recordsOfBody } from './meter.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const postgres = await startPostgres()
const WS = 'CONTRACTWS0000000001' // aLogRecord's workspace

describe('the workspace traffic meter', () => {
  it('counts accepted records per minute per API from the store, across restarts', async (t) => {
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
    const meter = createTrafficMeter(store, clock)
    meter.refused(WS, 'event', 3)
    const minute = T0 / 60_000
    const pick = (s: Awaited<ReturnType<typeof meter.series>>, endpoint: string) =>
      (s[endpoint] ?? []).map((c) => [c.minute - minute, c.accepted, c.refused])
    const first = await meter.series(WS, 3)
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
    // Read again: nothing counted twice; a new record adds to its minute.
    await store.log.append([
      aLogRecord({ requestId: 'REQ5', kind: 'event', receivedAt: T0 + 61_000, api: 'event' }),
    ])
    assert.deepEqual(pick(await meter.series(WS, 2), 'event'), [
      [0, 2, 0],
      [1, 1, 3],
    ])
    // A restarted process (a new meter on the same store) reads the accepted counts again; the
    // refused ones were this process's.
    const restarted = createTrafficMeter(store, clock)
    assert.deepEqual(pick(await restarted.series(WS, 2), 'event'), [
      [0, 2, 0],
      [1, 1, 0],
    ])
    assert.deepEqual(await restarted.series('NOSUCHWORKSPACE', 60), {})
  })

  it("counts a refused request's records from its body", () => {
    assert.equal(recordsOfBody({ actions: [{}, {}, {}] }), 3)
    assert.equal(recordsOfBody({ type: 'transition', elements: [{}, {}] }), 2)
    assert.equal(recordsOfBody({ merge_data: [] }), 1)
    assert.equal(recordsOfBody({ customer_id: 'a' }), 1)
    assert.equal(recordsOfBody(undefined), 1)
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
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const overview = await dashboardGet<{
      traffic: Record<string, { accepted: number; refused: number }[]>
    }>(app, session, `/w/${WORKSPACE_ID}/overview?span=hour`)
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
})
