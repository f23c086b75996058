/**
 * A user's subscription preferences as the profile shows them (Get User's
 * `subscription_preferences`, the dashboard's profile page): per channel, the unsubscribe-all
 * flag, the email opt-in status and each category the user set, with when they last changed; and
 * the rule of what a user is subscribed to; the merge rule's withdrawal (OPTED_OUT); and the Data
 * API attributes linked to the email preferences (LINKED_ATTRIBUTES), read from a record and shown
 * from the rows. The rows are the store's (store/consent-repo.ts); the requests that write them
 * are the consent family's, and the processor's for linked attributes and merges.
 */
import type {
  AttributeMap,
  CategoryPreferenceRow,
  SubscriptionStatusRow,
  UserSubscriptions,
} from '../store/store.js'
import { defineOwn } from './attribute-values.js'

/** The channels preferences are kept for (MoEngage's APIs accept `email` only). */
export const SUBSCRIPTION_CHANNELS = ['email'] as const
export type SubscriptionChannel = (typeof SUBSCRIPTION_CHANNELS)[number]

/** Email opt-in statuses (moengage-email-subscription-openapi.yml `opt_in_status`). */
export const OPT_IN_STATUSES = ['DOUBLE_OPTED_IN', 'OPTED_OUT', 'OPT_IN_PENDING'] as const
export type OptInStatus = (typeof OPT_IN_STATUSES)[number]

/** The opt-in status that withdraws consent: it wins when merged users disagree. */
export const OPTED_OUT: OptInStatus = 'OPTED_OUT'

export type ChannelPreferencesView = {
  unsubscribe_all: boolean
  opt_in_status: string | null
  /** The categories the user set, by name: true subscribed, false unsubscribed. */
  categories: Record<string, boolean>
  updated_at: string
}

/** A user's preferences by channel; no key for a channel the user has no rows on. */
export type SubscriptionPreferencesView = Partial<Record<string, ChannelPreferencesView>>

/**
 * Whether a user with `status` and `choice` gets messages of a category: never when unsubscribed
 * from all; otherwise as the user chose, and subscribed by default (a category the user never set).
 */
export function subscribedTo(
  status: Pick<SubscriptionStatusRow, 'unsubscribedAll'> | undefined,
  choice: boolean | undefined,
): boolean {
  if (status?.unsubscribedAll === true) return false
  return choice ?? true
}

const byName = (a: CategoryPreferenceRow, b: CategoryPreferenceRow): number =>
  a.category < b.category ? -1 : a.category > b.category ? 1 : 0

/** Each user's view (by user id); users without rows are absent. */
export function subscriptionViews(
  rows: UserSubscriptions,
): Map<string, SubscriptionPreferencesView> {
  const out = new Map<string, SubscriptionPreferencesView>()
  for (const s of rows.statuses) {
    const view = out.get(s.userId) ?? {}
    view[s.channel] = {
      unsubscribe_all: s.unsubscribedAll,
      opt_in_status: s.optInStatus,
      categories: {},
      updated_at: new Date(s.updatedAt).toISOString(),
    }
    out.set(s.userId, view)
  }
  for (const p of [...rows.preferences].sort(byName)) {
    const channel = out.get(p.userId)?.[p.channel]
    // A choice is written with its status row, in one transaction: there always is one.
    if (channel !== undefined) channel.categories[p.category] = p.subscribed
  }
  return out
}

/**
 * The Data API's standard attributes that are the email channel's preference records
 * (moengage-data-api.md §8.1): written through Track User, Bulk Import or Identity Resolution they
 * change the records (never stored as attributes), and read back they show the records — one
 * truth for Get User, the dashboard, segments and whatever sends messages.
 */
export const LINKED_ATTRIBUTES = {
  /** true: unsubscribed from all email (the spec's "true = no email"). */
  unsubscribe: 'moe_unsubscribe',
  /** DOUBLE_OPTED_IN, OPTED_OUT or OPT_IN_PENDING (any case when written). */
  optInStatus: 'moe_email_optin_status',
  /** The categories the user is unsubscribed from (a list: all of them). */
  unsubscribedCategories: 'moe_em_unsub_categories',
} as const

const LINKED_KEYS: ReadonlySet<string> = new Set(Object.values(LINKED_ATTRIBUTES))

/** Whether a stored attribute key is one of LINKED_ATTRIBUTES. */
export const isLinkedAttribute = (key: string): boolean => LINKED_KEYS.has(key)

