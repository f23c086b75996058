/**
 * MoEngage's per-user Fair Usage Policy (spec §5.3), off by default and set per workspace
 * (settings `fairUsage`): a user with too many data requests in a window has their data blocked for
 * a time; the request still answers 200 and each blocked record is logged as skipped with the
 * reason, visible through `GET /inlet/v1/requests/{request_id}`. Counts are in memory, per process,
 * in fixed windows aligned to the injected clock; each record naming a user is one data request.
 *
 * Memory is bounded. Each (workspace, user) entry is kept only while its own workspace's rules
 * need it (its current windows, its block, a day past its last block for the breach streak), and a
 * sweep driven by the clock — a timer, and any request arriving after `sweepEveryMs` — forgets the
 * rest, even while every request is being shed. At most `maxEntries` users are tracked (default
 * FAIR_USAGE_MAX_ENTRIES). A new user past the cap first gets room from expired entries, then from
 * the user seen least recently who is not blocked: that user's counts are lost, so fair usage can
 * under-count (a user may get past a threshold it would otherwise have hit) but never blocks
 * anyone wrongly, and a running block is never dropped to make room. When every candidate is
 * blocked the new user is left untracked (its data passes). Evicted and untracked users are
 * counted and reported through `onOverflow` (the server logs a warning), never dropped silently.
 */
import { systemClock, type Clock } from '../core/clock.js'
import type { ParsedRecord } from '../core/records.js'

export type FairUsageRule = Readonly<{
  windowSeconds: number
  /** More than this many data requests for one user within one window blocks the user. */
  maxRequests: number
  blockSeconds: number
}>

export type FairUsageSettings = Readonly<{
  enabled: boolean
  rules: readonly FairUsageRule[]
  /** This many breaches in a row (each within a day of the last block's end) block for longer. */
  repeatBreaches: number
  repeatBlockSeconds: number
}>

const HOUR = 3600
const DAY = 86_400

/** spec §5.3: >5,000 in 1 min or >10,000 in 5 min → 1 h; >50,000 in 1 h or >100,000 in 1 day → 24 h. */
export const DEFAULT_FAIR_USAGE: FairUsageSettings = Object.freeze({
  enabled: false,
  rules: Object.freeze([
    { windowSeconds: 60, maxRequests: 5_000, blockSeconds: HOUR },
    { windowSeconds: 300, maxRequests: 10_000, blockSeconds: HOUR },
    { windowSeconds: HOUR, maxRequests: 50_000, blockSeconds: DAY },
    { windowSeconds: DAY, maxRequests: 100_000, blockSeconds: DAY },
  ]),
  repeatBreaches: 3,
  repeatBlockSeconds: 7 * DAY,
})

const MAX_SECONDS = 365 * DAY

const wholeIn = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max

/** One rule as stored or sent, or a message saying what is wrong with it. */
export function parseFairUsageRule(raw: unknown, where: string): FairUsageRule | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `${where} should be an object`
  }
  const { windowSeconds, maxRequests, blockSeconds } = raw as Record<string, unknown> // narrowed
  if (!wholeIn(windowSeconds, 1, MAX_SECONDS)) {
    return `${where}.windowSeconds should be a whole number from 1 to ${MAX_SECONDS}`
  }
  if (!wholeIn(maxRequests, 0, 1_000_000_000)) {
    return `${where}.maxRequests should be a whole number from 0 to 1000000000`
  }
  if (!wholeIn(blockSeconds, 1, MAX_SECONDS)) {
    return `${where}.blockSeconds should be a whole number from 1 to ${MAX_SECONDS}`
  }
  return { windowSeconds, maxRequests, blockSeconds }
}

/**
 * Settings `fairUsage` as stored, each field read on its own: a missing or malformed field reads
 * as its default, so a partial object (`{"enabled": true}`) means the documented thresholds.
 */
