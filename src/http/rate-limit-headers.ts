/**
 * The `x-ratelimit-*` headers of spec §5.2: one onSend hook writes them on every response of a
 * rate-limited route that got as far as knowing its workspace — 200s, validation 400s and 429s
 * alike — from where governance left the request's quota (`request.rateLimit`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { rateLimitHeaders, type QuotaStatus } from '../governance/quotas.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Where the request's quota stands, for the §5.2 headers; null until a route sets it. */
    rateLimit: QuotaStatus | null
  }
}

/** Decorates requests with `rateLimit` and writes the §5.2 headers from it on every response. */
export function installRateLimitHeaders(app: FastifyInstance): void {
  app.decorateRequest('rateLimit', null)
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.rateLimit !== null) void reply.headers(rateLimitHeaders(request.rateLimit))
    return Promise.resolve(payload)
  })
}
