/**
 * The body of Inform's `POST /v1.0/alerts/send` (moengage-inform-openapi.yml `InformRequest`),
 * checked into a SendRequest: the alert (`alert_id`, else `alert_reference_name`), `user_id`,
 * `transaction_id` (required, at most 50 characters) and `payloads` by channel, each with its
 * `recipient` (required), `personalized_attributes`, `sender_attributes`,
 * `personalized_attachments` (base64 strings) and `live_activity_attributes`. Anything else the
 * schema does not allow is a 400 `inform_payload_invalid` naming it; keys the schema does not
 * list are ignored, as MoEngage's schema does not forbid them.
 */
import { AppError } from '../../../core/errors.js'
import { OUTBOX_CHANNELS, type OutboxChannel } from '../../../store/store.js'

/** spec: "The maximum length allowed for this field is 50 characters." */
export const MAX_TRANSACTION_ID_LENGTH = 50

export type ChannelPayload = Readonly<{
  recipient: string
  personalizedAttributes: Readonly<Record<string, unknown>>
  /** undefined: not sent (the alert's default sender is used). */
  senderAttributes?: readonly string[]
  /** Attachment name → size in bytes of its decoded content (the content is not kept). */
  attachments: Readonly<Record<string, number>>
  liveActivity?: Readonly<Record<string, unknown>>
}>

export type SendRequest = Readonly<{
  alertId?: string
  referenceName?: string
  userId?: string
  transactionId: string
  payloads: Readonly<Partial<Record<OutboxChannel, ChannelPayload>>>
}>

const invalid = (detail: string): AppError =>
  new AppError('inform_payload_invalid', { params: { detail } })

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function optionalObject(raw: unknown, at: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined
  if (!isObject(raw)) throw invalid(`${at} should be an object`)
  return raw
}

function channelPayload(name: OutboxChannel, raw: unknown): ChannelPayload {
  const at = `payloads.${name}`
  if (!isObject(raw)) throw invalid(`${at} should be an object`)
  const recipient = raw['recipient']
  if (typeof recipient !== 'string' || recipient.trim() === '') {
    throw invalid(`${at}.recipient is mandatory and should be a non-empty string`)
  }
  const senders = raw['sender_attributes']
  if (
    senders !== undefined &&
    senders !== null &&
    (!Array.isArray(senders) || senders.some((s) => typeof s !== 'string'))
  ) {
    throw invalid(`${at}.sender_attributes should be a list of strings`)
  }
  const attachments: Record<string, number> = {}
  const given = optionalObject(raw['personalized_attachments'], `${at}.personalized_attachments`)
  for (const [key, value] of Object.entries(given ?? {})) {
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
      throw invalid(`${at}.personalized_attachments.${key} should be Base64-encoded content`)
    }
    attachments[key] = Buffer.byteLength(value, 'base64')
  }
  const liveActivity = optionalObject(
    raw['live_activity_attributes'],
    `${at}.live_activity_attributes`,
  )
  return {
    recipient,
    personalizedAttributes:
      optionalObject(raw['personalized_attributes'], `${at}.personalized_attributes`) ?? {},
    ...(Array.isArray(senders) ? { senderAttributes: senders as string[] } : {}), // checked above
    attachments,
    ...(liveActivity === undefined ? {} : { liveActivity }),
  }
}

/** The SendRequest of a parsed JSON body; AppError `inform_*` when it does not follow the schema. */
export function parseSendRequest(body: Record<string, unknown>): SendRequest {
  const alertId = body['alert_id']
  const referenceName = body['alert_reference_name']
  const hasId = typeof alertId === 'string' && alertId !== ''
  const hasName = typeof referenceName === 'string' && referenceName !== ''
  if (!hasId && !hasName) throw new AppError('inform_alert_invalid')
  const transactionId = body['transaction_id']
  if (typeof transactionId !== 'string' || transactionId === '') {
    throw invalid('transaction_id is mandatory and should be a non-empty string')
  }
  if (transactionId.length > MAX_TRANSACTION_ID_LENGTH) {
    throw invalid(`transaction_id can not exceed ${MAX_TRANSACTION_ID_LENGTH} characters`)
  }
  const userId = body['user_id']
  if (userId !== undefined && userId !== null && typeof userId !== 'string') {
    throw invalid('user_id should be a string')
  }
  const payloads = body['payloads']
  if (!isObject(payloads)) throw invalid('payloads is mandatory and should be an object')
  const parsed: Partial<Record<OutboxChannel, ChannelPayload>> = {}
  for (const [name, raw] of Object.entries(payloads)) {
    if (!(OUTBOX_CHANNELS as readonly string[]).includes(name)) {
      throw invalid(`payloads.${name} is not a channel (${OUTBOX_CHANNELS.join(', ')})`)
    }
    parsed[name as OutboxChannel] = channelPayload(name as OutboxChannel, raw) // checked above
  }
  return {
    ...(hasId ? { alertId: alertId } : {}),
    ...(hasName ? { referenceName: referenceName } : {}),
    ...(typeof userId === 'string' && userId !== '' ? { userId } : {}),
    transactionId,
    payloads: parsed,
  }
}
