/**
 * What the workspace page charts: records per minute per API over the last day, accepted and
 * refused, both read from counts the store keeps per workspace, minute and API — so they survive
 * a restart and are the same from every process on the store. Accepted records are the counts the
 * log's appends keep (Store `browse.acceptedRecords`: no log row is read), a Bulk request's
 * records under Bulk Import on every store. Refused records (answers other than 2xx to an
 * authenticated request) are the counts http/refusals.ts writes each second (Store `refusals`);
 * this process's are written first, so a page shows them at once, other processes' within a
 * second (docs/dashboard.md).
 */
import type { Clock } from '../../core/clock.js'
import type { RefusalCounter } from '../../http/refusals.js'
import type { Store } from '../../store/store.js'

const MINUTE_MS = 60_000

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

/** Counts per minute: endpoint → minute → records. */
type Minutes = Map<string, Map<number, number>>

function add(into: Minutes, endpoint: string, minute: number, n: number): void {
  let byMinute = into.get(endpoint)
  if (byMinute === undefined) into.set(endpoint, (byMinute = new Map<number, number>()))
  byMinute.set(minute, (byMinute.get(minute) ?? 0) + n)
}

export type TrafficMeter = Readonly<{
  /** Per endpoint, one entry per minute of the last `minutes` (oldest first), zeros included. */
  series(workspaceId: string, minutes: number): Promise<Record<string, MinuteCounts[]>>
}>

export function createTrafficMeter(
  store: Store,
  clock: Clock,
  refusals: Pick<RefusalCounter, 'flush'>,
): TrafficMeter {
  const nowMinute = () => Math.floor(clock.now() / MINUTE_MS)

  const counted = async (workspaceId: string, minutes: number): Promise<[Minutes, Minutes]> => {
    const since = (nowMinute() - minutes + 1) * MINUTE_MS
    await refusals.flush()
    const [accepted, refused] = await Promise.all([
      store.browse.acceptedRecords(workspaceId, since),
      store.refusals.since(workspaceId, since),
    ])
    const yes: Minutes = new Map<string, Map<number, number>>()
    const no: Minutes = new Map<string, Map<number, number>>()
    for (const c of accepted) add(yes, API_OF_KIND[c.api] ?? c.api, c.minute, c.records)
    for (const c of refused) add(no, c.api, c.minute, c.records)
    return [yes, no]
  }

  return {
    series: async (workspaceId, minutes) => {
      const [yes, no] = await counted(workspaceId, minutes)
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
