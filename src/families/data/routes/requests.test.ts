// GET /inlet/v1/requests/{request_id}: each record's outcome while the request is in the log and
// after compaction, the workspace boundary, and the 404 / 401 answers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../../../../test/helpers/app.js'
import { createWorkspaces } from '../../../workspaces/workspaces.js'
import { createSequentialIds } from '../../../core/ids.js'

const BULK = `/v1/transition/${WORKSPACE_ID}`
const body = {
  type: 'transition',
  elements: [
    { type: 'customer', customer_id: 'john', attributes: { name: 'John', id: 'x' } },
    { type: 'customer', customer_id: 'guest', attributes: {} },
    {
      type: 'device',
      customer_id: 'nobody',
      device_id: 'd1',
      attributes: { platform: 'iOS', push_id: 'p' },
    },
    { type: 'customer', customer_id: 'jane', attributes: { name: 'Jane' } },
  ],
}

describe('GET /inlet/v1/requests/{request_id}', () => {
  it('shows records as pending until the processor applies them, then each outcome', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(BULK, body)
    const requestId = res.json<{ request_id: string }>().request_id
    const pending = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/requests/${requestId}`,
      headers: { authorization: basicAuth(WORKSPACE_ID, API_KEY) },
    })
    assert.equal(pending.statusCode, 200)
    assert.deepEqual(pending.json<{ summary: unknown }>().summary, {
      pending: 4,
      applied: 0,
      skipped: 0,
      dead: 0,
    })

    const report = await app.inspect(requestId)
    assert.equal(report.request_id, requestId)
    assert.equal(report.details_expired, false)
    assert.equal(report.received_at, new Date(app.clock.now()).toISOString())
    assert.deepEqual(report.summary, { pending: 0, applied: 2, skipped: 2, dead: 0 })
    assert.deepEqual(
      report.records.map((r) => [r.index, r.kind, r.customer_id, r.outcome]),
      [
        [0, 'customer', 'john', 'applied'],
        [1, 'invalid', 'guest', 'skipped'],
        [2, 'device', 'nobody', 'skipped'],
        [3, 'customer', 'jane', 'applied'],
      ],
    )
    assert.deepEqual(report.records[0]?.notes, [
      "'id' is blocked as a user attribute name (spec §8.1)",
    ])
    assert.equal(report.records[3]?.notes, undefined)
    assert.match(report.records[1]?.reason ?? '', /not allowed \(spec §6\.1\)/)
    assert.match(report.records[2]?.reason ?? '', /existing users/)
    assert.deepEqual(report.records[3]?.payload, {
      customer_id: 'jane',
      update_existing_only: false,
      attributes: { name: 'Jane' },
    })
  })

  it('after compaction keeps only the records that did not apply cleanly', async (t) => {
    const app = await createTestApp(t)
    const requestId = (await app.post(BULK, body)).json<{ request_id: string }>().request_id
    await app.drain()
    const cursor = await app.store.processing.cursor()
    assert.ok((await app.store.log.compact(cursor, app.clock.now() + 1)) > 0)
    const report = await app.inspect(requestId)
    assert.equal(report.details_expired, true)
    assert.equal(report.received_at, undefined)
    assert.deepEqual(
      report.records.map((r) => [r.index, r.outcome]),
      [
        [0, 'applied'],
        [1, 'skipped'],
        [2, 'skipped'],
      ],
    )
    assert.deepEqual(report.summary, { pending: 0, applied: 1, skipped: 2, dead: 0 })
    assert.deepEqual(report.records[0]?.notes, [
      "'id' is blocked as a user attribute name (spec §8.1)",
    ])
  })

  it('answers 404 request_not_found for an unknown id and for another workspace', async (t) => {
    const app = await createTestApp(t)
    const requestId = (await app.post(BULK, body)).json<{ request_id: string }>().request_id
    await app.drain()
    const other = await createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    }).create({ id: 'OTHERWORKSPACE000001', key: 'other-key-000001', name: 'Other' })
    for (const [user, key, id] of [
      [WORKSPACE_ID, API_KEY, 'NOSUCHID'],
      [other.workspace.id, 'other-key-000001', requestId],
    ] as const) {
      const res = await app.app.inject({
        method: 'GET',
        url: `/inlet/v1/requests/${id}`,
        headers: { authorization: basicAuth(user, key) },
      })
      assert.equal(res.statusCode, 404)
      assert.equal(res.json<{ error: { type: string } }>().error.type, 'Not Found')
    }
  })

  it('needs the workspace credentials', async (t) => {
    const app = await createTestApp(t)
    const res = await app.app.inject({ method: 'GET', url: '/inlet/v1/requests/ABCDEFGH' })
    assert.equal(res.statusCode, 401)
    const wrong = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/requests/ABCDEFGH',
      headers: { authorization: basicAuth(WORKSPACE_ID, 'wrong-key') },
    })
    assert.equal(wrong.statusCode, 401)
  })
})
