/**
 * A background loop over a store-held queue (the outbox's delivery worker, the Push scheduler):
 * `round()` does one batch and says how many it took; a full batch is followed at once by the
 * next, anything less by a pause of `pollMs`; a round that throws is logged and the loop goes on.
 * `stop()` ends the loop once the round in progress has finished, or after a time limit.
 */
import type { Logger } from './log.js'

export type Poller = Readonly<{
  /** Runs rounds until stop(); a second start() does nothing. */
  start(): void
  /**
   * Stops; resolves once the round in progress has finished (true), or after `timeoutMs` with the
   * round still going (false). Calling it again waits for that round again.
   */
  stop(timeoutMs?: number): Promise<boolean>
}>

export function createPoller(
  round: () => Promise<number>,
  options: Readonly<{ pollMs: number; batch: number; log: Logger; name: string }>,
): Poller {
  let running = false
  let timer: NodeJS.Timeout | undefined
  let current: Promise<void> = Promise.resolve()
  function schedule(delayMs: number): void {
    if (!running) return
    timer = setTimeout(() => {
      current = round().then(
        (n) => schedule(n === options.batch ? 0 : options.pollMs),
        (err: unknown) => {
          options.log.error({ err }, `${options.name} round failed`)
          schedule(options.pollMs)
        },
      )
    }, delayMs)
  }
  return {
    start() {
      if (running) return
      running = true
      schedule(0)
    },
    stop(timeoutMs = Number.POSITIVE_INFINITY) {
      running = false
      clearTimeout(timer)
      return settledWithin(current, timeoutMs)
    },
  }
}

/** Whether `work` settled within `ms` (it is never rejected: a round's errors are logged). */
function settledWithin(work: Promise<void>, ms: number): Promise<boolean> {
  if (ms === Number.POSITIVE_INFINITY) return work.then(() => true)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  return Promise.race([work.then(() => true), late]).finally(() => clearTimeout(timer))
}
