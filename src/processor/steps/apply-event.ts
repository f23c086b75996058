/**
 * Applies an `event` record (one action of Create Event or a Bulk event element): the event is
 * stored with its user, device, platform and times (spec §7.2), and a user that does not exist yet
 * is created (spec §8.2: events create users too). Names and attributes follow §8.3; future-dated
 * events are refused (§7.2); conversion-goal events count towards LTV and transactions (§8.7); an
 * event an event-triggered card campaign names sends the user its card (issue 21). The log seq is
 * the event's id, so a record applied twice could never store two events.
 */
import type { EventPayload } from '../../core/records.js'
import { defineOwn, normalizeName, normalizeValue } from '../../profile/attribute-values.js'
import { deriveEventTimes, parseEventTime } from '../../profile/event-time.js'
import type { AttributeMap, LogRecord } from '../../store/store.js'
import type { ConversionGoal } from '../../workspaces/settings.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { relink } from './apply-merge.js'
import { resolveUser, withIdentities } from './identity.js'
import { newUser, parsePayload, type StepContext } from './step.js'

/** spec §7.2: `actions[].platform` values (matched without regard to case). */
export const EVENT_PLATFORMS = ['ANDROID', 'iOS', 'web', 'TV', 'unknown'] as const

/** spec §7.2: `moe_os_type`, only with platform `TV`. */
export const TV_OS_TYPES = [
  'ROKU',
  'WebOS',
  'AndroidTV',
  'tvOS',
  'Tizen',
  'FireOS',
  'VizioTV',
  'Xbox',
] as const

/** spec §7.2: `user_timezone_offset` bounds, in seconds. */
export const MAX_TIMEZONE_OFFSET_S = 54_000

/** spec §8.3: properties kept per event (the first ones). */
export const MAX_EVENT_ATTRIBUTES = 100

/**
 * spec §7.2 "MoEngage does not accept any future dated events" names no tolerance; Inlet allows
 * this much clock skew between the sender and the server (docs/compatibility.md).
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000

export function applyEvent(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<EventPayload>(record)
  const notes: string[] = []
  const offset = timezoneOffset(p.user_timezone_offset, notes)
  const times = deriveEventTimes({
    currentTime: eventTime(p, 'current_time', notes),
    userTime: eventTime(p, 'user_time', notes),
    offsetSeconds: offset,
    receivedAt: record.receivedAt,
  })
  if (times.eventTime > record.receivedAt + FUTURE_TOLERANCE_MS) {
    return skipped(
      `event time ${new Date(times.eventTime).toISOString()} is in the future (received ${new Date(record.receivedAt).toISOString()}); MoEngage does not accept future-dated events (spec §7.2)`,
    )
  }

  // spec §6.2: with Identity Resolution, `user_identifiers` find (and merge) profiles too.
  const resolved = resolveUser(ctx, record, p.customer_id, p.identities)
  notes.push(...resolved.notes)
  let user = resolved.user
  if (user !== undefined && user.customerId === null && p.customer_id !== null) {
    user.customerId = p.customer_id
    ctx.state.putUser(user)
  }
  if (user === undefined) {
    user = newUser(ctx, record, p.customer_id)
    withIdentities(user, p.identities)
    ctx.state.putUser(user)
  }
  if (p.identities !== undefined) relink(ctx, record.workspaceId, [user])
  const attributes = eventAttributes(p.attributes, notes)
  const platform = eventPlatform(p.platform, notes)
  const osType = tvOsType(p.moe_os_type, platform, notes)
  if (osType !== undefined) defineOwn(attributes, 'moe_os_type', osType)
  if (p.project !== undefined) defineOwn(attributes, 'moe_project_name', p.project) // spec §6.3
  const name = normalizeName(p.action, notes)
  ctx.state.addEvent({
    seq: record.seq,
    workspaceId: record.workspaceId,
    userId: user.id,
    name,
    deviceId: p.device_id,
    platform,
    appVersion: p.app_version ?? null,
    eventTime: times.eventTime,
    userTime: times.userTime,
    receivedAt: record.receivedAt,
    requestId: record.requestId,
    attributes,
  })
  const goals = ctx.settings(record.workspaceId).conversionGoals.filter((g) => g.event === name)
  if (goals.length > 0) {
    countConversions(user.attributes, goals, attributes)
    user.updatedAt = ctx.now
    ctx.state.putUser(user)
  }
  // Issue 21: an event-triggered card campaign's cards (written at commit if the user has none).
  const cards = ctx.triggeredCards?.(record, name, user)
  if (cards !== undefined && cards.length > 0) ctx.state.sendCards(cards)
  return applied(notes)
}

/**
 * spec §8.7: conversion-goal events update the user's transactions (`t_trans`) and lifetime value
 * (`t_rev`) — once per goal the event matches, revenue from the goal's revenue attribute when it
 * holds a number (or a numeric string).
 */
