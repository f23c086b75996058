/**
 * Sending one Inform alert (moengage-other-apis.md §2.8, §3 item 3): the alert found on its
 * endpoint (live ids on the live endpoint, test ids on the sandbox), each channel of the request
 * that the alert has enabled turned into one message — its sender picked, its templates rendered
 * with the request's `personalized_attributes` and the user's profile, consent decided
 * (consent.ts) — and all of them written to the outbox in one transaction together with the claim
 * on the `transaction_id` (5 minutes; a duplicate records nothing), and only then the system
 * events of the messages recorded (`Email Sent`, `SMS Sent`, `Notification Sent iOS`, …) appended
 * to the ingest log, so the 200 comes after both are durable. A `recorded` message of a channel
 * the workspace's delivery mode delivers (workspaces/delivery.ts) is recorded due at once, for
 * the delivery worker (delivery/) to send; in `record` mode nothing leaves the machine.
 */
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import type { IdGenerator } from '../../core/ids.js'
import type { ParsedRecord } from '../../core/records.js'
import type { Ingest } from '../../ingest/accept.js'
import { cachedTemplate } from '../../profile/personalization.js'
import { systemEventRecord } from '../../profile/system-events.js'
import {
  OUTBOX_CHANNELS,
  type AlertLookup,
  type InformAlertRow,
  type NewOutboxMessage,
  type OutboxChannel,
  type OutboxMessageRow,
  type Store,
} from '../../store/store.js'
import {
  CHANNEL_FIELDS,
  definitionOf,
  type ChannelDefinition,
  type SenderDefinition,
} from '../../workspaces/inform-alerts.js'
import { deliversChannel, type Delivery } from '../../workspaces/delivery.js'
import type { ChannelPayload, SendRequest } from './bodies/send-body.js'
import { deviceOfToken, loadConsent, suppressionOf, type ConsentState } from './consent.js'

/** spec §2.8: "a repeat within 5 min of a success or an in-flight request → 409". */
export const TRANSACTION_WINDOW_MS = 5 * 60_000

/** Rendered text holding this is not sent (MoEngage's preview documents the marker). */
export const NOT_SEND_MARKER = 'MOE_NOT_SEND'

export type InformEndpoint = 'live' | 'sandbox'

/** One channel's entry of the 200 (moengage-inform-openapi.yml `ChannelStatus`). */
export type ChannelStatus = { message: string; err_code: string; status_code: number }

export type SendAnswer = Readonly<{
  messages: readonly OutboxMessageRow[]
  channels: Readonly<Partial<Record<OutboxChannel, ChannelStatus>>>
}>

export type SendDeps = Readonly<{
  store: Store
  ingest: Ingest
  clock: Clock
  ids: IdGenerator
}>

/** The alert `request` names on `endpoint`; `inform_*` AppErrors when there is none. */
async function findAlert(
  store: Store,
  workspaceId: string,
  request: SendRequest,
  endpoint: InformEndpoint,
): Promise<InformAlertRow> {
  const [value, own, live]: [string, AlertLookup, AlertLookup] =
    request.alertId !== undefined
      ? [request.alertId, endpoint === 'live' ? 'alert_id' : 'test_alert_id', 'alert_id']
      : [
          request.referenceName ?? '',
          endpoint === 'live' ? 'reference_name' : 'test_reference_name',
          'reference_name',
        ]
  const alert = await store.alerts.find(workspaceId, own, value)
  if (alert !== undefined) return alert
  if (endpoint === 'sandbox' && (await store.alerts.find(workspaceId, live, value)) !== undefined) {
    throw new AppError('inform_live_on_sandbox')
  }
  throw new AppError('inform_alert_invalid')
}

/**
 * The sender of a channel: the first whose `attributes` meet the request's `sender_attributes`,
 * else the first without attributes (the default); null when the channel defines none (sent
 * without one); undefined when it defines senders and none applies (not sent, as MoEngage's
 * schema says of `sender_attributes`: "If not passed, the alert will not be sent out").
 */
export function pickSender(
  senders: readonly SenderDefinition[],
  requested: readonly string[] | undefined,
): SenderDefinition | null | undefined {
  if (senders.length === 0) return null
  const wanted = new Set(requested ?? [])
  const matched = senders.find((s) => s.attributes?.some((a) => wanted.has(a)) === true)
  return matched ?? senders.find((s) => s.attributes === undefined)
}

type Built = Omit<NewOutboxMessage, 'id' | 'workspaceId' | 'requestId' | 'createdAt' | 'dueAt'>

