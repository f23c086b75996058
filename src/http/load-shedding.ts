/**
 * Load shedding (Inlet's own): when the ingestion lag (records accepted and not yet applied) or
 * the process's resident memory passes its configured bound, requests answer 503 `overloaded`
 * with `Retry-After` before any work is done for them, so a sender far above the sustainable rate
 * meets back-pressure instead of a backlog and a heap that grow without limit. Every Data API
 * route (Install info and Test connection included) and Inlet's own `/inlet/v1/…` endpoints are
 * shed through `shedHook`; `GET /healthz` and the admin API never are, so an operator can still
 * see the load and act on it. Lag and memory are sampled at most every `sampleEveryMs` (the lag is
 * a store read), never awaited on the request path.
 */
import type { onRequestHookHandler } from 'fastify'
import { systemClock, type Clock } from '../core/clock.js'
import { AppError } from '../core/errors.js'

export const SHED_SAMPLE_EVERY_MS = 100

export type LoadSample = Readonly<{ lagRecords: number; rssBytes: number; shedding: boolean }>

export type LoadShedder = Readonly<{
  /** Throws 503 overloaded (with Retry-After) while a bound is passed. */
  check(): void
  /** The last sample, for /healthz. */
  last(): LoadSample
  /** Requests shed since start. */
  shed(): number
}>

export function createLoadShedder(options: {
  lagRecords: number
  rssMb: number
  retryAfterSeconds: number
  /** Records accepted and not yet applied. */
  lag: () => Promise<number>
  rss?: () => number
  clock?: Clock
  sampleEveryMs?: number
}): LoadShedder {
  const clock = options.clock ?? systemClock
  const rss = options.rss ?? (() => process.memoryUsage.rss())
  const every = options.sampleEveryMs ?? SHED_SAMPLE_EVERY_MS
  const rssLimit = options.rssMb * 1024 * 1024
  let lagRecords = 0
  let rssBytes = 0
  let sampledAt = Number.NEGATIVE_INFINITY
  let sampling = false
  let shedCount = 0
  const over = (): boolean =>
    (options.lagRecords > 0 && lagRecords > options.lagRecords) ||
    (rssLimit > 0 && rssBytes > rssLimit)

  function sample(now: number): void {
    sampledAt = now
    rssBytes = rss()
    if (options.lagRecords === 0 || sampling) return
    sampling = true
    options.lag().then(
      (records) => {
        lagRecords = records
        sampling = false
      },
      () => {
        sampling = false // a store that cannot answer fails the request itself, not here
      },
    )
  }

  return {
    check: () => {
      if (options.lagRecords === 0 && rssLimit === 0) return
      const now = clock.now()
      if (now - sampledAt >= every || now < sampledAt) sample(now)
      if (!over()) return
      shedCount++
      throw new AppError('overloaded', {
        headers: { 'retry-after': String(options.retryAfterSeconds) },
      })
    },
    last: () => ({ lagRecords, rssBytes, shedding: over() }),
    shed: () => shedCount,
  }
}

/** An onRequest hook that sheds before anything else is done for the request. */
export function shedHook(shedder: LoadShedder): onRequestHookHandler {
  return (_request, _reply, done) => {
    try {
      shedder.check()
      done()
    } catch (err) {
      done(err as Error) // check() throws only AppError
    }
  }
}
