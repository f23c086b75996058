// Quotas with several windows (quotas.ts), on the in-process counter and a manual clock: how a
// quota is declared, fixed hours and UTC days that turn with the clock, several windows on one
// quota (every one must have room; a refusal takes nothing from any), a rolling hour across the
// hour's boundary and its guarantee over every interval of an hour, and the headers' window.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createManualClock } from '../core/clock.js'
import {
  DAY,
  HOUR,
  MINUTE,
  createMemoryQuotaCounter,
  latestReset,
  mostConstrained,
  quotaWindows,
  rateLimitHeaders,
  retryAfterSeconds,
  type QuotaStatus,
  type QuotaWindow,
} from './quotas.js'
import { randomOf } from '../../test/helpers/random.js'

const at = (iso: string): number => Date.parse(iso)
const take = (quota: string, amount: number) => [{ quota, amount }]

describe('quotaWindows', () => {
  it('declares a quota’s windows, and refuses what is not a declaration', () => {
    const windows = quotaWindows(
      { length: MINUTE, limit: 50, kind: 'fixed' },
      { length: HOUR, limit: 200, kind: 'fixed' },
      { length: HOUR, limit: 150, kind: 'rolling' },
      { length: DAY, limit: 1000, kind: 'fixed' },
    )
    assert.equal(windows.length, 4)
    assert.ok(Object.isFrozen(windows) && Object.isFrozen(windows[0]))
    const bad: [string, QuotaWindow[]][] = [
      ['no window', []],
      [
        'a length that is not a minute, an hour or a day',
        [{ length: 120 as 60, limit: 1, kind: 'fixed' }],
      ],
      ['an unknown kind', [{ length: MINUTE, limit: 1, kind: 'sliding' as 'fixed' }]],
      ['a negative limit', [{ length: MINUTE, limit: -1, kind: 'fixed' }]],
      ['a fractional limit', [{ length: MINUTE, limit: 1.5, kind: 'fixed' }]],
      [
        'two fixed hours',
        [
          { length: HOUR, limit: 1, kind: 'fixed' },
          { length: HOUR, limit: 2, kind: 'fixed' },
        ],
      ],
    ]
    for (const [what, declared] of bad)
      assert.throws(() => quotaWindows(...declared), /quotas:/, what)
  })

  it('refuses a quota the plan does not declare', () => {
    const counter = createMemoryQuotaCounter()
    assert.throws(() => counter.take('W', take('nope', 1), {}, 0), /'nope' is not a quota/)
  })
})

describe('fixed windows of an hour and a day', () => {
  it('align to the clock’s hours and turn with them', () => {
    const clock = createManualClock(at('2026-11-01T10:59:00Z'))
    const counter = createMemoryQuotaCounter()
    const plan = { hourly: quotaWindows({ length: HOUR, limit: 5, kind: 'fixed' }) }
    const hourly = (amount: number) => counter.take('W', take('hourly', amount), plan, clock.now())
    assert.deepEqual(hourly(5), {
      allowed: true,
      status: {
        quota: 'hourly',
        limit: 5,
        remaining: 0,
        windowStart: at('2026-11-01T10:00:00Z'),
        resetMs: 60_000,
        window: { length: HOUR, kind: 'fixed' },
      },
    })
    clock.advance(59_999)
    assert.equal(hourly(1).allowed, false, 'the last millisecond of the hour')
    clock.advance(1) // 11:00
    assert.deepEqual(hourly(5).status, {
      quota: 'hourly',
      limit: 5,
      remaining: 0,
      windowStart: at('2026-11-01T11:00:00Z'),
      resetMs: 3_600_000,
      window: { length: HOUR, kind: 'fixed' },
    })
  })

  it('align a day to the UTC day, whatever the hour it was first used', () => {
    const clock = createManualClock(at('2026-11-01T18:30:00Z'))
    const counter = createMemoryQuotaCounter()
    const plan = { daily: quotaWindows({ length: DAY, limit: 3, kind: 'fixed' }) }
    const daily = (amount: number) => counter.take('W', take('daily', amount), plan, clock.now())
    assert.equal(daily(3).allowed, true)
    clock.set(at('2026-11-01T23:59:59.999Z'))
    const refused = daily(1)
    assert.equal(refused.allowed, false)
    assert.equal(refused.status.windowStart, at('2026-11-01T00:00:00Z'))
    assert.equal(refused.status.resetMs, 1)
    clock.set(at('2026-11-02T00:00:00Z'))
    assert.equal(daily(3).allowed, true, 'a new UTC day')
    clock.set(at('2026-11-02T18:30:00Z'))
    assert.equal(daily(1).allowed, false, 'not 24 hours after first use: the UTC day')
  })
})

