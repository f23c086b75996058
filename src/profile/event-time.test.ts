/**
 * Unit tests of profile/event-time.ts: every accepted and refused event-time format of spec §7.2,
 * and its six rules deriving an event's current_time and user_time.
 */
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
    // ISO 8601 without a zone is UTC, whatever the server's time zone (TZ is not consulted)
    ['2020-05-31T16:33:35', T],
    ['2020-05-31 16:33:35', T],
    ['2020-05-31T16:33:35.250Z', T + 250],
    ['2020-05-31T22:03:35+05:30', T],
    ['2020-05-31T22:03:35+0530', T],
    ['2020-05-31T11:33:35-05:00', T],
    ['2020-05-31', Date.parse('2020-05-31T00:00:00Z')],
    ['2024-02-29T00:00:00Z', Date.parse('2024-02-29T00:00:00Z')],
    // dates and times that do not exist are not times (Date.parse would roll them over)
    ['2021-02-30T10:00:00Z', undefined],
    ['2023-02-29', undefined],
    ['2019-15-12', undefined],
    ['2019-04-31T00:00:00Z', undefined],
    ['2020-05-31T24:00:00Z', undefined],
    ['2020-05-31T16:60:00Z', undefined],
    ['2020-05-31T16:33:35+25:00', undefined],
    ['31-05-2020', undefined],
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
  type Given = Omit<Parameters<typeof deriveEventTimes>[0], 'receivedAt'>
  type Derived = ReturnType<typeof deriveEventTimes>
  const none = { currentTime: undefined, userTime: undefined, offsetSeconds: undefined }
  const rules: [string, Given, Derived][] = [
    [
      '1. none given: current_time is the receive time',
      none,
      { eventTime: received, userTime: received },
    ],
    [
      '2. only current_time: user_time = current_time + internal offset (0)',
      { ...none, currentTime: T },
      { eventTime: T, userTime: T },
    ],
    [
      '3. only user_time: current_time = user_time − internal offset (0)',
      { ...none, userTime: T },
      { eventTime: T, userTime: T },
    ],
    [
      '4. both: used as they are',
      { currentTime: T, userTime: T + 5 * H, offsetSeconds: 3600 },
      { eventTime: T, userTime: T + 5 * H },
    ],
    [
      '5. current_time + offset: user_time = current_time + offset',
      { ...none, currentTime: T, offsetSeconds: 19800 },
      { eventTime: T, userTime: T + 19800 * 1000 },
    ],
    [
      '6. user_time + offset: current_time = user_time − offset',
      { ...none, userTime: T, offsetSeconds: 19800 },
      { eventTime: T - 19800 * 1000, userTime: T },
    ],
  ]
  for (const [rule, given, expected] of rules) {
    it(rule, () => {
      assert.deepEqual(deriveEventTimes({ ...given, receivedAt: received }), expected)
    })
  }
})
