/**
 * MoEngage's per-user Fair Usage Policy (spec §5.3), off by default and set per workspace
 * (settings `fairUsage`): a user with too many data requests in a window has their data blocked for
 * a time; the request still answers 200 and each blocked record is logged as skipped with the
 * reason, visible through `GET /inlet/v1/requests/{request_id}`. Counts are in memory, per process,
 * in fixed windows aligned to the injected clock; each record naming a user is one data request.
 */
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
  lastSeen: number
}

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
}

const SWEEP_EVERY = 10_000

export function createFairUsageTracker(): FairUsageTracker {
  const users = new Map<string, UserState>()
  let sinceSweep = 0

  /** Forgets users with no activity in their longest window, no block and no breach streak. */
  function sweep(nowMs: number, settings: FairUsageSettings): void {
    const longest = Math.max(DAY, ...settings.rules.map((r) => r.windowSeconds)) * 1000
    for (const [key, s] of users) {
      if (s.blockedUntil > nowMs) continue
      if (s.lastSeen + longest < nowMs && s.lastBlockEnd + DAY * 1000 < nowMs) users.delete(key)
    }
  }

  /** undefined when the request is admitted (and counted), else why the user's data is dropped. */
  function admit(key: string, settings: FairUsageSettings, nowMs: number): string | undefined {
    let s = users.get(key)
    if (s === undefined) {
      s = {
        windows: new Map(),
        blockedUntil: 0,
        blockReason: '',
        breaches: 0,
        lastBlockEnd: 0,
        lastSeen: nowMs,
      }
      users.set(key, s)
    }
    s.lastSeen = nowMs
    if (s.blockedUntil > nowMs) return s.blockReason
    for (const rule of settings.rules) {
      const ms = rule.windowSeconds * 1000
      const start = Math.floor(nowMs / ms) * ms
      let w = s.windows.get(rule.windowSeconds)
      if (w === undefined || w.start !== start) {
        w = { start, count: 0 }
        s.windows.set(rule.windowSeconds, w)
      }
      w.count++
    }
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
      if (++sinceSweep >= SWEEP_EVERY) {
        sinceSweep = 0
        sweep(nowMs, settings)
      }
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
  }
}
