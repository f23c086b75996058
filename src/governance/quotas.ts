/**
 * Per-workspace quotas and their windows: what a quota is (one or more windows, each a length —
 * a minute, an hour or a UTC day —, a limit and a kind, fixed or rolling), the Data API's quotas
 * with MoEngage's documented per-minute defaults (spec §5.1) and a workspace's overrides of them
 * (settings `quotas`), where a window stands at a moment (a QuotaStatus, from which the headers of
 * §5.2 are written), and the in-process counter that spends them. Time is the caller's `nowMs`.
 *
 * Quotas count records (users, events, devices, identifiers), not requests. A request takes all
 * of its units or none: a request that would go over any window of any quota it spends is refused
 * whole and counts nothing.
 *
 * Fixed windows are aligned to the clock: minutes, hours and UTC days since the epoch (the epoch's
 * milliseconds have no leap seconds, so a UTC day is 86,400,000 of them); a fixed window's count
 * starts at 0 when it turns. A rolling window of length L is counted in ROLLING_SLICES (60) slices
 * of L/60 (a second, a minute or 24 minutes), aligned the same way; a request at time t is
 * admitted when its units fit the limit together with the units of the slices from b − L to b, b
 * being the start of t's slice. Guarantee: in any interval of length L at most `limit` units are
 * admitted (the last admission in such an interval counted every earlier one, since they all lie
 * in slices from its own back to L before it). Error, on the refusing side only: a unit counts
 * against the window for L to L + L/60 after it was taken, so a request may be refused although
 * the last exact L left room, by at most the units taken in one slice.
 *
 * The counter answers from memory whenever it can (`take` returns a Decision, no I/O). The
 * in-process counter here is exact for one process. The shared counter (shared-quotas.ts, what
 * the server uses) gives several processes on one store one combined quota: it leases blocks of
 * units from counts in the store and spends them in memory, so only a request that finds its
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

/** The Data API's window (spec §5.2: fixed, 60 s), in ms. */
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

// --- windows ------------------------------------------------------------------------------------

/** Window lengths, in seconds (the unit of `w=` in `x-ratelimit-limit`). */
export const MINUTE = 60
export const HOUR = 3_600
export const DAY = 86_400
export const WINDOW_LENGTHS = [MINUTE, HOUR, DAY] as const
export type WindowLength = (typeof WINDOW_LENGTHS)[number]
export type WindowKind = 'fixed' | 'rolling'

/** Slices a rolling window is counted in: its error bound is the units of one slice. */
export const ROLLING_SLICES = 60

/** One window of a quota: at most `limit` units per `length` seconds, fixed or rolling. */
export type QuotaWindow = Readonly<{ length: WindowLength; limit: number; kind: WindowKind }>

/**
 * A quota as declared: its windows, every one of which a request must fit; or a number, the Data
 * API's form (settings `quotas`): one fixed minute of that limit.
 */
export type QuotaSpec = number | readonly QuotaWindow[]

/** What a counter is given: each quota name a request may spend, with its windows. */
export type QuotaPlan = Readonly<Record<string, QuotaSpec>>

/** A quota's windows, checked and frozen: a family declares its quotas with this. */
export function quotaWindows(...windows: QuotaWindow[]): readonly QuotaWindow[] {
  const frozen = Object.freeze(windows.map((w) => Object.freeze({ ...w })))
  countedWindows(frozen) // throws on a bad declaration
  return frozen
}

/** A window as the counters count it. */
export type CountedWindow = Readonly<{
  length: WindowLength
  kind: WindowKind
  limit: number
  /** ms of one count: the window (fixed) or one slice of it (rolling); counts align to it. */
  countMs: number
  /**
   * ms a count stays in force from its start: the window (fixed); the window and one slice
   * (rolling). The store keys a count by it (QuotaWindowKey `windowMs`).
   */
  spanMs: number
  /** What a status reports of the window; undefined for the fixed minute (spec §5.2's). */
  reported: Readonly<{ length: WindowLength; kind: WindowKind }> | undefined
}>

function counted(length: WindowLength, kind: WindowKind, limit: number): CountedWindow {
  const ms = length * 1000
  const countMs = kind === 'fixed' ? ms : ms / ROLLING_SLICES
  return {
    length,
    kind,
    limit,
    countMs,
    spanMs: kind === 'fixed' ? ms : ms + countMs,
    reported: length === MINUTE && kind === 'fixed' ? undefined : Object.freeze({ length, kind }),
  }
}

/**
 * A quota's windows as counted. Throws on a declaration that is not one: no window, a length
 * other than a minute, an hour or a day, an unknown kind, a limit that is not a quota value, or
 * two windows of the same length and kind (they would share their counts).
 */
