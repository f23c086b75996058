// Quotas (spec §5.1) and their headers (§5.2): the counter on its own, then every rate-limited
// endpoint driven to its edge through the real app with a manual clock — the last record inside
// the window is accepted, the next is refused with the documented 429 and nothing of it is stored,
// the headers count down and reset when the window turns.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import {
  START_TIME,
  WORKSPACE_ID,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../test/helpers/app.js'
import {
  DEFAULT_QUOTAS,
  createMemoryQuotaCounter,
  effectiveLimits,
  rateLimitHeaders,
  readQuotaOverrides,
  retryAfterSeconds,
  windowStartOf,
} from './quotas.js'

const RATE_LIMITED = {
  status: 'fail',
  error: { message: 'Rate Limits for User / Event exceeded', type: 'Rate Limit Exceeded' },
}

describe('createMemoryQuotaCounter', () => {
  const limits = effectiveLimits({ track_user: 3, bulk_users: 2, bulk_events: 2 })
  const T = Date.parse('2026-11-01T10:00:00Z')

  it('takes units up to the limit, then refuses without taking', () => {
    const counter = createMemoryQuotaCounter()
    const take = (n: number) =>
      counter.take('W', [{ quota: 'track_user', amount: n }], limits, T + 1000)
    assert.deepEqual(take(2), {
      allowed: true,
      status: { quota: 'track_user', limit: 3, remaining: 1, windowStart: T, resetMs: 59_000 },
    })
    assert.equal(take(2).allowed, false)
    assert.equal(take(1).status.remaining, 0)
    assert.equal(take(1).allowed, false)
  })

  it('takes all demands or none, and reports the one that refused', () => {
    const counter = createMemoryQuotaCounter()
    const bulk = (users: number, events: number) =>
      counter.take(
        'W',
        [
          { quota: 'bulk_users', amount: users },
          { quota: 'bulk_events', amount: events },
        ],
        limits,
        T,
      )
    assert.equal(bulk(1, 0).allowed, true)
    const refused = bulk(1, 3)
    assert.equal(refused.allowed, false)
    assert.equal(refused.status.quota, 'bulk_events')
    const peek = counter.peek('W', ['bulk_users', 'bulk_events'], limits, T)
    assert.deepEqual([peek.quota, peek.remaining], ['bulk_users', 1], 'the refusal took nothing')
  })

  it('keeps workspaces apart and starts over in each minute', () => {
    const counter = createMemoryQuotaCounter()
    const take = (ws: string, now: number) =>
      counter.take(ws, [{ quota: 'track_user', amount: 3 }], limits, now).allowed
    assert.equal(take('A', T + 59_999), true)
    assert.equal(take('A', T + 59_999), false)
    assert.equal(take('B', T + 59_999), true)
    assert.equal(take('A', T + 60_000), true)
  })

  it('aligns windows to the minute', () => {
    assert.equal(windowStartOf(T + 59_999), T)
    assert.equal(windowStartOf(T + 60_000), T + 60_000)
  })
})

describe('rateLimitHeaders', () => {
  const status = (resetMs: number) => ({
    quota: 'create_event' as const,
    limit: 31_500,
    remaining: 31_499,
    windowStart: 0,
    resetMs,
  })
  it('writes the three headers of spec §5.2', () => {
    assert.deepEqual(rateLimitHeaders(status(29_400)), {
      'x-ratelimit-limit': '31500; w=60',
      'x-ratelimit-remaining': '31499',
      'x-ratelimit-reset': '29',
    })
  })
  it('keeps x-ratelimit-reset under 60 and Retry-After at least 1', () => {
    assert.equal(rateLimitHeaders(status(60_000))['x-ratelimit-reset'], '59')
    assert.equal(rateLimitHeaders(status(1))['x-ratelimit-reset'], '0')
    assert.equal(retryAfterSeconds(status(1)), 1)
    assert.equal(retryAfterSeconds(status(29_400)), 30)
  })
})

describe('readQuotaOverrides', () => {
  it('keeps known quotas with whole values from 0 only', () => {
    assert.deepEqual(
      readQuotaOverrides({ track_user: 5, create_event: -1, get_user: 1.5, nope: 3, merge: 0 }),
      { track_user: 5, merge: 0 },
    )
    assert.deepEqual(readQuotaOverrides('x'), {})
    assert.deepEqual(effectiveLimits({}), DEFAULT_QUOTAS)
  })
})

