/**
 * Sending a card campaign into users' inboxes (moengage-other-apis.md §2.9, issue 21: "Cards fetch
 * reads a per-user inbox that card sends fill"). The campaign's audience — the users its customer
 * ids name, a custom segment's members at send time, or all users — is read a page of users at a
 * time; each user gets one card per platform of the campaign, its title, message and button texts
 * rendered with the user's attributes (profile/personalization.ts, as Inform and Push render). A
 * card is `suppressed` when the user's customer id was erased by a GDPR request (the suppression
 * list), or its text holds `MOE_NOT_SEND`; `failed` when a value is missing without a fallback;
 * else put in the inbox (store/card-repo.ts) with its outbox message (channel `CARDS`) in one
 * transaction per page, and then the user's system event `Card Sent` appended to the ingest log.
 * Cards need no opt-in (MoEngage: "No Opt-in required"), so no push or e-mail opt-out applies.
 * Sending again puts each user's card back, with the campaign's current content (a deleted card
 * too). An `Event Triggered` campaign is not sent so: the processor sends its card to one user
 * when it applies that user's trigger event (triggeredSends; card-triggers.ts), once per user and
 * platform. What a fetch shows of a card is the Cards family's (families/cards).
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { ParsedRecord } from '../core/records.js'
import type { Ingest } from '../ingest/accept.js'
import { suppressionHash } from '../privacy/gdpr.js'
import { cachedTemplate } from '../profile/personalization.js'
import { systemEventRecord } from '../profile/system-events.js'
import { storedSegmentQuery } from '../segments/stored.js'
import type { SegmentQuery } from '../store/segments.js'
import type { CardCampaignRow, CardRow, CardSend, NewOutboxMessage, Store } from '../store/store.js'
import {
  cardDefinitionOf,
  type CardAction,
  type CardCampaignDefinition,
  type CardPlatform,
} from '../workspaces/card-campaigns.js'
import { WorkspaceInputError } from '../workspaces/changes.js'
import { deliversChannel, readDelivery, type Delivery } from '../workspaces/delivery.js'

export const CARDS_CHANNEL = 'CARDS'
export const CARDS_SOURCE = 'cards'
/** Users per step: one page of users, one transaction of cards and messages. */
export const PAGE_USERS = 1_000

export type CardSendDeps = Readonly<{
  store: Store
  ingest: Ingest
  clock: Clock
  ids: IdGenerator
  /** Users per step (PAGE_USERS; tests make it small). */
  pageUsers?: number
}>

/** What a send did: messages by status, and the cards put in inboxes. */
export type CardSendResult = Readonly<{
  campaign_id: string
  version: number
  recorded: number
  suppressed: number
  failed: number
}>

/** A user a card is rendered for. */
export type Member = Readonly<{
  id: string
  customerId: string | null
  attributes: Readonly<Record<string, unknown>>
}>

/** The id of a campaign's card on a platform (MoEngage's `moe_card_id`: cid and platform). */
export const cardIdOf = (campaignId: string, platform: CardPlatform): string =>
  `${campaignId}_${platform.toLowerCase()}`

const GDPR_REASON =
  "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list"

/** The text a card shows, rendered for `user`: its texts, or why it could not be. */
type Rendered =
  | Readonly<{ ok: true; title: string; message: string; buttons: readonly string[] }>
  | Readonly<{ ok: false; reason: string }>

function render(definition: CardCampaignDefinition, user: Member): Rendered {
  const values = {
    attributes: {},
    user: { customerId: user.customerId, attributes: user.attributes },
  }
  const one = (source: string, field: string): string | { reason: string } => {
    const result = cachedTemplate(source, 'text').render(values)
    return result.ok ? result.text : { reason: `${field}: ${result.reason}` }
  }
  const t = definition.template
  const texts = [
    one(t.title, 'template.title'),
    one(t.message, 'template.message'),
    ...t.buttons.map((b, i) => one(b.text, `template.buttons[${i}].text`)),
  ]
  const failure = texts.find((x) => typeof x !== 'string')
  if (failure !== undefined && typeof failure !== 'string')
    return { ok: false, reason: failure.reason }
  const [title = '', message = '', ...buttons] = texts as string[] // all strings: checked above
  return { ok: true, title, message, buttons }
}

