// The rate-limit header conventions a family chooses (rate-limit-headers.ts), each installed on
// its own scope of one app, over one governance with a manual clock and a quota of a minute and
// an hour (governance.scope): `x-ratelimit` reports the most constrained window on every response
// and adds Retry-After on a quota's 429; `retry-after` sends only Retry-After on a quota's 429;
// `none` sends nothing — and no convention touches the Retry-After of another error.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import { aWorkspace } from '../../test/store/contract.js'
import { createManualClock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import { silentLogger } from '../core/log.js'
import { createGovernance } from '../governance/governance.js'
import { HOUR, MINUTE, quotaWindows } from '../governance/quotas.js'
import { installErrorHandling } from './error-handler.js'
import { installRateLimitHeaders, type RateLimitHeaderConvention } from './rate-limit-headers.js'

const T = Date.parse('2026-11-01T10:00:00Z')
const CONVENTIONS: readonly RateLimitHeaderConvention[] = ['x-ratelimit', 'retry-after', 'none']

/** Flows-like: 3 a minute and 4 an hour (scaled down), one unit per request. */
const PLAN = {
  flows: quotaWindows(
    { length: MINUTE, limit: 3, kind: 'fixed' },
    { length: HOUR, limit: 4, kind: 'fixed' },
  ),
}

async function appWithScopes(t: TestContext) {
  const clock = createManualClock(T)
  const governance = createGovernance({ clock, enabled: true })
  const app = Fastify()
  installErrorHandling(app, silentLogger)
  for (const convention of CONVENTIONS) {
    // One workspace per scope, so that each convention's counts start from nothing.
    const workspace = aWorkspace({ id: `WS-${convention}` })
    const quotas = governance.scope(PLAN)
    await app.register((api, _opts, done) => {
      installRateLimitHeaders(api, convention)
      api.post(`/${convention}/flows`, async (request) => {
        quotas.observe(request, workspace, ['flows'])
        await quotas.admit(request, workspace, [{ quota: 'flows', amount: 1 }])
        return { ok: true }
      })
      api.post(`/${convention}/unavailable`, async (request) => {
        quotas.observe(request, workspace, ['flows'])
        return Promise.reject(
          new AppError('store_unavailable', { headers: { 'retry-after': '5' } }),
        )
      })
      done()
    })
  }
  t.after(() => app.close())
  const post = (convention: RateLimitHeaderConvention, path = 'flows') =>
    app.inject({ method: 'POST', url: `/${convention}/${path}` })
  return { clock, post }
}

function headersOf(res: LightMyRequestResponse) {
  return {
    limit: res.headers['x-ratelimit-limit'],
    remaining: res.headers['x-ratelimit-remaining'],
    reset: res.headers['x-ratelimit-reset'],
    retryAfter: res.headers['retry-after'],
  }
}

const NONE = { limit: undefined, remaining: undefined, reset: undefined, retryAfter: undefined }

describe('installRateLimitHeaders', () => {
  it('x-ratelimit: the most constrained window on every response, Retry-After on a 429', async (t) => {
    const { clock, post } = await appWithScopes(t)
    clock.set(T + 1_000)
    for (const remaining of ['2', '1', '0']) {
      const res = await post('x-ratelimit')
      assert.equal(res.statusCode, 200)
      // the minute has fewer left than the hour (3 - n against 4 - n)
      assert.deepEqual(headersOf(res), { ...NONE, limit: '3; w=60', remaining, reset: '59' })
    }
    clock.set(T + 61_000) // the next minute: 3 left in it, 1 in the hour
    const last = await post('x-ratelimit')
    assert.equal(last.statusCode, 200)
    assert.deepEqual(headersOf(last), {
      ...NONE,
      limit: '4; w=3600',
      remaining: '0',
      reset: '3539',
    })
    const refused = await post('x-ratelimit') // the minute has room, the hour none
    assert.equal(refused.statusCode, 429)
    assert.deepEqual(headersOf(refused), {
      limit: '4; w=3600',
      remaining: '0',
      reset: '3539',
      retryAfter: '3539',
    })
  })

  it('retry-after: nothing on a 200; only Retry-After, for the window that refused, on a 429', async (t) => {
    const { clock, post } = await appWithScopes(t)
    for (let i = 0; i < 3; i++) {
      const res = await post('retry-after')
      assert.equal(res.statusCode, 200)
      assert.deepEqual(headersOf(res), NONE)
    }
    clock.advance(30_500)
    const minute = await post('retry-after')
    assert.equal(minute.statusCode, 429)
    assert.deepEqual(headersOf(minute), { ...NONE, retryAfter: '30' }, 'the minute refused')
    clock.set(T + 60_000)
    assert.equal((await post('retry-after')).statusCode, 200)
    const hour = await post('retry-after')
    assert.equal(hour.statusCode, 429)
    assert.deepEqual(headersOf(hour), { ...NONE, retryAfter: '3540' }, 'the hour refused')
  })

  it('none: no rate-limit header on a 200 or a 429', async (t) => {
    const { post } = await appWithScopes(t)
    for (let i = 0; i < 3; i++) assert.deepEqual(headersOf(await post('none')), NONE)
    const refused = await post('none')
    assert.equal(refused.statusCode, 429)
    assert.deepEqual(headersOf(refused), NONE)
  })

  it('leaves another error’s own Retry-After alone, whatever the convention', async (t) => {
    const { post } = await appWithScopes(t)
    for (const convention of CONVENTIONS) {
      const res = await post(convention, 'unavailable')
      assert.equal(res.statusCode, 503, convention)
      assert.equal(res.headers['retry-after'], '5', convention)
      const limit = convention === 'x-ratelimit' ? '3; w=60' : undefined
      assert.equal(res.headers['x-ratelimit-limit'], limit, convention)
    }
  })
})