/** One channel's message: sender, rendering, consent, status. */
function buildMessage(
  alert: InformAlertRow,
  endpoint: InformEndpoint,
  request: SendRequest,
  channel: OutboxChannel,
  definition: ChannelDefinition,
  payload: ChannelPayload,
  consent: ConsentState,
  category: string | undefined,
): Built {
  const values = {
    attributes: payload.personalizedAttributes,
    ...(consent.user === undefined
      ? {}
      : {
          user: { customerId: consent.user.customerId, attributes: consent.user.attributes },
        }),
  }
  const rendered: Record<string, string> = {}
  let failure: string | undefined
  for (const [field, kind] of CHANNEL_FIELDS[channel]) {
    const source = definition[field]
    if (source === undefined) continue
    const result = cachedTemplate(source, kind).render(values)
    if (result.ok) rendered[field] = result.text
    else failure ??= `${field}: ${result.reason}`
  }
  const sender = pickSender(definition.senders, payload.senderAttributes)
  if (sender === undefined) {
    failure ??= 'no sender of the alert matches sender_attributes, and it has no default sender'
  }
  const device = channel === 'PUSH' ? deviceOfToken(consent, payload.recipient) : undefined
  const suppressed = suppressionOf(consent, alert.workspaceId, channel, payload.recipient, category)
  const notSend = Object.values(rendered).some((text) => text.includes(NOT_SEND_MARKER))
  const [status, reason]: [Built['status'], string | null] =
    suppressed !== undefined
      ? ['suppressed', suppressed]
      : failure !== undefined
        ? ['failed', failure]
        : notSend
          ? ['suppressed', `the template rendered ${NOT_SEND_MARKER}`]
          : ['recorded', null]
  return {
    channel,
    source: endpoint === 'live' ? 'inform' : 'inform_test',
    sourceId: endpoint === 'live' ? alert.alertId : alert.testAlertId,
    customerId: request.userId ?? null,
    recipient: payload.recipient,
    platform: device?.platform ?? null,
    subject: rendered['subject'] ?? rendered['title'] ?? null,
    body: rendered['body'] ?? rendered['message'] ?? '',
    payload: {
      alert_reference_name: alert.referenceName,
      sender: sender ?? null,
      personalized_attributes: payload.personalizedAttributes,
      ...(payload.senderAttributes === undefined
        ? {}
        : { sender_attributes: payload.senderAttributes }),
      ...(Object.keys(payload.attachments).length === 0
        ? {}
        : { attachments: payload.attachments }),
      ...(payload.liveActivity === undefined
        ? {}
        : { live_activity_attributes: payload.liveActivity }),
    },
    template: `${alert.alertId}/${channel}`,
    templateVersion: alert.version,
    transactionId: request.transactionId,
    status,
    reason,
    attempts: 0,
  }
}

/** The 200's entry of a message (Inlet's strings: MoEngage documents only the shape). */
export function channelStatusOf(
  message: Pick<NewOutboxMessage, 'status' | 'reason'>,
): ChannelStatus {
  switch (message.status) {
    case 'recorded':
    case 'sent':
      return { message: 'Successfully Received', err_code: 'SUCCESS', status_code: 200 }
    case 'suppressed':
      return { message: message.reason ?? 'suppressed', err_code: 'SUPPRESSED', status_code: 200 }
    case 'failed':
      return { message: message.reason ?? 'failed', err_code: 'NOT_SENT', status_code: 400 }
  }
}

/** The system event records of the recorded live messages that name a user. */
function systemEvents(
  alert: InformAlertRow,
  messages: readonly OutboxMessageRow[],
): ParsedRecord[] {
  const records: ParsedRecord[] = []
  for (const m of messages) {
    if (m.source !== 'inform') continue
    const record = systemEventRecord(m, {
      campaign_id: alert.alertId,
      campaign_name: alert.referenceName,
      campaign_channel: m.channel,
      campaign_type: `Inform ${m.channel}`,
      moe_transaction_id: m.transactionId,
      moe_message_id: m.id,
    })
    if (record !== undefined) records.push(record)
  }
  return records
}

/**
 * Sends `request` for `workspaceId` on `endpoint`: the messages recorded and their system events
 * logged before it resolves. AppError `inform_alert_invalid`, `inform_live_on_sandbox`,
 * `inform_payload_invalid` (no enabled channel) or `inform_duplicate_transaction`.
 */
export async function sendAlert(
  deps: SendDeps,
  ctx: Readonly<{
    workspaceId: string
    requestId: string
    endpoint: InformEndpoint
    /** The workspace's delivery mode: which recorded messages are due for delivery. */
    delivery: Delivery
  }>,
  request: SendRequest,
): Promise<SendAnswer> {
  const { store } = deps
  const alert = await findAlert(store, ctx.workspaceId, request, ctx.endpoint)
  const definition = definitionOf(alert)
  const channels = OUTBOX_CHANNELS.filter(
    (c) => request.payloads[c] !== undefined && definition.channels[c]?.enabled === true,
  )
  if (channels.length === 0) {
    throw new AppError('inform_payload_invalid', {
      params: {
        detail: `none of the channels in payloads is enabled for this alert (enabled: ${
          OUTBOX_CHANNELS.filter((c) => definition.channels[c]?.enabled === true).join(', ') ||
          'none'
        })`,
      },
    })
  }
  const recipients = new Map(channels.map((c) => [c, request.payloads[c]?.recipient ?? '']))
  const consent = await loadConsent(store, ctx.workspaceId, request.userId, recipients)
  const now = deps.clock.now()
  const messages: NewOutboxMessage[] = channels.map((channel) => {
    const built = buildMessage(
      alert,
      ctx.endpoint,
      request,
      channel,
      definition.channels[channel] as ChannelDefinition, // enabled, so defined
      request.payloads[channel] as ChannelPayload, // filtered to the request's channels
      consent,
      definition.subscription_category,
    )
    const due = built.status === 'recorded' && deliversChannel(ctx.delivery, channel)
    return {
      id: deps.ids.userId(now),
      workspaceId: ctx.workspaceId,
      requestId: ctx.requestId,
      createdAt: now,
      ...built,
      dueAt: due ? now : null,
    }
  })
  const recorded = await store.outbox.record(ctx.workspaceId, messages, {
    key: `${ctx.endpoint}:${request.transactionId}`,
    at: now,
    windowMs: TRANSACTION_WINDOW_MS,
  })
  if (recorded.duplicate) throw new AppError('inform_duplicate_transaction')
  const events = systemEvents(alert, recorded.rows)
  if (events.length > 0) {
    await deps.ingest.accept(
      { workspaceId: ctx.workspaceId, requestId: ctx.requestId, api: 'inform' },
      events,
    )
  }
  return {
    messages: recorded.rows,
    channels: Object.fromEntries(recorded.rows.map((m) => [m.channel, channelStatusOf(m)])),
  }
}