// --- through the app -------------------------------------------------------------------------

async function withLimits(t: TestContext, quotas: Record<string, number>, env = {}) {
  const app = await createTestApp(t, env)
  await app.store.workspaces.update(WORKSPACE_ID, { settings: { quotas }, updatedAt: START_TIME })
  app.clock.set(START_TIME + 1_000) // one second into a window: 59 s to its end
  return app
}

function limitHeaders(res: LightMyRequestResponse) {
  return {
    limit: res.headers['x-ratelimit-limit'],
    remaining: res.headers['x-ratelimit-remaining'],
    reset: res.headers['x-ratelimit-reset'],
  }
}

function assertRefused(res: LightMyRequestResponse, limit: number, retryAfter: string): void {
  assert.equal(res.statusCode, 429, res.body)
  const body = res.json<{ error: { request_id: string } }>()
  assert.deepEqual(body, {
    ...RATE_LIMITED,
    error: { ...RATE_LIMITED.error, request_id: body.error.request_id },
  })
  assert.match(body.error.request_id, /^[A-Za-z]{8}$/)
  assert.equal(res.headers['retry-after'], retryAfter)
  assert.deepEqual(limitHeaders(res), {
    limit: `${limit}; w=60`,
    remaining: res.headers['x-ratelimit-remaining'],
    reset: res.headers['x-ratelimit-reset'],
  })
}

// customer ids of one character are skipped as denied (spec §6.1): these use longer ones
const customer = (id: string) => ({
  type: 'customer',
  customer_id: `user-${id}`,
  attributes: { a: 1 },
})
const event = (id: string, actions: number) => ({
  type: 'event',
  customer_id: `user-${id}`,
  actions: Array.from({ length: actions }, (_, i) => ({ action: `E${i}` })),
})
const device = (id: string) => ({
  type: 'device',
  customer_id: `user-${id}`,
  device_id: `d-${id}`,
  attributes: { platform: 'ANDROID', push_id: `p-${id}` },
})

async function logged(app: TestApp): Promise<number> {
  await app.ingest.flushed()
  return app.store.log.lastSeq()
}

