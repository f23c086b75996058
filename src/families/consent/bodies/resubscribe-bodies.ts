/**
 * The body of Bulk resubscribe (moengage-email-subscription-openapi.yml `ResubscribeRequest`):
 * `{recipients*: [1..100 emails], esp*: "SENDGRID", update_esp?: bool, request_id*,
 * customer_id?}`. The schema types `recipients` as a string and its example as an array: both are
 * taken (a string is one address). Unknown keys are refused.
 */
import { AppError } from '../../../core/errors.js'
import { onlyKeys, optionalString, wrongType, type Json } from './values.js'

/** "a maximum payload size of 100 recipient email addresses per request". */
export const MAX_RECIPIENTS = 100
/** The longest address SMTP carries (RFC 5321: a path of 256 octets, less the brackets). */
const MAX_EMAIL_LENGTH = 254
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

export type Resubscribe = Readonly<{
  recipients: string[]
  updateEsp: boolean
  requestId: string
  customerId: string | undefined
}>

export function isEmailAddress(text: string): boolean {
  return text.length <= MAX_EMAIL_LENGTH && EMAIL.test(text)
}

function required(body: Json, key: string): string {
  const value = optionalString(body, key)
  if (value === undefined || value === '') {
    throw new AppError('consent_field_required', { params: { key } })
  }
  return value
}

export function parseResubscribe(body: Json): Resubscribe {
  const raw = body['recipients']
  if (raw === undefined || raw === null) throw new AppError('consent_recipients_missing')
  onlyKeys(body, ['recipients', 'esp', 'update_esp', 'request_id', 'customer_id'])
  if (!Array.isArray(raw) && typeof raw !== 'string') throw wrongType('recipients', 'list', raw)
  const list: readonly unknown[] = typeof raw === 'string' ? [raw] : raw
  if (list.length === 0) throw new AppError('consent_recipients_empty')
  if (list.length > MAX_RECIPIENTS) {
    throw new AppError('consent_payload_limit', { params: { limit: String(MAX_RECIPIENTS) } })
  }
  const recipients = list.map((r) => {
    if (typeof r !== 'string' || !isEmailAddress(r.trim())) {
      throw new AppError('consent_recipient_invalid')
    }
    return r.trim()
  })
  const requestId = required(body, 'request_id')
  const esp = required(body, 'esp')
  if (esp.toUpperCase() !== 'SENDGRID') {
    throw new AppError('consent_field_invalid', {
      params: { key: 'esp', detail: "esp - The supported ESP is 'SENDGRID'" },
    })
  }
  const updateEsp = body['update_esp'] ?? false
  if (typeof updateEsp !== 'boolean') throw wrongType('update_esp', 'bool', updateEsp)
  return {
    recipients: [...new Set(recipients)],
    updateEsp,
    requestId,
    customerId: optionalString(body, 'customer_id'),
  }
}
