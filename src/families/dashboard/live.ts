/**
 * The live view's stream (`GET /dashboard/api/w/:ws/live`, server-sent events): records of the
 * workspace as they are accepted (read from the ingest log) and as the processor applies them (its
 * cursor, with the outcome rows of what it skipped, killed or applied with notes). Each open stream
 * reads the log every POLL_MS while the browser is connected, so a record shows within a second of
 * its 200 — from whichever process accepted it, since the log is shared. A stream ends once its
 * session has (signed out or its workspace's key rotated through any process, or expired):
 * checked every SESSION_CHECK_MS. Pausing and filtering by kind and user are the browser's.
 */
import type { FastifyInstance } from 'fastify'
import { createEventStreams } from '../../http/event-stream.js'
import type { Store } from '../../store/store.js'
import { CONTENT_SECURITY_POLICY } from './assets.js'
import { API_PREFIX, CONFIG, sessionOf, workspaceOf } from './session-routes.js'
import type { Session, Sessions } from './sessions.js'

export const POLL_MS = 250
/** How often an open stream checks that its session is still live. */
export const SESSION_CHECK_MS = 5_000

/** What a stream's tick needs of its output: to say so and end. */
type StreamOut = Readonly<{ send(event: unknown): void; stop(): void }>

/**
 * A dashboard stream's session check, at most every SESSION_CHECK_MS: true (the stream told
 * `signed_out` and stopped) once the session has ended.
 */
export function sessionWatch(
  sessions: Sessions,
  session: Session,
): (out: StreamOut) => Promise<boolean> {
  let lastCheck = Date.now()
  return async (out) => {
    if (Date.now() - lastCheck < SESSION_CHECK_MS) return false
    lastCheck = Date.now()
    if (await sessions.live(session)) return false
    out.send({ type: 'signed_out' })
    out.stop()
    return true
  }
}
const READ_LIMIT = 1_000

export type LiveStreams = Readonly<{ closeAll(): void }>

export function liveRoutes(
  api: FastifyInstance,
  deps: Readonly<{ store: Store; sessions: Sessions }>,
): LiveStreams {
  const { store } = deps
  const streams = createEventStreams()
  api.get(`${API_PREFIX}/w/:ws/live`, { config: CONFIG }, async (request, reply) => {
    const ws = workspaceOf(request).id
    const session = sessionOf(request)
    let seq = await store.log.lastSeq()
    let cursor = await store.processing.cursor()
    const signedOut = sessionWatch(deps.sessions, session)
    const options = {
      pollMs: POLL_MS,
      name: 'dashboard live stream',
      headers: { 'content-security-policy': CONTENT_SECURITY_POLICY },
    }
    const stream = streams.open(request, reply, options, async (out) => {
      if (await signedOut(out)) return
      const records = await store.log.readAfter(seq, READ_LIMIT)
      for (const r of records) {
        seq = r.seq
        if (r.workspaceId !== ws) continue
        out.send({
          type: 'accepted',
          seq: r.seq,
          kind: r.kind,
          customer_id: r.customerId,
          request_id: r.requestId,
          index: r.index,
          received_at: new Date(r.receivedAt).toISOString(),
          payload: JSON.parse(r.payload) as unknown,
        })
      }
      const now = await store.processing.cursor()
      if (now > cursor) {
        const outcomes = (await store.browse.outcomesAfter(cursor, READ_LIMIT)).filter(
          (o) => o.workspaceId === ws && o.seq <= now,
        )
        out.send({
          type: 'applied',
          up_to: now,
          outcomes: outcomes.map((o) => ({ seq: o.seq, outcome: o.outcome, reason: o.reason })),
        })
        cursor = now
      }
    })
    stream.send({ type: 'hello', seq, applied_up_to: cursor })
  })
  return streams
}
