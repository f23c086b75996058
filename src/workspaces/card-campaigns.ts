/**
 * A workspace's card campaigns (MoEngage creates them only in its dashboard; Inlet through the
 * admin API and `inlet workspaces cards`): the input rules of a definition — its id (generated when
 * not given), name, platforms, category, delivery type (an `Event Triggered` campaign names the
 * event that sends it), audience (customer ids, a custom segment, or all users), the card's content (template type, title and message — templates, rendered per user —
 * image, background colour, buttons, the action of a tap), whether it is pinned, and its display
 * controls (expiry, most times shown) — its view, and the operations on the store's rows. Sending a
 * campaign into users' inboxes is inbox/'s; fetching and deleting cards the Cards family's.
 */
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { CardCampaignRow, Store } from '../store/store.js'
import {
  campaignNaming,
  campaignRowView,
  createCampaignDefinitions,
  wholeFromOne,
  type CampaignDefinitions as CardCampaignDefinitions,
} from './definitions.js'
import { normalizeName } from '../profile/attribute-values.js'
import { WorkspaceInputError } from './changes.js'
import { definitionText, refuseUnknown, template } from './inform-alerts.js'

/** Most campaigns one workspace may define. */
export const MAX_CARD_CAMPAIGNS = 500
/** Most customer ids a `users` audience may list. */
export const MAX_AUDIENCE_USERS = 1_000
/** Most buttons a card may have. */
export const MAX_BUTTONS = 2

export const CARD_PLATFORMS = ['ANDROID', 'IOS', 'WEB'] as const
export type CardPlatform = (typeof CARD_PLATFORMS)[number]
export const CARD_DELIVERY_TYPES = ['One Time', 'Event Triggered'] as const
export const CARD_TEMPLATE_TYPES = ['basic', 'illustration'] as const
export const CARD_ACTION_TYPES = ['screenName', 'deepLink', 'richLanding'] as const

export type CardAction = Readonly<{
  type: (typeof CARD_ACTION_TYPES)[number]
  value: string
  kv_pairs: Readonly<Record<string, unknown>>
}>

export type CardButton = Readonly<{ text: string; action: CardAction | null }>

/** What sends an `Event Triggered` campaign's card to a user: an event of this name applied. */
export type CardTrigger = Readonly<{ event: string }>

export type CardAudience =
  | Readonly<{ type: 'all' }>
  | Readonly<{ type: 'users'; customer_ids: readonly string[] }>
  /** A custom segment by its name or id (filter, file or cohort), members at send time. */
  | Readonly<{ type: 'segment'; segment: string }>

/** What a campaign sends, as stored. */
export type CardCampaignDefinition = Readonly<{
  platforms: readonly CardPlatform[]
  category: string
  delivery_type: (typeof CARD_DELIVERY_TYPES)[number]
  /**
   * `Event Triggered`'s trigger; null for `One Time` (and absent from definitions stored before
   * triggers existed: such a campaign sends nothing until given one).
   */
  trigger: CardTrigger | null
  audience: CardAudience
  template: Readonly<{
    type: (typeof CARD_TEMPLATE_TYPES)[number]
    /** Templates (Jinja, MoEngage's personalization), rendered for each user. */
    title: string
    message: string
    image_url: string | null
    bg_color: string | null
    buttons: readonly CardButton[]
    action: CardAction | null
  }>
  pinned: boolean
  /** Epoch seconds after which the card is gone from every inbox; null: never. */
  expire_at: number | null
  /** Seconds after its first delivery that a card expires; null: never. */
  expire_after_delivered: number | null
  max_times_to_show: number | null
}>

export type CardCampaignInput = Readonly<{
  campaignId?: string
  name: string
  definition: CardCampaignDefinition
}>

export type CardCampaignView = CardCampaignDefinition & {
  campaign_id: string
  name: string
  version: number
  created_at: string
  updated_at: string
}

