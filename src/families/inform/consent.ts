/**
 * Why a message must not be sent (issue 21, "consent and opt-outs honoured"): the rules, each
 * giving the reason the outbox records with status `suppressed`. GDPR: the recipient (an e-mail
 * or mobile number) or the user's customer_id is on the workspace's suppression list (spec
 * §7.12). EMAIL: the profile's `moe_spam` or `moe_hard_bounce` (spec §8.1: true means no email),
 * the consent store's unsubscribe-all (which `moe_unsubscribe` true writes: profile/subscriptions.ts
 * LINKED_ATTRIBUTES), an opt-in status of `OPTED_OUT`, or
 * the alert's subscription category unsubscribed (store/consent-repo.ts). SMS: the profile's
 * `moe_sms_subscription` false. PUSH: the device of the token blocked by Device Opt-out (spec
 * §7.5). A user is the one `user_id` names (a customer_id); without one only the suppression list
 * applies. Everything a request needs is read once (loadConsent), then decided per channel
 * without I/O (suppressionOf).
 */
import { suppressionHash } from '../../privacy/gdpr.js'
import type { GdprIdentityType } from '../../core/records.js'
import { subscribedTo } from '../../profile/subscriptions.js'
import type {
  DeviceRow,
  OutboxChannel,
  Store,
  SubscriptionStatusRow,
  UserRow,
} from '../../store/store.js'

/** What one request's consent decisions read: the user, its devices and email rows, the list. */
export type ConsentState = Readonly<{
  /** The request's `user_id`. */
  customerId: string | undefined
  user: UserRow | undefined
  devices: readonly DeviceRow[]
  email: SubscriptionStatusRow | undefined
  /** The user's category choices on email, by category name. */
  categories: ReadonlyMap<string, boolean>
  /** The hashes (of the ones asked about) on the suppression list. */
  suppressed: ReadonlySet<string>
}>

/** The GDPR identity a channel's recipient is. */
const RECIPIENT_IDENTITY: Readonly<Partial<Record<OutboxChannel, GdprIdentityType>>> = {
  EMAIL: 'email',
  SMS: 'mobile',
}

/** The suppression-list hashes asked about for `recipients` and `customerId`. */
function hashesOf(
  workspaceId: string,
  customerId: string | undefined,
  recipients: ReadonlyMap<OutboxChannel, string>,
): string[] {
  const hashes: string[] = []
  if (customerId !== undefined) hashes.push(suppressionHash(workspaceId, 'ID', customerId))
  for (const [channel, recipient] of recipients) {
    const type = RECIPIENT_IDENTITY[channel]
    if (type !== undefined) hashes.push(suppressionHash(workspaceId, type, recipient))
  }
  return hashes
}

/** Reads what the decisions of one request need (a few indexed reads; none without a user). */
export async function loadConsent(
  store: Store,
  workspaceId: string,
  customerId: string | undefined,
  recipients: ReadonlyMap<OutboxChannel, string>,
): Promise<ConsentState> {
  const hashes = hashesOf(workspaceId, customerId, recipients)
  const suppressed = (await store.profiles.hasSuppressions(workspaceId))
    ? new Set(await store.profiles.suppressed(workspaceId, hashes))
    : new Set<string>()
  const [user] =
    customerId === undefined
      ? []
      : await store.profiles.findUsers(workspaceId, { customerIds: [customerId], ids: [] })
  if (user === undefined) {
    return { customerId, user, devices: [], email: undefined, categories: new Map(), suppressed }
  }
  const devices = recipients.has('PUSH')
    ? await store.profiles.devicesOfUser(workspaceId, user.id)
    : []
  const rows = recipients.has('EMAIL')
    ? await store.consent.subscriptionsOf(workspaceId, [user.id])
    : { statuses: [], preferences: [] }
  return {
    customerId,
    user,
    devices,
    email: rows.statuses.find((s) => s.channel === 'email'),
    categories: new Map(
      rows.preferences.filter((p) => p.channel === 'email').map((p) => [p.category, p.subscribed]),
    ),
    suppressed,
  }
}

const isTrue = (v: unknown): boolean => v === true || v === 'true'
const isFalse = (v: unknown): boolean => v === false || v === 'false'

/** The device a push token belongs to, among the user's. */
export function deviceOfToken(state: ConsentState, token: string): DeviceRow | undefined {
  return state.devices.find((d) => d.pushId === token)
}

/** The reason `channel`'s message to `recipient` is suppressed, or undefined when it may go. */
export function suppressionOf(
  state: ConsentState,
  workspaceId: string,
  channel: OutboxChannel,
  recipient: string,
  category: string | undefined,
): string | undefined {
  const type = RECIPIENT_IDENTITY[channel]
  if (type !== undefined && state.suppressed.has(suppressionHash(workspaceId, type, recipient))) {
    return `GDPR: the recipient (${type}) was erased by a GDPR request and is on the workspace's suppression list`
  }
  const id = state.customerId
  if (id !== undefined && state.suppressed.has(suppressionHash(workspaceId, 'ID', id))) {
    return "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list"
  }
  const user = state.user
  if (user === undefined) return undefined
  const a = user.attributes
  switch (channel) {
    case 'EMAIL':
      if (isTrue(a['moe_spam'])) return 'marked email as spam (moe_spam)'
      if (isTrue(a['moe_hard_bounce'])) return 'email address hard-bounced (moe_hard_bounce)'
      if (state.email?.unsubscribedAll === true)
        return 'unsubscribed from all email (moe_unsubscribe or unsubscribe-all)'
      if (state.email?.optInStatus === 'OPTED_OUT') return 'email opt-in status is OPTED_OUT'
      if (category !== undefined && !subscribedTo(state.email, state.categories.get(category))) {
        return `unsubscribed from the subscription category '${category}'`
      }
      return undefined
    case 'SMS':
      return isFalse(a['moe_sms_subscription'])
        ? 'opted out of SMS (moe_sms_subscription is false)'
        : undefined
    case 'PUSH':
      return isTrue(deviceOfToken(state, recipient)?.attributes['push_blocked'])
        ? "push is blocked on this token's device (Device Opt-out)"
        : undefined
  }
}
