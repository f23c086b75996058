/**
 * The bodies and query of Cards' `POST /v1/cards/fetch`, `DELETE /v1/cards/delete`
 * (moengage-cards-openapi.yml `FetchCardsRequest`, `DeleteCardsRequest`) and Inlet's `POST
 * /inlet/v1/cards/activity`, checked into requests: `uid` or `unique_id` (the documented 400 when
 * neither), `platforms` case-blind (the file describes upper case but its delete example sends
 * `"android","ios"`: moengage-other-apis.md §5 item 18), `campaign_ids` (the documented 400 when
 * missing or not a list of ids), `page` and `limit` whole numbers from 1. Anything else wrong is a
 * 400 `cards_field_invalid` naming the field; bad input never reaches the store.
 */
import { AppError } from '../../../core/errors.js'

export const CARD_PLATFORMS = ['android', 'ios', 'web'] as const
export type CardPlatform = (typeof CARD_PLATFORMS)[number]

/** Most ids a list field may hold. */
export const MAX_IDS = 10_000

/** Who a request is for: a uid (customer id, e-mail or mobile number) or a device's unique_id. */
export type CardsUser = Readonly<{ uid?: string; uniqueId?: string }>

export type FetchRequest = Readonly<{
  user: CardsUser
  /** Lower case; all three when the request names none. */
  platforms: readonly CardPlatform[]
  category?: string
  prevSyncCardIds?: readonly string[]
  /** Epoch seconds. */
  lastUpdatedTime?: number
  page: number
  limit?: number
}>

export type DeleteRequest = Readonly<{
  user: CardsUser
  campaignIds: readonly string[]
  /** Lower case; all three when the request names none. */
  platforms: readonly CardPlatform[]
}>

export type ActivityRequest = Readonly<{
  user: CardsUser
  cardId: string
  clicked: boolean
  seen: boolean
}>

const invalid = (attribute: string, detail: string): AppError =>
  new AppError('cards_field_invalid', { params: { attribute, detail } })

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''

function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (!isText(value) || value.length > 1_000) {
    throw invalid(field, `${field} should be a non-empty string of at most 1000 characters`)
  }
  return value
}

function userOf(body: Record<string, unknown>): CardsUser {
  const uid = optionalText(body, 'uid')
  const uniqueId = optionalText(body, 'unique_id')
  if (uid === undefined && uniqueId === undefined) throw new AppError('cards_user_missing')
  return { ...(uid === undefined ? {} : { uid }), ...(uniqueId === undefined ? {} : { uniqueId }) }
}

function platformsOf(body: Record<string, unknown>): CardPlatform[] {
  const raw = body['platforms']
  if (raw === undefined || raw === null) return [...CARD_PLATFORMS]
  const detail = 'platforms should be a list of ANDROID, IOS, WEB'
  if (!Array.isArray(raw)) throw invalid('platforms', detail)
  const found = raw.map((p: unknown) => {
    const platform = CARD_PLATFORMS.find((c) => typeof p === 'string' && p.toLowerCase() === c)
    if (platform === undefined) throw invalid('platforms', detail)
    return platform
  })
  return found.length === 0 ? [...CARD_PLATFORMS] : CARD_PLATFORMS.filter((p) => found.includes(p))
}

function idList(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw) || raw.length > MAX_IDS) return undefined
  return raw.every((v: unknown) => isText(v) && v.length <= 1_000) ? (raw as string[]) : undefined // each checked
}

/** A whole number from 1 of the query string (undefined when not given). */
function queryNumber(query: Readonly<Record<string, unknown>>, field: string): number | undefined {
  const raw = query[field]
  if (raw === undefined || raw === '') return undefined
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1)) throw invalid(field, `${field} should be a number greater than zero`)
  return n
}

export function parseFetch(
  body: Record<string, unknown>,
  query: Readonly<Record<string, unknown>>,
): FetchRequest {
  const user = userOf(body)
  const platforms = platformsOf(body)
  const category = optionalText(body, 'card_category')
  const prevRaw = body['prev_sync_card_ids']
  const prev = prevRaw === undefined || prevRaw === null ? undefined : idList(prevRaw)
  if (prevRaw !== undefined && prevRaw !== null && prev === undefined) {
    throw invalid(
      'prev_sync_card_ids',
      `prev_sync_card_ids should be a list of at most ${MAX_IDS} card ids`,
    )
  }
  const last = body['last_updated_time']
  if (
    last !== undefined &&
    last !== null &&
    (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0)
  ) {
    throw invalid('last_updated_time', 'last_updated_time should be a Unix time in seconds')
  }
  const limit = queryNumber(query, 'limit')
  return {
    user,
    platforms,
    ...(category === undefined ? {} : { category }),
    ...(prev === undefined ? {} : { prevSyncCardIds: prev }),
    ...(typeof last === 'number' ? { lastUpdatedTime: last } : {}),
    page: queryNumber(query, 'page') ?? 1,
    ...(limit === undefined ? {} : { limit }),
  }
}

export function parseDelete(body: Record<string, unknown>): DeleteRequest {
  const user = userOf(body)
  const ids = idList(body['campaign_ids'])
  if (ids === undefined || ids.length === 0) throw new AppError('cards_campaign_ids_invalid')
  return { user, campaignIds: [...new Set(ids)], platforms: platformsOf(body) }
}

export function parseActivity(body: Record<string, unknown>): ActivityRequest {
  const user = userOf(body)
  const cardId = optionalText(body, 'card_id')
  if (cardId === undefined) throw invalid('card_id', 'card_id is mandatory')
  const flag = (field: string): boolean => {
    const v = body[field] ?? false
    if (typeof v !== 'boolean') throw invalid(field, `${field} should be true or false`)
    return v
  }
  const clicked = flag('clicked')
  const seen = flag('seen')
  if (!clicked && !seen) throw invalid('clicked', 'clicked or seen should be true')
  return { user, cardId, clicked, seen }
}
