/**
 * When a Push campaign's occurrences fall (`campaignDelivery`, bodies/push-body.ts): a local date
 * and time in an IANA time zone turned into an instant (Intl's offsets, so daylight saving is
 * honoured: a periodic campaign keeps its local time of day), `later`'s one occurrence and
 * `periodic`'s n-th — from its date (or, without one, the first `time` not before the request),
 * every `repeatAfter` days, none after `endDate`. Pure: the clock is the caller's.
 */
import { AppError } from '../../core/errors.js'
import type { Delivery, LocalTime } from './bodies/push-body.js'

const DAY_MS = 86_400_000

/** The offset of `timezone` from UTC at instant `ms`, in ms (IST: +5:30 → 19,800,000). */
function offsetAt(ms: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms))
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value)
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  )
  return local - Math.floor(ms / 1000) * 1000
}

/** The instant of local `date` (`YYYY-MM-DD`) at `time` (`HH:MM`) in `timezone`. */
export function instantOf(date: string, time: string, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number)
  const [h, min] = time.split(':').map(Number)
  const wall = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, h ?? 0, min ?? 0)
  // The offset at the wall time read as UTC, then at the result (a DST change in between).
  const first = wall - offsetAt(wall, timezone)
  return wall - offsetAt(first, timezone)
}

/** `date` moved by `days` days (`YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** The local date in `timezone` at instant `ms`. */
function localDate(ms: number, timezone: string): string {
  return new Date(ms + offsetAt(ms, timezone)).toISOString().slice(0, 10)
}

/**
 * The first day of a periodic campaign without a `date`: today (in its zone) when `time` is still
 * ahead at `now`, else tomorrow.
 */
export function startOf(at: LocalTime, now: number): LocalTime {
  if (at.date !== '') return at
  const today = localDate(now, at.timezone)
  const date = instantOf(today, at.time, at.timezone) >= now ? today : addDays(today, 1)
  return { ...at, date }
}

/**
 * The instant of occurrence `n` (1, 2, …) of `delivery` (its periodic start resolved by
 * startOf); null when there is none (past `endDate`, or a `soon`/`later` campaign's second).
 */
export function occurrenceAt(delivery: Delivery, n: number, now: number): number | null {
  switch (delivery.type) {
    case 'soon':
      return n === 1 ? now : null
    case 'later':
      return n === 1 ? instantOf(delivery.at.date, delivery.at.time, delivery.at.timezone) : null
    case 'periodic': {
      const date = addDays(delivery.at.date, (n - 1) * delivery.repeatDays)
      if (date > delivery.endDate) return null
      return instantOf(date, delivery.at.time, delivery.at.timezone)
    }
  }
}

/**
 * `delivery` with its periodic start fixed at `now`, checked to have an occurrence not before
 * `now` (a `later` date and time already past, or a periodic `endDate` before its first
 * occurrence, is a `push_params_invalid`).
 */
export function scheduled(delivery: Delivery, now: number): Delivery {
  if (delivery.type === 'soon') return delivery
  const fixed =
    delivery.type === 'periodic' ? { ...delivery, at: startOf(delivery.at, now) } : delivery
  const first = occurrenceAt(fixed, 1, now)
  if (first === null) {
    throw new AppError('push_params_invalid', {
      params: { detail: 'campaignDelivery.endDate is before the first occurrence' },
    })
  }
  if (first < now - 60_000) {
    throw new AppError('push_params_invalid', {
      params: { detail: 'campaignDelivery date and time are in the past' },
    })
  }
  return fixed
}
