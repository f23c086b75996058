import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  API_KEY,
  WORKSPACE_ID,
  basicAuth,
  createTestApp,
  createTestAppOn,
} from '../../../test/helpers/app.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { createIdempotency } from './idempotency.js'

const postgres = await startPostgres()

const bulk = {
  type: 'transition',
  elements: [
    { type: 'customer', customer_id: 'ada', attributes: { city: 'Zurich' } },
    { type: 'event', customer_id: 'ada', actions: [{ action: 'Bought' }, { action: 'Paid' }] },
  ],
}

describe('Idempotency-Key on the ingest endpoints', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(
      `logs a keyed Bulk body once: the same key again answers 200 with it and logs nothing (${kind})`,
      kind === 'postgres' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
      async (t) => keyedOnce(t, kind),
    )
  }

  it('refuses a malformed key with idempotency_key_invalid, logging nothing', async (t) => {
    const { post, store, headers } = await createTestApp(t)
    for (const key of ['short', 'x'.repeat(101), 'has space in it 0123']) {
      const res = await post(`/v1/transition/${WORKSPACE_ID}`, bulk, {
        headers: { ...headers, 'idempotency-key': key },
      })
      assert.equal(res.statusCode, 400, key)
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, 'Idempotency-Key')
    }
    assert.equal(await store.log.lastSeq(), 0)
  })

  it('runs concurrent requests with one key one at a time, the second seeing the first', async () => {
    const logged = new Set<string>()
    const idempotency = createIdempotency((ws, key) => Promise.resolve(logged.has(`${ws}/${key}`)))
    let runs = 0
    const submit = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      runs++
      logged.add('w/key')
    }
    const ran = await Promise.all([
      idempotency.once('w', 'key', submit),
      idempotency.once('w', 'key', submit),
      idempotency.once('other', 'key', () => Promise.resolve(void runs++)),
    ])
    assert.deepEqual(ran, [true, false, true])
    assert.equal(runs, 2)
  })
})

/** A keyed Bulk body sent twice is logged once; the same body without a key counts again. */
async function keyedOnce(t: TestContext, kind: 'sqlite' | 'postgres'): Promise<void> {
  const { app, post, drain, store, headers: auth } = await createTestAppOn(t, kind, postgres)
  const key = 'import-0001-1-2000'
  const headers = { ...auth, 'idempotency-key': key }
  const first = await post(`/v1/transition/${WORKSPACE_ID}`, bulk, { headers: { ...headers } })
  assert.equal(first.statusCode, 200)
  assert.equal(first.json<{ request_id: string }>().request_id, key)
  await drain()
  const again = await post(`/v1/transition/${WORKSPACE_ID}`, bulk, { headers: { ...headers } })
  assert.equal(again.statusCode, 200)
  assert.equal(again.json<{ request_id: string }>().request_id, key)
  // Without the header the same body is a new request: its events count again.
  const plain = await post(`/v1/transition/${WORKSPACE_ID}`, bulk)
  assert.equal(plain.statusCode, 200)
  await drain()
  const [user] = await store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['ada'], ids: [] })
  assert.ok(user)
  const events = await store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 100)
  assert.equal(events.length, 4, 'the keyed body twice and the plain one once')
  const plainId = plain.json<{ request_id: string }>().request_id
  assert.equal(
    (await store.log.recordsOfRequest(WORKSPACE_ID, key)).length,
    (await store.log.recordsOfRequest(WORKSPACE_ID, plainId)).length,
    'the keyed body was logged once',
  )
  // The header works on Create Event too.
  const event = await app.inject({
    method: 'POST',
    url: `/v1/event/${WORKSPACE_ID}`,
    headers: {
      authorization: basicAuth(WORKSPACE_ID, API_KEY),
      'content-type': 'application/json',
      'idempotency-key': 'event-key-0000000001',
    },
    payload: { type: 'event', customer_id: 'ada', actions: [{ action: 'Once' }] },
  })
  assert.equal(event.statusCode, 200)
}
