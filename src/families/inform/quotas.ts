/**
 * The Inform family's quota, as its page's `x-mint` note gives it: "The default rate limit is 10K
 * RPM", counted per workspace in fixed minutes, one request one unit, live and sandbox together;
 * no rate-limit headers (the page documents none). docs/quotas.md lists it.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const INFORM_QUOTAS = {
  inform_send: quotaWindows({ length: MINUTE, limit: 10_000, kind: 'fixed' }),
} as const satisfies QuotaPlan