export function readFairUsage(raw: unknown): FairUsageSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return DEFAULT_FAIR_USAGE
  const r = raw as Record<string, unknown> // narrowed to a non-array object above
  const enabled = r['enabled']
  const rules = Array.isArray(r['rules'])
    ? r['rules'].map((rule: unknown, i) => parseFairUsageRule(rule, `rules[${i}]`))
    : undefined
  const breaches = r['repeatBreaches']
  const repeatBlock = r['repeatBlockSeconds']
  return {
    enabled: typeof enabled === 'boolean' ? enabled : DEFAULT_FAIR_USAGE.enabled,
    rules:
      rules !== undefined && rules.every((x) => typeof x !== 'string')
        ? rules
        : DEFAULT_FAIR_USAGE.rules,
    repeatBreaches: wholeIn(breaches, 1, 1000) ? breaches : DEFAULT_FAIR_USAGE.repeatBreaches,
    repeatBlockSeconds: wholeIn(repeatBlock, 1, MAX_SECONDS)
      ? repeatBlock
      : DEFAULT_FAIR_USAGE.repeatBlockSeconds,
  }
}

type UserState = {
  /** Per window length (s): the start of the current window and the requests in it. */
  windows: Map<number, { start: number; count: number }>
  blockedUntil: number
  blockReason: string
  breaches: number
  lastBlockEnd: number
  /**
   * Until when the rules of the entry's own workspace need it (exclusive): the end of its
   * current windows, of its block, and a day past its last block while a breach streak runs.
   */
  keepUntil: number
}

/** Users tracked at most, all workspaces together: about 0.65 KB each with the default rules. */
export const FAIR_USAGE_MAX_ENTRIES = 100_000
/** How often, by the clock, the entries no rule needs any more are forgotten. */
export const FAIR_USAGE_SWEEP_EVERY_MS = 60_000
/** At the cap, how often (clock time) a full sweep is tried before evicting live entries. */
const FULL_SWEEP_GAP_MS = 1_000
/** Least recently seen entries looked at for one eviction; all blocked: the new user is untracked. */
const EVICTION_SCAN = 32

export type FairUsageOverflow = Readonly<{
  /** Users not blocked whose counts were dropped to make room, since the last report. */
  evicted: number
  /** Requests of new users that went uncounted because every candidate was blocked. */
  untracked: number
  maxEntries: number
}>

export interface FairUsageTracker {
  /**
   * The records of one request with every record of a blocked user (or one this request pushes
   * over a threshold) replaced by an `invalid` record carrying the reason. Counts as it goes.
   */
  filter(
    workspaceId: string,
    records: readonly ParsedRecord[],
    settings: FairUsageSettings,
    nowMs: number,
  ): ParsedRecord[]
  /** Users tracked now, all workspaces together. */
  size(): number
  /** Totals since start: entries now, users evicted at the cap, new users left untracked. */
  stats(): Readonly<{ entries: number; evicted: number; untracked: number }>
  /** Stops the sweep timer. */
  close(): void
}

