/**
 * The bodies of Subscription categories (moengage-subscription-categories-openapi.yml): the
 * update's `{categories*, unsubscribe_all*}` and the bulk update's `{channel*: "email",
 * user_preferences*: [≤ 50 {customer_id*, categories*, unsubscribe_all*}]}`. Unknown keys are
 * refused (a typo must not pass for consent given), and so are duplicate customer ids in one bulk
 * request (which of two choices would hold is not the client's to guess).
 */
import { AppError } from '../../../core/errors.js'
import {
  categoryChoices,
  isObject,
  onlyKeys,
  requiredBoolean,
  wrongType,
  type Json,
} from './values.js'

/** spec: "Maximum 50 per request". */
export const MAX_BULK_PREFERENCES = 50

export type CategoryUpdate = Readonly<{
  categories: Record<string, boolean>
  unsubscribeAll: boolean
}>

export type BulkCategoryUpdate = CategoryUpdate & Readonly<{ customerId: string }>

function choicesOf(body: Json): Record<string, boolean> {
  const raw = body['categories']
  if (raw === undefined || raw === null) throw new AppError('consent_categories_required')
  if (!isObject(raw)) throw wrongType('categories', 'dict', raw)
  return categoryChoices(raw)
}

/** PUT `/v1/category-subscription/user-preferences`. */
export function parseCategoryUpdate(body: Json): CategoryUpdate {
  onlyKeys(body, ['categories', 'unsubscribe_all'])
  const categories = choicesOf(body)
  return { categories, unsubscribeAll: requiredBoolean(body, 'unsubscribe_all') }
}

/** The channel of a request: `email` in any case. */
export function parseChannel(body: Json): void {
  const channel = body['channel']
  if (channel === undefined || channel === null) {
    throw new AppError('consent_field_required', { params: { key: 'channel' } })
  }
  if (typeof channel !== 'string') throw wrongType('channel', 'str', channel)
  if (channel.toLowerCase() !== 'email') throw new AppError('consent_channel_invalid')
}

/** POST `/v1/category-subscription/user-preferences`. */
export function parseBulkCategoryUpdate(body: Json): BulkCategoryUpdate[] {
  onlyKeys(body, ['channel', 'user_preferences'])
  parseChannel(body)
  const list = body['user_preferences']
  if (list === undefined || list === null) {
    throw new AppError('consent_field_required', { params: { key: 'user_preferences' } })
  }
  if (!Array.isArray(list)) throw wrongType('user_preferences', 'list', list)
  if (list.length === 0) {
    throw new AppError('consent_field_invalid', {
      params: { key: 'user_preferences', detail: 'user_preferences should list at least one user' },
    })
  }
  if (list.length > MAX_BULK_PREFERENCES) {
    throw new AppError('consent_payload_limit', { params: { limit: String(MAX_BULK_PREFERENCES) } })
  }
  const seen = new Set<string>()
  return list.map((entry: unknown, i): BulkCategoryUpdate => {
    const at = `user_preferences[${i}]`
    if (!isObject(entry)) throw wrongType(at, 'dict', entry)
    onlyKeys(entry, ['customer_id', 'categories', 'unsubscribe_all'])
    const id = entry['customer_id']
    if (id === undefined || id === null || id === '') {
      throw new AppError('consent_field_required', { params: { key: `${at}.customer_id` } })
    }
    if (typeof id !== 'string') throw wrongType(`${at}.customer_id`, 'str', id)
    if (seen.has(id)) {
      throw new AppError('consent_field_invalid', {
        params: { key: `${at}.customer_id`, detail: `customer_id ${id} is given twice` },
      })
    }
    seen.add(id)
    const categories = choicesOf(entry)
    return {
      customerId: id,
      categories,
      unsubscribeAll: requiredBoolean(entry, 'unsubscribe_all', `${at}.unsubscribe_all`),
    }
  })
}
