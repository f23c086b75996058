/**
 * The dashboard's outbox page (web/src/pages/outbox.tsx): the workspace's messages newest first
 * under the filters of `GET /inlet/v1/outbox` (user, channel, status, time; the same views and
 * cursors, http/outbox-view.ts, each with the internal id of its user's profile), and a server-sent-events stream of its messages as they are
 * recorded and change (sent, retried, failed, redacted) — the outbox tail, read from the store
 * every POLL_MS, under the session: it ends once the session has (checked every
 * SESSION_CHECK_MS). A bad filter is `dashboard_invalid_input` naming the parameter.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../../core/errors.js'
import { createEventStreams } from '../../../http/event-stream.js'
import { filterOf, outboxPage, readTail } from '../../../http/outbox-view.js'
import type { OutboxFilter, Store } from '../../../store/store.js'
import { CONTENT_SECURITY_POLICY } from '../assets.js'
import { POLL_MS, sessionWatch, type LiveStreams } from '../live.js'
import { API_PREFIX, CONFIG, sessionOf, workspaceOf } from '../session-routes.js'
import type { Sessions } from '../sessions.js'

type Query = Record<string, string | string[] | undefined>

/** The outbox's filter errors in the dashboard's words. */
async function asDashboardInput<T>(read: () => Promise<T> | T): Promise<T> {
  try {
    return await read()
  } catch (err) {
    if (err instanceof AppError && err.code === 'outbox_filter_invalid') {
      throw new AppError('dashboard_invalid_input', { params: err.params })
    }
    throw err
  }
}

export function outboxRoutes(
  api: FastifyInstance,
  deps: Readonly<{ store: Store; sessions: Sessions }>,
): LiveStreams {
  const { store } = deps
  const queryOf = (request: FastifyRequest): Query => request.query as Query // parsed query string

  // Each message with the internal id of its user's profile (null: no such user now), to link it.
  api.get(`${API_PREFIX}/w/:ws/outbox`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request).id
    const page = await asDashboardInput(() => outboxPage(store, ws, queryOf(request)))
    const customerIds = [...new Set(page.messages.flatMap((m) => m.user_id ?? []))]
    const users =
      customerIds.length === 0 ? [] : await store.profiles.findUsers(ws, { customerIds, ids: [] })
    const profiles = new Map(users.map((u) => [u.customerId, u.id]))
    return {
      ...page,
      messages: page.messages.map((m) => ({
        ...m,
        profile_id: m.user_id === null ? null : (profiles.get(m.user_id) ?? null),
      })),
    }
  })

  const streams = createEventStreams()
  api.get(`${API_PREFIX}/w/:ws/outbox/tail`, { config: CONFIG }, async (request, reply) => {
    const ws = workspaceOf(request).id
    const session = sessionOf(request)
    const filter: OutboxFilter = await asDashboardInput(() => filterOf(queryOf(request)))
    let rev = await store.outbox.lastRev(ws)
    const signedOut = sessionWatch(deps.sessions, session)
    const options = {
      pollMs: POLL_MS,
      name: 'dashboard outbox stream',
      headers: { 'content-security-policy': CONTENT_SECURITY_POLICY },
    }
    const stream = streams.open(request, reply, options, async (out) => {
      if (await signedOut(out)) return
      rev = await readTail(store, ws, rev, filter, (view) =>
        out.send({ type: 'message', message: view }),
      )
    })
    stream.send({ type: 'hello', rev })
  })
  return streams
}
