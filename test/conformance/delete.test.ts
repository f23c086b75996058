/**
 * Conformance: Delete Users (spec §7.8) — the synchronous existence check, the buffer before the
 * hard delete (the user stays active meanwhile), what is removed, a new user for the same
 * customer_id afterwards, the legacy `/delete/bulk` path, and the validation errors.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createIdGenerator } from '../../src/core/ids.js'
import { createDeletionSweeper } from '../../src/processor/deletion-sweeper.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'
import {
  DELETE,
  DEVICE,
  EVENT,
  TRACK,
  assertAccepted,
  assertRefusal,
  assertRefusals,
  invalid,
  missing,
  userOf,
} from '../helpers/data-api.js'

const DAY_MS = 86_400_000

async function seed(app: TestApp, customerId = 'gone') {
  await app.post(TRACK, { type: 'customer', customer_id: customerId, attributes: { plan: 'gold' } })
  await app.post(EVENT, { type: 'event', customer_id: customerId, actions: [{ action: 'Viewed' }] })
  await app.drain()
  await app.post(DEVICE, {
    type: 'device',
    customer_id: customerId,
    device_id: `${customerId}-phone`,
    attributes: { platform: 'iOS', push_id: `${customerId}-push` },
  })
  return userOf(app, customerId)
}

function sweeperOf(app: TestApp) {
  return createDeletionSweeper({
    store: app.store,
    ingest: app.ingest,
    clock: app.clock,
    ids: createIdGenerator(app.clock),
    log: app.log,
  })
}

async function nothingLeft(app: TestApp, userId: string): Promise<void> {
  assert.deepEqual(
    await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: [], ids: [userId] }),
    [],
  )
  assert.deepEqual(await app.store.profiles.eventsOfUser(WORKSPACE_ID, userId, 10), [])
  assert.deepEqual(await app.store.profiles.devicesOfUser(WORKSPACE_ID, userId), [])
}

describe('§7.8 Delete Users', () => {
  it('§7.8 with no buffer the user, its devices and its events are removed', async (t) => {
    const app = await createTestApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    const user = await seed(app)
    const res = await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'gone' })
    assertAccepted(res)
    await app.drain()
    await nothingLeft(app, user.id)
    assert.equal(await app.getUser('gone'), undefined)
  })

  it('§7.8 after the 24 h buffer: active and updatable meanwhile, then deleted', async (t) => {
    const app = await createTestApp(t)
    const user = await seed(app)
    const res = await app.post(DELETE, { identity_type: 'moengage_id', identity_value: user.id })
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.match(report.records[0]?.notes?.[0] ?? '', /will be deleted at 2026-11-02T10:00:00.000Z/)

    await app.post(TRACK, { type: 'customer', customer_id: 'gone', attributes: { plan: 'silver' } })
    assert.equal((await app.getUser('gone'))?.['plan'], 'silver')
    const sweeper = sweeperOf(app)
    app.clock.advance(DAY_MS - 1)
    assert.equal(await sweeper.sweep(), 0)
    app.clock.advance(1)
    assert.equal(await sweeper.sweep(), 1)
    assert.equal(await sweeper.sweep(), 0, 'a logged deletion is not logged again')
    await app.drain()
    await nothingLeft(app, user.id)
    assert.deepEqual(await app.store.processing.dueDeletions(app.clock.now() + DAY_MS, 10), [])
  })

  it('§7.8 a later Track User creates a new user with a new id', async (t) => {
    const app = await createTestApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    const before = await seed(app)
    await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'gone' })
    await app.post(TRACK, { type: 'customer', customer_id: 'gone', attributes: { fresh: true } })
    const after = await app.getUser('gone')
    assert.equal(after?.['fresh'], true)
    assert.equal(after?.['plan'], undefined)
    assert.notEqual(after?.['id'], before.id)
  })

  it('§7.8 the existence check is synchronous: "User doesn\'t exists with customer id …"', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'nobody' })
    assertRefusal(res, {
      type: 'Not Found',
      message: "User doesn't exists with customer id nobody",
    })
  })

  it('§7.8 the legacy /v1/customer/delete/bulk path works the same', async (t) => {
    const app = await createTestApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    const user = await seed(app)
    const res = await app.post(`/v1/customer/delete/bulk?app_id=${WORKSPACE_ID}`, {
      identity_type: 'id',
      identity_value: user.id,
    })
    assert.equal(res.statusCode, 200)
    await app.drain()
    await nothingLeft(app, user.id)
  })

  it('§7.8 validation errors', async (t) => {
    const app = await createTestApp(t)
    await assertRefusals(app, DELETE, [
      [
        { identity_value: 'x1' },
        missing('identity_type', 'identity_type is not found in the payload'),
      ],
      [
        { identity_type: 'customer_id' },
        missing('identity_value', 'identity_value is not found in the payload'),
      ],
      [
        { identity_type: 'email', identity_value: 'a@b.c' },
        invalid(
          'identity_type',
          "identity_type should be one of ['customer_id', 'id', 'moengage_id']",
        ),
      ],
      [
        { identity_type: 'customer_id', identity_value: 42 },
        missing('identity_value', 'identity_value is expected to be String or Unicode String.'),
      ],
    ])
  })
})
