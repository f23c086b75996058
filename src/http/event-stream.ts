/**
 * A server-sent-events stream that follows the store by polling (the dashboard's live view, the
 * outbox tail): the reply hijacked and its headers written, `tick` run every `pollMs` (its first
 * run at once unless `firstDelayMs` says otherwise), a comment line as heartbeat when nothing was
 * written for `heartbeatMs`, and the stream ended when the client goes, `tick` fails (logged) or
 * `closeAll` is called (server shutdown). What a tick writes is its caller's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'

export type EventStreamOptions = Readonly<{
  pollMs: number
  heartbeatMs?: number
  firstDelayMs?: number
  /** Headers beside the event-stream type and no-store caching. */
  headers?: Readonly<Record<string, string>>
  /** What a failed tick is logged as. */
  name: string
}>

/** One open stream: writes, and ends it. */
export type EventStream = Readonly<{
  /** Writes one event (`data` as JSON, with `event:` and `id:` lines when given). */
  send(data: unknown, fields?: Readonly<{ event?: string; id?: string | number }>): void
  /** Writes a comment line. */
  comment(text: string): void
  stop(): void
}>

/** The open streams of one family, so that shutdown can end them. */
export type EventStreams = Readonly<{
  open(
    request: FastifyRequest,
    reply: FastifyReply,
    options: EventStreamOptions,
    tick: (stream: EventStream) => Promise<void>,
  ): EventStream
  closeAll(): void
}>

const HEARTBEAT_MS = 15_000

export function createEventStreams(): EventStreams {
  const open = new Set<() => void>()
  return {
    open(request, reply, options, tick) {
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        ...options.headers,
      })
      let stopped = false
      let timer: NodeJS.Timeout | undefined
      let lastWrite = Date.now()
      const write = (text: string): void => {
        raw.write(text)
        lastWrite = Date.now()
      }
      const stop = (): void => {
        if (stopped) return
        stopped = true
        clearTimeout(timer)
        open.delete(stop)
        raw.end()
      }
      const stream: EventStream = {
        send: (data, fields = {}) =>
          write(
            `${fields.event === undefined ? '' : `event: ${fields.event}\n`}${
              fields.id === undefined ? '' : `id: ${fields.id}\n`
            }data: ${JSON.stringify(data)}\n\n`,
          ),
        comment: (text) => write(`: ${text}\n\n`),
        stop,
      }
      open.add(stop)
      raw.on('close', stop)
      const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
      const loop = (delay: number): void => {
        timer = setTimeout(() => {
          tick(stream).then(
            () => {
              if (stopped) return
              if (Date.now() - lastWrite > heartbeatMs) stream.comment('still here')
              loop(options.pollMs)
            },
            (err: unknown) => {
              request.log.warn({ err }, `${options.name} failed`)
              stop()
            },
          )
        }, delay)
      }
      loop(options.firstDelayMs ?? options.pollMs)
      return stream
    },
    closeAll: () => [...open].forEach((stop) => stop()),
  }
}
