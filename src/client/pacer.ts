/**
 * Pacing from the rate-limit headers (spec §5.2): per quota (Track User, Bulk Import, …) the
 * client keeps what the last answer said — `x-ratelimit-limit` (and its window `w=`),
 * `x-ratelimit-remaining`, `x-ratelimit-reset` — less the units of its own requests still in
 * flight, and holds a request back until its units fit, so a steady stream never meets a 429.
 * `x-ratelimit-reset` is whole seconds, rounded down, so the window is taken to turn one second
 * after it says. A 429 (its `Retry-After`, else its reset) holds the quota until then. A quota
 * whose answers carry no headers (MoEngage's Delete 429) is never held back.
 */

export type Timing = Readonly<{
  now: () => number
  sleep: (ms: number) => Promise<void>
}>

type Window = {
  limit: number | undefined
  windowMs: number
  /** Units left, as of the last answer, less those reserved since. */
  remaining: number
  /** When the window turns (client's clock); remaining is `limit` after it. */
  resetAt: number
  /** Units of requests sent and not answered yet. */
  inFlight: number
}

/** Seconds of a window when the limit header names none (spec §5.2: 60-second windows). */
const DEFAULT_WINDOW_MS = 60_000

export type Pacer = Readonly<{
  /** Waits until `units` fit in the quota's window, then reserves them. */
  acquire(quota: string, units: number): Promise<void>
  /** The answer of a request that reserved `units` (or undefined when it got none). */
  observe(quota: string, units: number, answer: Headers | undefined, status?: number): void
  /**
   * Units that fit at once, and the window's whole limit (undefined when unknown): what a batch
   * may carry so that it need not wait longer than for the next window.
   */
  capacity(quota: string): { now: number; limit: number | undefined }
}>

function intHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)
  if (value === null) return undefined
  const n = Number.parseInt(value, 10)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

export function createPacer(timing: Timing): Pacer {
  const windows = new Map<string, Window>()

  /** The window as of now: turned (full again) once its reset time has passed. */
  function current(quota: string): Window | undefined {
    const w = windows.get(quota)
    if (w === undefined) return undefined
    const now = timing.now()
    if (now >= w.resetAt) {
      if (w.limit === undefined) {
        windows.delete(quota) // a 429 without headers: held until its wait was over
        return undefined
      }
      const turns = Math.floor((now - w.resetAt) / w.windowMs) + 1
      w.resetAt += turns * w.windowMs
      w.remaining = w.limit - w.inFlight
    }
    return w
  }

  return {
    async acquire(quota, units) {
      for (;;) {
        const w = current(quota)
        // A request bigger than a whole window is let through when the window is full:
        // waiting cannot make it fit, and the server's answer is the truth.
        const full = w?.limit !== undefined && w.inFlight === 0 && w.remaining >= w.limit
        if (w === undefined || w.remaining >= units || (full && units > 0)) {
          if (w !== undefined) {
            w.remaining -= units
            w.inFlight += units
          }
          return
        }
        await timing.sleep(Math.max(1, w.resetAt - timing.now()))
      }
    },

    observe(quota, units, headers, status) {
      const w = windows.get(quota)
      if (w !== undefined) w.inFlight = Math.max(0, w.inFlight - units)
      if (headers === undefined) {
        if (w !== undefined) w.remaining += units // not spent: no answer
        return
      }
      const now = timing.now()
      const remaining = intHeader(headers, 'x-ratelimit-remaining')
      const reset = intHeader(headers, 'x-ratelimit-reset')
      const limitHeader = headers.get('x-ratelimit-limit')
      const retryAfter = intHeader(headers, 'retry-after')
      if (remaining !== undefined && reset !== undefined && limitHeader !== null) {
        const limit = intHeader(headers, 'x-ratelimit-limit')
        const seconds = /;\s*w=(\d+)/.exec(limitHeader)?.[1]
        const next: Window = w ?? {
          limit,
          windowMs: DEFAULT_WINDOW_MS,
          remaining: 0,
          resetAt: 0,
          inFlight: 0,
        }
        next.limit = limit
        next.windowMs = seconds === undefined ? DEFAULT_WINDOW_MS : Number(seconds) * 1000
        next.remaining = remaining - next.inFlight
        next.resetAt = now + (reset + 1) * 1000
        if (status === 429) {
          next.remaining = Math.min(next.remaining, 0)
          if (retryAfter !== undefined)
            next.resetAt = Math.max(next.resetAt, now + retryAfter * 1000)
        }
        windows.set(quota, next)
      } else if (status === 429) {
        // Held for Retry-After, else a minute's turn; let through again after that.
        const waitMs = retryAfter === undefined ? DEFAULT_WINDOW_MS : retryAfter * 1000
        windows.set(quota, {
          limit: undefined,
          windowMs: DEFAULT_WINDOW_MS,
          remaining: 0,
          resetAt: now + waitMs,
          inFlight: w?.inFlight ?? 0,
        })
      } else if (w !== undefined && w.limit === undefined) {
        windows.delete(quota)
      }
    },

    capacity(quota) {
      const w = current(quota)
      if (w === undefined) return { now: Number.POSITIVE_INFINITY, limit: undefined }
      return { now: Math.max(0, w.remaining), limit: w.limit }
    },
  }
}
