/**
 * Refused records, counted for the dashboard's workspace page durably and off the path of a 200.
 * A refusal is an answer other than 2xx to a request whose credentials a workspace's key accepted
 * (the gateway's `verifiedWorkspaceId`, set before its remaining checks): the gateway's later
 * refusals (workspace ids that disagree, the app-key header, the account's state, the
 * Content-Type), quotas and rate limits (429), bodies refused (400, 413) — never a request whose
 * key no workspace accepted, since anybody can name a workspace. `countRefusals` installs the
 * onResponse hook that sees them for one family; the counter adds each one's records to a sum in
 * memory per (workspace, minute, API), and every second, and when the app closes, adds the sums it
 * holds to the store (Store `refusals`) in one write. So the chart reads the same from every
 * process on the store and after a restart; a crash loses the refusals of at most the last second
 * of that process, never accepted data (the log counts those in its append's transaction). A
 * failed write keeps its sums for the next one. It forgets minutes older than the day the chart
 * shows, at most once a minute.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ApiFamilyName } from '../core/catalogue/types.js'
import type { Clock } from '../core/clock.js'
import type { Logger } from '../core/log.js'
import { ACCEPTED_MINUTES_KEPT, minuteOf } from '../store/browse.js'
import type { RefusedCount, Store } from '../store/store.js'
import { routeConfig } from './error-handler.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The workspace whose key the request's credentials matched, set as soon as they do (before
     * the gateway's remaining checks); null until then, and when no workspace's key accepted them.
     */
    verifiedWorkspaceId: string | null
  }
}

/** How often the sums held are written. */
export const REFUSALS_FLUSH_MS = 1_000
/**
 * The most (workspace, minute, API) sums held between writes (a store that stays unavailable):
 * past it, new refusals are not counted, and how many were not is logged.
 */
export const MAX_HELD_REFUSALS = 10_000

export type RefusalCounter = Readonly<{
  /** `records` records of `workspaceId` that `api` refused now. */
  add(workspaceId: string, api: string, records: number): void
  /** Writes the sums held; resolves once they are written (or, failing, kept for the next write). */
  flush(): Promise<void>
  /** Stops the timer and writes what is held. */
  close(): Promise<void>
}>

type Sum = { workspaceId: string; minute: number; api: string; records: number }

export function createRefusalCounter(deps: {
  store: Pick<Store, 'refusals'>
  clock: Clock
  log: Logger
  flushEveryMs?: number
}): RefusalCounter {
  const { store, clock, log } = deps
  let held = new Map<string, Sum>()
  let uncounted = 0
  let prunedMinute = Number.NaN
  /** Writes run one after another: a flush resolves after every sum added before it is written. */
  let writes: Promise<void> = Promise.resolve()

  const hold = (c: RefusedCount): void => {
    const key = `${c.workspaceId}\u0000${c.minute}\u0000${c.api}`
    const sum = held.get(key)
    if (sum !== undefined) sum.records += c.records
    else if (held.size < MAX_HELD_REFUSALS) held.set(key, { ...c })
    else uncounted += c.records
  }

  async function write(): Promise<void> {
    if (uncounted > 0) {
      log.warn({ records: uncounted }, 'refused records not counted: too many sums held')
      uncounted = 0
    }
    if (held.size === 0) return
    const batch = [...held.values()]
    held = new Map()
    try {
      await store.refusals.add(batch)
    } catch (err) {
      log.warn(
        { err, sums: batch.length },
        'refused records not written yet: kept for the next write',
      )
      for (const c of batch) hold(c)
      return
    }
    const minute = minuteOf(clock.now())
    if (minute === prunedMinute) return
    prunedMinute = minute
    try {
      await store.refusals.prune(minute - ACCEPTED_MINUTES_KEPT + 1)
    } catch (err) {
      log.warn({ err }, 'old refused-record counts not pruned')
    }
  }

  const flush = (): Promise<void> => (writes = writes.then(write))
  const timer = setInterval(() => void flush(), deps.flushEveryMs ?? REFUSALS_FLUSH_MS)
  timer.unref()
  return {
    add: (workspaceId, api, records) =>
      hold({ workspaceId, minute: minuteOf(clock.now()), api, records }),
    flush,
    close: () => {
      clearInterval(timer)
      return flush()
    },
  }
}

/**
 * Counts every refused request of `family`'s routes with `counter`, under the route's endpoint
 * (`unnamed` for a route that names none), as the records `recordsOf` finds in its body
 * (undefined when the body was never read). Nothing is done for a 2xx but two comparisons.
 */
export function countRefusals(
  app: FastifyInstance,
  counter: RefusalCounter,
  what: Readonly<{
    family: ApiFamilyName
    unnamed: string
    recordsOf: (body: unknown) => number
  }>,
): void {
  app.addHook('onResponse', (request: FastifyRequest, reply, done) => {
    if (reply.statusCode >= 200 && reply.statusCode < 300) return done()
    const config = routeConfig(request)
    const workspaceId = request.workspace?.id ?? request.verifiedWorkspaceId
    if (config.family === what.family && typeof workspaceId === 'string') {
      counter.add(workspaceId, config.endpoint ?? what.unnamed, what.recordsOf(request.body))
    }
    done()
  })
}
