/**
 * Requests per minute to the Data API, accepted (2xx) and refused (anything else), per workspace
 * and endpoint, over the last day: what the workspace page charts against the quota. Fed by an
 * onResponse hook on every route; in memory, per process, since it started (docs/dashboard.md).
 */
import type { Clock } from '../../core/clock.js'

const MINUTE_MS = 60_000
const KEEP_MINUTES = 24 * 60

export type MinuteCounts = { minute: number; accepted: number; refused: number }

export type RequestMeter = Readonly<{
  count(workspaceId: string, endpoint: string, accepted: boolean): void
  /** Per endpoint, one entry per minute of the last `minutes` (oldest first), zeros included. */
  series(workspaceId: string, minutes: number): Record<string, MinuteCounts[]>
}>

export function createRequestMeter(clock: Clock): RequestMeter {
  // workspace → endpoint → minute → counts
  const data = new Map<string, Map<string, Map<number, MinuteCounts>>>()
  let lastPrune = 0
  const prune = (nowMinute: number): void => {
    if (nowMinute === lastPrune) return
    lastPrune = nowMinute
    for (const endpoints of data.values()) {
      for (const minutes of endpoints.values()) {
        for (const m of minutes.keys()) if (m <= nowMinute - KEEP_MINUTES) minutes.delete(m)
      }
    }
  }
  return {
    count: (workspaceId, endpoint, accepted) => {
      const minute = Math.floor(clock.now() / MINUTE_MS)
      prune(minute)
      let endpoints = data.get(workspaceId)
      if (endpoints === undefined)
        data.set(workspaceId, (endpoints = new Map<string, Map<number, MinuteCounts>>()))
      let minutes = endpoints.get(endpoint)
      if (minutes === undefined)
        endpoints.set(endpoint, (minutes = new Map<number, MinuteCounts>()))
      let counts = minutes.get(minute)
      if (counts === undefined) minutes.set(minute, (counts = { minute, accepted: 0, refused: 0 }))
      if (accepted) counts.accepted++
      else counts.refused++
    },
    series: (workspaceId, minutes) => {
      const now = Math.floor(clock.now() / MINUTE_MS)
      const out: Record<string, MinuteCounts[]> = {}
      for (const [endpoint, byMinute] of data.get(workspaceId) ?? []) {
        const list: MinuteCounts[] = []
        for (let m = now - minutes + 1; m <= now; m++) {
          list.push(byMinute.get(m) ?? { minute: m, accepted: 0, refused: 0 })
        }
        out[endpoint] = list
      }
      return out
    },
  }
}