export function countedWindows(spec: QuotaSpec): readonly CountedWindow[] {
  if (typeof spec === 'number') return [counted(MINUTE, 'fixed', spec)]
  if (spec.length === 0) throw new Error('quotas: a quota needs at least one window')
  const seen = new Set<string>()
  return spec.map((w) => {
    if (!(WINDOW_LENGTHS as readonly number[]).includes(w.length)) {
      throw new Error(
        `quotas: a window is a minute, an hour or a day (${WINDOW_LENGTHS.join(', ')} s), not ${w.length} s`,
      )
    }
    if (w.kind !== 'fixed' && w.kind !== 'rolling') {
      throw new Error(`quotas: a window is fixed or rolling, not ${String(w.kind)}`)
    }
    if (!isQuotaValue(w.limit)) {
      throw new Error(`quotas: a window's limit is a whole number from 0 to ${MAX_QUOTA}`)
    }
    const id = `${w.length} ${w.kind}`
    if (seen.has(id)) throw new Error(`quotas: two ${w.kind} windows of ${w.length} s`)
    seen.add(id)
    return counted(w.length, w.kind, w.limit)
  })
}

/** The windows a plan gives a quota; a quota the plan does not declare is a programming error. */
export function specOf(plan: QuotaPlan, quota: string): QuotaSpec {
  const spec = plan[quota]
  if (spec === undefined) throw new Error(`quotas: '${quota}' is not a quota of this plan`)
  return spec
}

/** Two declarations count alike (same lengths and kinds, in order): their counts carry over. */
export function sameShape(a: readonly CountedWindow[], b: readonly CountedWindow[]): boolean {
  return (
    a.length === b.length && a.every((w, i) => w.length === b[i]?.length && w.kind === b[i]?.kind)
  )
}

export type Demand = Readonly<{ quota: string; amount: number }>

/** Where one window of one quota stands. */
export type QuotaStatus = Readonly<{
  quota: string
  limit: number
  remaining: number
  /** Start of the current window (fixed), or of the oldest slice counted (rolling); ms. */
  windowStart: number
  /**
   * Milliseconds until the window turns (fixed: 1 to its length), or until its oldest slice
   * counted leaves it, when units may come back (rolling: 1 to a slice).
   */
  resetMs: number
  /** The window, unless it is the fixed minute of spec §5.2 (the Data API's only window). */
  window?: Readonly<{ length: WindowLength; kind: WindowKind }>
}>

/** The status of window `w` whose current count started at `countStart`. */
export function windowStatus(
  quota: string,
  w: CountedWindow,
  limit: number,
  countStart: number,
  remaining: number,
  nowMs: number,
): QuotaStatus {
  const status = {
    quota,
    limit,
    remaining,
    windowStart: countStart + w.countMs - w.spanMs,
    resetMs: countStart + w.countMs - nowMs,
  }
  return w.reported === undefined ? status : { ...status, window: w.reported }
}

export type Decision = Readonly<{
  allowed: boolean
  /**
   * The window to report. Refused: the window that refused (of several, the one that frees up
   * last). Allowed: the most constrained window of every quota taken from (mostConstrained).
   */
  status: QuotaStatus
}>

export interface QuotaCounter {
  /**
   * Takes every demand from every window of its quota, or nothing when any would exceed its
   * limit. A Decision when memory can answer (the hot path: no I/O); a Promise when the counter
   * must first ask a shared store.
   */
  take(
    workspaceId: string,
    demands: readonly Demand[],
    limits: QuotaPlan,
    nowMs: number,
  ): Decision | Promise<Decision>
  /** Where `quotas` stand, without taking anything: their most constrained window. */
  peek(
    workspaceId: string,
    quotas: readonly string[],
    limits: QuotaPlan,
    nowMs: number,
  ): QuotaStatus
  /** Waits for the counter's background work (leases in flight) to end; no more is started. */
  close?(): Promise<void>
}

/**
 * The status the headers report: the window with the fewest units left; of those, the one that
 * frees up last (the client waits for it); of those, the first.
 */
export function mostConstrained(statuses: readonly QuotaStatus[]): QuotaStatus {
  const [first, ...rest] = statuses
  if (first === undefined) throw new Error('quotas: a status of no quota was asked for')
  return rest.reduce(
    (a, b) =>
      b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a,
    first,
  )
}

/** Of windows that refused, the one that frees up last (Retry-After must cover it); else the first. */
export function latestReset(statuses: readonly QuotaStatus[]): QuotaStatus {
  const [first, ...rest] = statuses
  if (first === undefined) throw new Error('quotas: a status of no quota was asked for')
  return rest.reduce((a, b) => (b.resetMs > a.resetMs ? b : a), first)
}

/** Start of the window (or slice) of `lengthMs` that `nowMs` is in (default: the minute). */
export function windowStartOf(nowMs: number, lengthMs: number = WINDOW_MS): number {
  return Math.floor(nowMs / lengthMs) * lengthMs
}

/** A counter that always answers from memory. */
export interface SyncQuotaCounter extends QuotaCounter {
  take(workspaceId: string, demands: readonly Demand[], limits: QuotaPlan, nowMs: number): Decision
}

