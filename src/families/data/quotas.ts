/**
 * The Data family's quotas on the request path (spec §5.1): which quotas each ingest endpoint
 * spends, and how many units a request's records take from them.
 */
import type { ParsedRecord } from '../../core/records.js'
import type { Demand, QuotaName } from '../../governance/quotas.js'

/** Quota units of ingest records (spec §5.1): per endpoint, users and events counted apart. */
export function ingestDemands(
  family: 'customer' | 'event' | 'device' | 'bulk',
  records: readonly ParsedRecord[],
): Demand[] {
  switch (family) {
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
