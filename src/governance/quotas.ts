/**
 * Per-workspace quotas (spec §5.1) and their headers (§5.2): the quota names with MoEngage's
 * documented per-minute defaults, a workspace's overrides (settings `quotas`), fixed 60-second
 * windows aligned to the injected clock's minute, and the in-process counter that spends them.
 *
 * Quotas count records (users, events, devices, identifiers), not requests. A request takes all
 * of its units or none: a request that would go over its quota is refused whole and counts nothing.
 *
 * The counter answers from memory whenever it can (`take` returns a Decision, no I/O). The
 * in-process counter here is exact for one process. The shared counter (shared-quotas.ts, what
 * the server uses) gives several processes on one store one combined quota: it leases blocks of
 * units from a count in the store and spends them in memory, so only a request that finds its
 * process's lease spent waits for one store round trip (`take` then returns a Promise).
 */

export const QUOTA_NAMES = [
  'track_user',
  'create_event',
  'track_device',
  'bulk_users',
  'bulk_events',
  'get_user',
  'merge',
  'delete',
  'device_opt_out',
] as const

export type QuotaName = (typeof QUOTA_NAMES)[number]

/** spec §5.1, newest documented values, per workspace and minute. */
export const DEFAULT_QUOTAS: Readonly<Record<QuotaName, number>> = Object.freeze({
  track_user: 10_000,
  create_event: 30_000,
  track_device: 10_000,
  bulk_users: 60_000,
  bulk_events: 60_000,
  get_user: 1_000,
  merge: 1_000,
  delete: 5_000,
  device_opt_out: 1_000,
})

export const WINDOW_MS = 60_000
export const MAX_QUOTA = 1_000_000_000

export type QuotaLimits = Readonly<Record<QuotaName, number>>
export type QuotaOverrides = Readonly<Partial<Record<QuotaName, number>>>

export function isQuotaName(name: string): name is QuotaName {
  return (QUOTA_NAMES as readonly string[]).includes(name)
}

/** A valid quota value: a whole number from 0 (nothing accepted) to MAX_QUOTA. */
export function isQuotaValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_QUOTA
}

/** Settings `quotas` as stored: known names with valid values only; anything else is ignored. */
export function readQuotaOverrides(raw: unknown): QuotaOverrides {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {}
  const out: Partial<Record<QuotaName, number>> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (isQuotaName(name) && isQuotaValue(value)) out[name] = value
  }
  return out
}

export function effectiveLimits(overrides: QuotaOverrides): QuotaLimits {
  return { ...DEFAULT_QUOTAS, ...overrides }
}

export type Demand = Readonly<{ quota: QuotaName; amount: number }>

/** Where one quota stands in the current window. */
export type QuotaStatus = Readonly<{
  quota: QuotaName
  limit: number
  remaining: number
  /** Start of the current window (ms since the epoch). */
  windowStart: number
  /** Milliseconds until the window ends (1 to 60,000). */
  resetMs: number
}>

export type Decision = Readonly<{
  allowed: boolean
  /** The quota to report: the one that refused, else the one with the fewest units left. */
  status: QuotaStatus
}>

export interface QuotaCounter {
  /**
   * Takes every demand, or none when any would exceed its limit. A Decision when memory can
   * answer (the hot path: no I/O); a Promise when the counter must first ask a shared store.
   */
  take(
    workspaceId: string,
    demands: readonly Demand[],
    limits: QuotaLimits,
    nowMs: number,
  ): Decision | Promise<Decision>
  /** Where `quotas` stand, without taking anything; reports the one with the fewest units left. */
  peek(
    workspaceId: string,
    quotas: readonly QuotaName[],
    limits: QuotaLimits,
    nowMs: number,
  ): QuotaStatus
  /** Waits for the counter's background work (leases in flight) to end; no more is started. */
  close?(): Promise<void>
}

/** The status with the fewest units left (the one the headers report). */
export function fewest(statuses: readonly QuotaStatus[]): QuotaStatus {
  const [first, ...rest] = statuses
  if (first === undefined) throw new Error('quotas: a status of no quota was asked for')
  return rest.reduce((a, b) => (b.remaining < a.remaining ? b : a), first)
}

export function windowStartOf(nowMs: number): number {
  return Math.floor(nowMs / WINDOW_MS) * WINDOW_MS
}

/** A counter that always answers from memory. */
export interface SyncQuotaCounter extends QuotaCounter {
  take(
    workspaceId: string,
    demands: readonly Demand[],
    limits: QuotaLimits,
    nowMs: number,
  ): Decision
}

type WindowCounts = { windowStart: number; used: Partial<Record<QuotaName, number>> }

/** The in-process counter: one small record per workspace, replaced when its window has passed. */
export function createMemoryQuotaCounter(): SyncQuotaCounter {
  const windows = new Map<string, WindowCounts>()

  function current(workspaceId: string, nowMs: number): WindowCounts {
    const windowStart = windowStartOf(nowMs)
    let counts = windows.get(workspaceId)
    if (counts === undefined || counts.windowStart !== windowStart) {
      counts = { windowStart, used: {} }
      windows.set(workspaceId, counts)
    }
    return counts
  }

  function statusOf(counts: WindowCounts, quota: QuotaName, limits: QuotaLimits, nowMs: number) {
    const limit = limits[quota]
    return {
      quota,
      limit,
      remaining: Math.max(0, limit - (counts.used[quota] ?? 0)),
      windowStart: counts.windowStart,
      resetMs: counts.windowStart + WINDOW_MS - nowMs,
    }
  }

  return {
    take(workspaceId, demands, limits, nowMs) {
      const counts = current(workspaceId, nowMs)
      for (const d of demands) {
        const status = statusOf(counts, d.quota, limits, nowMs)
        if (d.amount > status.remaining) return { allowed: false, status }
      }
      for (const d of demands) counts.used[d.quota] = (counts.used[d.quota] ?? 0) + d.amount
      return {
        allowed: true,
        status: fewest(demands.map((d) => statusOf(counts, d.quota, limits, nowMs))),
      }
    },
    peek(workspaceId, quotas, limits, nowMs) {
      const counts = current(workspaceId, nowMs)
      return fewest(quotas.map((q) => statusOf(counts, q, limits, nowMs)))
    },
  }
}

/** spec §5.2: `x-ratelimit-limit: N; w=60`, units left, whole seconds to the window's end (< 60). */
export function rateLimitHeaders(status: QuotaStatus): Record<string, string> {
  return {
    'x-ratelimit-limit': `${status.limit}; w=${WINDOW_MS / 1000}`,
    'x-ratelimit-remaining': String(status.remaining),
    'x-ratelimit-reset': String(Math.min(59, Math.floor(status.resetMs / 1000))),
  }
}

/** Inlet addition on a 429: whole seconds until the window turns (at least 1). */
export function retryAfterSeconds(status: QuotaStatus): number {
  return Math.max(1, Math.ceil(status.resetMs / 1000))
}
