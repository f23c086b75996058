/**
 * The rate-limit headers of a family's scope, in the convention the family chooses: one onSend
 * hook writes them on every response of a rate-limited route that got as far as knowing its
 * workspace — 200s, validation 400s and 429s alike — from where governance left the request's
 * quota (`request.rateLimit`, the window to report) and whether it refused it
 * (`request.rateLimitRefused`).
 *
 * - `x-ratelimit`: the `x-ratelimit-limit`/`-remaining`/`-reset` headers of spec §5.2 on every
 *   response, for the most constrained window (the fewest units left; of those, the one that
 *   frees up last; `w=` its length in seconds), and `Retry-After` on a quota's 429 (the Data API,
 *   where it is an Inlet addition; Catalog, Coupons, Push v2.1).
 * - `retry-after`: only `Retry-After`, on a quota's 429 (Flows, Campaigns V5, Offerings).
 * - `none`: no header (families whose docs state none).
 *
 * Only a quota's refusal gets this Retry-After: other errors that carry their own (a store that is
 * unavailable, failed authentications) keep theirs whatever the convention.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GovernedRequest } from '../governance/governance.js'
import { rateLimitHeaders, retryAfterSeconds, type QuotaStatus } from '../governance/quotas.js'

export type RateLimitHeaderConvention = 'x-ratelimit' | 'retry-after' | 'none'

declare module 'fastify' {
  interface FastifyRequest {
    /** Where the request's quota stands, for the rate-limit headers; null until a route sets it. */
    rateLimit: QuotaStatus | null
    /** Governance refused the request for its quota (429): Retry-After, if the convention has it. */
    rateLimitRefused: boolean
  }
}

/**
 * Decorates the scope's requests with `rateLimit` and `rateLimitRefused` and writes the headers of
 * `convention` from them on every response (default: the Data API's §5.2 headers).
 */
export function installRateLimitHeaders(
  app: FastifyInstance,
  convention: RateLimitHeaderConvention = 'x-ratelimit',
): void {
  // Each family's scope installs its own; a request decorator is shared by all of them.
  if (!app.hasRequestDecorator('rateLimit')) app.decorateRequest('rateLimit', null)
  if (!app.hasRequestDecorator('rateLimitRefused')) app.decorateRequest('rateLimitRefused', false)
  if (convention === 'none') return
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const headers = rateLimitHeadersOf(request, convention)
    if (headers !== undefined) void reply.headers(headers)
    return Promise.resolve(payload)
  })
}

/**
 * The headers of `convention` for where governance left `request` (none before a route set its
 * quota): the onSend hook above writes them, and so does the Data API's raw ingest path.
 */
export function rateLimitHeadersOf(
  request: GovernedRequest,
  convention: RateLimitHeaderConvention,
): Record<string, string> | undefined {
  const status = request.rateLimit
  if (status === null || convention === 'none') return undefined
  const headers: Record<string, string> =
    convention === 'x-ratelimit' ? rateLimitHeaders(status) : {}
  if (request.rateLimitRefused) headers['retry-after'] = String(retryAfterSeconds(status))
  return headers
}
