import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { createPacer } from './pacer.js'
import { backoffMs, retryPolicy, DEFAULT_RETRY } from './retry.js'
import { utf8Length } from './transport.js'

/** A clock that only moves when the pacer sleeps: each wait is recorded. */
function manualTiming(start = 1_000_000) {
  let now = start
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    advance: (ms: number) => void (now += ms),
    sleep: (ms: number) => {
      waits.push(ms)
      now += ms
      return Promise.resolve()
    },
  }
}

const headers = (remaining: number, reset: number, limit = '100; w=60', extra = {}) =>
  new Headers({
    'x-ratelimit-limit': limit,
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(reset),
    ...extra,
  })

describe('pacer', () => {
  it('lets requests through until the headers say the window is spent, then waits for its turn', async () => {
    const timing = manualTiming()
    const pacer = createPacer(timing)
    await pacer.acquire('bulk', 30) // nothing known yet: at once
    pacer.observe('bulk', 30, headers(20, 9), 200)
    assert.deepEqual(pacer.capacity('bulk'), { now: 20, limit: 100 })
    await pacer.acquire('bulk', 20)
    pacer.observe('bulk', 20, headers(0, 9), 200)
    await pacer.acquire('bulk', 5)
    // x-ratelimit-reset is rounded down: the window turns within reset + 1 s.
    assert.deepEqual(timing.waits, [10_000])
    assert.deepEqual(pacer.capacity('bulk'), { now: 95, limit: 100 })
  })

  it('counts units in flight against what is left', async () => {
    const timing = manualTiming()
    const pacer = createPacer(timing)
    pacer.observe('t', 0, headers(10, 30), 200)
    await pacer.acquire('t', 6)
    await pacer.acquire('t', 4)
    assert.equal(pacer.capacity('t').now, 0)
    pacer.observe('t', 6, headers(4, 30), 200) // the server saw the first; 4 are still in flight
    assert.equal(pacer.capacity('t').now, 0)
    pacer.observe('t', 4, undefined) // no answer: those units were not spent
    assert.equal(pacer.capacity('t').now, 4)
  })

  it('holds a quota for Retry-After after a 429, with or without rate-limit headers', async () => {
    const timing = manualTiming()
    const pacer = createPacer(timing)
    pacer.observe('t', 1, headers(0, 3, '100; w=60', { 'retry-after': '12' }), 429)
    await pacer.acquire('t', 1)
    assert.deepEqual(timing.waits, [12_000])
    pacer.observe('d', 1, new Headers({ 'retry-after': '7' }), 429)
    await pacer.acquire('d', 1)
    await pacer.acquire('d', 1) // held once, then free again
    assert.deepEqual(timing.waits, [12_000, 7_000])
  })

  it('lets a request bigger than a whole window through when the window is full', async () => {
    const timing = manualTiming()
    const pacer = createPacer(timing)
    pacer.observe('t', 0, headers(0, 0, '5; w=60'), 200)
    await pacer.acquire('t', 8)
    assert.deepEqual(timing.waits, [1_000])
  })
})

describe('retry policy', () => {
  it("defaults to the spec's every 2 s, at most 5 times, spread by the jitter", () => {
    assert.equal(DEFAULT_RETRY.retries, 5)
    assert.deepEqual(
      [1, 2, 5].map((n) => backoffMs(DEFAULT_RETRY, n, () => 0.5)),
      [2000, 2000, 2000],
    )
    assert.equal(
      backoffMs(DEFAULT_RETRY, 1, () => 0),
      1600,
    )
    assert.equal(
      backoffMs(DEFAULT_RETRY, 1, () => 0.999999),
      2400,
    )
  })

  it('grows exponentially up to its cap', () => {
    const policy = retryPolicy({ delayMs: 100, factor: 3, maxDelayMs: 1000, jitter: 0 })
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffMs(policy, n, Math.random)),
      [100, 300, 900, 1000],
    )
  })

  it('refuses a policy that makes no sense', () => {
    assert.throws(() => retryPolicy({ retries: -1 }), RangeError)
    assert.throws(() => retryPolicy({ factor: 0.5 }), RangeError)
    assert.throws(() => retryPolicy({ jitter: 2 }), RangeError)
  })
})

describe('utf8Length', () => {
  it('is the length of the UTF-8 encoding of any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'))
      }),
    )
  })
})
