/**
 * Where a card stands in its user's inbox (families/cards' fetch, the dashboard's profile page):
 * when its display controls make it leave — `expire_at` (epoch seconds), or
 * `expire_after_delivered` seconds after its first delivery, whichever is first; or
 * `max_times_to_show` impressions reported (`seen`), from the last of them — and whether it is in
 * the inbox at a time (not deleted, not expired, not shown out); its title and message as the
 * card shows them.
 */
import type { CardRow } from '../store/store.js'

const controlsOf = (card: CardRow): Readonly<Record<string, unknown>> => {
  const controls = card.content['display_controls']
  return typeof controls === 'object' && controls !== null
    ? (controls as Record<string, unknown>) // written by cardContent (card-sends.ts)
    : {}
}

/** When the card leaves the inbox by its display controls (epoch ms), or null: never. */
export function expiresAt(card: CardRow): number | null {
  const { expire_at: at, expire_after_delivered: after } = controlsOf(card)
  const times = [
    typeof at === 'number' ? at * 1000 : null,
    typeof after === 'number' && card.firstDelivered !== null
      ? card.firstDelivered + after * 1000
      : null,
  ].filter((t): t is number => t !== null)
  return times.length === 0 ? null : Math.min(...times)
}

/** Whether the card was seen `max_times_to_show` times (it is shown no more). */
export function isShownOut(card: CardRow): boolean {
  const max = controlsOf(card)['max_times_to_show']
  return typeof max === 'number' && card.seenCount >= max
}

/**
 * When the card left the inbox, if it did by `now`: deleted, expired, or shown out (at its last
 * change, the impression that reached the most); null while it is in the inbox.
 */
export function goneAt(card: CardRow, now: number): number | null {
  if (card.deletedAt !== null) return card.deletedAt
  const expiry = expiresAt(card)
  if (expiry !== null && expiry <= now) return expiry
  return isShownOut(card) ? card.updatedAt : null
}

/** In the inbox at `now`: not deleted, not expired, not shown out. */
export const isActive = (card: CardRow, now: number): boolean => goneAt(card, now) === null

/** Whether the card is pinned at the top of the inbox. */
export const isPinned = (card: CardRow): boolean => controlsOf(card)['is_pin'] === true

/** `in inbox`, `deleted`, `expired` or `shown out` at `now`. */
export function cardState(
  card: CardRow,
  now: number,
): 'in inbox' | 'deleted' | 'expired' | 'shown out' {
  if (card.deletedAt !== null) return 'deleted'
  const expiry = expiresAt(card)
  if (expiry !== null && expiry <= now) return 'expired'
  return isShownOut(card) ? 'shown out' : 'in inbox'
}

/** The card's title and message: the text widgets of its container, in order. */
export function cardTexts(card: CardRow): { title: string; message: string } {
  const data = card.content['template_data'] as
    { containers?: { widgets?: { type?: unknown; content?: unknown }[] }[] } | undefined // written by cardContent (card-sends.ts)
  const texts = (data?.containers?.[0]?.widgets ?? [])
    .filter((w) => w.type === 'text' && typeof w.content === 'string')
    .map((w) => String(w.content))
  return { title: texts[0] ?? '', message: texts[1] ?? '' }
}
