/**
 * The Data family's quotas on the request path (spec §5.1): which quotas each ingest endpoint
 * spends, how many units a request's records take from them, the family's rate-limit header
 * convention (§5.2), and how many records a refused request counts as (the dashboard's chart). The quotas themselves, one fixed minute each, are governance's own
 * (governance/quotas.ts DEFAULT_QUOTAS, with the workspace's overrides).
 */
import type { ParsedRecord } from '../../core/records.js'
import type { Demand, QuotaName } from '../../governance/quotas.js'
import type { RateLimitHeaderConvention } from '../../http/rate-limit-headers.js'

/** spec §5.2: `x-ratelimit-*` on every response of a rate-limited endpoint (+ Retry-After on 429). */
export const DATA_RATE_LIMIT_HEADERS: RateLimitHeaderConvention = 'x-ratelimit'

/**
 * The records a refused request asked for, for the refused-records chart (http/refusals.ts): the
 * length of its body's `elements` (Bulk Import), `actions` (Create Event) or `merge_data` (Merge
 * Users), or one — a request with none of them, or whose body was never read.
 */
export function recordsOfBody(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 1
  for (const key of ['elements', 'actions', 'merge_data']) {
    const list = (body as Record<string, unknown>)[key] // an object, checked above
    if (Array.isArray(list)) return Math.max(1, list.length)
  }
  return 1
}

/** Quota units of ingest records (spec §5.1): per endpoint, users and events counted apart. */
export function ingestDemands(
  endpoint: 'customer' | 'event' | 'device' | 'bulk',
  records: readonly ParsedRecord[],
): Demand[] {
  switch (endpoint) {
    case 'customer':
      return [{ quota: 'track_user', amount: records.length }]
    case 'event':
      return [{ quota: 'create_event', amount: records.length }]
    case 'device':
      return [{ quota: 'track_device', amount: records.length }]
    case 'bulk': {
      // Devices are user-level updates; elements that failed validation are not counted.
      const events = records.filter((r) => r.kind === 'event').length
      const users = records.filter((r) => r.kind === 'customer' || r.kind === 'device').length
      return [
        { quota: 'bulk_users', amount: users },
        { quota: 'bulk_events', amount: events },
      ]
    }
  }
}

export const INGEST_QUOTAS: Readonly<
  Record<'customer' | 'event' | 'device' | 'bulk', readonly QuotaName[]>
> = {
  customer: ['track_user'],
  event: ['create_event'],
  device: ['track_device'],
  bulk: ['bulk_users', 'bulk_events'],
}
