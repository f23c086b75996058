// The failed-authentication limiter on its own: counting per address in one-minute windows, the
// block and its Retry-After, which errors count, and "off".
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FastifyRequest } from 'fastify'
import { createManualClock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import { createAuthFailureLimiter } from './auth-failures.js'

const from = (ip: string): FastifyRequest => ({ ip }) as FastifyRequest // only `ip` is read

describe('createAuthFailureLimiter', () => {
  it('blocks an address after perMinute failures for blockSeconds, with Retry-After', () => {
    const clock = createManualClock(0)
    const limiter = createAuthFailureLimiter({ perMinute: 2, blockSeconds: 30, clock })
    for (let i = 0; i < 3; i++) {
      limiter.check(from('1.1.1.1'))
      limiter.observe(from('1.1.1.1'), new AppError('key_mismatch'))
    }
    assert.throws(
      () => limiter.check(from('1.1.1.1')),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'auth_rate_limited' &&
        err.headers['retry-after'] === '30',
    )
    limiter.check(from('2.2.2.2')) // another address is not blocked
    clock.advance(29_500)
    assert.throws(() => limiter.check(from('1.1.1.1')), /auth_rate_limited/)
    clock.advance(1_000)
    limiter.check(from('1.1.1.1'))
  })

  it('counts only authentication failures, per window', () => {
    const clock = createManualClock(0)
    const limiter = createAuthFailureLimiter({ perMinute: 1, blockSeconds: 60, clock })
    for (let i = 0; i < 5; i++) {
      limiter.observe(from('3.3.3.3'), new AppError('malformed_json'))
      limiter.observe(from('3.3.3.3'), new Error('not ours'))
    }
    limiter.check(from('3.3.3.3'))
    limiter.observe(from('3.3.3.3'), new AppError('auth_unknown_app_id'))
    clock.advance(60_000) // a new window: the count starts again
    limiter.observe(from('3.3.3.3'), new AppError('auth_unknown_app_id'))
    limiter.check(from('3.3.3.3'))
  })

  it('never blocks when perMinute is 0', () => {
    const limiter = createAuthFailureLimiter({ perMinute: 0, blockSeconds: 60 })
    for (let i = 0; i < 100; i++) limiter.observe(from('4.4.4.4'), new AppError('key_mismatch'))
    limiter.check(from('4.4.4.4'))
  })
})
