/**
 * The dashboard's users: the list and the searches (`GET /dashboard/api/w/:ws/users`: by
 * `customer_id`, email or mobile prefix, internal id, or an attribute's value; store/browse.ts),
 * one profile (attributes with their types, devices with push state, identity links, merges with
 * both users' customer_ids), its event timeline newest first, its subscription preferences
 * (families/consent), and the undo of one of its merges (logged like
 * `POST /inlet/v1/merges/{id}/undo`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import type { Ingest } from '../../../ingest/accept.js'
import { USER_SEARCH_KINDS, type UserSearchKind } from '../../../store/browse.js'
import type { MergeRow, Store, UserRow } from '../../../store/store.js'
import { isDateValue } from '../../../profile/attribute-values.js'
import {
  attributesWithPreferences,
  subscribedTo,
  subscriptionViews,
} from '../../../profile/subscriptions.js'
import { readSettings } from '../../../workspaces/settings.js'
import { cardState, cardTexts } from '../../../inbox/card-state.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'
import { PAGE_SIZE, decodePage, encodePage, intParam, oneOfParam, param } from '../paging.js'
import { typedAttributes } from './attribute-types.js'

const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * How long an attribute search's page examines users before it answers what it found with a
 * **More** (store/browse.ts `stopScan`, asked between chunks of ATTRIBUTE_SCAN_CHUNK users): a page
 * answers in about this much plus one chunk's time however rarely the value occurs
 * (docs/dashboard.md, Users). A page whose matches are common fills up well before.
 */
export const ATTRIBUTE_PAGE_BUDGET_MS = 50

function userSummary(u: UserRow) {
  const a = u.attributes
  return {
    id: u.id,
    customer_id: u.customerId,
    email: typeof a['u_em'] === 'string' ? a['u_em'] : null,
    mobile: scalarText(a['u_mb']),
    name: [a['u_fn'], a['u_ln']].filter((v) => typeof v === 'string').join(' ') || null,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
  }
}

/** The customer_ids both users had before the merge (its before-image); null where none. */
function customerIdsOf(m: MergeRow): { retained: string | null; merged: string | null } {
  try {
    // steps/apply-merge.ts MergeImage, as JSON: read defensively, a field at a time.
    const image = JSON.parse(m.before) as {
      before?: { retained?: { customerId?: unknown }; merged?: { customerId?: unknown } }
    }
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)
    return {
      retained: text(image.before?.retained?.customerId),
      merged: text(image.before?.merged?.customerId),
    }
  } catch {
    return { retained: null, merged: null }
  }
}

function mergeView(m: MergeRow) {
  const customerIds = customerIdsOf(m)
  return {
    merge_id: m.id,
    request_id: m.requestId,
    retained_user_id: m.retainedUserId,
    retained_customer_id: customerIds.retained,
    merged_user_id: m.mergedUserId,
    merged_customer_id: customerIds.merged,
    at: iso(m.at),
    undone_at: m.undoneAt === null ? null : iso(m.undoneAt),
  }
}