describe('several windows on one quota', () => {
  // Segments v3 list/create: 50 a minute, 200 an hour, 1000 a day (scaled down).
  const plan = {
    segments: quotaWindows(
      { length: MINUTE, limit: 3, kind: 'fixed' },
      { length: HOUR, limit: 5, kind: 'fixed' },
      { length: DAY, limit: 8, kind: 'fixed' },
    ),
  }

  it('admits a request only when every window has room, and a refusal takes from none', () => {
    const clock = createManualClock(at('2026-11-01T10:00:00Z'))
    const counter = createMemoryQuotaCounter()
    const segments = (amount: number) =>
      counter.take('W', take('segments', amount), plan, clock.now())

    const first = segments(3)
    assert.equal(first.allowed, true)
    assert.deepEqual([first.status.remaining, first.status.window], [0, undefined], 'the minute')
    assert.equal(segments(1).allowed, false, 'the minute is spent')

    clock.advance(60_000) // 10:01: the minute has 3 again, the hour 2
    assert.equal(segments(2).allowed, true)
    const refused = segments(1) // the minute has room (1), the hour is spent
    assert.deepEqual(refused, {
      allowed: false,
      status: {
        quota: 'segments',
        limit: 5,
        remaining: 0,
        windowStart: at('2026-11-01T10:00:00Z'),
        resetMs: 59 * 60_000,
        window: { length: HOUR, kind: 'fixed' },
      },
    })
    assert.equal(retryAfterSeconds(refused.status), 59 * 60, 'wait for the hour, not the minute')

    // Nothing of the refusal was taken: the day still has 8 - 5 = 3 at the next hour.
    clock.set(at('2026-11-01T11:00:00Z'))
    assert.equal(segments(3).allowed, true)
    const day = segments(1)
    assert.equal(day.allowed, false)
    assert.deepEqual(day.status.window, { length: DAY, kind: 'fixed' })
    assert.equal(day.status.resetMs, 13 * 3_600_000, 'until UTC midnight')
  })

  it('reports, of several windows that refuse, the one that frees up last', () => {
    const clock = createManualClock(at('2026-11-01T10:00:00Z'))
    const counter = createMemoryQuotaCounter()
    assert.equal(counter.take('W', take('segments', 3), plan, clock.now()).allowed, true)
    clock.advance(60_000)
    assert.equal(counter.take('W', take('segments', 2), plan, clock.now()).allowed, true)
    // 2 units: the minute (1 left) and the hour (0 left) refuse, the day (3 left) would not; the
    // hour frees up last.
    const refused = counter.take('W', take('segments', 2), plan, clock.now())
    assert.deepEqual(refused.status.window, { length: HOUR, kind: 'fixed' })
    // peek reports the most constrained: the hour (0 left), not the minute (1) or the day (3).
    const peek = counter.peek('W', ['segments'], plan, clock.now())
    assert.deepEqual([peek.remaining, peek.window], [0, { length: HOUR, kind: 'fixed' }])
  })
})

