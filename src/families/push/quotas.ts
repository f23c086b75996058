/**
 * The Push family's quota, as both pages give it: "The rate limit is 10,000 requests per minute",
 * counted per workspace in fixed minutes, one request one unit, v2 and v2.1 together. v2 refuses
 * with its 200 `Request limit exceeded`; v2.1 with its documented 429 (body `[]`) and the
 * `x-ratelimit-*` and `x-envoy-ratelimited` headers. docs/quotas.md lists it.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const PUSH_QUOTAS = {
  push_send: quotaWindows({ length: MINUTE, limit: 10_000, kind: 'fixed' }),
} as const satisfies QuotaPlan