/** The linked attributes a user's preferences show (none without an email status). */
export function linkedAttributes(
  view: SubscriptionPreferencesView | undefined,
): Record<string, unknown> {
  const email = view?.['email']
  if (email === undefined) return {}
  const out: Record<string, unknown> = { [LINKED_ATTRIBUTES.unsubscribe]: email.unsubscribe_all }
  if (email.opt_in_status !== null) out[LINKED_ATTRIBUTES.optInStatus] = email.opt_in_status
  const unsubscribed = Object.keys(email.categories).filter((c) => email.categories[c] === false)
  if (unsubscribed.length > 0) out[LINKED_ATTRIBUTES.unsubscribedCategories] = unsubscribed
  return out
}

/**
 * What one record's linked attributes change in the user's email preferences: the fields given,
 * categories set (false: unsubscribed), and `exclusive` when the categories were the whole list
 * (the user's other unsubscribed categories subscribe again).
 */
export type LinkedPreferences = {
  unsubscribedAll?: boolean
  optInStatus?: OptInStatus
  categories: Record<string, boolean>
  exclusive: boolean
}

export const noLinkedPreferences = (): LinkedPreferences => ({ categories: {}, exclusive: false })

/** Whether `linked` changes anything. */
export const changesPreferences = (linked: LinkedPreferences): boolean =>
  linked.unsubscribedAll !== undefined ||
  linked.optInStatus !== undefined ||
  linked.exclusive ||
  Object.keys(linked.categories).length > 0

function setCategory(linked: LinkedPreferences, name: string, subscribed: boolean): void {
  Object.defineProperty(linked.categories, name, {
    value: subscribed,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

/** Category names of a linked value: strings (one, or a list), others noted and left out. */
function categoryNames(key: string, value: unknown, notes: string[]): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  const names = list.filter((v): v is string => typeof v === 'string' && v !== '')
  if (names.length < list.length) {
    notes.push(`'${key}' takes category names (strings); other values were ignored`)
  }
  return names
}

/**
 * Reads the value `value` written for the linked attribute `key` into `linked`; a value that
 * means nothing is noted and ignored (the record is applied otherwise).
 */
export function readLinkedValue(
  key: string,
  value: unknown,
  linked: LinkedPreferences,
  notes: string[],
): void {
  switch (key) {
    case LINKED_ATTRIBUTES.unsubscribe: {
      const text = typeof value === 'string' ? value.toLowerCase() : undefined
      if (typeof value === 'boolean') linked.unsubscribedAll = value
      else if (text === 'true' || text === 'false') linked.unsubscribedAll = text === 'true'
      else notes.push(`'${key}' should be true or false; ${JSON.stringify(value)} was ignored`)
      return
    }
    case LINKED_ATTRIBUTES.optInStatus: {
      const status = OPT_IN_STATUSES.find(
        (s) => typeof value === 'string' && s === value.toUpperCase(),
      )
      if (status !== undefined) linked.optInStatus = status
      else {
        notes.push(
          `'${key}' should be one of ${OPT_IN_STATUSES.join(', ')}; ${JSON.stringify(value)} was ignored`,
        )
      }
      return
    }
    case LINKED_ATTRIBUTES.unsubscribedCategories: {
      // The whole list: these unsubscribed, the others the user unsubscribed from subscribed again.
      linked.categories = {}
      linked.exclusive = true
      for (const name of categoryNames(key, value, notes)) setCategory(linked, name, false)
      return
    }
  }
}

/** `addValueToArrayField` (unsubscribe) or `removeValueFromArrayField` on the category list. */
export function changeLinkedCategories(
  key: string,
  op: 'add' | 'remove',
  value: unknown,
  linked: LinkedPreferences,
  notes: string[],
): void {
  for (const name of categoryNames(key, value, notes)) setCategory(linked, name, op === 'remove')
}

/**
 * `unset_attributes` naming a linked attribute: not unsubscribed from all, or from any category;
 * an opt-in status cannot be unset (send another one).
 */
export function unsetLinked(key: string, linked: LinkedPreferences, notes: string[]): void {
  switch (key) {
    case LINKED_ATTRIBUTES.unsubscribe:
      linked.unsubscribedAll = false
      return
    case LINKED_ATTRIBUTES.unsubscribedCategories:
      linked.categories = {}
      linked.exclusive = true
      return
    case LINKED_ATTRIBUTES.optInStatus:
      notes.push(`'${key}' cannot be unset; send the status instead (README, Consent)`)
      return
  }
}

/**
 * A user's attributes as they are read (Get User, the dashboard): the stored ones without any
 * linked attribute, and the linked attributes of the user's preferences.
 */
export function attributesWithPreferences(
  attributes: AttributeMap,
  view: SubscriptionPreferencesView | undefined,
): AttributeMap {
  const out: AttributeMap = {}
  for (const [key, value] of Object.entries(attributes)) {
    if (!isLinkedAttribute(key)) defineOwn(out, key, value)
  }
  for (const [key, value] of Object.entries(linkedAttributes(view))) defineOwn(out, key, value)
  return out
}