/** A stored definition as its type (written only by parseCardCampaignInput). */
export function cardDefinitionOf(row: CardCampaignRow): CardCampaignDefinition {
  return row.definition as CardCampaignDefinition // the stored JSON is a parsed definition
}

export function cardCampaignView(row: CardCampaignRow): CardCampaignView {
  return campaignRowView(row, cardDefinitionOf(row))
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const fail = (attribute: string, detail: string): WorkspaceInputError =>
  new WorkspaceInputError(`${attribute} ${detail}`, attribute)

function objectAt(raw: unknown, at: string, known: readonly string[]): Record<string, unknown> {
  if (!isObject(raw)) throw fail(at, 'should be an object')
  refuseUnknown(raw, known, at)
  return raw
}

function oneOf<T extends string>(raw: unknown, at: string, values: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback
  const found = values.find((v) => typeof raw === 'string' && v.toLowerCase() === raw.toLowerCase())
  if (found === undefined) throw fail(at, `should be one of ${values.join(', ')}`)
  return found
}

function optionalText(raw: unknown, at: string, max: number): string | null {
  return raw === undefined || raw === null ? null : definitionText(raw, at, max)
}

function wholeOrNull(raw: unknown, at: string, max: number): number | null {
  return raw === undefined || raw === null ? null : wholeFromOne(raw, at, max, ', or null')
}

function action(raw: unknown, at: string): CardAction | null {
  if (raw === undefined || raw === null) return null
  const a = objectAt(raw, at, ['type', 'value', 'kv_pairs'])
  const kv = a['kv_pairs'] ?? {}
  if (!isObject(kv)) throw fail(`${at}.kv_pairs`, 'should be an object')
  return {
    type: oneOf(a['type'], `${at}.type`, CARD_ACTION_TYPES, 'deepLink'),
    value: definitionText(a['value'], `${at}.value`, 2_000),
    kv_pairs: kv,
  }
}

function platforms(raw: unknown): CardPlatform[] {
  if (raw === undefined) return [...CARD_PLATFORMS]
  if (!Array.isArray(raw) || raw.length === 0) {
    throw fail('platforms', `should be a non-empty list of ${CARD_PLATFORMS.join(', ')}`)
  }
  const out = raw.map((p, i) => oneOf(p, `platforms[${i}]`, CARD_PLATFORMS, 'ANDROID'))
  return CARD_PLATFORMS.filter((p) => out.includes(p))
}

function audience(raw: unknown): CardAudience {
  if (raw === undefined) return { type: 'all' }
  const a = objectAt(raw, 'audience', ['type', 'customer_ids', 'segment'])
  const type = oneOf(a['type'], 'audience.type', ['all', 'users', 'segment'] as const, 'all')
  const extra = type === 'users' ? 'segment' : type === 'segment' ? 'customer_ids' : undefined
  for (const field of ['customer_ids', 'segment']) {
    if (a[field] !== undefined && (extra === undefined || field === extra)) {
      throw fail(`audience.${field}`, `is not taken by an audience of type ${type}`)
    }
  }
  if (type === 'all') return { type }
  if (type === 'segment') return { type, segment: definitionText(a['segment'], 'audience.segment') }
  const ids = a['customer_ids']
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_AUDIENCE_USERS) {
    throw fail('audience.customer_ids', `should list 1 to ${MAX_AUDIENCE_USERS} customer ids`)
  }
  const list = ids.map((id, i) => definitionText(id, `audience.customer_ids[${i}]`))
  return { type, customer_ids: [...new Set(list)] }
}

/**
 * `Event Triggered` wants a trigger and an audience the processor can check as it applies an event
 * (all users, or a customer-id list); `One Time` takes no trigger.
 */
