/**
 * MoEngage's system events of a message sent (issue 21, "the loop closes"): `Email Sent`, `SMS
 * Sent`, `Card Sent` (a card put in an inbox), and for a push the event of its device's platform — `Notification Sent iOS`,
 * `Notification Received Android`, `Notification Received Web` (MoEngage's names: Android and Web
 * have no "sent" event) — and the event `platform` (spec §7.2) of a push platform. The sending
 * families (families/inform, families/push) add them to the user's events through the ingest log,
 * each as the Track Event record systemEventRecord builds.
 */
import type { ParsedRecord } from '../core/records.js'

/** What a message recorded for a user is, for its system event. */
export type SentMessage = Readonly<{
  status: string
  customerId: string | null
  channel: string
  platform: string | null
}>

/** MoEngage's system event of a recorded message, by channel and push platform. */
export function systemEventOf(channel: string, platform: string | null): string | undefined {
  if (channel === 'EMAIL') return 'Email Sent'
  if (channel === 'SMS') return 'SMS Sent'
  // The reference names no card event; MoEngage's card analytics count "Sent" when its server
  // puts the card in the user's inbox (delivery, impression and click are the SDK's).
  if (channel === 'CARDS') return 'Card Sent'
  switch (platform?.toUpperCase()) {
    case 'IOS':
      return 'Notification Sent iOS'
    case 'ANDROID':
      return 'Notification Received Android'
    case 'WEB':
      return 'Notification Received Web'
    default:
      return undefined
  }
}

/** The event platform (spec §7.2 `platform`) of a push device's platform. */
export const EVENT_PLATFORM: Readonly<Record<string, string>> = {
  IOS: 'iOS',
  ANDROID: 'ANDROID',
  WEB: 'web',
}

/**
 * The system event of message `m` as a Track Event record (the user's, on its device's platform,
 * with `attributes`); undefined when it has none: not recorded, no user, or a push to a token of
 * no known device.
 */
export function systemEventRecord(
  m: SentMessage,
  attributes: Readonly<Record<string, unknown>>,
): ParsedRecord | undefined {
  if (m.status !== 'recorded' || m.customerId === null) return undefined
  const action = systemEventOf(m.channel, m.platform)
  if (action === undefined) return undefined
  const platform = m.platform === null ? undefined : EVENT_PLATFORM[m.platform.toUpperCase()]
  return {
    kind: 'event',
    customerId: m.customerId,
    payload: {
      customer_id: m.customerId,
      device_id: m.customerId,
      action,
      attributes,
      ...(platform === undefined ? {} : { platform }),
    },
  }
}