describe('quotas through the app', () => {
  it('Track User: counts down per user, refuses the one past the limit, resets next window', async (t) => {
    const app = await withLimits(t, { track_user: 3 })
    const url = `/v1/customer/${WORKSPACE_ID}`
    for (const remaining of ['2', '1', '0']) {
      const res = await app.post(url, customer('u'))
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(limitHeaders(res), { limit: '3; w=60', remaining, reset: '59' })
      assert.equal(res.headers['retry-after'], undefined)
    }
    app.clock.advance(29_500) // 29.5 s left
    const refused = await app.post(url, customer('u'))
    assertRefused(refused, 3, '30')
    assert.deepEqual(limitHeaders(refused), { limit: '3; w=60', remaining: '0', reset: '29' })
    assert.equal(await logged(app), 3, 'nothing of the refused request is stored')

    app.clock.set(START_TIME + 60_000) // the window turns
    const next = await app.post(url, customer('u'))
    assert.equal(next.statusCode, 200)
    assert.deepEqual(limitHeaders(next), { limit: '3; w=60', remaining: '2', reset: '59' })
  })

  it('Create Event: counts events, not requests; a request that would exceed is refused whole', async (t) => {
    const app = await withLimits(t, { create_event: 5 })
    const url = `/v1/event/${WORKSPACE_ID}`
    const first = await app.post(url, event('u', 3))
    assert.equal(first.statusCode, 200)
    assert.equal(first.headers['x-ratelimit-remaining'], '2')
    assertRefused(await app.post(url, event('u', 3)), 5, '59')
    assert.equal(await logged(app), 3)
    const last = await app.post(url, event('u', 2))
    assert.equal(last.statusCode, 200, 'the last events inside the window are accepted')
    assert.equal(last.headers['x-ratelimit-remaining'], '0')
    assertRefused(await app.post(url, event('u', 1)), 5, '59')
    assert.equal(await logged(app), 5)
  })

  it('Track Device: counts devices', async (t) => {
    const app = await withLimits(t, { track_device: 2 })
    const url = `/v1/device/${WORKSPACE_ID}`
    assert.equal((await app.post(url, device('a'))).statusCode, 200)
    const last = await app.post(url, device('b'))
    assert.equal(last.statusCode, 200)
    assert.deepEqual(limitHeaders(last), { limit: '2; w=60', remaining: '0', reset: '59' })
    assertRefused(await app.post(url, device('c')), 2, '59')
  })

  it('Bulk Import: users and events on their own quotas, both taken or neither', async (t) => {
    const app = await withLimits(t, { bulk_users: 3, bulk_events: 4 })
    const url = `/v1/transition/${WORKSPACE_ID}`
    const bulk = (...elements: unknown[]) => app.post(url, { type: 'transition', elements })
    const first = await bulk(customer('a'), device('a'), event('a', 2))
    assert.equal(first.statusCode, 200, first.body)
    // users 2 of 3 taken (the device counts as a user update), events 2 of 4: the fewest left shows
    assert.deepEqual(limitHeaders(first), { limit: '3; w=60', remaining: '1', reset: '59' })
    const refused = await bulk(customer('b'), event('b', 3))
    assertRefused(refused, 4, '59')
    assert.equal(refused.headers['x-ratelimit-remaining'], '2')
    assert.equal(await logged(app), 4, 'no element of the refused request is stored')
    const last = await bulk(customer('b'), event('b', 2))
    assert.equal(last.statusCode, 200)
    assert.equal(last.headers['x-ratelimit-remaining'], '0')
    // both quotas spent: refused before the elements are read (spec §4.5), the first one shown
    assertRefused(await bulk(event('c', 1)), 3, '59')
    app.clock.advance(59_000)
    const next = await bulk(event('c', 1))
    assert.equal(next.statusCode, 200)
    assert.deepEqual(limitHeaders(next), { limit: '3; w=60', remaining: '3', reset: '59' })
  })

  it('Get User: counts the identifiers asked for', async (t) => {
    const app = await withLimits(t, { get_user: 3 })
    const url = `/v1/customers/export?app_id=${WORKSPACE_ID}`
    const ask = (n: number) =>
      app.post(url, {
        data: {
          identifiers: Array.from({ length: n }, (_, i) => ({
            identifier_type: 'customer_id',
            identifier: `u${i}`,
          })),
        },
      })
    const first = await ask(2)
    assert.equal(first.statusCode, 200)
    assert.deepEqual(limitHeaders(first), { limit: '3; w=60', remaining: '1', reset: '59' })
    assertRefused(await ask(2), 3, '59')
    assert.equal((await ask(1)).statusCode, 200)
    assertRefused(await ask(1), 3, '59')
  })

  // Merge counts pairs; Delete and Device opt-out count requests (spec §5.1).
  const PER_REQUEST: readonly {
    name: string
    quota: string
    url: string
    body: (i: number) => unknown
    amount: number
  }[] = [
    {
      name: 'Merge Users',
      quota: 'merge',
      url: `/v1/customer/merge?app_id=${WORKSPACE_ID}`,
      body: (i) => ({ merge_data: [{ merged_user: `old-${i}`, retained_user: `new-${i}` }] }),
      amount: 1,
    },
    {
      name: 'Delete Users',
      quota: 'delete',
      url: `/v1/customer/delete?app_id=${WORKSPACE_ID}`,
      body: (i) => ({ identity_type: 'customer_id', identity_value: `user-d${i}` }),
      amount: 1,
    },
    {
      name: 'Device Opt-out',
      quota: 'device_opt_out',
      url: `/v1/devices/manage?app_id=${WORKSPACE_ID}`,
      body: (i) => ({
        user_identifier_type: 'customer_id',
        user_identifier_value: `user-d${i}`,
        action_type: 'block',
        device_identifiers: [{ push_id: `p-d${i}` }],
      }),
      amount: 1,
    },
  ]
  for (const endpoint of PER_REQUEST) {
    it(`${endpoint.name}: the last one inside the window is accepted, the next refused, reset next window`, async (t) => {
      const app = await withLimits(t, { [endpoint.quota]: 2 })
      for (let i = 0; i < 4; i++) await app.post(`/v1/customer/${WORKSPACE_ID}`, customer(`d${i}`))
      await app.drain() // Delete Users needs its users to exist
      const before = await logged(app)
      for (const [i, remaining] of ['1', '0'].entries()) {
        const res = await app.post(endpoint.url, endpoint.body(i))
        assert.equal(res.statusCode, 200, res.body)
        assert.deepEqual(limitHeaders(res), { limit: '2; w=60', remaining, reset: '59' })
      }
      app.clock.advance(40_200) // 18.8 s left
      const refused = await app.post(endpoint.url, endpoint.body(2))
      assertRefused(refused, 2, '19')
      assert.deepEqual(limitHeaders(refused), { limit: '2; w=60', remaining: '0', reset: '18' })
      assert.equal(await logged(app), before + 2, 'nothing of the refused request is stored')
      app.clock.set(START_TIME + 120_000) // two windows later
      const next = await app.post(endpoint.url, endpoint.body(3))
      assert.equal(next.statusCode, 200, next.body)
      assert.deepEqual(limitHeaders(next), { limit: '2; w=60', remaining: '1', reset: '59' })
    })
  }

  it('sends the headers on a validation failure too, without counting it', async (t) => {
    const app = await withLimits(t, { track_user: 3 })
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, { type: 'customer' })
    assert.equal(res.statusCode, 400)
    assert.deepEqual(limitHeaders(res), { limit: '3; w=60', remaining: '3', reset: '59' })
  })

  it('§4.5 a spent quota answers 429 before field validation; one with room, the field error', async (t) => {
    const app = await withLimits(t, { track_user: 1, bulk_users: 1, get_user: 1 })
    const track = `/v1/customer/${WORKSPACE_ID}`
    const invalid = { type: 'customer' } // customer_id missing
    assert.equal((await app.post(track, invalid)).statusCode, 400, 'room left: the field error')
    assert.equal((await app.post(track, customer('u'))).statusCode, 200)
    assertRefused(await app.post(track, invalid), 1, '59')
    assertRefused(await app.post(track, '{"type": "customer", "attributes": 5}'), 1, '59')
    // Bulk spends two quotas: refused up front only when both are spent
    const bulk = `/v1/transition/${WORKSPACE_ID}`
    const users = { type: 'transition', elements: [customer('b')] }
    assert.equal((await app.post(bulk, users)).statusCode, 200)
    const badEnvelope = await app.post(bulk, { type: 'transition', elements: [] })
    assert.equal(badEnvelope.statusCode, 400, 'bulk_events has room: the envelope error')
    const events = { type: 'transition', elements: [event('b', 1)] }
    assert.equal((await app.post(bulk, events)).statusCode, 200, 'events still have room')
    assert.equal((await app.post(bulk, events)).statusCode, 200, 'the default events quota')
    // Get User
    const get = `/v1/customers/export?app_id=${WORKSPACE_ID}`
    const ask = { data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'x1' }] } }
    assert.equal((await app.post(get, ask)).statusCode, 200)
    assertRefused(await app.post(get, { data: {} }), 1, '59')
  })

  it('sends no header before the workspace is known (a failed authentication)', async (t) => {
    const app = await withLimits(t, { track_user: 3 })
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, customer('u'), {
      headers: { authorization: basicAuth(WORKSPACE_ID, 'wrong-key-123') },
    })
    assert.equal(res.statusCode, 401)
    assert.equal(res.headers['x-ratelimit-limit'], undefined)
  })

  it('sends no header on Inlet endpoints that are not rate limited', async (t) => {
    const app = await withLimits(t, { track_user: 3 })
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, customer('u'))
    const report = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/requests/${res.json<{ request_id: string }>().request_id}`,
      headers: { authorization: app.headers['authorization'] ?? '' },
    })
    assert.equal(report.statusCode, 200)
    assert.equal(report.headers['x-ratelimit-limit'], undefined)
  })

  it('with INLET_RATE_LIMITS=off counts nothing and sends no header', async (t) => {
    const app = await withLimits(t, { track_user: 1 }, { INLET_RATE_LIMITS: 'off' })
    for (let i = 0; i < 3; i++) {
      const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, customer('u'))
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['x-ratelimit-limit'], undefined)
    }
  })

  it('enforces the documented default: 30,000 events a minute', async (t) => {
    const app = await createTestApp(t)
    app.clock.set(START_TIME + 31_000)
    const url = `/v1/event/${WORKSPACE_ID}`
    let res: LightMyRequestResponse | undefined
    for (let i = 0; i < 10; i++) res = await app.post(url, event(`u${i}`, 3_000))
    assert.equal(res?.statusCode, 200)
    assert.deepEqual(res === undefined ? undefined : limitHeaders(res), {
      limit: '30000; w=60',
      remaining: '0',
      reset: '29',
    })
    assertRefused(await app.post(url, event('x', 1)), 30_000, '29')
    assert.equal(await logged(app), 30_000)
  })
})
