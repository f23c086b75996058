/**
 * `GET /inlet/v1/outbox` and `GET /inlet/v1/outbox/tail` (Inlet's extensions, issue 21 "looking
 * at it"): the workspace's messages newest first, filtered and paged by an opaque cursor; and a
 * server-sent-events stream of its messages as they are recorded and as they change (sent,
 * retried, failed, redacted), one `message` event each (`id:` its rev, `data:` its view), from
 * `?after=` (0: every message at its latest), a reconnecting client's `Last-Event-ID`, or else
 * from now. The stream reads the store every POLL_MS, so it sees the
 * messages of every process on the store, and ends when the client goes or the server closes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Store } from '../../store/store.js'
import { workspaceOf } from '../../http/route.js'
import type { RouteConfig } from '../../http/error-handler.js'
import { createEventStreams, type EventStreams } from '../../http/event-stream.js'
import { cursorOf, filterOf, listingOf, matches, messageView, tailStartOf } from './view.js'

export const OUTBOX_URL = '/inlet/v1/outbox'
export const TAIL_URL = '/inlet/v1/outbox/tail'
export const POLL_MS = 200
const READ_LIMIT = 500

type Query = Record<string, string | string[] | undefined>

export function outboxRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): EventStreams {
  const { store } = deps
  const config: RouteConfig = { family: 'outbox' }
  const queryOf = (request: FastifyRequest): Query => request.query as Query // parsed query string

  api.get(OUTBOX_URL, { config }, async (request) => {
    const { filter, limit } = listingOf(queryOf(request))
    const rows = await store.outbox.list(workspaceOf(request), filter, limit + 1)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      status: 'success',
      messages: page.map(messageView),
      next_cursor: rows.length > limit && last !== undefined ? cursorOf(last.seq) : null,
    }
  })

  const streams = createEventStreams()
  api.get(TAIL_URL, { config }, async (request, reply) => {
    const ws = workspaceOf(request)
    const query = queryOf(request)
    const filter = filterOf(query)
    const lastEventId = request.headers['last-event-id']
    let rev =
      tailStartOf(query, Array.isArray(lastEventId) ? lastEventId[0] : lastEventId) ??
      (await store.outbox.lastRev(ws))
    const options = { pollMs: POLL_MS, firstDelayMs: 0, name: 'outbox tail' }
    const stream = streams.open(request, reply, options, async (out) => {
      for (;;) {
        const rows = await store.outbox.after(ws, rev, READ_LIMIT)
        for (const m of rows) {
          rev = m.rev
          if (matches(m, filter)) out.send(messageView(m), { event: 'message', id: m.rev })
        }
        if (rows.length < READ_LIMIT) return
      }
    })
    stream.comment(`outbox of ${ws} after ${rev}`)
  })
  return streams
}
