/**
 * A user's subscription preferences as the profile shows them (Get User's
 * `subscription_preferences`, the dashboard's profile page): per channel, the unsubscribe-all
 * flag, the email opt-in status and each category the user set, with when they last changed; and
 * the rule of what a user is subscribed to. The rows are the store's (store/consent-repo.ts); the
 * requests that write them are the consent family's.
 */
import type {
  CategoryPreferenceRow,
  SubscriptionStatusRow,
  UserSubscriptions,
} from '../store/store.js'

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