const actionOf = (a: CardAction): Record<string, unknown> => ({
  type: a.type,
  name: 'navigate',
  value: a.value,
  kvPairs: a.kv_pairs,
})

/**
 * The card as fetch shows it but its times and the user's activity (moengage-cards-openapi.yml
 * `Card`): meta_data, template_data (one container of widgets — image, title, message, buttons —
 * with the tap's action) and display_controls.
 */
export function cardContent(
  campaign: CardCampaignRow,
  platform: CardPlatform,
  texts: Readonly<{ title: string; message: string; buttons: readonly string[] }>,
): Record<string, unknown> {
  const d = cardDefinitionOf(campaign)
  const t = d.template
  const id = cardIdOf(campaign.campaignId, platform)
  const widgets: Record<string, unknown>[] = []
  if (t.image_url !== null) widgets.push({ type: 'image', content: t.image_url })
  widgets.push({ type: 'text', content: texts.title }, { type: 'text', content: texts.message })
  t.buttons.forEach((b, i) =>
    widgets.push({
      type: 'button',
      content: texts.buttons[i] ?? '',
      ...(b.action === null ? {} : { actions: [actionOf(b.action)] }),
    }),
  )
  return {
    id,
    platform: platform.toLowerCase(),
    category: d.category,
    meta_data: {
      cid: campaign.campaignId,
      moe_card_id: id,
      moe_campaign_name: campaign.name,
      moe_delivery_type: d.delivery_type,
      moe_campaign_id: campaign.campaignId,
    },
    template_data: {
      type: t.type,
      containers: [
        {
          id: 0,
          type: t.type,
          style: t.bg_color === null ? {} : { bgColor: t.bg_color },
          widgets: widgets.map((w, i) => ({ id: i, ...w })),
          actions: t.action === null ? [] : [actionOf(t.action)],
        },
      ],
    },
    display_controls: {
      max_times_to_show: d.max_times_to_show,
      expire_at: d.expire_at,
      expire_after_delivered: d.expire_after_delivered,
      is_pin: d.pinned,
    },
  }
}

type PageContext = Readonly<{
  workspaceId: string
  requestId: string
  campaign: CardCampaignRow
  definition: CardCampaignDefinition
  delivery: Delivery
  suppressed: ReadonlySet<string>
  now: number
}>

