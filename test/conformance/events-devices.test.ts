/**
 * Conformance: Create Event (spec §7.2, §8.7) and Track Device (§7.4) — what is stored for each
 * record, which records are refused and why. Tests are named after the rule they pin.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'
import {
  DEVICE,
  EVENT,
  TRACK,
  assertRefusals,
  invalid,
  missing,
  requestIdOf,
  userOf,
} from '../helpers/data-api.js'

async function eventsOf(app: TestApp, customerId: string) {
  const user = await userOf(app, customerId)
  return app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 100)
}

async function devicesOf(app: TestApp, customerId: string) {
  const user = await userOf(app, customerId)
  return app.store.profiles.devicesOfUser(WORKSPACE_ID, user.id)
}

/** A Create Event body for u1 with these actions. */
const actions = (actions: unknown) => ({ type: 'event', customer_id: 'u1', actions })

/** A Create Event body for u1 with one Purchased action. */
const event = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...actions([{ action: 'Purchased', ...action }]),
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
    await app.post(
      EVENT,
      actions([
        { action: 'A', attributes: { n: 1 }, app_version: '1.2.3' },
        { action: 'B', attributes: { when: '2020-01-02' } },
      ]),
    )
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
  it('§7.2 the six time-derivation rules, through Create Event', async (t) => {
    const app = await createTestApp(t)
    const T = Date.parse('2026-10-01T12:00:00Z')
    const H = 3_600_000
    const rules: [string, Record<string, unknown>, number, number][] = [
      ['1 none', {}, START_TIME, START_TIME],
      ['2 current_time', { current_time: T }, T, T],
      ['3 user_time', { user_time: new Date(T).toISOString() }, T, T],
      [
        '4 both',
        { current_time: T, user_time: T + 5 * H, user_timezone_offset: 3600 },
        T,
        T + 5 * H,
      ],
      [
        '5 current_time + offset',
        { current_time: T, user_timezone_offset: 19800 },
        T,
        T + 19800_000,
      ],
      [
        '6 user_time + offset',
        { user_time: String(T), user_timezone_offset: 19800 },
        T - 19800_000,
        T,
      ],
    ]
    await app.post(EVENT, actions(rules.map(([name, times]) => ({ action: name, ...times }))))
    const byName = new Map((await eventsOf(app, 'u1')).map((e) => [e.name, e]))
    for (const [name, , eventTime, userTime] of rules) {
      assert.equal(byName.get(name)?.eventTime, eventTime, `rule ${name}: current_time`)
      assert.equal(byName.get(name)?.userTime, userTime, `rule ${name}: user_time`)
    }
  })
  it('§7.2 an ISO time without a zone is UTC, whatever the server time zone', async (t) => {
    const app = await createTestApp(t)
    const saved = process.env['TZ']
    t.after(() => {
      if (saved === undefined) delete process.env['TZ']
      else process.env['TZ'] = saved
    })
    const T = Date.parse('2026-10-01T12:00:00Z')
    for (const tz of ['Asia/Kolkata', 'America/New_York']) {
      process.env['TZ'] = tz // Node applies a changed TZ to the Date calls that follow
      await app.post(EVENT, event({ action: tz, current_time: '2026-10-01T12:00:00' }))
      await app.drain()
    }
    const events = await eventsOf(app, 'u1')
    assert.deepEqual(
      events.map((e) => e.eventTime),
      [T, T],
    )
  })
  it('§7.2 a time on a date that does not exist is ignored with a note', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(EVENT, event({ current_time: '2026-02-30T10:00:00Z' }))
    const [e] = await eventsOf(app, 'u1')
    assert.equal(e?.eventTime, START_TIME, 'as if no time was given (rule 1)')
    const report = await app.inspect(requestIdOf(res))
    assert.equal(report.records[0]?.outcome, 'applied')
    assert.match(report.records[0]?.notes?.[0] ?? '', /current_time '2026-02-30T10:00:00Z'/)
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
    await app.post(
      EVENT,
      actions([
        { action: 'a', platform: 'android' },
        { action: 'b', platform: 'IOS' },
        { action: 'c', platform: 'Windows' },
        { action: 'd', platform: 'tv', moe_os_type: 'roku' },
        { action: 'e', platform: 'web', moe_os_type: 'ROKU' },
      ]),
    )
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
    const app = await createTestApp(t)
    const MALFORMED =
      'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.'
    const actionsEmpty = missing('actions', 'actions can not be empty Array')
    const actionMissing = missing('action', 'action is not found in the payload')
    await assertRefusals(app, EVENT, [
      [actions([]), actionsEmpty],
      [{ type: 'event', customer_id: 'u1' }, actionsEmpty],
      [actions({ action: 'A' }), actionsEmpty],
      [actions([{}]), actionMissing],
      [actions([{ action: 5 }]), actionMissing],
      [actions([{ action: null }]), actionMissing],
      [actions([{ action: ' ' }]), missing('action', 'action cannot be empty Unicode string')],
      [actions(['x']), { message: MALFORMED, type: 'Malformed JSON' }],
      [
        { type: 'event', actions: [{ action: 'A' }] },
        missing('customer_id', 'customer_id is not found in the payload'),
      ],
      [
        actions([{ action: 'A', user_timezone_offset: '1' }]),
        missing('user_timezone_offset', 'user_timezone_offset is expected to be Number.'),
      ],
    ])
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
    await app.post(
      EVENT,
      actions([
        { action: 'Purchased', attributes: { amount: 12.5 } },
        { action: 'Purchased', attributes: { amount: '7.5' } },
        { action: 'Purchased', attributes: { amount: 'lots' } },
        { action: 'Subscribed', attributes: { amount: 100 } },
        { action: 'Viewed', attributes: { amount: 100 } },
      ]),
    )
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
    const app = await createTestApp(t)
    const base = { type: 'device', customer_id: 'u1', device_id: 'd' }
    const attributes = (attributes: Record<string, unknown>) => ({ ...base, attributes })
    const badPlatform = invalid('platform', "'platform' is not a valid platform.")
    await assertRefusals(app, DEVICE, [
      [
        { type: 'device', device_id: 'd', attributes: {} },
        missing('customer_id', "'customer_id' is not found in the payload"),
      ],
      [base, missing('attributes', "'attributes' is not found in the payload")],
      [attributes({ push_id: 'p' }), missing('platform', "'platform' is not found in payload")],
      ...['Windows', 'Android TV', 'unknown', 42].map(
        (platform) => [attributes({ platform, push_id: 'p' }), badPlatform] as const,
      ),
      [attributes({ platform: 'web' }), missing('push_id', "'push_id' is not found in payload")],
      [
        attributes({ platform: 'web', push_id: '' }),
        missing('push_id', "'push_id' is not found in payload"),
      ],
    ])
  })
  it('§7.4 the documented platforms are accepted in any case and stored canonically', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, { type: 'customer', customer_id: 'u1' })
    const given = { a: 'android', i: 'IOS', w: 'Web', t: 'tv' }
    for (const [id, platform] of Object.entries(given)) {
      const res = await app.post(DEVICE, {
        type: 'device',
        customer_id: 'u1',
        device_id: id,
        attributes: { platform, push_id: `p-${id}` },
      })
      assert.equal(res.statusCode, 200, res.body)
    }
    const stored = new Map((await devicesOf(app, 'u1')).map((d) => [d.deviceId, d.platform]))
    assert.deepEqual(Object.fromEntries(stored), { a: 'ANDROID', i: 'iOS', w: 'web', t: 'TV' })
  })
})
