// The per-user Fair Usage Policy (spec §5.3): off by default; when on, the record that takes a user
// over a threshold and every record of theirs until the block ends are skipped with the reason,
// visible through GET /inlet/v1/requests/{request_id}, while the request still answers 200.
import type { ParsedRecord } from '../core/records.js'
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { START_TIME, WORKSPACE_ID, createTestApp } from '../../test/helpers/app.js'
import { createManualClock } from '../core/clock.js'
import { DEFAULT_FAIR_USAGE, createFairUsageTracker, readFairUsage } from './fair-usage.js'

const record = (customerId: string): ParsedRecord => ({
  kind: 'customer',
  customerId,
  payload: { customer_id: customerId, update_existing_only: false, attributes: {} },
})

const HOUR = 3_600_000

describe('readFairUsage', () => {
  it('is off with the documented thresholds by default', () => {
    assert.deepEqual(readFairUsage(undefined), DEFAULT_FAIR_USAGE)
    assert.equal(DEFAULT_FAIR_USAGE.enabled, false)
    assert.deepEqual(
      DEFAULT_FAIR_USAGE.rules.map((r) => [r.windowSeconds, r.maxRequests, r.blockSeconds]),
      [
        [60, 5000, 3600],
        [300, 10000, 3600],
        [3600, 50000, 86400],
        [86400, 100000, 86400],
      ],
    )
  })
  it('reads each field on its own, a bad one as its default', () => {
    const s = readFairUsage({ enabled: true, rules: [{ windowSeconds: 0 }], repeatBreaches: 2 })
    assert.equal(s.enabled, true)
    assert.deepEqual(s.rules, DEFAULT_FAIR_USAGE.rules)
    assert.equal(s.repeatBreaches, 2)
  })
})

describe('createFairUsageTracker', () => {
  const settings = {
    ...DEFAULT_FAIR_USAGE,
    enabled: true,
    rules: [{ windowSeconds: 60, maxRequests: 2, blockSeconds: 3600 }],
  }
  const T = Date.parse('2026-11-01T10:00:00Z')

  it('blocks a user past the threshold for the block time, leaving others alone', () => {
    const tracker = createFairUsageTracker()
    const kinds = (records: ParsedRecord[]) => records.map((r) => r.kind)
    assert.deepEqual(kinds(tracker.filter('W', [record('ann'), record('ann')], settings, T)), [
      'customer',
      'customer',
    ])
    const third = tracker.filter('W', [record('ann'), record('bob')], settings, T + 1)
    assert.deepEqual(kinds(third), ['invalid', 'customer'])
    const blocked = third[0]
    assert.ok(blocked?.kind === 'invalid')
    assert.equal(
      blocked.payload.reason,
      'fair usage: data of this user is blocked until 2026-11-01T11:00:00.001Z after more than 2' +
        ' data requests in 60 s (spec §5.3)',
    )
    assert.equal(blocked.payload.code, 'fair_usage_blocked')
    assert.deepEqual(kinds(tracker.filter('V', [record('ann')], settings, T + 2)), ['customer'])
    assert.deepEqual(kinds(tracker.filter('W', [record('ann')], settings, T + HOUR)), ['invalid'])
    assert.deepEqual(kinds(tracker.filter('W', [record('ann')], settings, T + HOUR + 1)), [
      'customer',
    ])
  })

  it('blocks for the longer time after breaches in a row', () => {
    const tracker = createFairUsageTracker()
    const strict = { ...settings, repeatBreaches: 2, repeatBlockSeconds: 7 * 86_400 }
    const burst = (at: number) =>
      tracker.filter('W', [record('ann'), record('ann'), record('ann')], strict, at)[2]
    const first = burst(T)
    assert.ok(first?.kind === 'invalid' && first.payload.reason.includes('11:00:00.000Z'))
    const second = burst(T + HOUR + 1000)
    assert.ok(second?.kind === 'invalid')
    assert.match(second.payload.reason, /until 2026-11-08T11:00:01\.000Z .*\(2 breaches in a row\)/)
  })

  it('passes everything through when off', () => {
    const tracker = createFairUsageTracker()
    const off = { ...settings, enabled: false }
    const many = Array.from({ length: 10 }, () => record('ann'))
    assert.ok(tracker.filter('W', many, off, T).every((r) => r.kind === 'customer'))
  })
})

