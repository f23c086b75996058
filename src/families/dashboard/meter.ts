/**
 * What the workspace page charts: records per minute per Data API endpoint over the last day,
 * accepted and refused. Accepted records come from the ingest log (Store `browse.acceptedRecords`),
 * so they survive a restart and count what every process on the store accepted; this process
 * reads the log on from the last seq it read and keeps the counts per minute. Refused records
 * (answers other than 2xx: 4xx, 429, 503) are never logged: an onResponse hook counts them here, in
 * memory, per process, since it started — a refused request's records are its body's `elements`,
 * `actions` or `merge_data`, or one when it has none of them or no body (docs/dashboard.md).
 */
import type { Clock } from '../../core/clock.js'
import type { Store } from '../../store/store.js'

const MINUTE_MS = 60_000
export const KEEP_MINUTES = 24 * 60

export type MinuteCounts = { minute: number; accepted: number; refused: number }

/**
 * The endpoint (RouteConfig `endpoint`) whose requests log records of each kind. An `invalid`
 * record (kept out at validation, from any endpoint) stays `invalid`: the log does not say which.
 */
const ENDPOINT_OF_KIND: Readonly<Record<string, string>> = {
  customer: 'customer',
  event: 'event',
  device: 'device',
  bulk: 'bulk',
  merge: 'merge',
  merge_undo: 'merge',
  delete: 'delete',
  device_opt_out: 'opt_out',
  gdpr_erasure: 'gdpr',
  install: 'inlet',
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
  // Per workspace: the accepted counts read so far, the log's seq they go up to, and the read in
  // progress (one at a time, so that two page loads never count the same rows twice).
  const accepted = new Map<string, { counts: Minutes; lastSeq: number; reading: Promise<void> }>()
  const nowMinute = () => Math.floor(clock.now() / MINUTE_MS)

  const readOn = async (workspaceId: string): Promise<Minutes> => {
    let seen = accepted.get(workspaceId)
    if (seen === undefined) {
      seen = {
        counts: new Map<string, Map<number, number>>(),
        lastSeq: 0,
        reading: Promise.resolve(),
      }
      accepted.set(workspaceId, seen)
    }
    const state = seen
    const read = state.reading.then(async () => {
      const oldest = nowMinute() - KEEP_MINUTES + 1
      const got = await store.browse.acceptedRecords(workspaceId, state.lastSeq, oldest * MINUTE_MS)
      for (const c of got.counts)
        add(state.counts, ENDPOINT_OF_KIND[c.kind] ?? c.kind, c.minute, c.records)
      state.lastSeq = got.lastSeq
      prune(state.counts, oldest)
    })
    state.reading = read.catch(() => undefined)
    await read
    return state.counts
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
      const yes = await readOn(workspaceId)
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
