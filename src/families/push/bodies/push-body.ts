/**
 * The body of Push `POST /v2/transaction/sendpush` and `/v2.1/transaction/sendpush`
 * (moengage-push-openapi.yml, moengage-push-v2-1-openapi.yml `PushRequest`), checked into a
 * PushSend: `requestType` (`push` when given), `campaignName` (at least 5 characters),
 * `campaignTags`, `targetPlatform` (a list of ANDROID, IOS, WEB), `targetAudience` (All Users,
 * Custom Segment with `customSegmentName`, or User with `targetUserAttributes`: an attribute, `is`
 * one value or `in` at most 50), `payload` with an object for each targeted platform (`title` and
 * `message`, and for WEB `redirectURL` and `iconURL`, as the schema requires) and
 * `campaignDelivery` (soon; later on a date and time; periodic from a date and time every
 * `repeatAfter` days until `endDate`, in `timezone`, by default IST). `conversionGoals` and
 * `advancedSettings` are kept as sent. v2.1's `X-MOE-Query-Type` must mirror `targetAudience` in
 * lower case. A failure is one of the documented `Fail` reasons (catalogue/push.ts).
 */
import { AppError } from '../../../core/errors.js'

export const PUSH_PLATFORMS = ['ANDROID', 'IOS', 'WEB'] as const
export type PushPlatform = (typeof PUSH_PLATFORMS)[number]

export const PUSH_AUDIENCES = ['All Users', 'Custom Segment', 'User'] as const
export type PushAudience = (typeof PUSH_AUDIENCES)[number]

/** The documented `targetUserAttributes.attribute` values (others need `isCustom: true`). */
export const TARGET_ATTRIBUTES = [
  'USER_ATTRIBUTE_UNIQUE_ID',
  'USER_ATTRIBUTE_USER_EMAIL',
  'USER_ATTRIBUTE_USER_MOBILE',
  'MOE_GAID',
  'ADVERTISING_IDENTIFIER',
  'PUSH_ID',
] as const

/** "The maximum number of parameters that can be added while using the "in" … is 50." */
export const MAX_IN_VALUES = 50
/** "It will target a maximum of 100 users of the associated targetUserAttributes definition." */
export const MAX_TARGET_USERS = 100
/** The page: "Campaign Name too short (must be >= 5 chars)". */
export const MIN_CAMPAIGN_NAME = 5
/** The page: timezone "Defaults to IST if not provided". */
export const DEFAULT_TIMEZONE = 'Asia/Kolkata'

export type TargetUsers = Readonly<{
  attribute: string
  values: readonly string[]
  isCustom: boolean
}>

/** A local date (`YYYY-MM-DD`) and time of day (`HH:MM`, 24 h) in `timezone`. */
export type LocalTime = Readonly<{ date: string; time: string; timezone: string }>

export type Delivery =
  | Readonly<{ type: 'soon' }>
  | Readonly<{ type: 'later'; at: LocalTime }>
  /** From `at`, every `repeatDays` days, the last occurrence on or before `endDate`. */
  | Readonly<{ type: 'periodic'; at: LocalTime; repeatDays: number; endDate: string }>

export type PushSend = Readonly<{
  campaignName: string
  campaignTags: readonly string[]
  platforms: readonly PushPlatform[]
  audience: PushAudience
  segmentName?: string
  target?: TargetUsers
  payload: Readonly<Partial<Record<PushPlatform, Readonly<Record<string, unknown>>>>>
  delivery: Delivery
  advancedSettings?: Readonly<Record<string, unknown>>
  conversionGoals?: readonly unknown[]
}>

const params = (detail: string): AppError =>
  new AppError('push_params_invalid', { params: { detail } })
const notAllowed = (detail: string): AppError =>
  new AppError('push_value_not_allowed', { params: { detail } })

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const given = (v: unknown): boolean => v !== undefined && v !== null

function platformsOf(raw: unknown): PushPlatform[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw notAllowed('targetPlatform should be a non-empty list of ANDROID, IOS, WEB')
  }
  const platforms: PushPlatform[] = []
  for (const p of raw) {
    if (!(PUSH_PLATFORMS as readonly unknown[]).includes(p)) {
      throw notAllowed(`targetPlatform holds ${JSON.stringify(p)}, not one of ANDROID, IOS, WEB`)
    }
    if (!platforms.includes(p as PushPlatform)) platforms.push(p as PushPlatform)
  }
  return platforms
}

