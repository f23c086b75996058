// Push's signature auth (http/auth.ts, PUSH_V2_AUTH and its v2.1 header form) in front of a small
// test family (test/helpers/auth-harness.ts): sha256 of appId|campaignName|pushApiKey in either
// case of hex, the order of its checks (workspace id, campaign name, workspace, key; Content-Type
// and body before the signature), the previous key during its grace period, v2.1's headers, and a
// key sealed under another secret (Push's documented failure, and a warning). Basic auth variants: auth.test.ts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CAMPAIGN, DATA_KEY, OTHER, PUSH_KEY, T0, WS } from '../../test/helpers/auth-harness.js'
import { ANSWER, answer, harness, signed, without } from '../../test/helpers/auth-harness.js'
import { createSecretBox } from '../workspaces/secret-box.js'
import { pushSignature, signatureAccepted } from './auth.js'

describe('Push signature (v2 body, v2.1 headers)', () => {
  it('is the documented sha256 recipe, and any candidate key may match', () => {
    const sig = pushSignature(WS, CAMPAIGN, 'key-b')
    assert.equal(signatureAccepted(sig, WS, CAMPAIGN, ['key-a', 'key-b']), true)
    assert.equal(signatureAccepted(sig, WS, CAMPAIGN, ['key-b', 'key-a']), true)
    assert.equal(signatureAccepted(sig, WS, CAMPAIGN, ['key-a']), false)
    assert.equal(signatureAccepted(sig, WS, CAMPAIGN, []), false)
    // The documented recipe, computed with Python's hashlib (moengage-push-openapi.yml):
    // sha256((app_id + '|' + campaign_name + '|' + api_key).encode('utf-8')).hexdigest()
    assert.equal(
      pushSignature(WS, CAMPAIGN, PUSH_KEY),
      '5d3e04dc7b3f6d4fde523d93b5c7c0cf88923763b1878c36490df09f46dfd418',
    )
    assert.equal(
      pushSignature('APPID', 'Kampagne für Ü', 'κλειδί'),
      '0114915b1bdd3b6f30148ed27029250f60824b0b2fb1e5cee49db00d629a43e1',
    )
  })

  it('accepts the signature of appId|campaignName|pushApiKey, in either case of hex', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY)), ANSWER.ok)
    const body = signed(PUSH_KEY)
    assert.deepEqual(
      await h.pushV2({ ...body, signature: body.signature.toUpperCase() }),
      ANSWER.ok,
    )
  })

  it('refuses a missing, wrong or other-campaign signature, and one made with the Data key', async (t) => {
    const h = await harness(t)
    const unsigned = without(signed(PUSH_KEY), 'signature')
    assert.deepEqual(await h.pushV2(unsigned), ANSWER.signatureMissing)
    assert.deepEqual(await h.pushV2({ ...unsigned, signature: '' }), ANSWER.signatureMissing)
    assert.deepEqual(await h.pushV2({ ...unsigned, signature: 42 }), ANSWER.signatureMissing)
    assert.deepEqual(
      await h.pushV2({ ...unsigned, signature: 'f'.repeat(64) }),
      ANSWER.signatureMismatch,
    )
    const other = signed(PUSH_KEY, 'Another campaign')
    assert.deepEqual(await h.pushV2({ ...other, campaignName: CAMPAIGN }), ANSWER.signatureMismatch)
    assert.deepEqual(await h.pushV2(signed(DATA_KEY)), ANSWER.signatureMismatch)
    // A signature for another workspace's id does not pass for this one.
    assert.deepEqual(
      await h.pushV2({ ...signed(PUSH_KEY, CAMPAIGN, OTHER), appId: WS }),
      ANSWER.signatureMismatch,
    )
  })

  it('answers the workspace id, campaign name, workspace and key checks in order', async (t) => {
    const h = await harness(t)
    const noApp = without(signed(PUSH_KEY), 'appId')
    assert.deepEqual(await h.pushV2(noApp), {
      status: 400,
      type: 'ParamsRequired',
      message: 'app_id is required in path/query params.',
    })
    const noCampaign = without(signed(PUSH_KEY), 'campaignName')
    assert.deepEqual(await h.pushV2(noCampaign), {
      status: 400,
      type: 'MissingAttributeError',
      message: 'campaignName is not found in the payload',
    })
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY, CAMPAIGN, 'NOSUCHWORKSPACE')), {
      status: 400,
      type: 'InvalidParams',
      message: 'Given app_id is invalid.',
    })
    assert.deepEqual(
      await h.pushV2(signed(PUSH_KEY, CAMPAIGN, OTHER)),
      ANSWER.featureKeyNotSet('Push'),
    )
    await h.store.workspaces.update(WS, { state: 'suspended', updatedAt: T0 })
    assert.deepEqual(
      await h.pushV2(signed('not-the-key')),
      ANSWER.signatureMismatch,
      'key before state',
    )
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY)), {
      status: 403,
      type: 'Account Suspended',
      message: 'Account Suspended',
    })
  })

  it('checks Content-Type before the body, and the body before the signature', async (t) => {
    const h = await harness(t)
    const post = (headers: Record<string, string>, payload: string) =>
      h.app.inject({ method: 'POST', url: '/push/v2', headers, payload }).then(answer)
    const body = JSON.stringify(signed(PUSH_KEY))
    assert.deepEqual(await post({}, body), {
      status: 400,
      type: 'Missing header value',
      message: 'The Content-Type Header is required',
    })
    assert.deepEqual(await post({ 'content-type': 'text/plain' }, body), {
      status: 415,
      type: 'Unsupported Media Type',
      message: 'Unsupported Media Type',
    })
    assert.deepEqual(await post({ 'content-type': 'application/json' }, '{"appId":'), {
      status: 400,
      type: 'Malformed JSON',
      message: 'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.',
    })
  })

  it('accepts the previous key’s signature during its grace period only', async (t) => {
    const h = await harness(t)
    const { apiKey: next } = await h.keys.rotate(WS, 'push', { graceSeconds: 30 })
    assert.deepEqual(await h.pushV2(signed(next)), ANSWER.ok)
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY)), ANSWER.ok, 'the old key in grace')
    h.clock.advance(30_000)
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY)), ANSWER.signatureMismatch, 'grace over')
    assert.deepEqual(await h.pushV2(signed(next)), ANSWER.ok)
  })

  it('reads appId and the signature from X-MOE-APPKEY and X-MOE-PushAPI-Signature on v2.1', async (t) => {
    const h = await harness(t)
    const post = (headers: Record<string, string>) =>
      h.app
        .inject({
          method: 'POST',
          url: '/push/v2.1',
          headers: { 'content-type': 'application/json', ...headers },
          payload: JSON.stringify({ campaignName: CAMPAIGN, requestType: 'push' }),
        })
        .then(answer)
    const signature = pushSignature(WS, CAMPAIGN, PUSH_KEY)
    assert.deepEqual(
      await post({ 'x-moe-appkey': WS, 'x-moe-pushapi-signature': signature }),
      ANSWER.ok,
    )
    assert.deepEqual(await post({ 'x-moe-appkey': WS }), ANSWER.signatureMissing)
    assert.deepEqual(
      await post({
        'x-moe-appkey': WS,
        'x-moe-pushapi-signature': pushSignature(WS, 'x', PUSH_KEY),
      }),
      ANSWER.signatureMismatch,
    )
    assert.equal((await post({ 'x-moe-pushapi-signature': signature })).status, 400)
  })

  it('treats a key sealed under another secret as no key, warned of without the key', async (t) => {
    const h = await harness(t, {
      secrets: createSecretBox(() => Buffer.from('a-different-server-secret-0123456789')),
    })
    // The Push key of the harness was sealed by this box; seal OTHER's under yet another secret.
    await h
      .keysOfAnotherProcess(h.store, 'the-secret-of-another-machine-01234')
      .create(OTHER, 'push', { key: 'the-other-push-key' })
    assert.deepEqual(await h.pushV2(signed(PUSH_KEY)), ANSWER.ok)
    // The harness answers in the Data envelope; Push's own words: families/push/push.test.ts.
    const notVerified = ANSWER.featureKeyNotSet('Push')
    assert.deepEqual(await h.pushV2(signed('the-other-push-key', CAMPAIGN, OTHER)), notVerified)
    const warnings = (): string[] => h.log.lines.filter((l) => l.includes('"level":"warn"'))
    assert.equal(warnings().length, 1)
    assert.match(warnings()[0] ?? '', /sealed under server secret [0-9a-f]{8}/)
    assert.match(warnings()[0] ?? '', new RegExp(`"workspaceId":"${OTHER}"`))
    // Warned at most once a minute per workspace; not counted as failed authentications.
    assert.deepEqual(await h.pushV2(signed('the-other-push-key', CAMPAIGN, OTHER)), notVerified)
    assert.equal(warnings().length, 1)
    h.clock.advance(60_000)
    assert.deepEqual(await h.pushV2(signed('the-other-push-key', CAMPAIGN, OTHER)), notVerified)
    assert.equal(warnings().length, 2)
    const logged = h.log.lines.join('\n')
    assert.ok(!logged.includes('the-other-push-key') && !logged.includes('another-machine'))
    assert.ok(!logged.includes('"level":"error"'))
  })
})