/** One window's counts: units taken per count start (a fixed window's start, a rolling slice's). */
type WindowCounts = { w: CountedWindow; counts: Map<number, number> }
type QuotaCounts = { spec: QuotaSpec; windows: WindowCounts[] }

/**
 * The entry of (workspace, quota) in a counter's two-level map (the in-process and the shared
 * counter keep one each), made again by `redeclare` from the old one, if any, when it is missing
 * or was made for another declaration (a limit changed).
 */
export function declaredEntry<E extends Readonly<{ spec: QuotaSpec }>>(
  byWorkspace: Map<string, Map<string, E>>,
  workspaceId: string,
  quota: string,
  spec: QuotaSpec,
  redeclare: (old: E | undefined) => E,
): E {
  let ofWorkspace = byWorkspace.get(workspaceId)
  if (ofWorkspace === undefined) {
    ofWorkspace = new Map()
    byWorkspace.set(workspaceId, ofWorkspace)
  }
  let entry = ofWorkspace.get(quota)
  if (entry === undefined || entry.spec !== spec) {
    entry = redeclare(entry)
    ofWorkspace.set(quota, entry)
  }
  return entry
}

/**
 * The in-process counter. Counts the same way as the shared counter with one process: the
 * counts in force at or after the current count's start are summed (store.ts `overlapping`).
 */
export function createMemoryQuotaCounter(): SyncQuotaCounter {
  const workspaces = new Map<string, Map<string, QuotaCounts>>()

  function countsOf(workspaceId: string, quota: string, spec: QuotaSpec): QuotaCounts {
    return declaredEntry(workspaces, workspaceId, quota, spec, (counts) => {
      // A new declaration (a limit changed within a window): counts carry over when it counts alike.
      const windows = countedWindows(spec)
      return counts !== undefined &&
        sameShape(
          counts.windows.map((c) => c.w),
          windows,
        )
        ? { spec, windows: counts.windows.map((c, i) => ({ ...c, w: windows[i] ?? c.w })) }
        : { spec, windows: windows.map((w) => ({ w, counts: new Map() })) }
    })
  }

  /** Units in force at `start` or later; forgets the counts no longer in force. */
  function inForce(c: WindowCounts, start: number): number {
    let sum = 0
    for (const [at, units] of c.counts) {
      if (at + c.w.spanMs <= start) c.counts.delete(at)
      else sum += units
    }
    return sum
  }

  type Check = { quota: string; c: WindowCounts; start: number; amount: number }

  function checksOf(
    workspaceId: string,
    quotas: readonly Demand[],
    plan: QuotaPlan,
    nowMs: number,
  ) {
    const checks: Check[] = []
    for (const d of quotas) {
      for (const c of countsOf(workspaceId, d.quota, specOf(plan, d.quota)).windows) {
        checks.push({
          quota: d.quota,
          c,
          start: windowStartOf(nowMs, c.w.countMs),
          amount: d.amount,
        })
      }
    }
    return checks
  }

  const statusOf = (k: Check, nowMs: number): QuotaStatus =>
    windowStatus(
      k.quota,
      k.c.w,
      k.c.w.limit,
      k.start,
      Math.max(0, k.c.w.limit - inForce(k.c, k.start)),
      nowMs,
    )

  return {
    take(workspaceId, demands, limits, nowMs) {
      const checks = checksOf(workspaceId, demands, limits, nowMs)
      const refused = checks
        .map((k) => ({ k, status: statusOf(k, nowMs) }))
        .filter(({ k, status }) => k.amount > status.remaining)
        .map(({ status }) => status)
      if (refused.length > 0) return { allowed: false, status: latestReset(refused) }
      for (const k of checks) k.c.counts.set(k.start, (k.c.counts.get(k.start) ?? 0) + k.amount)
      return { allowed: true, status: mostConstrained(checks.map((k) => statusOf(k, nowMs))) }
    },
    peek(workspaceId, quotas, limits, nowMs) {
      const checks = checksOf(
        workspaceId,
        quotas.map((quota) => ({ quota, amount: 0 })),
        limits,
        nowMs,
      )
      return mostConstrained(checks.map((k) => statusOf(k, nowMs)))
    },
  }
}

/**
 * spec §5.2: `x-ratelimit-limit: N; w=60`, units left, whole seconds to the window's end (below
 * the window's length). `w` is the reported window's length: 60 for the Data API's minute.
 */
export function rateLimitHeaders(status: QuotaStatus): Record<string, string> {
  const length = status.window?.length ?? MINUTE
  return {
    'x-ratelimit-limit': `${status.limit}; w=${length}`,
    'x-ratelimit-remaining': String(status.remaining),
    'x-ratelimit-reset': String(Math.min(length - 1, Math.floor(status.resetMs / 1000))),
  }
}

/** Seconds a refused client is asked to wait: until the refusing window turns (at least 1). */
export function retryAfterSeconds(status: QuotaStatus): number {
  return Math.max(1, Math.ceil(status.resetMs / 1000))
}