/** One user's card and message on one platform (no card when it is not recorded). */
function sendTo(
  ctx: PageContext,
  ids: IdGenerator,
  user: Member,
  platform: CardPlatform,
  noUser?: string,
): { card?: CardRow; message: NewOutboxMessage } {
  const { campaign } = ctx
  const gdpr =
    user.customerId !== null &&
    ctx.suppressed.has(suppressionHash(ctx.workspaceId, 'ID', user.customerId))
  const rendered = gdpr || noUser !== undefined ? undefined : render(ctx.definition, user)
  const texts = rendered?.ok === true ? rendered : undefined
  const notSend =
    texts !== undefined &&
    [texts.title, texts.message, ...texts.buttons].some((x) => x.includes('MOE_NOT_SEND'))
  const [status, reason]: [NewOutboxMessage['status'], string | null] = gdpr
    ? ['suppressed', GDPR_REASON]
    : noUser !== undefined
      ? ['suppressed', noUser]
      : rendered?.ok === false
        ? ['failed', rendered.reason]
        : notSend
          ? ['suppressed', 'the rendered card holds MOE_NOT_SEND']
          : ['recorded', null]
  const content = texts === undefined ? undefined : cardContent(campaign, platform, texts)
  const message: NewOutboxMessage = {
    id: ids.userId(ctx.now),
    workspaceId: ctx.workspaceId,
    channel: CARDS_CHANNEL,
    source: CARDS_SOURCE,
    sourceId: campaign.campaignId,
    customerId: user.customerId,
    recipient: user.customerId ?? user.id,
    platform,
    subject: texts?.title ?? null,
    body: texts?.message ?? '',
    payload: {
      campaign_name: campaign.name,
      card_id: cardIdOf(campaign.campaignId, platform),
      ...(content === undefined ? {} : { card: content }),
    },
    template: `cards/${campaign.campaignId}/${platform}`,
    templateVersion: campaign.version,
    transactionId: null,
    requestId: ctx.requestId,
    status,
    reason,
    attempts: 0,
    createdAt: ctx.now,
    dueAt: status === 'recorded' && deliversChannel(ctx.delivery, CARDS_CHANNEL) ? ctx.now : null,
  }
  if (status !== 'recorded' || content === undefined) return { message }
  const card: CardRow = {
    workspaceId: ctx.workspaceId,
    userId: user.id,
    cardId: cardIdOf(campaign.campaignId, platform),
    campaignId: campaign.campaignId,
    platform: platform.toLowerCase(),
    category: ctx.definition.category,
    content,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    deletedAt: null,
    clicked: false,
    firstSeen: null,
    firstDelivered: null,
    showCounts: {},
    seenCount: 0,
  }
  return { card, message }
}

/**
 * The cards (one per platform) and messages of event-triggered campaign `campaign` for `user`,
 * whose trigger event the processor applies at `now` for request `requestId`; none when the user
 * is not in its audience (a `users` audience not naming the user's customer id). GDPR: the
 * processor never applies an event of an erased customer id (suppression-refusals.ts), so no
 * suppression list is read here.
 */
export function triggeredSends(
  campaign: CardCampaignRow,
  user: Member,
  at: Readonly<{ workspaceId: string; requestId: string; now: number; ids: IdGenerator }>,
  delivery: Delivery,
): CardSend[] {
  const definition = cardDefinitionOf(campaign)
  const audience = definition.audience
  if (
    audience.type === 'users' &&
    (user.customerId === null || !audience.customer_ids.includes(user.customerId))
  ) {
    return []
  }
  const ctx: PageContext = {
    workspaceId: at.workspaceId,
    requestId: at.requestId,
    campaign,
    definition,
    delivery,
    suppressed: new Set(),
    now: at.now,
  }
  return definition.platforms.map((p) => sendTo(ctx, at.ids, user, p))
}

/** The system events (`Card Sent`) of the recorded card messages that name a user. */
export function cardEvents(
  messages: readonly Pick<
    NewOutboxMessage,
    'id' | 'status' | 'customerId' | 'channel' | 'platform' | 'sourceId' | 'payload'
  >[],
): ParsedRecord[] {
  return messages.flatMap((m) => {
    const record = systemEventRecord(m, {
      campaign_id: m.sourceId,
      campaign_name: m.payload['campaign_name'],
      campaign_channel: CARDS_CHANNEL,
      campaign_type: 'Cards',
      card_id: m.payload['card_id'],
      moe_message_id: m.id,
    })
    return record === undefined ? [] : [record]
  })
}

/** The custom segment an audience names (by name, else id), as a member query. */
async function segmentQuery(
  store: Store,
  workspaceId: string,
  name: string,
): Promise<SegmentQuery> {
  const [byName] = await store.customSegments.list(workspaceId, { name })
  const row = byName ?? (await store.customSegments.get(workspaceId, name))
  if (row === undefined || row.archivedAt !== null) {
    throw new WorkspaceInputError(`no custom segment is named '${name}'`, 'audience.segment')
  }
  const resolved = await storedSegmentQuery(store, row)
  if (!resolved.ok) {
    throw new WorkspaceInputError(`the segment '${name}' cannot be evaluated`, 'audience.segment')
  }
  return resolved.query
}

