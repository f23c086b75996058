import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deriveEventTimes, parseEventTime } from './event-time.js'

const T = Date.parse('2020-05-31T16:33:35Z')

describe('§7.2 event time formats', () => {
  const cases: [string | number, number | undefined][] = [
    ['2020-05-31T16:33:35Z', T],
    [T / 1000, T],
    [String(T / 1000), T],
    [T, T],
    [String(T), T],
    ['1708939453396', 1708939453396],
    ['  1590942815 ', T],
    ['not a time', undefined],
    ['', undefined],
    [-5, undefined],
    [Number.NaN, undefined],
  ]
  for (const [given, expected] of cases) {
    it(`${JSON.stringify(given)} → ${expected === undefined ? 'not a time' : new Date(expected).toISOString()}`, () => {
      assert.equal(parseEventTime(given), expected)
    })
  }
})

describe('§7.2 the six time-derivation rules', () => {
  const received = Date.parse('2020-06-01T00:00:00Z')
  const H = 3_600_000
  it('1. none given: current_time is the receive time', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: undefined,
        userTime: undefined,
        offsetSeconds: undefined,
        receivedAt: received,
      }),
      { eventTime: received, userTime: received },
    )
  })
  it('2. only current_time: user_time = current_time + internal offset (0)', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: T,
        userTime: undefined,
        offsetSeconds: undefined,
        receivedAt: received,
      }),
      { eventTime: T, userTime: T },
    )
  })
  it('3. only user_time: current_time = user_time − internal offset (0)', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: undefined,
        userTime: T,
        offsetSeconds: undefined,
        receivedAt: received,
      }),
      { eventTime: T, userTime: T },
    )
  })
  it('4. both: used as they are', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: T,
        userTime: T + 5 * H,
        offsetSeconds: 3600,
        receivedAt: received,
      }),
      { eventTime: T, userTime: T + 5 * H },
    )
  })
  it('5. current_time + offset: user_time = current_time + offset', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: T,
        userTime: undefined,
        offsetSeconds: 19800,
        receivedAt: received,
      }),
      { eventTime: T, userTime: T + 19800 * 1000 },
    )
  })
  it('6. user_time + offset: current_time = user_time − offset', () => {
    assert.deepEqual(
      deriveEventTimes({
        currentTime: undefined,
        userTime: T,
        offsetSeconds: 19800,
        receivedAt: received,
      }),
      { eventTime: T - 19800 * 1000, userTime: T },
    )
  })
})
