/**
 * Event times (spec §7.2): `user_time` and `current_time` arrive as ISO 8601 strings or epoch
 * seconds or milliseconds, as numbers or numeric strings; `user_timezone_offset` is in seconds.
 * This module turns them into UTC milliseconds following the six derivation rules of §7.2.
 */

/** Epoch values at or above this are milliseconds (1e12 ms is 2001-09-09; 1e12 s is year 33658). */
const MS_THRESHOLD = 1e12

/**
 * ISO 8601 as event times are sent: a date, optionally a time (`T` or a space) with seconds and a
 * fraction, optionally `Z` or an offset (`+05:30`, `+0530`). Without a zone the time is read as UTC
 * — never in the server's own time zone, which would make the stored time depend on the host.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|([+-])(\d{2}):?(\d{2}))?$/

/** Milliseconds since the epoch, or undefined when the value is not a time. */
export function parseEventTime(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number') return fromEpoch(value)
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return fromEpoch(Number(trimmed))
  return fromIso(trimmed)
}

/** spec §7.2 ISO 8601; a date or time that does not exist (`2021-02-30`, `24:00`) is not a time. */
function fromIso(text: string): number | undefined {
  const m = ISO_TIME.exec(text)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000)
  const [offsetHours, offsetMinutes] = [Number(m[10] ?? 0), Number(m[11] ?? 0)]
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  const offsetMs = (m[9] === '-' ? -1 : 1) * (offsetHours * 3_600_000 + offsetMinutes * 60_000)
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMs
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
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
