/**
 * Conformance: Create Event (spec §7.2, §8.7) and Track Device (§7.4) — what is stored for each
 * record, which records are refused and why. Tests are named after the rule they pin.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'

const EVENT = `/v1/event/${WORKSPACE_ID}`
const TRACK = `/v1/customer/${WORKSPACE_ID}`
const DEVICE = `/v1/device/${WORKSPACE_ID}`
const requestIdOf = (res: { json<T>(): T }): string => {
  const body = res.json<{ request_id?: string; error?: { request_id: string } }>()
  return body.request_id ?? body.error?.request_id ?? ''
}

async function eventsOf(app: TestApp, customerId: string) {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  assert.ok(user, `user ${customerId} exists`)
  return app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 100)
}

async function devicesOf(app: TestApp, customerId: string) {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  assert.ok(user, `user ${customerId} exists`)
  return app.store.profiles.devicesOfUser(WORKSPACE_ID, user.id)
}

const event = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'event',
  customer_id: 'u1',
  actions: [{ action: 'Purchased', ...action }],
  ...extra,
})

describe('§7.2 Create Event', () => {
  it('§7.2 device_id defaults to customer_id; events create unknown users (§8.2)', async (t) => {
    const app = await createTestApp(t)
    await app.post(EVENT, event({}))
    await app.post(EVENT, event({}, { device_id: 'dev-9' }))
    const events = await eventsOf(app, 'u1')
    assert.deepEqual(events.map((e) => e.deviceId).sort(), ['dev-9', 'u1'])
  })
  it('§7.2 one event per action, each with its own attributes and app version', async (t) => {
    const app = await createTestApp(t)
    await app.post(EVENT, {
      type: 'event',
      customer_id: 'u1',
      actions: [
        { action: 'A', attributes: { n: 1 }, app_version: '1.2.3' },
        { action: 'B', attributes: { when: '2020-01-02' } },
      ],
    })
    const events = await eventsOf(app, 'u1')
    const byName = new Map(events.map((e) => [e.name, e]))
    assert.deepEqual(byName.get('A')?.attributes, { n: 1 })
    assert.equal(byName.get('A')?.appVersion, '1.2.3')
    assert.deepEqual(byName.get('B')?.attributes, { when: { $date: '2020-01-02T00:00:00.000Z' } })
  })
  it('§7.2 times as ISO, epoch seconds or milliseconds, numbers or numeric strings', async (t) => {
    const app = await createTestApp(t)
    const T = Date.parse('2026-10-01T12:00:00Z')
    for (const current_time of ['2026-10-01T12:00:00Z', T / 1000, String(T / 1000), T, String(T)]) {
      await app.post(EVENT, event({ current_time }))
    }
    const events = await eventsOf(app, 'u1')
    assert.deepEqual(
      events.map((e) => e.eventTime),
      [T, T, T, T, T],
    )
  })
  it('§7.2 rule 5: current_time + offset gives user_time', async (t) => {
    const app = await createTestApp(t)
    const T = Date.parse('2026-10-01T12:00:00Z')
    await app.post(EVENT, event({ current_time: T, user_timezone_offset: 19800 }))
    const [e] = await eventsOf(app, 'u1')
    assert.equal(e?.eventTime, T)
    assert.equal(e?.userTime, T + 19800_000)
  })
  it('§7.2 rule 1: no times means the receive time', async (t) => {
    const app = await createTestApp(t)
    await app.post(EVENT, event({}))
    const [e] = await eventsOf(app, 'u1')
    assert.equal(e?.eventTime, START_TIME)
  })
  it('§7.2 user_timezone_offset outside ±54000 is ignored with a note', async (t) => {
    const app = await createTestApp(t)
    const T = Date.parse('2026-10-01T12:00:00Z')
    const res = await app.post(EVENT, event({ current_time: T, user_timezone_offset: 54001 }))
    const [e] = await eventsOf(app, 'u1')
    assert.equal(e?.userTime, T)
    const report = await app.inspect(requestIdOf(res))
    assert.match(report.records[0]?.notes?.[0] ?? '', /user_timezone_offset 54001/)
    await app.post(EVENT, event({ current_time: T, user_timezone_offset: -54000 }))
    const events = await eventsOf(app, 'u1')
    assert.ok(events.some((x) => x.userTime === T - 54000_000))
  })
  it('§7.2 future-dated events are refused with a recorded reason', async (t) => {
    const app = await createTestApp(t)
    const future = new Date(START_TIME + 3_600_000).toISOString()
    const res = await app.post(EVENT, event({ current_time: future }))
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(requestIdOf(res))
    assert.equal(report.records[0]?.outcome, 'skipped')
    assert.match(report.records[0]?.reason ?? '', /future/)
    assert.deepEqual(
      await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['u1'], ids: [] }),
      [],
    )
    // within the clock-skew tolerance: accepted
    await app.post(EVENT, event({ current_time: new Date(START_TIME + 60_000).toISOString() }))
    assert.equal((await eventsOf(app, 'u1')).length, 1)
  })
  it('§7.2 platform values are canonical; moe_os_type only with TV', async (t) => {
    const app = await createTestApp(t)
    await app.post(EVENT, {
      type: 'event',
      customer_id: 'u1',
      actions: [
        { action: 'a', platform: 'android' },
        { action: 'b', platform: 'IOS' },
        { action: 'c', platform: 'Windows' },
        { action: 'd', platform: 'tv', moe_os_type: 'roku' },
        { action: 'e', platform: 'web', moe_os_type: 'ROKU' },
      ],
    })
    const byName = new Map((await eventsOf(app, 'u1')).map((e) => [e.name, e]))
    assert.equal(byName.get('a')?.platform, 'ANDROID')
    assert.equal(byName.get('b')?.platform, 'iOS')
    assert.equal(byName.get('c')?.platform, 'Windows')
    assert.equal(byName.get('d')?.platform, 'TV')
    assert.equal(byName.get('d')?.attributes['moe_os_type'], 'ROKU')
    assert.equal(byName.get('e')?.attributes['moe_os_type'], undefined)
  })
  it('§8.3 the first 100 event attributes are kept; names over 200 characters truncated', async (t) => {
    const app = await createTestApp(t)
    const attributes = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`p${i}`, i]))
    await app.post(EVENT, event({ attributes, action: 'x'.repeat(250) }))
    const [e] = await eventsOf(app, 'u1')
    assert.equal(Object.keys(e?.attributes ?? {}).length, 100)
    assert.equal(e?.name, 'x'.repeat(200))
  })
  it('§7.2 actions must be a non-empty array of objects with a string action', async (t) => {
    const { post } = await createTestApp(t)
    const cases: [unknown, number, string][] = [
      [{ type: 'event', customer_id: 'u1', actions: [] }, 400, 'actions can not be empty Array'],
      [{ type: 'event', customer_id: 'u1' }, 400, 'actions can not be empty Array'],
      [
        { type: 'event', customer_id: 'u1', actions: [{}] },
        400,
        'action is not found in the payload',
      ],
      [
        { type: 'event', customer_id: 'u1', actions: [{ action: 5 }] },
        400,
        'action is not found in the payload',
      ],
      [
        { type: 'event', customer_id: 'u1', actions: ['x'] },
        400,
        'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.',
      ],
    ]
    for (const [body, status, message] of cases) {
      const res = await post(EVENT, body)
      assert.equal(res.statusCode, status, JSON.stringify(body))
      assert.equal(res.json<{ error: { message: string } }>().error.message, message)
    }
  })
  it('§8.7 an arbitrary API event does not change Last Seen', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'u1', attributes: { a: 1 } })
    await app.post(EVENT, event({}))
    assert.equal(Object.hasOwn((await app.getUser('u1')) ?? {}, 'last_seen'), false)
  })
})

describe('§8.7 conversion goals', () => {
  it('§8.7 goal events add to t_trans and t_rev; other events and API writes do not', async (t) => {
    const app = await createTestApp(t)
    await app.store.workspaces.update(WORKSPACE_ID, {
      settings: {
        conversionGoals: [
          { event: 'Purchased', revenueAttribute: 'amount' },
          { event: 'Subscribed' },
        ],
      },
      updatedAt: app.clock.now(),
    })
    await app.post(TRACK, { type: 'customer', customer_id: 'u1', attributes: { t_rev: 1000 } })
    await app.post(EVENT, {
      type: 'event',
      customer_id: 'u1',
      actions: [
        { action: 'Purchased', attributes: { amount: 12.5 } },
        { action: 'Purchased', attributes: { amount: '7.5' } },
        { action: 'Purchased', attributes: { amount: 'lots' } },
        { action: 'Subscribed', attributes: { amount: 100 } },
        { action: 'Viewed', attributes: { amount: 100 } },
      ],
    })
    const user = await app.getUser('u1')
    assert.equal(user?.['t_trans'], 4)
    assert.equal(user?.['t_rev'], 20)
  })
  it('§8.7 without goals events leave t_trans and t_rev alone', async (t) => {
    const app = await createTestApp(t)
    await app.post(EVENT, event({ attributes: { amount: 10 } }))
    const user = await app.getUser('u1')
    assert.equal(Object.hasOwn(user ?? {}, 't_trans'), false)
    assert.equal(Object.hasOwn(user ?? {}, 't_rev'), false)
  })
})

describe('§7.4 Track Device', () => {
  const device = (deviceId: string, attributes: Record<string, unknown>, customerId = 'u1') => ({
    type: 'device',
    customer_id: customerId,
    device_id: deviceId,
    attributes: { platform: 'ANDROID', push_id: `push-${deviceId}`, ...attributes },
  })
  it('§7.4 devices are created for existing users only', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(DEVICE, device('d1', {}, 'ghost'))
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(requestIdOf(res))
    assert.equal(report.records[0]?.outcome, 'skipped')
    assert.match(report.records[0]?.reason ?? '', /existing users only/)
  })
  it('§7.4 custom attributes, IDFV on Android and GAID on iOS are dropped', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'u1' })
    await app.post(DEVICE, device('d1', { model: 'Pixel', idfv: 'v', moe_gaid: 'g', color: 'red' }))
    await app.post(DEVICE, device('d2', { platform: 'iOS', idfv: 'v2', moe_gaid: 'g2' }))
    const byId = new Map((await devicesOf(app, 'u1')).map((d) => [d.deviceId, d]))
    assert.deepEqual(byId.get('d1')?.attributes, {
      platform: 'ANDROID',
      push_id: 'push-d1',
      model: 'Pixel',
      moe_gaid: 'g',
    })
    assert.deepEqual(byId.get('d2')?.attributes, {
      platform: 'iOS',
      push_id: 'push-d2',
      idfv: 'v2',
    })
  })
  it('§7.4 a push_id, moe_gaid or idfv of another device of the user replaces that device', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'u1' })
    await app.post(DEVICE, device('old-push', { push_id: 'shared' }))
    await app.post(DEVICE, device('old-gaid', { moe_gaid: 'gaid-1' }))
    await app.post(DEVICE, device('old-idfv', { platform: 'iOS', idfv: 'idfv-1' }))
    await app.post(DEVICE, device('new-1', { push_id: 'shared' }))
    await app.post(DEVICE, device('new-2', { moe_gaid: 'gaid-1' }))
    await app.post(DEVICE, device('new-3', { platform: 'iOS', idfv: 'idfv-1' }))
    const ids = (await devicesOf(app, 'u1')).map((d) => d.deviceId).sort()
    assert.deepEqual(ids, ['new-1', 'new-2', 'new-3'])
  })
  it('§7.4 an update keeps earlier attributes and overwrites given ones', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'u1' })
    await app.post(DEVICE, device('d1', { model: 'A', os_version: '13' }))
    await app.post(DEVICE, device('d1', { model: 'B' }))
    const [d] = await devicesOf(app, 'u1')
    assert.equal(d?.attributes['model'], 'B')
    assert.equal(d?.attributes['os_version'], '13')
  })
  it('§7.4 platform and push_id rules with their errors', async (t) => {
    const { post } = await createTestApp(t)
    const cases: [unknown, string][] = [
      [
        { type: 'device', device_id: 'd', attributes: {} },
        "'customer_id' is not found in the payload",
      ],
      [
        { type: 'device', customer_id: 'u1', device_id: 'd' },
        "'attributes' is not found in the payload",
      ],
      [
        { type: 'device', customer_id: 'u1', device_id: 'd', attributes: { push_id: 'p' } },
        "'platform' is not found in payload",
      ],
      [
        {
          type: 'device',
          customer_id: 'u1',
          device_id: 'd',
          attributes: { platform: 'Windows', push_id: 'p' },
        },
        "'platform' is not a valid platform.",
      ],
      [
        { type: 'device', customer_id: 'u1', device_id: 'd', attributes: { platform: 'web' } },
        "'push_id' is not found in payload",
      ],
    ]
    for (const [body, message] of cases) {
      const res = await post(DEVICE, body)
      assert.equal(res.statusCode, 400, JSON.stringify(body))
      assert.equal(res.json<{ error: { message: string } }>().error.message, message)
    }
  })
})
