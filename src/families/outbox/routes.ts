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
import { filterOf, outboxPage, readTail, tailStartOf } from '../../http/outbox-view.js'

export const OUTBOX_URL = '/inlet/v1/outbox'
export const TAIL_URL = '/inlet/v1/outbox/tail'
export const POLL_MS = 200

type Query = Record<string, string | string[] | undefined>

export function outboxRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): EventStreams {
  const { store } = deps
  const config: RouteConfig = { family: 'outbox' }
  const queryOf = (request: FastifyRequest): Query => request.query as Query // parsed query string

  api.get(OUTBOX_URL, { config }, async (request) => ({
    status: 'success',
    ...(await outboxPage(store, workspaceOf(request), queryOf(request))),
  }))

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
      rev = await readTail(store, ws, rev, filter, (view) =>
        out.send(view, { event: 'message', id: view.rev }),
      )
    })
    stream.comment(`outbox of ${ws} after ${rev}`)
  })
  return streams
}
