/**
 * The Message Archival family's quota, as its page's `x-mint` note gives it: "The rate limit for
 * this endpoint is 1000 RPM", counted per workspace in fixed minutes, one request one unit, with
 * the `x-ratelimit-*` headers (the page: "A number of headers are returned in case of a
 * rate-limit breach"). docs/quotas.md lists it.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const ARCHIVAL_QUOTAS = {
  archival_view: quotaWindows({ length: MINUTE, limit: 1_000, kind: 'fixed' }),
} as const satisfies QuotaPlan
