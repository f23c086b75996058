// The gateway's Basic auth variants (http/auth.ts), each in front of a small test family
// (test/helpers/auth-harness.ts): Basic with a feature's key and an optional or required
// MOE-APPKEY / X-MOE-APPKEY, the workspace from the Basic user, the path or ?app_id=, feature keys
// kept apart from the Data key and rotated with a grace period; and the failed-auth limiter
// counting each kind of failure across the variants, Push signatures included. Push's signature
// itself: push-signature.test.ts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DATA_KEY, OTHER, PUSH_KEY, WS } from '../../test/helpers/auth-harness.js'
import {
  ANSWER,
  answer,
  basicAuth,
  harness,
  signed,
  without,
} from '../../test/helpers/auth-harness.js'
import { WORKSPACE_CACHE_TTL_MS } from './gateway.js'

describe('Basic auth with a feature key', () => {
  it('accepts the Push key on a Push route with MOE-APPKEY, and refuses the Data key', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await h.basic('/push-basic/send', PUSH_KEY, { 'moe-appkey': WS }), ANSWER.ok)
    assert.deepEqual(
      await h.basic('/push-basic/send', DATA_KEY, { 'moe-appkey': WS }),
      ANSWER.featureKeyMismatch('Push'),
    )
  })

  it('refuses the Push key on a Data route (key_mismatch, the Data API’s own answer)', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await h.basic(`/basic/${WS}`, DATA_KEY), ANSWER.ok)
    assert.deepEqual(await h.basic(`/basic/${WS}`, PUSH_KEY), ANSWER.keyMismatch)
  })

  it('answers 409 when the workspace has no key for the feature, whatever the password', async (t) => {
    const h = await harness(t)
    for (const secret of [DATA_KEY, PUSH_KEY, 'any-guess-at-all']) {
      assert.deepEqual(
        await h.basic('/x-appkey/send', secret, { 'x-moe-appkey': WS }),
        ANSWER.featureKeyNotSet('Inform'),
      )
    }
    assert.deepEqual(
      await h.basic('/reports/' + WS, PUSH_KEY),
      ANSWER.featureKeyNotSet('Campaign report / Business events / Custom templates / Catalog'),
    )
  })

  it('requires MOE-APPKEY where the variant does: missing or empty is 401, another id too', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await h.basic('/push-basic/send', PUSH_KEY), ANSWER.appKeyMissing)
    assert.deepEqual(
      await h.basic('/push-basic/send', PUSH_KEY, { 'moe-appkey': '' }),
      ANSWER.appKeyMissing,
    )
    assert.deepEqual(
      await h.basic('/push-basic/send', PUSH_KEY, { 'moe-appkey': OTHER }),
      ANSWER.appKeyMismatch,
    )
    // Credentials first (spec §4.5): a wrong key without the header is a key error, not a
    // header error, so an unauthenticated caller learns nothing about the header.
    assert.deepEqual(await h.basic('/push-basic/send', DATA_KEY), ANSWER.featureKeyMismatch('Push'))
  })

  it('reads X-MOE-APPKEY where the variant names it (not MOE-APPKEY)', async (t) => {
    const h = await harness(t)
    const { apiKey } = await h.keys.create(WS, 'inform')
    assert.deepEqual(await h.basic('/x-appkey/send', apiKey, { 'x-moe-appkey': WS }), ANSWER.ok)
    assert.deepEqual(
      await h.basic('/x-appkey/send', apiKey, { 'moe-appkey': WS }),
      ANSWER.appKeyMissing,
    )
    assert.deepEqual(
      await h.basic('/x-appkey/send', apiKey, { 'x-moe-appkey': OTHER }),
      ANSWER.appKeyMismatch,
    )
    assert.deepEqual(
      await h.basic('/x-appkey/send', PUSH_KEY, { 'x-moe-appkey': WS }),
      ANSWER.featureKeyMismatch('Inform'),
    )
  })

  it('takes the workspace from the path or ?app_id= where the variant says, and checks it', async (t) => {
    const h = await harness(t)
    const { apiKey } = await h.keys.create(WS, 'reports')
    const get = (url: string, secret = apiKey) =>
      h.app
        .inject({ method: 'GET', url, headers: { authorization: basicAuth(WS, secret) } })
        .then(answer)
    assert.deepEqual(
      await get(`/reports/${WS}`),
      ANSWER.ok,
      'no Content-Type needed (contentType any)',
    )
    assert.deepEqual(await get(`/reports/${WS}?app_id=${WS}`), ANSWER.ok)
    assert.deepEqual(await get(`/reports/${OTHER}`), {
      status: 409,
      type: 'Authentication Mismatch',
      message: 'App key mismatch in params and authentication',
    })
    assert.deepEqual(
      await get(`/reports/${OTHER}`, DATA_KEY),
      ANSWER.featureKeyMismatch('Campaign report / Business events / Custom templates / Catalog'),
      'a wrong key before a mismatch',
    )
  })

  it('keeps a rotated-out feature key working for its grace period only', async (t) => {
    const h = await harness(t)
    const { apiKey: next } = await h.keys.rotate(WS, 'push', { graceSeconds: 60 })
    const send = (key: string) => h.basic('/push-basic/send', key, { 'moe-appkey': WS })
    assert.deepEqual(
      await send(next),
      ANSWER.ok,
      'the new key at once (this process dropped its cache)',
    )
    assert.deepEqual(await send(PUSH_KEY), ANSWER.ok, 'the old key during the grace period')
    h.clock.advance(59_999)
    assert.deepEqual(await send(PUSH_KEY), ANSWER.ok)
    h.clock.advance(1)
    assert.deepEqual(await send(PUSH_KEY), ANSWER.featureKeyMismatch('Push'), 'grace over')
    assert.deepEqual(await send(next), ANSWER.ok)
    // Another process's change (the CLI, straight to the store) is seen within the cache's TTL.
    const { apiKey: third } = await h.keysOfAnotherProcess(h.raw).rotate(WS, 'push', {
      key: 'the-push-api-key-03',
    })
    assert.deepEqual(await send(next), ANSWER.ok, 'still cached')
    assert.deepEqual(await send(third), ANSWER.featureKeyMismatch('Push'))
    h.clock.advance(WORKSPACE_CACHE_TTL_MS)
    assert.deepEqual(await send(third), ANSWER.ok)
    assert.deepEqual(await send(next), ANSWER.featureKeyMismatch('Push'))
  })

  it('answers 409 at once when the key is removed through this process', async (t) => {
    const h = await harness(t)
    const send = () => h.basic('/push-basic/send', PUSH_KEY, { 'moe-appkey': WS })
    assert.deepEqual(await send(), ANSWER.ok)
    await h.keys.remove(WS, 'push')
    assert.deepEqual(await send(), ANSWER.featureKeyNotSet('Push'))
  })
})