function countConversions(
  user: AttributeMap,
  goals: readonly ConversionGoal[],
  eventAttributes: AttributeMap,
): void {
  for (const goal of goals) {
    defineOwn(user, 't_trans', numberOf(user['t_trans']) + 1)
    if (goal.revenueAttribute === undefined) continue
    const revenue = eventAttributes[goal.revenueAttribute]
    const amount =
      typeof revenue === 'number'
        ? revenue
        : typeof revenue === 'string' && /^-?\d+(\.\d+)?$/.test(revenue)
          ? Number(revenue)
          : NaN
    if (Number.isFinite(amount)) defineOwn(user, 't_rev', numberOf(user['t_rev']) + amount)
  }
}

const numberOf = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

function eventTime(
  p: EventPayload,
  key: 'current_time' | 'user_time',
  notes: string[],
): number | undefined {
  const given = p[key]
  if (given === undefined) return undefined
  const ms = parseEventTime(given)
  if (ms === undefined) {
    notes.push(
      `${key} '${String(given)}' is not ISO 8601 or epoch seconds/milliseconds and was ignored (spec §7.2)`,
    )
  }
  return ms
}

function timezoneOffset(offset: number | undefined, notes: string[]): number | undefined {
  if (offset === undefined) return undefined
  if (Math.abs(offset) <= MAX_TIMEZONE_OFFSET_S) return offset
  notes.push(
    `user_timezone_offset ${offset} is outside -${MAX_TIMEZONE_OFFSET_S}..${MAX_TIMEZONE_OFFSET_S} seconds and was ignored (spec §7.2)`,
  )
  return undefined
}

function eventAttributes(given: Record<string, unknown>, notes: string[]): AttributeMap {
  const out: AttributeMap = {}
  let count = 0
  for (const [key, value] of Object.entries(given)) {
    if (count === MAX_EVENT_ATTRIBUTES) {
      notes.push(`only the first ${MAX_EVENT_ATTRIBUTES} event attributes were kept (spec §8.3)`)
      break
    }
    const name = normalizeName(key, notes)
    if (name === '') {
      notes.push(`an event attribute with an empty name was ignored (spec §8.3)`)
      continue
    }
    const normalized = normalizeValue(name, value)
    if (!normalized.keep) {
      notes.push(normalized.reason)
      continue
    }
    notes.push(...normalized.notes)
    defineOwn(out, name, normalized.value)
    count++
  }
  return out
}

/** spec §7.2 platform: the documented values in their documented case; others kept as sent. */
function eventPlatform(given: string | undefined, notes: string[]): string | null {
  if (given === undefined) return null
  const known = EVENT_PLATFORMS.find((p) => p.toLowerCase() === given.toLowerCase())
  if (known !== undefined) return known
  notes.push(
    `platform '${given}' is not one of ${EVENT_PLATFORMS.join(', ')}; stored as sent (spec §7.2)`,
  )
  return given
}

function tvOsType(
  given: string | undefined,
  platform: string | null,
  notes: string[],
): string | undefined {
  if (given === undefined) return undefined
  if (platform !== 'TV') {
    notes.push(`moe_os_type is only for platform TV and was ignored (spec §7.2)`)
    return undefined
  }
  const known = TV_OS_TYPES.find((t) => t.toLowerCase() === given.toLowerCase())
  if (known === undefined) {
    notes.push(
      `moe_os_type '${given}' is not one of ${TV_OS_TYPES.join(', ')} and was ignored (spec §7.2)`,
    )
  }
  return known
}
