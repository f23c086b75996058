// The per-user Fair Usage Policy (spec §5.3): off by default; when on, the record that takes a user
// over a threshold and every record of theirs until the block ends are skipped with the reason,
// visible through GET /inlet/v1/requests/{request_id}, while the request still answers 200.
import type { ParsedRecord } from '../core/records.js'
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { START_TIME, WORKSPACE_ID, createTestApp } from '../../test/helpers/app.js'
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