function targetOf(raw: unknown): TargetUsers {
  if (!isObject(raw)) {
    throw params('targetUserAttributes is required (an object) when targetAudience is User')
  }
  const attribute = raw['attribute']
  const isCustom = raw['isCustom'] === true || raw['isCustom'] === 'true'
  if (typeof attribute !== 'string' || attribute === '') {
    throw params('targetUserAttributes.attribute is required (a string)')
  }
  if (!isCustom && !(TARGET_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw notAllowed(
      `targetUserAttributes.attribute '${attribute}' is not one of ${TARGET_ATTRIBUTES.join(', ')} (a custom attribute needs isCustom: true)`,
    )
  }
  const comparison = raw['comparisonParameter']
  const value = raw['attributeValue']
  if (comparison === 'is') {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw params(
        'targetUserAttributes.attributeValue should be a string with comparisonParameter is',
      )
    }
    return { attribute, values: [String(value)], isCustom }
  }
  if (comparison === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
      throw notAllowed(
        'targetUserAttributes.attributeValue should be a list of strings with comparisonParameter in',
      )
    }
    if (value.length > MAX_IN_VALUES) {
      throw notAllowed(
        `targetUserAttributes.attributeValue holds more than ${MAX_IN_VALUES} values`,
      )
    }
    return { attribute, values: value as string[], isCustom }
  }
  throw notAllowed('targetUserAttributes.comparisonParameter should be is or in')
}

/** What each platform's payload must hold (the schema's `required`). */
const REQUIRED: Readonly<Record<PushPlatform, readonly string[]>> = {
  ANDROID: ['title', 'message'],
  IOS: ['title', 'message'],
  WEB: ['title', 'message', 'redirectURL', 'iconURL'],
}

function payloadOf(
  raw: unknown,
  platforms: readonly PushPlatform[],
): Partial<Record<PushPlatform, Record<string, unknown>>> {
  if (!isObject(raw)) throw params('payload is required (an object with a key per targetPlatform)')
  const payload: Partial<Record<PushPlatform, Record<string, unknown>>> = {}
  for (const platform of platforms) {
    const p = raw[platform]
    if (!isObject(p))
      throw params(`payload.${platform} is required (an object) for targetPlatform ${platform}`)
    for (const field of REQUIRED[platform]) {
      if (typeof p[field] !== 'string') {
        throw params(`payload.${platform}.${field} is required (a string)`)
      }
    }
    const actions = p['additionalActions']
    if (platform === 'ANDROID' && Array.isArray(actions) && actions.length > 2) {
      throw notAllowed('payload.ANDROID.additionalActions holds more than 2 actions')
    }
    payload[platform] = p
  }
  return payload
}

const DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/
const TIME = /^(\d{1,2}):(\d{2})\s*(AM|PM|am|pm)$/

/** `MM/DD/YYYY` as `YYYY-MM-DD`, checked to be a day of the calendar. */
export function isoDate(raw: unknown, field: string): string {
  const m = typeof raw === 'string' ? DATE.exec(raw.trim()) : null
  const [month, day, year] =
    m === null ? [NaN, NaN, NaN] : [Number(m[1]), Number(m[2]), Number(m[3])]
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (m === null || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw params(`campaignDelivery.${field} should be a date MM/DD/YYYY`)
  }
  return `${m[3]}-${m[1]}-${m[2]}`
}

/** `HH:MM AM/PM` as `HH:MM` (24 h). */
export function clockTime(raw: unknown): string {
  const m = typeof raw === 'string' ? TIME.exec(raw.trim()) : null
  const hour = m === null ? NaN : Number(m[1])
  const minute = m === null ? NaN : Number(m[2])
  if (m === null || hour < 1 || hour > 12 || minute > 59) {
    throw params('campaignDelivery.time should be a time HH:MM AM/PM')
  }
  const h24 = (hour % 12) + ((m[3] ?? '').toUpperCase() === 'PM' ? 12 : 0)
  return `${String(h24).padStart(2, '0')}:${m[2]}`
}

