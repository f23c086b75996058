/**
 * What the workspace page charts: records per minute per API over the last day, accepted and
 * refused. Accepted records are the counts the log's appends keep per minute and sending API
 * (Store `browse.acceptedRecords`, at most a day's minutes per API: no log row is read), so they
 * survive a restart and count what every process on the store accepted, a Bulk request's records
 * under Bulk Import on every store. Refused records (answers other than 2xx: 4xx, 429, 503) are
 * never logged: an onResponse hook counts them here, in memory, per process, since it started — a
 * refused request's records are its body's `elements`, `actions` or `merge_data`, or one when it
 * has none of them or no body (docs/dashboard.md).
 */
import type { Clock } from '../../core/clock.js'
import { ACCEPTED_MINUTES_KEPT } from '../../store/browse.js'
import type { Store } from '../../store/store.js'

const MINUTE_MS = 60_000
const KEEP_MINUTES = ACCEPTED_MINUTES_KEPT

export type MinuteCounts = { minute: number; accepted: number; refused: number }

/**
 * The API a count kept before the log counted by API stands for: those counts (log migration 5)
 * are by record kind, each named here by the endpoint that logs it; `invalid` (kept out at
 * validation, from any endpoint) stays `invalid`. Every newer count is by API already.
 */
const API_OF_KIND: Readonly<Record<string, string>> = {
  merge_undo: 'inlet',
  device_opt_out: 'opt_out',
  gdpr_erasure: 'gdpr',
  install: 'inlet',
  identity_reindex: 'settings',
}

/** Records a refused request asked for: the length of its body's list, or one. */
export function recordsOfBody(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 1
  for (const key of ['elements', 'actions', 'merge_data']) {
    const list = (body as Record<string, unknown>)[key]
    if (Array.isArray(list)) return Math.max(1, list.length)
  }
  return 1
}

/** Counts per minute: endpoint → minute → records. */
type Minutes = Map<string, Map<number, number>>

function add(into: Minutes, endpoint: string, minute: number, n: number): void {
  let byMinute = into.get(endpoint)
  if (byMinute === undefined) into.set(endpoint, (byMinute = new Map<number, number>()))
  byMinute.set(minute, (byMinute.get(minute) ?? 0) + n)
}

function prune(from: Minutes, oldest: number): void {
  for (const byMinute of from.values()) {
    for (const m of byMinute.keys()) if (m < oldest) byMinute.delete(m)
  }
}

export type TrafficMeter = Readonly<{
  /** A refused Data API request of the workspace, with the records it asked for. */
  refused(workspaceId: string, endpoint: string, records: number): void
  /** Per endpoint, one entry per minute of the last `minutes` (oldest first), zeros included. */
  series(workspaceId: string, minutes: number): Promise<Record<string, MinuteCounts[]>>
}>

export function createTrafficMeter(store: Store, clock: Clock): TrafficMeter {
  const refused = new Map<string, Minutes>()
  const nowMinute = () => Math.floor(clock.now() / MINUTE_MS)

  const accepted = async (workspaceId: string, minutes: number): Promise<Minutes> => {
    const since = (nowMinute() - minutes + 1) * MINUTE_MS
    const counts: Minutes = new Map<string, Map<number, number>>()
    for (const c of await store.browse.acceptedRecords(workspaceId, since)) {
      add(counts, API_OF_KIND[c.api] ?? c.api, c.minute, c.records)
    }
    return counts
  }

  return {
    refused: (workspaceId, endpoint, records) => {
      let counts = refused.get(workspaceId)
      if (counts === undefined)
        refused.set(workspaceId, (counts = new Map<string, Map<number, number>>()))
      const minute = nowMinute()
      add(counts, endpoint, minute, records)
      prune(counts, minute - KEEP_MINUTES + 1)
    },
    series: async (workspaceId, minutes) => {
      const yes = await accepted(workspaceId, minutes)
      const no = refused.get(workspaceId) ?? new Map<string, Map<number, number>>()
      const now = nowMinute()
      const out: Record<string, MinuteCounts[]> = {}
      for (const endpoint of new Set([...yes.keys(), ...no.keys()])) {
        const list: MinuteCounts[] = []
        for (let m = now - minutes + 1; m <= now; m++) {
          const a = yes.get(endpoint)?.get(m) ?? 0
          const r = no.get(endpoint)?.get(m) ?? 0
          list.push({ minute: m, accepted: a, refused: r })
        }
        if (list.some((c) => c.accepted > 0 || c.refused > 0)) out[endpoint] = list
      }
      return out
    },
  }
}