export function createFairUsageTracker(
  options: Readonly<{
    /** Users tracked at most (default FAIR_USAGE_MAX_ENTRIES). */
    maxEntries?: number
    /** Sweep period by the clock (default FAIR_USAGE_SWEEP_EVERY_MS); also the timer's period. */
    sweepEveryMs?: number
    /** The time the timer's sweeps use (default: the system clock). */
    clock?: Clock
    /** Called by a timed sweep when users were evicted or left untracked since the last call. */
    onOverflow?: (report: FairUsageOverflow) => void
  }> = {},
): FairUsageTracker {
  const maxEntries = Math.max(1, options.maxEntries ?? FAIR_USAGE_MAX_ENTRIES)
  const every = options.sweepEveryMs ?? FAIR_USAGE_SWEEP_EVERY_MS
  const clock = options.clock ?? systemClock
  /** In the order last seen, least recently first: every request moves its user to the end. */
  const users = new Map<string, UserState>()
  let sweptAt: number | undefined
  let fullSweepAt = Number.NEGATIVE_INFINITY
  let evicted = 0
  let untracked = 0
  let reported = { evicted: 0, untracked: 0 }
  let timer: NodeJS.Timeout | undefined
  let closed = false

  /** Forgets every entry its own workspace's rules no longer need. */
  function sweep(nowMs: number): void {
    for (const [key, s] of users) if (s.keepUntil <= nowMs) users.delete(key)
  }

  /** The periodic sweep, and the report of what the cap cost since the last one. */
  function timedSweep(nowMs: number): void {
    sweptAt = nowMs
    sweep(nowMs)
    const report = {
      evicted: evicted - reported.evicted,
      untracked: untracked - reported.untracked,
    }
    if (report.evicted === 0 && report.untracked === 0) return
    reported = { evicted, untracked }
    options.onOverflow?.({ ...report, maxEntries })
  }

  function startTimer(): void {
    if (timer !== undefined || closed) return
    timer = setInterval(() => timedSweep(clock.now()), every)
    timer.unref()
  }

  /** Room for one more entry: expired ones first, then the least recently seen unblocked user. */
  function makeRoom(nowMs: number): boolean {
    if (nowMs - fullSweepAt >= FULL_SWEEP_GAP_MS || nowMs < fullSweepAt) {
      fullSweepAt = nowMs
      sweep(nowMs)
      if (users.size < maxEntries) return true
    }
    const blocked: [string, UserState][] = []
    let room = false
    for (const [key, s] of users) {
      if (blocked.length >= EVICTION_SCAN) break
      if (s.blockedUntil > nowMs) {
        blocked.push([key, s])
        continue
      }
      users.delete(key)
      evicted++
      room = true
      break
    }
    // Blocked entries go to the end, so the next eviction does not look at them again first.
    for (const [key, s] of blocked) {
      users.delete(key)
      users.set(key, s)
    }
    return room
  }

  /** undefined when the request is admitted (and counted), else why the user's data is dropped. */
  function admit(key: string, settings: FairUsageSettings, nowMs: number): string | undefined {
    let s = users.get(key)
    if (s === undefined) {
      if (users.size >= maxEntries && !makeRoom(nowMs)) {
        untracked++
        return undefined
      }
      s = {
        windows: new Map(),
        blockedUntil: 0,
        blockReason: '',
        breaches: 0,
        lastBlockEnd: 0,
        keepUntil: nowMs,
      }
      startTimer()
    } else {
      users.delete(key) // re-inserted last: Map order is the order last seen
    }
    users.set(key, s)
    if (s.blockedUntil > nowMs) return s.blockReason
    let keepUntil = s.breaches > 0 ? s.lastBlockEnd + DAY * 1000 + 1 : 0
    for (const rule of settings.rules) {
      const ms = rule.windowSeconds * 1000
      const start = Math.floor(nowMs / ms) * ms
      let w = s.windows.get(rule.windowSeconds)
      if (w === undefined || w.start !== start) {
        w = { start, count: 0 }
        s.windows.set(rule.windowSeconds, w)
      }
      w.count++
      keepUntil = Math.max(keepUntil, start + ms)
    }
    s.keepUntil = keepUntil
    const broken = settings.rules.find(
      (r) => (s.windows.get(r.windowSeconds)?.count ?? 0) > r.maxRequests,
    )
    if (broken === undefined) return undefined
    const consecutive = s.lastBlockEnd > 0 && nowMs - s.lastBlockEnd <= DAY * 1000
    s.breaches = consecutive ? s.breaches + 1 : 1
    const repeated = s.breaches >= settings.repeatBreaches
    const blockSeconds = repeated ? settings.repeatBlockSeconds : broken.blockSeconds
    if (repeated) s.breaches = 0
    s.blockedUntil = nowMs + blockSeconds * 1000
    s.lastBlockEnd = s.blockedUntil
    s.windows.clear()
    // The block, and a day past it while the streak runs (a later breach then counts as repeated).
    s.keepUntil = s.breaches > 0 ? s.lastBlockEnd + DAY * 1000 + 1 : s.blockedUntil
    s.blockReason =
      `fair usage: data of this user is blocked until ${new Date(s.blockedUntil).toISOString()}` +
      ` after more than ${broken.maxRequests} data requests in ${broken.windowSeconds} s` +
      (repeated ? ` (${settings.repeatBreaches} breaches in a row)` : '') +
      ' (spec §5.3)'
    return s.blockReason
  }

  return {
    filter(workspaceId, records, settings, nowMs) {
      if (!settings.enabled) return [...records]
      if (sweptAt === undefined) sweptAt = nowMs
      else if (nowMs - sweptAt >= every || nowMs < sweptAt) timedSweep(nowMs)
      return records.map((record): ParsedRecord => {
        if (record.kind === 'invalid' || record.customerId === null) return record
        const reason = admit(`${workspaceId}\u0000${record.customerId}`, settings, nowMs)
        if (reason === undefined) return record
        return {
          kind: 'invalid',
          customerId: record.customerId,
          payload: { code: 'fair_usage_blocked', reason, element: record.payload },
        }
      })
    },
    size: () => users.size,
    stats: () => ({ entries: users.size, evicted, untracked }),
    close() {
      closed = true
      clearInterval(timer)
      timer = undefined
    },
  }
}
