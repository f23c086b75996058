/**
 * The shared-quota repository of the Store (re-exported by store.ts): the key of one count, a
 * lease request and its answer, the grant rule every adapter applies, and its interface.
 */

/**
 * One quota's count of one workspace over one span of time, shared by every process. The counts
 * of one workspace, quota and `windowMs` form a *series*; governance/quotas.ts chooses how a
 * window is laid out in one: a fixed window is one count per window (`windowMs` its length), a
 * rolling window of length L one count per slice of L/60, each in force for L + L/60.
 */
export type QuotaWindowKey = Readonly<{
  workspaceId: string
  /** A quota name (governance/quotas.ts); the store does not interpret it. */
  quota: string
  /**
   * How long the count is in force from `windowStart`, in ms (default 60,000: the Data API's
   * fixed minute, and what every count written before this field existed is).
   */
  windowMs?: number
  /** Start of the count, ms since the epoch (aligned by the caller). */
  windowStart: number
}>

export type QuotaLeaseRequest = QuotaWindowKey &
  Readonly<{
    /** The limit of what is in force: the count (or the sum, `overlapping`) never goes past it. */
    limit: number
    /** Grant nothing unless at least this many units are left (all or nothing for `need`). */
    need: number
    /** Units wanted: more than `need` is a lease to spend in memory; capped by what is left. */
    want: number
    /**
     * The series' counts overlap in time (a rolling window's slices): the limit applies to the sum
     * of the series' counts in force at `windowStart` or later (those that started after
     * `windowStart - windowMs`), read and added to in one atomic step. Counting the later ones too
     * keeps every moment's sum within the limit even when leases arrive out of time order (a
     * process whose clock is behind): of any counts in force together, the last one granted saw
     * all the others. Absent or false: the caller's counts of the series never overlap (fixed
     * windows), so this count is the only one that matters.
     */
    overlapping?: boolean
    /**
     * Units an earlier lease of the series took and nobody spent, given back before granting:
     * subtracted from the series' count that started at `giveBack.windowStart` (never below 0).
     */
    giveBack?: Readonly<{ windowStart: number; units: number }>
  }>

export type QuotaLease = Readonly<{
  /** Units added to the window's count for the caller: 0, or from `need` to `max(need, want)`. */
  granted: number
  /** What the limit applies to after this lease: the count, or the sum (`overlapping`). */
  used: number
}>

/** The grant rule of every adapter: 0, or from `need` up to `max(need, want)`, within the limit. */
export function grantOf(request: QuotaLeaseRequest, used: number): number {
  const left = request.limit - used
  const need = Math.max(0, request.need)
  if (left <= 0 || left < need) return 0
  return Math.min(left, Math.max(need, request.want))
}

/** The Data API's minute: the span of a count whose key names none. */
export const DEFAULT_QUOTA_WINDOW_MS = 60_000

/**
 * Shared quota counts (governance/shared-quotas.ts): processes serving one workspace take leases
 * of units from one count per quota and window, atomically, so their combined grants never pass
 * the limit. Not on the request path: a process asks only when its lease runs out.
 */
export interface QuotaRepo {
  /** Atomically grants `min(max(need, want), limit - used)` units, or none when fewer than `need` are left. */
  lease(request: QuotaLeaseRequest): Promise<QuotaLease>
  /** The count (0 when nothing was granted in it). */
  used(key: QuotaWindowKey): Promise<number>
  /**
   * Deletes the counts no longer in force at `before` (`windowStart + windowMs <= before`), of
   * every span: a day's count outlives a minute's. Returns how many.
   */
  prune(before: number): Promise<number>
}