function timezoneOf(raw: unknown): string {
  if (!given(raw)) return DEFAULT_TIMEZONE
  if (typeof raw !== 'string') throw params('campaignDelivery.timezone should be a string')
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone
  } catch {
    throw params(`campaignDelivery.timezone '${raw}' is not a time zone (Asia/Kolkata, UTC, …)`)
  }
}

function deliveryOf(raw: unknown): Delivery {
  if (!isObject(raw)) throw params('campaignDelivery is required (an object with a type)')
  const type = raw['type']
  if (type === 'soon') return { type }
  if (type !== 'later' && type !== 'periodic') {
    throw notAllowed('campaignDelivery.type should be soon, later or periodic')
  }
  const timezone = timezoneOf(raw['timezone'])
  const time = clockTime(raw['time'])
  if (type === 'later') {
    return { type, at: { date: isoDate(raw['date'], 'date'), time, timezone } }
  }
  const endDate = isoDate(raw['endDate'], 'endDate')
  const repeat = raw['repeatAfter'] ?? '1'
  const repeatDays = typeof repeat === 'number' || typeof repeat === 'string' ? Number(repeat) : NaN
  if (!Number.isInteger(repeatDays) || repeatDays < 1 || repeatDays > 366) {
    throw params('campaignDelivery.repeatAfter should be a whole number of days, 1 to 366')
  }
  // Without a date, the first occurrence is the next `time` (resolved when it is scheduled).
  const date = given(raw['date']) ? isoDate(raw['date'], 'date') : ''
  return { type, at: { date, time, timezone }, repeatDays, endDate }
}

function stringList(raw: unknown, field: string): string[] {
  if (!given(raw)) return []
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string')) {
    throw notAllowed(`${field} should be a list of strings`)
  }
  return raw as string[]
}

/**
 * `body` (a JSON object; the gateway has checked `campaignName` is a string) as a PushSend;
 * `queryType` is v2.1's `X-MOE-Query-Type` (undefined on v2).
 */
export function parsePushRequest(
  body: Record<string, unknown>,
  queryType?: string,
  version: 'v2' | 'v2.1' = 'v2',
): PushSend {
  const requestType = body['requestType']
  if (given(requestType) && requestType !== 'push') throw new AppError('push_request_type_invalid')
  const campaignName = typeof body['campaignName'] === 'string' ? body['campaignName'] : ''
  if ([...campaignName.trim()].length < MIN_CAMPAIGN_NAME) {
    throw new AppError('push_campaign_name_short')
  }
  const campaignTags = stringList(body['campaignTags'], 'campaignTags')
  const platforms = platformsOf(body['targetPlatform'])
  const audience = body['targetAudience']
  if (!(PUSH_AUDIENCES as readonly unknown[]).includes(audience)) {
    throw notAllowed('targetAudience should be All Users, Custom Segment or User')
  }
  if (version === 'v2.1') {
    if (typeof queryType !== 'string' || queryType === '') {
      throw params('the X-MOE-Query-Type header is required (all users, custom segment or user)')
    }
    if (queryType.toLowerCase() !== (audience as string).toLowerCase()) {
      throw params(
        `X-MOE-Query-Type '${queryType}' does not mirror targetAudience '${String(audience)}'`,
      )
    }
  }
  const segmentName = body['customSegmentName']
  if (audience === 'Custom Segment' && (typeof segmentName !== 'string' || segmentName === '')) {
    throw params('customSegmentName is required (a string) when targetAudience is Custom Segment')
  }
  const advanced = body['advancedSettings']
  if (given(advanced) && !isObject(advanced)) throw params('advancedSettings should be an object')
  const goals = body['conversionGoals']
  if (given(goals) && (!Array.isArray(goals) || goals.length > 5)) {
    throw notAllowed('conversionGoals should be a list of at most 5 goals')
  }
  return {
    campaignName,
    campaignTags,
    platforms,
    audience: audience as PushAudience,
    ...(audience === 'Custom Segment' ? { segmentName: segmentName as string } : {}),
    ...(audience === 'User' ? { target: targetOf(body['targetUserAttributes']) } : {}),
    payload: payloadOf(body['payload'], platforms),
    delivery: deliveryOf(body['campaignDelivery']),
    ...(isObject(advanced) ? { advancedSettings: advanced } : {}),
    ...(Array.isArray(goals) ? { conversionGoals: goals } : {}),
  }
}