describe('createFairUsageTracker memory bounds', () => {
  const T = Date.parse('2026-11-01T10:00:00Z')
  const MIN = 60_000
  const DAY_MS = 86_400_000
  const rule = (windowSeconds: number, maxRequests: number) => ({
    ...DEFAULT_FAIR_USAGE,
    enabled: true,
    rules: [{ windowSeconds, maxRequests, blockSeconds: 3600 }],
  })
  const minute = rule(60, 2)

  it('tracks at most maxEntries users however many distinct users it sees', (t) => {
    const tracker = createFairUsageTracker({ maxEntries: 100 })
    t.after(() => tracker.close())
    let largest = 0
    for (let i = 0; i < 20_000; i++) {
      // Two workspaces, 20,000 distinct users within one minute: none has expired yet.
      const workspace = i % 2 === 0 ? 'W' : 'V'
      const out = tracker.filter(workspace, [record(`user-${i}`)], minute, T + (i % 1000))
      assert.equal(out[0]?.kind, 'customer', 'a user seen once is never blocked')
      largest = Math.max(largest, tracker.size())
    }
    assert.ok(largest <= 100, `at most 100 entries at any time, saw ${largest}`)
    assert.equal(tracker.stats().evicted, 20_000 - 100)
  })

  it('keeps a blocked user blocked while far more distinct users than the cap pass', (t) => {
    const tracker = createFairUsageTracker({ maxEntries: 50 })
    t.after(() => tracker.close())
    const burst = [record('ann'), record('ann'), record('ann')]
    assert.equal(tracker.filter('W', burst, minute, T)[2]?.kind, 'invalid')
    for (let i = 0; i < 5_000; i++) tracker.filter('W', [record(`u${i}`)], minute, T + 1)
    assert.ok(tracker.size() <= 50)
    assert.equal(tracker.filter('W', [record('ann')], minute, T + 2)[0]?.kind, 'invalid')
  })

  it('reports what the cap cost instead of dropping it silently', (t) => {
    const reports: unknown[] = []
    const tracker = createFairUsageTracker({
      maxEntries: 10,
      sweepEveryMs: MIN,
      onOverflow: (report) => reports.push(report),
    })
    t.after(() => tracker.close())
    for (let i = 0; i < 30; i++) tracker.filter('W', [record(`u${i}`)], minute, T)
    tracker.filter('W', [record('late')], minute, T + MIN) // the timed sweep reports
    assert.deepEqual(reports, [{ evicted: 20, untracked: 0, maxEntries: 10 }])
  })

  it('sweeps by the clock, each workspace by its own rules', (t) => {
    const tracker = createFairUsageTracker({ sweepEveryMs: MIN })
    t.after(() => tracker.close())
    // Workspace S counts per minute; workspace L per two days (start of an aligned window).
    const long = rule(2 * 86_400, 2)
    const start = Math.ceil(T / (2 * DAY_MS)) * (2 * DAY_MS)
    tracker.filter('S', [record('sam'), record('sam')], minute, start)
    tracker.filter('L', [record('lea'), record('lea')], long, start)
    assert.equal(tracker.size(), 2)
    // A day and a half later, only S sends (enough calls for any request-count sweep too).
    const later = start + 1.5 * DAY_MS
    for (let i = 0; i < 10_000; i++) tracker.filter('S', [], minute, later)
    assert.equal(tracker.size(), 1, "S's user is forgotten by S's one-minute rule")
    // L's user is still counted in L's two-day window: a third request blocks it.
    const third = tracker.filter('L', [record('lea')], long, later + 1)
    assert.equal(third[0]?.kind, 'invalid', "L's entry was kept by L's own rule")
  })

  it('sweeps on a timer when no request arrives (e.g. every request is shed)', async (t) => {
    const clock = createManualClock(T)
    const tracker = createFairUsageTracker({ sweepEveryMs: 20, clock })
    t.after(() => tracker.close())
    for (let i = 0; i < 100; i++) tracker.filter('W', [record(`u${i}`)], minute, clock.now())
    assert.equal(tracker.size(), 100)
    clock.advance(2 * MIN) // every window has ended; no request comes
    const deadline = Date.now() + 5_000
    while (tracker.size() > 0 && Date.now() < deadline) await sleep(10)
    assert.equal(tracker.size(), 0)
  })
})

describe('fair usage through the app', () => {
  async function withFairUsage(t: TestContext, fairUsage: unknown) {
    const app = await createTestApp(t)
    await app.store.workspaces.update(WORKSPACE_ID, {
      settings: { fairUsage },
      updatedAt: START_TIME,
    })
    return app
  }
  const track = (app: Awaited<ReturnType<typeof createTestApp>>, id: string) =>
    app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: id,
      attributes: { n: 1 },
    })

  it('is off by default', async (t) => {
    const app = await createTestApp(t)
    for (let i = 0; i < 5; i++) assert.equal((await track(app, 'john')).statusCode, 200)
  })

  it('answers 200 and shows the blocked record as skipped with its reason', async (t) => {
    const app = await withFairUsage(t, {
      enabled: true,
      rules: [{ windowSeconds: 60, maxRequests: 2, blockSeconds: 3600 }],
    })
    await track(app, 'john')
    await track(app, 'john')
    const res = await track(app, 'john')
    assert.equal(res.statusCode, 200)
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.deepEqual(report.summary, { pending: 0, applied: 0, skipped: 1, dead: 0 })
    assert.equal(report.records[0]?.outcome, 'skipped')
    assert.equal(report.records[0]?.customer_id, 'john')
    assert.match(report.records[0]?.reason ?? '', /^fair usage: data of this user is blocked until/)
    const other = await track(app, 'mary')
    const otherReport = await app.inspect(other.json<{ request_id: string }>().request_id)
    assert.equal(otherReport.summary.applied, 1)
  })
})
