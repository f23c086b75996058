/**
 * The dashboard's campaigns pages (web/src/pages/push-campaigns.tsx, live-activities.tsx): the
 * workspace's Push API sends — each campaign send with its schedule (`campaignDelivery`: soon,
 * later, periodic), its next occurrence, audience, platforms, state and the messages expanded so
 * far, newest first, the MAX_SENDS newest — and its live-activity campaigns, each with its
 * definition and its newest MAX_INSTANCES instances and their state. Read as the store keeps them
 * (store/push-repo.ts `push_runs`, store/live-activity-repo.ts); the send's request is the Push
 * family's parsed body (families/push send.ts), read here field by field as plain JSON, since a
 * family may not import another. The outbox messages of each are the Outbox page's, filtered by
 * source (`push` and the cid; `live_activity` and the campaign id).
 */
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import type { LiveActivityInstanceRow, PushRunRow, Store } from '../../../store/store.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'

/** The newest sends listed. */
export const MAX_SENDS = 200
/** The newest instances listed per live-activity campaign. */
export const MAX_INSTANCES = 50

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

type Json = Readonly<Record<string, unknown>>
const objectOf = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {} // narrowed above
const textOf = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const textsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

/**
 * Where a send stands at `now`: `done` (no occurrence left), `expanding` (an occurrence begun, or a
 * process holding it), `due` (its next occurrence has come and no process has taken it yet) or
 * `scheduled`.
 */
export function sendState(
  run: PushRunRow,
  now: number,
): 'done' | 'expanding' | 'due' | 'scheduled' {
  if (run.nextAt === null) return 'done'
  if (run.cursor !== null || (run.leaseUntil !== null && run.leaseUntil > now)) return 'expanding'
  return run.nextAt <= now ? 'due' : 'scheduled'
}

/** `campaignDelivery` as the send keeps it, in the page's words. */
function scheduleOf(delivery: Json) {
  const type = textOf(delivery['type']) ?? 'soon'
  const at = objectOf(delivery['at'])
  const repeat = delivery['repeatDays']
  return {
    type,
    date: textOf(at['date']),
    time: textOf(at['time']),
    timezone: textOf(at['timezone']),
    repeat_after_days: typeof repeat === 'number' ? repeat : null,
    end_date: textOf(delivery['endDate']),
  }
}

/** Who a send goes to: its audience, and the segment or the users' attribute and values. */
function audienceOf(request: Json) {
  const target = objectOf(request['target'])
  return {
    type: textOf(request['audience']) ?? '',
    segment: textOf(request['segmentName']),
    attribute: textOf(target['attribute']),
    values: textsOf(target['values']),
  }
}

export function sendView(run: PushRunRow, now: number) {
  const request = run.request
  return {
    id: run.id,
    campaign_id: run.campaignId,
    campaign_name: textOf(request['campaignName']) ?? '',
    request_id: run.requestId,
    platforms: textsOf(request['platforms']),
    audience: audienceOf(request),
    schedule: scheduleOf(objectOf(request['delivery'])),
    state: sendState(run, now),
    next_at: iso(run.nextAt),
    occurrence: run.occurrence,
    messages: run.messages,
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
  }
}

/** An instance's state at `now`: an active one whose dismissal time has passed is `dismissed`. */
export function instanceState(i: LiveActivityInstanceRow, now: number): string {
  if (i.state === 'active' && i.dismissalAt !== null && i.dismissalAt <= now) return 'dismissed'
  return i.state
}

export function campaignRoutes(
  api: FastifyInstance,
  deps: Readonly<{ store: Store; clock: Clock }>,
): void {
  const { store, clock } = deps

  api.get(`${API_PREFIX}/w/:ws/push-sends`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request).id
    const rows = await store.push.runs(ws, MAX_SENDS + 1)
    const now = clock.now()
    return {
      sends: rows.slice(0, MAX_SENDS).map((r) => sendView(r, now)),
      more: rows.length > MAX_SENDS,
    }
  })

  api.get(`${API_PREFIX}/w/:ws/live-activities`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request).id
    const now = clock.now()
    const campaigns = await store.liveActivities.campaigns(ws)
    return {
      campaigns: await Promise.all(
        campaigns.map(async (c) => {
          const rows = await store.liveActivities.instances(ws, c.campaignId, MAX_INSTANCES + 1)
          const instances = rows.slice(0, MAX_INSTANCES).map((i) => ({
            instance_id: i.instanceId,
            state: instanceState(i, now),
            started_at: iso(i.startedAt),
            updated_at: iso(i.updatedAt),
            dismissal_at: iso(i.dismissalAt),
            changes: i.changes,
          }))
          return {
            campaign_id: c.campaignId,
            name: c.name,
            version: c.version,
            definition: c.definition,
            created_at: iso(c.createdAt),
            updated_at: iso(c.updatedAt),
            instances,
            more_instances: rows.length > MAX_INSTANCES,
          }
        }),
      ),
    }
  })
}