describe('failed-auth limiting across the variants', () => {
  it('counts wrong feature keys, missing and wrong signatures; then blocks even good requests', async (t) => {
    const h = await harness(t, { perMinute: 3 })
    const from = '10.1.1.1'
    const inject = (url: string, headers: Record<string, string>, payload: unknown) =>
      h.app
        .inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', ...headers },
          payload: JSON.stringify(payload),
          remoteAddress: from,
        })
        .then(answer)
    // Successes and header errors after good credentials never count.
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await h.pushV2(signed(PUSH_KEY), from), ANSWER.ok)
      assert.deepEqual(
        await inject('/push-basic/send', { authorization: basicAuth(WS, PUSH_KEY) }, {}),
        ANSWER.appKeyMissing,
      )
    }
    const unsigned = without(signed(PUSH_KEY), 'signature')
    assert.deepEqual(
      await inject(
        '/push-basic/send',
        { authorization: basicAuth(WS, DATA_KEY), 'moe-appkey': WS },
        {},
      ),
      ANSWER.featureKeyMismatch('Push'),
    )
    assert.deepEqual(await h.pushV2(unsigned, from), ANSWER.signatureMissing)
    assert.deepEqual(await h.pushV2(signed('a-wrong-key'), from), ANSWER.signatureMismatch)
    assert.deepEqual(
      await h.pushV2(signed('a-wrong-key'), from),
      ANSWER.signatureMismatch,
      'the 4th',
    )
    const blocked = {
      status: 429,
      type: 'Rate Limit Exceeded',
      message: 'Too many failed authentication attempts. Please retry later.',
    }
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY), from), blocked)
    assert.deepEqual(
      await inject(
        '/push-basic/send',
        { authorization: basicAuth(WS, PUSH_KEY), 'moe-appkey': WS },
        {},
      ),
      blocked,
    )
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY), '10.1.1.2'), ANSWER.ok, 'another address')
    h.clock.advance(60_000)
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY), from), ANSWER.ok, 'unblocked')
  })
})