describe('a rolling window', () => {
  // Campaigns V5: "rolling 1 h / 24 h windows".
  const plan = { campaigns: quotaWindows({ length: HOUR, limit: 10, kind: 'rolling' }) }

  it('does not start over when the clock’s hour turns: units leave an hour (and a slice) later', () => {
    const clock = createManualClock(at('2026-11-01T10:20:30Z'))
    const counter = createMemoryQuotaCounter()
    const campaigns = (amount: number) =>
      counter.take('W', take('campaigns', amount), plan, clock.now())
    assert.equal(campaigns(6).allowed, true)
    clock.set(at('2026-11-01T10:50:00Z'))
    assert.equal(campaigns(4).allowed, true)

    clock.set(at('2026-11-01T11:00:00Z')) // a fixed hour would start over here
    const refused = campaigns(1)
    assert.deepEqual(refused, {
      allowed: false,
      status: {
        quota: 'campaigns',
        limit: 10,
        remaining: 0,
        windowStart: at('2026-11-01T10:00:00Z'), // the oldest one-minute slice counted
        resetMs: 60_000, // when that slice leaves the window
        window: { length: HOUR, kind: 'rolling' },
      },
    })
    // 11:20:30: the units of 10:20:30 are an hour old, but their slice (10:20) is still counted.
    clock.set(at('2026-11-01T11:20:30Z'))
    assert.equal(campaigns(1).allowed, false)
    clock.set(at('2026-11-01T11:21:00Z')) // the 10:20 slice has left: its 6 units are back
    assert.equal(campaigns(6).allowed, true)
    assert.equal(campaigns(1).allowed, false, 'the 4 of 10:50 are still counted')
    clock.set(at('2026-11-01T11:51:00Z'))
    assert.equal(campaigns(4).allowed, true)
  })

  it('never admits more than its limit in any interval of its length', () => {
    const counter = createMemoryQuotaCounter()
    const limit = 40
    const rolling = { r: quotaWindows({ length: HOUR, limit, kind: 'rolling' }) }
    const random = randomOf(11)
    const admitted: { at: number; amount: number }[] = []
    let now = at('2026-11-01T10:00:00Z')
    let refused = 0
    for (let i = 0; i < 3_000; i++) {
      now += random(12_000) // about 5 hours in all
      const amount = 1 + random(4)
      const decision = counter.take('W', take('r', amount), rolling, now)
      if (decision.allowed) admitted.push({ at: now, amount })
      else refused++
    }
    const hour = HOUR * 1000
    let busiest = 0
    for (const a of admitted) {
      const inHour = admitted
        .filter((b) => b.at >= a.at && b.at < a.at + hour)
        .reduce((sum, b) => sum + b.amount, 0)
      busiest = Math.max(busiest, inHour)
    }
    assert.ok(refused > 1000, `the load is well past the limit (${refused} refused)`)
    assert.ok(busiest <= limit, `at most ${limit} in any hour: ${busiest}`)
    assert.ok(busiest >= limit - 4, `and close to it: ${busiest}`)
  })
})

describe('the headers of a window', () => {
  const status = (window: QuotaStatus['window'], resetMs: number): QuotaStatus => ({
    quota: 'q',
    limit: 200,
    remaining: 7,
    windowStart: 0,
    resetMs,
    ...(window === undefined ? {} : { window }),
  })

  it('name the reported window’s length in w= and keep the reset below it', () => {
    assert.deepEqual(rateLimitHeaders(status({ length: HOUR, kind: 'fixed' }, 3_600_000)), {
      'x-ratelimit-limit': '200; w=3600',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-reset': '3599',
    })
    assert.equal(
      rateLimitHeaders(status({ length: DAY, kind: 'fixed' }, 86_400_000))['x-ratelimit-limit'],
      '200; w=86400',
    )
    assert.equal(rateLimitHeaders(status(undefined, 60_000))['x-ratelimit-reset'], '59')
  })

  it('report the fewest units left; of equals, the window that frees up last', () => {
    const s = (remaining: number, resetMs: number): QuotaStatus => ({
      quota: `q${remaining}-${resetMs}`,
      limit: 10,
      remaining,
      windowStart: 0,
      resetMs,
    })
    assert.equal(mostConstrained([s(3, 10), s(1, 5), s(2, 99)]).quota, 'q1-5')
    assert.equal(mostConstrained([s(0, 10), s(0, 50), s(0, 50)]).quota, 'q0-50')
    const first = s(4, 10)
    assert.equal(mostConstrained([first, { ...first, quota: 'second' }]), first, 'ties: the first')
    assert.equal(latestReset([s(5, 10), s(0, 30), s(9, 30)]).quota, 'q0-30', 'ties: the first')
  })
})
