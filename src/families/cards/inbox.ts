/**
 * A user's cards as the Cards API answers them (moengage-other-apis.md §2.9;
 * moengage-cards-openapi.yml): the user a request names (`uid`: a customer id, else the e-mail or
 * mobile number of a user; `unique_id`: a device's id), then — fetch — the cards changed since the
 * client's last sync and the ids it must drop, a page of them, each fetch counted on the cards it
 * returned; — delete — the user's cards of the named campaigns on the named platforms marked
 * deleted, so that the next fetch reports them in `deleted_card_ids`; — activity (Inlet's) — a
 * click or an impression, which changes the card for the next sync (a card seen
 * `max_times_to_show` times leaves the inbox: inbox/card-state.ts). Cards are put in inboxes by
 * card campaign sends (inbox/card-sends.ts).
 */
import type { Clock } from '../../core/clock.js'
import { AppError } from '../../core/errors.js'
import { goneAt, isPinned } from '../../inbox/card-state.js'
import type { CardRow, Store } from '../../store/store.js'
import {
  CARD_PLATFORMS,
  type ActivityRequest,
  type CardsUser,
  type DeleteRequest,
  type FetchRequest,
} from './bodies/cards-body.js'

export type CardsDeps = Readonly<{ store: Store; clock: Clock }>

const seconds = (ms: number): number => Math.floor(ms / 1000)

/** The internal id of the user `user` names; AppError `cards_user_not_found` when none. */
export async function userIdOf(
  store: Store,
  workspaceId: string,
  user: CardsUser,
): Promise<string> {
  if (user.uid !== undefined) {
    const uid = user.uid
    const [byCustomer] = await store.profiles.findUsers(workspaceId, {
      customerIds: [uid],
      ids: [],
    })
    if (byCustomer !== undefined) return byCustomer.id
    const [byStandardId] = await store.profiles.matchUsers(workspaceId, {
      customerIds: [],
      userIds: [],
      userAttributes: [
        { key: 'u_em', value: uid, caseInsensitive: true },
        { key: 'u_mb', value: uid },
      ],
      deviceAttributes: [],
    })
    if (byStandardId !== undefined) return byStandardId.id
  }
  if (user.uniqueId !== undefined) {
    const id = await store.cards.userOfDevice(workspaceId, user.uniqueId)
    if (id !== undefined) return id
  }
  throw new AppError('cards_user_not_found')
}

/** The card as fetch answers it (the `Card` schema), its fetch counted for `key` at `now`. */
export function wireCard(card: CardRow, key: string, now: number): Record<string, unknown> {
  const shown = card.showCounts[key]
  return {
    ...card.content,
    created_at: seconds(card.createdAt),
    updated_at: seconds(card.updatedAt),
    user_activity: {
      is_clicked: card.clicked,
      first_seen: card.firstSeen === null ? 0 : seconds(card.firstSeen),
      first_delivered: seconds(card.firstDelivered ?? now),
      show_count: { ...card.showCounts, [key]: (typeof shown === 'number' ? shown : 0) + 1 },
    },
  }
}

/** Pinned cards first, then the most recently changed, then by id. */
const order = (a: CardRow, b: CardRow): number =>
  Number(isPinned(b)) - Number(isPinned(a)) ||
  b.updatedAt - a.updatedAt ||
  (a.cardId < b.cardId ? -1 : 1)

/** Fetch: `{cards, deleted_card_ids}` for the request's user. */
export async function fetchCards(
  deps: CardsDeps,
  workspaceId: string,
  request: FetchRequest,
): Promise<{ cards: Record<string, unknown>[]; deleted_card_ids: string[] }> {
  const { store, clock } = deps
  const userId = await userIdOf(store, workspaceId, request.user)
  const now = clock.now()
  const all = await store.cards.ofUser(workspaceId, userId)
  const wanted = (c: CardRow): boolean =>
    (request.platforms as readonly string[]).includes(c.platform) &&
    (request.category === undefined || c.category === request.category)
  const since = request.lastUpdatedTime === undefined ? undefined : request.lastUpdatedTime * 1000
  const prev = request.prevSyncCardIds === undefined ? undefined : new Set(request.prevSyncCardIds)
  const active = all.filter((c) => goneAt(c, now) === null)
  const changed = active
    .filter(wanted)
    .filter(
      (c) =>
        since === undefined || c.updatedAt > since || (prev !== undefined && !prev.has(c.cardId)),
    )
    .sort(order)
  const activeIds = new Set(active.map((c) => c.cardId))
  // Gone since the last sync: a card the client had that is no longer in the inbox, or one
  // deleted, expired or shown out (max_times_to_show) after the client's last sync.
  const deleted = new Set<string>()
  for (const id of prev ?? []) if (!activeIds.has(id)) deleted.add(id)
  if (since !== undefined) {
    for (const c of all) {
      if (activeIds.has(c.cardId) || !wanted(c)) continue
      const gone = goneAt(c, now)
      if (gone !== null && gone > since) deleted.add(c.cardId)
    }
  }
  const start = (request.page - 1) * (request.limit ?? changed.length)
  const page =
    request.limit === undefined
      ? request.page === 1
        ? changed
        : []
      : changed.slice(start, start + request.limit)
  const key = request.user.uid ?? request.user.uniqueId ?? ''
  if (page.length > 0) {
    await store.cards.recordFetch(
      workspaceId,
      userId,
      page.map((c) => c.cardId),
      key,
      now,
    )
  }
  return {
    cards: page.map((c) => wireCard(c, key, now)),
    deleted_card_ids: [...deleted].sort(),
  }
}

/** Delete: per platform, the campaign ids deleted (`success`) and those the user had none of. */
export async function deleteCards(
  deps: CardsDeps,
  workspaceId: string,
  request: DeleteRequest,
): Promise<Record<string, { success: string[]; failed: string[]; invalid: string[] }>> {
  const { store, clock } = deps
  const userId = await userIdOf(store, workspaceId, request.user)
  const ids = request.platforms.flatMap((p) => request.campaignIds.map((cid) => `${cid}_${p}`))
  const removed = new Set(await store.cards.remove(workspaceId, userId, ids, clock.now()))
  const data: Record<string, { success: string[]; failed: string[]; invalid: string[] }> = {}
  for (const platform of CARD_PLATFORMS) {
    if (!request.platforms.includes(platform)) continue
    const success = request.campaignIds.filter((cid) => removed.has(`${cid}_${platform}`))
    const invalid = request.campaignIds.filter((cid) => !removed.has(`${cid}_${platform}`))
    data[platform] = { success, failed: [], invalid }
  }
  return data
}

/** Activity: the user clicked or saw the card; AppError when the user has no such card. */
export async function recordActivity(
  deps: CardsDeps,
  workspaceId: string,
  request: ActivityRequest,
): Promise<void> {
  const userId = await userIdOf(deps.store, workspaceId, request.user)
  const found = await deps.store.cards.recordActivity(
    workspaceId,
    userId,
    request.cardId,
    { ...(request.clicked ? { clicked: true } : {}), ...(request.seen ? { seen: true } : {}) },
    deps.clock.now(),
  )
  if (!found) {
    throw new AppError('cards_field_invalid', {
      params: { attribute: 'card_id', detail: `the user has no card '${request.cardId}'` },
    })
  }
}
