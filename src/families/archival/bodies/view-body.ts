/**
 * The body of Message Archival's `POST /v1/archival/view` (moengage-message-archival-openapi.yml
 * `ArchivalRequest`), checked into a ViewRequest: every field the schema requires, each enum
 * checked (`campaign_type` case-blind: the file's enum has `sms`, its example `SMS`), and the
 * message the event names — its channel and platform — made to agree with `campaign_channel` and
 * `platform`. An `event_name` outside the documented five is the documented 400; anything else
 * wrong is a 400 `archival_field_invalid` naming the field.
 */
import { ARCHIVAL_EVENTS } from '../../../core/catalogue/archival.js'
import { AppError } from '../../../core/errors.js'

export const DELIVERY_TYPES = [
  'ONE_TIME',
  'PERIODIC',
  'EVENT_TRIGGERED',
  'LOCATION_TRIGGERED',
  'DEVICE_TRIGGERED',
  'API_TRIGGERED',
  'BUSINESS_EVENT_TRIGGERED',
] as const

export const CAMPAIGN_TYPES = [
  'General Push Campaign',
  'Autotrigger Campaign',
  'Geo-fencing Campaign',
  'Business Event Trigger Push Campaign',
  'sms',
  'Business Event Trigger SMS Campaign',
  'Email Campaign',
  'Email Triggers',
  'Business Event Trigger Email Campaign',
  'Inform Email',
  'Inform SMS',
  'Inform Push',
] as const

export const CAMPAIGN_CHANNELS = ['EMAIL', 'SMS', 'PUSH', 'FLOWS'] as const
export const PLATFORMS = ['IOS', 'ANDROID', 'WEB', 'EMAIL', 'SMS', 'MWEB'] as const

export type ArchivalEvent = (typeof ARCHIVAL_EVENTS)[number]

/** The outbox channel and the platforms (of the request's `platform`) of each event. */
export const EVENT_MESSAGES: Readonly<
  Record<ArchivalEvent, Readonly<{ channel: string; platforms: readonly string[] }>>
> = {
  'Email Sent': { channel: 'EMAIL', platforms: ['EMAIL'] },
  'SMS Sent': { channel: 'SMS', platforms: ['SMS'] },
  'Notification Sent iOS': { channel: 'PUSH', platforms: ['IOS'] },
  'Notification Received Android': { channel: 'PUSH', platforms: ['ANDROID'] },
  'Notification Received Web': { channel: 'PUSH', platforms: ['WEB', 'MWEB'] },
}

export type ViewRequest = Readonly<{
  userId: string
  deliveryType: string
  campaignType: string
  campaignChannel: string
  sentEpochTime: number
  campaignId: string
  eventName: ArchivalEvent
  platform: string
  /** `moe_event_id`, or `moe_transaction_id` for alerts; undefined when not given. */
  eventId?: string
}>

const invalid = (attribute: string, detail: string): AppError =>
  new AppError('archival_field_invalid', { params: { attribute, detail } })

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (value === undefined || value === null) throw invalid(field, `${field} is mandatory`)
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(field, `${field} should be a non-empty string`)
  }
  return value
}

function oneOf(body: Record<string, unknown>, field: string, values: readonly string[]): string {
  const value = text(body, field)
  const found = values.find((v) => v.toLowerCase() === value.toLowerCase())
  if (found === undefined) {
    throw invalid(field, `${field} should be one of ${values.join(', ')}`)
  }
  return found
}

/** The ViewRequest of a parsed JSON body; AppError `archival_*` when it does not follow the schema. */
export function parseViewRequest(body: Record<string, unknown>): ViewRequest {
  const eventName = body['event_name']
  if (
    typeof eventName !== 'string' ||
    !(ARCHIVAL_EVENTS as readonly string[]).includes(eventName)
  ) {
    throw new AppError('archival_event_unsupported')
  }
  const event = eventName as ArchivalEvent // checked above
  const userId = text(body, 'user_id')
  const deliveryType = oneOf(body, 'delivery_type', DELIVERY_TYPES)
  const campaignType = oneOf(body, 'campaign_type', CAMPAIGN_TYPES)
  const campaignChannel = oneOf(body, 'campaign_channel', CAMPAIGN_CHANNELS)
  const sent = body['sent_epoch_time']
  if (sent === undefined || sent === null) {
    throw invalid('sent_epoch_time', 'sent_epoch_time is mandatory')
  }
  if (typeof sent !== 'number' || !Number.isSafeInteger(sent) || sent < 0) {
    throw invalid('sent_epoch_time', 'sent_epoch_time should be a Unix time in seconds')
  }
  const campaignId = text(body, 'campaign_id')
  const platform = oneOf(body, 'platform', PLATFORMS)
  const eventId = body['event_id']
  if (eventId !== undefined && eventId !== null && typeof eventId !== 'string') {
    throw invalid('event_id', 'event_id should be a string')
  }
  const message = EVENT_MESSAGES[event]
  if (campaignChannel !== 'FLOWS' && campaignChannel !== message.channel) {
    throw invalid(
      'campaign_channel',
      `campaign_channel ${campaignChannel} is not the channel of ${event} (${message.channel})`,
    )
  }
  if (!message.platforms.includes(platform)) {
    throw invalid(
      'platform',
      `platform ${platform} is not the platform of ${event} (${message.platforms.join(' or ')})`,
    )
  }
  return {
    userId,
    deliveryType,
    campaignType,
    campaignChannel,
    sentEpochTime: sent,
    campaignId,
    eventName: event,
    platform,
    ...(typeof eventId === 'string' && eventId !== '' ? { eventId } : {}),
  }
}