/**
 * Sends campaign `campaignId` of `workspaceId` to its audience now; undefined when the workspace
 * has no such campaign. WorkspaceInputError when it is `Event Triggered`, or when its segment does
 * not exist (or cannot be evaluated).
 */
export async function sendCardCampaign(
  deps: CardSendDeps,
  ctx: Readonly<{ workspaceId: string; requestId: string }>,
  campaignId: string,
): Promise<CardSendResult | undefined> {
  const { store, clock, ids } = deps
  const campaign = await store.cards.campaign(ctx.workspaceId, campaignId)
  if (campaign === undefined) return undefined
  const definition = cardDefinitionOf(campaign)
  if (definition.delivery_type === 'Event Triggered') {
    throw new WorkspaceInputError(
      'an Event Triggered campaign is not sent by send: the processor gives each user its card when it applies the trigger event',
      'delivery_type',
    )
  }
  const audience = definition.audience
  const query =
    audience.type === 'segment'
      ? await segmentQuery(store, ctx.workspaceId, audience.segment)
      : undefined
  const workspace = await store.workspaces.get(ctx.workspaceId)
  const delivery = readDelivery(workspace?.settings ?? {})
  const listed = await store.profiles.hasSuppressions(ctx.workspaceId)
  const limit = deps.pageUsers ?? PAGE_USERS
  const counts = { recorded: 0, suppressed: 0, failed: 0 }
  let cursor: string | null = ''
  while (cursor !== null) {
    const now = clock.now()
    let users: readonly Member[]
    let missing: string[] = []
    if (audience.type === 'users') {
      users = await store.profiles.matchUsers(ctx.workspaceId, {
        customerIds: audience.customer_ids,
        userIds: [],
        userAttributes: [],
        deviceAttributes: [],
      })
      const found = new Set(users.map((u) => u.customerId))
      missing = audience.customer_ids.filter((id) => !found.has(id))
      cursor = null
    } else if (query !== undefined) {
      const page = await store.segments.members(ctx.workspaceId, query, {
        now,
        limit,
        ...(cursor === '' ? {} : { afterId: cursor }),
      })
      users = page.members
      cursor = page.next
    } else {
      users = await store.profiles.usersPage(ctx.workspaceId, cursor, limit)
      cursor = users.length < limit ? null : (users[users.length - 1]?.id ?? null)
    }
    const customerIds = [...users.map((u) => u.customerId), ...missing]
    const hashes = customerIds.flatMap((id) =>
      id === null ? [] : [suppressionHash(ctx.workspaceId, 'ID', id)],
    )
    const pageCtx: PageContext = {
      workspaceId: ctx.workspaceId,
      requestId: ctx.requestId,
      campaign,
      definition,
      delivery,
      suppressed: new Set(
        listed && hashes.length > 0 ? await store.profiles.suppressed(ctx.workspaceId, hashes) : [],
      ),
      now,
    }
    const sent = [
      ...users.flatMap((u) => definition.platforms.map((p) => sendTo(pageCtx, ids, u, p))),
      ...missing.flatMap((customerId) =>
        definition.platforms.map((p) =>
          sendTo(
            pageCtx,
            ids,
            { id: '', customerId, attributes: {} },
            p,
            `no user has customer_id '${customerId}'`,
          ),
        ),
      ),
    ]
    if (sent.length === 0) continue
    const messages = sent.map((s) => s.message)
    await store.cards.deliver(
      sent.flatMap((s) => (s.card === undefined ? [] : [s.card])),
      messages,
    )
    for (const m of messages)
      counts[
        m.status === 'recorded' ? 'recorded' : m.status === 'failed' ? 'failed' : 'suppressed'
      ]++
    const events = cardEvents(messages)
    if (events.length > 0) {
      await deps.ingest.accept(
        { workspaceId: ctx.workspaceId, requestId: ctx.requestId, api: 'cards' },
        events,
      )
    }
  }
  return { campaign_id: campaign.campaignId, version: campaign.version, ...counts }
}