function trigger(
  raw: unknown,
  delivery: CardCampaignDefinition['delivery_type'],
  who: CardAudience,
): CardTrigger | null {
  if (delivery === 'One Time') {
    if (raw !== undefined && raw !== null) {
      throw fail('trigger', 'is taken only by an Event Triggered campaign')
    }
    return null
  }
  if (raw === undefined || raw === null) {
    throw fail('trigger', 'is mandatory for an Event Triggered campaign: {"event": "<event name>"}')
  }
  if (who.type === 'segment') {
    throw fail(
      'audience.type',
      'of an Event Triggered campaign should be all or users (a segment is not checked per event)',
    )
  }
  const t = objectAt(raw, 'trigger', ['event'])
  // Cut as an applied event's name is (spec §8.3), so that a long name still matches.
  return { event: normalizeName(definitionText(t['event'], 'trigger.event', 1_000), []) }
}

const TEMPLATE_FIELDS = [
  'type',
  'title',
  'message',
  'image_url',
  'bg_color',
  'buttons',
  'action',
] as const

function content(raw: unknown): CardCampaignDefinition['template'] {
  const t = objectAt(raw, 'template', TEMPLATE_FIELDS)
  const buttons = t['buttons'] ?? []
  if (!Array.isArray(buttons) || buttons.length > MAX_BUTTONS) {
    throw fail('template.buttons', `should be a list of at most ${MAX_BUTTONS} buttons`)
  }
  return {
    type: oneOf(t['type'], 'template.type', CARD_TEMPLATE_TYPES, 'basic'),
    title: template(t['title'], 'template.title', 'text'),
    message: template(t['message'], 'template.message', 'text'),
    image_url: optionalText(t['image_url'], 'template.image_url', 2_000),
    bg_color: optionalText(t['bg_color'], 'template.bg_color', 20),
    buttons: buttons.map((b: unknown, i) => {
      const at = `template.buttons[${i}]`
      const button = objectAt(b, at, ['text', 'action'])
      return {
        text: template(button['text'], `${at}.text`, 'text'),
        action: action(button['action'], `${at}.action`),
      }
    }),
    action: action(t['action'], 'template.action'),
  }
}

const FIELDS = [
  'campaign_id',
  'name',
  'platforms',
  'category',
  'delivery_type',
  'trigger',
  'audience',
  'template',
  'pinned',
  'expire_at',
  'expire_after_delivered',
  'max_times_to_show',
] as const

/** A definition from the admin API's body (snake_case); WorkspaceInputError naming the field. */
export function parseCardCampaignInput(raw: Record<string, unknown>): CardCampaignInput {
  refuseUnknown(raw, FIELDS, '')
  const pinned = raw['pinned'] ?? false
  if (typeof pinned !== 'boolean') throw fail('pinned', 'should be true or false')
  const delivery = oneOf(raw['delivery_type'], 'delivery_type', CARD_DELIVERY_TYPES, 'One Time')
  const who = audience(raw['audience'])
  return {
    ...campaignNaming(raw),
    definition: {
      platforms: platforms(raw['platforms']),
      category: optionalText(raw['category'], 'category', 100) ?? 'General',
      delivery_type: delivery,
      trigger: trigger(raw['trigger'], delivery, who),
      audience: who,
      template: content(raw['template']),
      pinned,
      // Epoch seconds up to the year 9999.
      expire_at: wholeOrNull(raw['expire_at'], 'expire_at', 253_402_300_799),
      expire_after_delivered: wholeOrNull(
        raw['expire_after_delivered'],
        'expire_after_delivered',
        3_650 * 86_400,
      ),
      max_times_to_show: wholeOrNull(raw['max_times_to_show'], 'max_times_to_show', 1_000_000),
    },
  }
}

export type CardCampaigns = CardCampaignDefinitions<CardCampaignDefinition, CardCampaignView>

export function createCardCampaigns(deps: {
  store: Store
  clock: Clock
  ids: IdGenerator
}): CardCampaigns {
  return createCampaignDefinitions(deps, deps.store.cards, cardCampaignView, {
    max: MAX_CARD_CAMPAIGNS,
    noun: 'card campaigns',
  })
}
