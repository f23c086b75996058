/**
 * Message Archival answered from the outbox (moengage-other-apis.md §2.9: "what exactly did we
 * send this user"): the message the request describes — its user (`user_id`, the send's
 * customer_id), channel and platform (from `event_name`), campaign (`campaign_id`: the alert id of
 * an Inform message, the campaign id of another source), sent time (`sent_epoch_time`, the second
 * of its system event, within SENT_SLACK_MS) and, when given, `event_id` (its transaction id or
 * its message id) — among the messages that went out (`recorded` or `sent`: a suppressed or
 * failed message was never sent, and has no system event to look it up by), the one sent
 * closest to that time; and its view in the documented response shape. The store is only read.
 */
import { AppError } from '../../core/errors.js'
import type { OutboxMessageRow, Store } from '../../store/store.js'
import { EVENT_MESSAGES, type ViewRequest } from './bodies/view-body.js'

/**
 * How far a message's time may be from `sent_epoch_time`'s second: its system event is appended
 * after the message is written, so it may be stamped a moment later (and the second rounds down).
 */
export const SENT_SLACK_MS = 2_000

/** Most messages of the user, channel and time window read to find the one. */
const CANDIDATES = 500

/** The documented `message_content` (and `backup_content`). */
export type MessageContent = {
  title: string | null
  summary: string | null
  message: string | null
  related_urls: string[]
}

/** The documented 200's `data`. */
export type ArchivedMessage = {
  message_details: {
    message_type: string
    message_id: string
    channel: string
    platform: string
    delivery_type: string
    sent_time: string
    message_to: string
    moe_event_id: string | null
    service: { type: string }
    template_info: { type: string; version: string | null; id: string }
  }
  message_content: MessageContent
  backup_content: MessageContent
  file_info: { version: string; file_name: string }
}

/** The sending service a message of `channel` on `platform` goes through. */
function serviceOf(channel: string, platform: string): string {
  if (channel !== 'PUSH') return channel
  return platform === 'IOS' ? 'APNS' : platform === 'ANDROID' ? 'FCM' : 'WEB_PUSH'
}

const URL_PATTERN = /https?:\/\/[^\s"'<>)]+/g

/** The http(s) URLs a rendered message holds (links, images), each once, in order. */
export function relatedUrls(...texts: readonly (string | null)[]): string[] {
  const urls = texts.flatMap((t) =>
    t === null ? [] : [...t.matchAll(URL_PATTERN)].map((m) => m[0]),
  )
  return [...new Set(urls)]
}

/** `Tue, 28 May 2024 16:54:22 UTC`: the documented `sent_time` format, in UTC. */
export function sentTimeOf(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, 'UTC')
}

/** The documented view of `m`, found by `request`. */
export function archivedView(m: OutboxMessageRow, request: ViewRequest): ArchivedMessage {
  const channel = m.channel.toLowerCase()
  const platform = request.platform.toLowerCase()
  return {
    message_details: {
      message_type: m.source === 'inform' ? 'alert' : 'campaign',
      message_id: m.id,
      channel,
      platform,
      delivery_type: request.deliveryType,
      sent_time: sentTimeOf(m.createdAt),
      message_to: m.recipient,
      moe_event_id: request.eventId ?? null,
      service: { type: serviceOf(m.channel, request.platform) },
      template_info: { type: m.source, version: String(m.templateVersion), id: m.template },
    },
    message_content: {
      title: m.subject,
      summary: null,
      message: m.body,
      related_urls: relatedUrls(m.subject, m.body),
    },
    backup_content: { title: null, summary: null, message: null, related_urls: [] },
    file_info: {
      version: 'v2',
      file_name: `${m.id}_${request.userId}_${request.sentEpochTime}_${channel}_${platform}.json`,
    },
  }
}

/** The platforms of the outbox (a push message's device platform) an event's platform matches. */
function platformMatches(m: OutboxMessageRow, request: ViewRequest): boolean {
  if (m.channel !== 'PUSH') return true
  const want = request.platform === 'MWEB' ? 'WEB' : request.platform
  return m.platform?.toUpperCase() === want
}

/** The message `request` describes in workspace `workspaceId`; `archival_message_not_found` if none. */
export async function findArchived(
  store: Store,
  workspaceId: string,
  request: ViewRequest,
): Promise<OutboxMessageRow> {
  const sentMs = request.sentEpochTime * 1000
  const candidates = await store.outbox.list(
    workspaceId,
    {
      customerId: request.userId,
      channel: EVENT_MESSAGES[request.eventName].channel,
      since: sentMs - SENT_SLACK_MS,
      until: sentMs + 1000 + SENT_SLACK_MS,
    },
    CANDIDATES,
  )
  const distance = (m: OutboxMessageRow): number =>
    m.createdAt < sentMs ? sentMs - m.createdAt : Math.max(0, m.createdAt - (sentMs + 999))
  const found = candidates
    .filter(
      (m) =>
        (m.status === 'recorded' || m.status === 'sent') &&
        m.sourceId === request.campaignId &&
        platformMatches(m, request) &&
        (request.eventId === undefined ||
          m.transactionId === request.eventId ||
          m.id === request.eventId),
    )
    .sort((a, b) => distance(a) - distance(b) || b.seq - a.seq)[0]
  if (found === undefined) throw new AppError('archival_message_not_found')
  return found
}
