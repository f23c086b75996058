/**
 * Where a card stands in its user's inbox (families/cards' fetch, the dashboard's profile page):
 * when its display controls make it leave — `expire_at` (epoch seconds), or
 * `expire_after_delivered` seconds after its first delivery, whichever is first — and whether it
 * is in the inbox at a time (not deleted, not expired); its title and message as the card shows
 * them.
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

/** In the inbox at `now`: not deleted, not expired. */
export function isActive(card: CardRow, now: number): boolean {
  const expiry = expiresAt(card)
  return card.deletedAt === null && (expiry === null || expiry > now)
}

/** Whether the card is pinned at the top of the inbox. */
export const isPinned = (card: CardRow): boolean => controlsOf(card)['is_pin'] === true

/** `in inbox`, `deleted` or `expired` at `now`. */
export function cardState(card: CardRow, now: number): 'in inbox' | 'deleted' | 'expired' {
  if (card.deletedAt !== null) return 'deleted'
  return isActive(card, now) ? 'in inbox' : 'expired'
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
