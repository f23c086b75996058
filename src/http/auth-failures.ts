/**
 * Failed-authentication limiting per source address (Inlet's own; the spec is silent): each
 * failed authentication (a wrong or missing Data API key, a wrong feature key, a missing or wrong
 * request signature, an unknown workspace, a wrong attribution key on Install info, a bad admin
 * token) counts against the client's IP address in a fixed one-minute window; past `perMinute`
 * the address is blocked for `blockSeconds`, and every request from it answers 429
 * `auth_rate_limited` with `Retry-After` before its credentials are looked at — so guessing keys
 * costs a minute per few dozen guesses. Checked by every gateway variant (http/auth.ts: the Data
 * API, `/inlet/v1/…`, feature keys, signatures), Test connection, Install info and the admin API.
 * Successes never count and never reset a block. In memory, per process, bounded in size.
 */
import { systemClock, type Clock } from '../core/clock.js'
import { AppError, BASIC_CREDENTIAL_CODES, type ErrorCode } from '../core/errors.js'

/** The codes that mean "these credentials are wrong", the ones a key guesser provokes. */
export const AUTH_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ...BASIC_CREDENTIAL_CODES,
  'invalid_app_id',
  'auth_unknown_app_id',
  'key_mismatch',
  // Feature-scoped keys and request signatures (http/auth.ts)
  'feature_key_mismatch',
  'signature_missing',
  'signature_mismatch',
  'admin_unauthorized',
  // A dashboard sign-in with a wrong key or admin token (families/dashboard/).
  'dashboard_sign_in_failed',
  // Install info (spec §7.10) is authenticated by the attribution key instead of Basic auth.
  'attribution_key_mismatch',
])

/** Addresses tracked at most; past this the oldest window is dropped first (Map order). */
const MAX_TRACKED = 100_000
const WINDOW_MS = 60_000

/** What the limiter reads of a request: its client's address (a FastifyRequest's `ip`). */
export type AddressedRequest = Readonly<{ ip: string }>

export type AuthFailureLimiter = Readonly<{
  /** Throws 429 auth_rate_limited when the request's address is blocked. */
  check(request: AddressedRequest): void
  /** Counts one failure of the request's address when `err` is a failed authentication. */
  observe(request: AddressedRequest, err: unknown): void
}>

type Entry = { windowStart: number; failures: number; blockedUntil: number }

export function createAuthFailureLimiter(options: {
  perMinute: number
  blockSeconds: number
  clock?: Clock
}): AuthFailureLimiter {
  const clock = options.clock ?? systemClock
  const entries = new Map<string, Entry>()
  const off = options.perMinute === 0
  const addressOf = (request: AddressedRequest): string => request.ip || 'unknown'
  return {
    check: (request) => {
      if (off) return
      const entry = entries.get(addressOf(request))
      const now = clock.now()
      if (entry === undefined || entry.blockedUntil <= now) return
      const seconds = Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000))
      throw new AppError('auth_rate_limited', { headers: { 'retry-after': String(seconds) } })
    },
    observe: (request, err) => {
      if (off || !(err instanceof AppError) || !AUTH_FAILURE_CODES.has(err.code)) return
      const address = addressOf(request)
      const now = clock.now()
      let entry = entries.get(address)
      if (entry === undefined || now - entry.windowStart >= WINDOW_MS || now < entry.windowStart) {
        if (entry === undefined && entries.size >= MAX_TRACKED) {
          const oldest = entries.keys().next()
          if (oldest.done !== true) entries.delete(oldest.value)
        }
        entry = { windowStart: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 }
        entries.delete(address) // re-inserted last: Map order is the eviction order
        entries.set(address, entry)
      }
      entry.failures++
      if (entry.failures > options.perMinute) {
        entry.blockedUntil = now + options.blockSeconds * 1000
      }
    },
  }
}

/** A limiter that never blocks (tests that drive the gateway directly). */
export const noAuthFailureLimit: AuthFailureLimiter = createAuthFailureLimiter({
  perMinute: 0,
  blockSeconds: 1,
})
