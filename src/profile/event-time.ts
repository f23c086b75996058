/**
 * Event times (spec §7.2): `user_time` and `current_time` arrive as ISO 8601 strings or epoch
 * seconds or milliseconds, as numbers or numeric strings; `user_timezone_offset` is in seconds.
 * This module turns them into UTC milliseconds following the six derivation rules of §7.2.
 */

/** Epoch values at or above this are milliseconds (1e12 ms is 2001-09-09; 1e12 s is year 33658). */
const MS_THRESHOLD = 1e12

/** Milliseconds since the epoch, or undefined when the value is not a time. */
export function parseEventTime(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number') return fromEpoch(value)
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return fromEpoch(Number(trimmed))
  if (
    !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(trimmed)
  ) {
    return undefined
  }
  const ms = Date.parse(trimmed)
  return Number.isFinite(ms) ? ms : undefined
}

function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined
  return Math.round(n >= MS_THRESHOLD ? n : n * 1000)
}

export type EventTimes = Readonly<{ eventTime: number; userTime: number | null }>

/**
 * spec §7.2 rules: both given → as-is; one time + offset → the other derived; one time alone → the
 * other equal to it (the internal offset of a new user is 0, UTC); none → received time.
 */
export function deriveEventTimes(input: {
  currentTime: number | undefined
  userTime: number | undefined
  offsetSeconds: number | undefined
  receivedAt: number
}): EventTimes {
  const offsetMs = (input.offsetSeconds ?? 0) * 1000
  const { currentTime, userTime } = input
  if (currentTime !== undefined && userTime !== undefined)
    return { eventTime: currentTime, userTime }
  if (currentTime !== undefined) return { eventTime: currentTime, userTime: currentTime + offsetMs }
  if (userTime !== undefined) return { eventTime: userTime - offsetMs, userTime }
  return { eventTime: input.receivedAt, userTime: input.receivedAt + offsetMs }
}