export function userRoutes(
  api: FastifyInstance,
  deps: Readonly<{ store: Store; ingest: Ingest; clock: Clock }>,
): void {
  const { store, clock } = deps
  const userOf = async (request: FastifyRequest): Promise<UserRow> => {
    const ws = workspaceOf(request)
    const { id } = request.params as { id: string } // route param
    const [user] = await store.profiles.findUsers(ws.id, { customerIds: [], ids: [id] })
    if (user === undefined)
      throw new AppError('dashboard_not_found', { params: { what: 'user', id } })
    return user
  }

  api.get(`${API_PREFIX}/w/:ws/users`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const q = request.query
    const value = (param(q, 'q') ?? '').trim()
    const kind: UserSearchKind =
      oneOfParam(q, 'by', USER_SEARCH_KINDS) ?? (value === '' ? 'all' : 'customer_id')
    const key = param(q, 'key')?.trim()
    const until = clock.now() + ATTRIBUTE_PAGE_BUDGET_MS
    const page = await store.browse.searchUsers({
      workspaceId: ws.id,
      kind: value === '' && kind !== 'all' ? 'all' : kind,
      value,
      ...(key === undefined || key === '' ? {} : { key }),
      ...optional('after', decodePage(param(q, 'page'))),
      limit: intParam(q, 'limit', 1, 200) ?? PAGE_SIZE,
      stopScan: () => clock.now() >= until,
    })
    return { users: page.users.map(userSummary), next_page: encodePage(page.next) }
  })

  api.get(`${API_PREFIX}/w/:ws/users/:id`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const user = await userOf(request)
    const [devices, merges, links, [newest], subscriptions] = await Promise.all([
      store.profiles.devicesOfUser(ws.id, user.id),
      store.profiles.mergesOfUsers(ws.id, [user.id]),
      store.browse.identityLinks(ws.id, user.id),
      store.browse.userEvents(ws.id, user.id, undefined, 1),
      store.consent.subscriptionsOf(ws.id, [user.id]),
    ])
    const platforms = [...new Set(devices.map((d) => d.platform).filter((p) => p !== null))]
    const listed = user.attributes['platforms']
    return {
      user: userSummary(user),
      last_seen: lastSeen(user, newest?.eventTime),
      // The attributes linked to the preferences (moe_unsubscribe, …) as the preferences say.
      attributes: typedAttributes(
        attributesWithPreferences(user.attributes, subscriptionViews(subscriptions).get(user.id)),
      ),
      platforms: Array.isArray(listed) ? listed.map(String) : platforms,
      devices: devices.map((d) => ({
        device_id: d.deviceId,
        platform: d.platform,
        push_id: d.pushId,
        push: pushState(d.attributes, d.pushId),
        created_at: iso(d.createdAt),
        updated_at: iso(d.updatedAt),
        attributes: typedAttributes(d.attributes),
      })),
      identities: identitiesOf(user),
      identity_resolution: readSettings(ws.settings).identityResolution,
      identity_links: links,
      merges: merges.sort((a, b) => b.id - a.id).map(mergeView),
    }
  })

  // The user's Cards inbox (families/cards, inbox/): each card with its state and activity.
  api.get(`${API_PREFIX}/w/:ws/users/:id/cards`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const user = await userOf(request)
    const now = clock.now()
    const cards = await store.cards.ofUser(ws.id, user.id)
    return {
      cards: cards.map((c) => ({
        card_id: c.cardId,
        campaign_id: c.campaignId,
        platform: c.platform,
        category: c.category,
        ...cardTexts(c),
        state: cardState(c, now),
        clicked: c.clicked,
        seen_count: c.seenCount,
        first_seen: c.firstSeen === null ? null : iso(c.firstSeen),
        first_delivered: c.firstDelivered === null ? null : iso(c.firstDelivered),
        created_at: iso(c.createdAt),
        updated_at: iso(c.updatedAt),
      })),
    }
  })

  // The user's subscription preferences (families/consent) against the workspace's categories.
  api.get(`${API_PREFIX}/w/:ws/users/:id/subscriptions`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const user = await userOf(request)
    const [categories, rows] = await Promise.all([
      store.consent.categories(ws.id),
      store.consent.subscriptionsOf(ws.id, [user.id]),
    ])
    const view = subscriptionViews(rows).get(user.id) ?? {}
    const email = view['email']
    const status = rows.statuses.find((s) => s.channel === 'email')
    return {
      channels: view,
      categories: categories.map((c) => ({
        name: c.name,
        description: c.description,
        active: c.active,
        chosen: email?.categories[c.name] ?? null,
        subscribed: subscribedTo(status, email?.categories[c.name]),
      })),
      plain_link_ids: readSettings(ws.settings).plainLinkIds,
    }
  })

  api.get(`${API_PREFIX}/w/:ws/users/:id/events`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const user = await userOf(request)
    const after = decodePage(param(request.query, 'page'))
    const limit = intParam(request.query, 'limit', 1, 200) ?? PAGE_SIZE
    const position =
      after === undefined ? undefined : ([Number(after[0]), Number(after[1])] as const)
    const events = await store.browse.userEvents(ws.id, user.id, position, limit)
    const last = events.at(-1)
    return {
      events: events.map((e) => ({
        seq: e.seq,
        name: e.name,
        event_time: iso(e.eventTime),
        user_time: e.userTime === null ? null : iso(e.userTime),
        received_at: iso(e.receivedAt),
        platform: e.platform,
        app_version: e.appVersion,
        device_id: e.deviceId,
        request_id: e.requestId,
        attributes: typedAttributes(e.attributes),
      })),
      next_page:
        events.length === limit && last !== undefined
          ? encodePage([last.eventTime, last.seq])
          : null,
    }
  })

  api.post(`${API_PREFIX}/w/:ws/merges/:merge_id/undo`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const { merge_id: given } = request.params as { merge_id: string } // route param
    const id = /^\d{1,15}$/.test(given) ? Number(given) : undefined
    const merge = id === undefined ? undefined : await store.profiles.merge(ws.id, id)
    if (merge === undefined || id === undefined) {
      throw new AppError('dashboard_not_found', { params: { what: 'merge', id: given } })
    }
    const image = JSON.parse(merge.before) as { before: { merged: { customerId: string | null } } }
    await deps.ingest.accept({ workspaceId: ws.id, requestId: request.id, api: 'dashboard' }, [
      { kind: 'merge_undo', customerId: image.before.merged.customerId, payload: { merge_id: id } },
    ])
    return { status: 'accepted', request_id: request.id }
  })
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

/**
 * When the user was last seen: the later of its `last_seen` attribute (`u_l_a`, as an SDK or Track
 * User sets it) and its newest event's time; null when it has neither.
 */
function lastSeen(user: UserRow, newestEventTime: number | undefined): string | null {
  const attribute = user.attributes['u_l_a']
  const times = [
    ...(isDateValue(attribute) ? [Date.parse(attribute.$date)] : []),
    ...(newestEventTime === undefined ? [] : [newestEventTime]),
  ].filter((t) => Number.isFinite(t))
  return times.length === 0 ? null : iso(Math.max(...times))
}

/** spec §7.5: a device's push is blocked by Device Opt-out; without a push id it has none. */
function pushState(attributes: Record<string, unknown>, pushId: string | null): string {
  if (attributes['push_blocked'] === true) return 'blocked'
  return pushId === null ? 'no push token' : 'reachable'
}

/** The user's own keys: its internal id and customer_id (identity links are the store's). */
function identitiesOf(user: UserRow) {
  const out: { type: string; value: string }[] = [{ type: 'id', value: user.id }]
  if (user.customerId !== null) out.push({ type: 'customer_id', value: user.customerId })
  return out
}

/** A string or number attribute as text; null for anything else. */
function scalarText(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null
}
