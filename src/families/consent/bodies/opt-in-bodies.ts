/**
 * The body of Email opt-in management (moengage-email-subscription-openapi.yml `OptinRequest`):
 * `{user_preferences*: {customer_id | email_id, categories?, opt_in_status*, channel*: "email"}}`,
 * checked in the order its examples suggest — extra keys, data types, an id, the status (any
 * case), the channel (any case). Categories are checked against the workspace by the route, and
 * the all-false rule applied there.
 */
import { AppError } from '../../../core/errors.js'
import { OPT_IN_STATUSES, type OptInStatus } from '../../../profile/subscriptions.js'
import { parseChannel } from './category-bodies.js'
import {
  categoryChoices,
  isObject,
  onlyKeys,
  optionalString,
  wrongType,
  type Json,
} from './values.js'

export type OptInUpdate = Readonly<{
  customerId: string | undefined
  emailId: string | undefined
  /** Undefined when not sent. */
  categories: Record<string, boolean> | undefined
  optInStatus: OptInStatus
}>

const isStatus = (s: string): s is OptInStatus => (OPT_IN_STATUSES as readonly string[]).includes(s)

export function parseOptInUpdate(body: Json): OptInUpdate {
  onlyKeys(body, ['user_preferences'])
  const prefs = body['user_preferences']
  if (prefs === undefined || prefs === null) {
    throw new AppError('consent_field_required', { params: { key: 'user_preferences' } })
  }
  if (!isObject(prefs)) throw wrongType('user_preferences', 'dict', prefs)
  onlyKeys(prefs, ['customer_id', 'email_id', 'categories', 'opt_in_status', 'channel'])
  const customerId = optionalString(prefs, 'customer_id')
  const emailId = optionalString(prefs, 'email_id')
  const status = optionalString(prefs, 'opt_in_status')
  const rawCategories = prefs['categories']
  if (rawCategories !== undefined && rawCategories !== null && !isObject(rawCategories)) {
    throw wrongType('categories', 'dict', rawCategories)
  }
  const categories = isObject(rawCategories) ? categoryChoices(rawCategories) : undefined
  if ((customerId ?? '') === '' && (emailId ?? '') === '') {
    throw new AppError('consent_id_or_email_missing')
  }
  if (status === undefined) {
    throw new AppError('consent_field_required', { params: { key: 'opt_in_status' } })
  }
  const upper = status.toUpperCase()
  if (!isStatus(upper)) throw new AppError('consent_opt_in_status_invalid')
  parseChannel(prefs)
  return {
    customerId: customerId === '' ? undefined : customerId,
    emailId: emailId === '' ? undefined : emailId,
    categories,
    optInStatus: upper,
  }
}
