// The gateway's auth variants (http/auth.ts), each in front of a small test family on a real
// Fastify app with the real gateway, JSON parser and error handler over a SQLite `:memory:` store:
// Basic with a feature's key and an optional or required MOE-APPKEY / X-MOE-APPKEY, feature keys
// kept apart from the Data key and rotated with a grace period, Push's body signature (v2) and
// its header form (v2.1), and the failed-auth limiter counting each kind of failure. Expected
// strings are written out here, so a drifting catalogue fails.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { createManualClock, type ManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { createMemoryLogger, type MemoryLogger } from '../core/log.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'
import { createFeatureKeys, type FeatureKeys } from '../workspaces/feature-keys.js'
import { createSecretBox, type SecretBox } from '../workspaces/secret-box.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { createAuthFailureLimiter } from './auth-failures.js'
import { installAuth } from './auth-hooks.js'
import {
  DATA_AUTH,
  PUSH_V2_AUTH,
  pushSignature,
  signatureAccepted,
  type AuthVariant,
  type BasicAuth,
} from './auth.js'
import { dataEnvelope } from './envelopes.js'
import { installErrorHandling } from './error-handler.js'
import {
  WORKSPACE_CACHE_TTL_MS,
  createWorkspaceCache,
  invalidatingWorkspaceWrites,
} from './gateway.js'
import { installJsonBodyParser } from './json-body.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'AUTHVARIANTS00000001'
const OTHER = 'AUTHVARIANTS00000002'
const DATA_KEY = 'the-data-api-key-01'
const PUSH_KEY = 'the-push-api-key-01'
const CAMPAIGN = 'Winter sale 2026'

/** Basic with the Push key, the Basic user naming the workspace, `MOE-APPKEY` required. */
const PUSH_BASIC: BasicAuth = {
  scheme: 'basic',
  feature: 'push',
  appKey: 'required',
  appKeyHeader: 'MOE-APPKEY',
  workspaceFrom: 'basic-user',
  contentType: 'json',
}

type Harness = Readonly<{
  app: FastifyInstance
  store: Store
  /** The store without the cache-dropping wrapper: writes as another process's would be. */
  raw: Store
  clock: ManualClock
  keys: FeatureKeys
  log: MemoryLogger
}>

/**
 * One Fastify app with a test family per variant under its own prefix: `/basic/…` (Data key,
 * DATA_AUTH), `/push-basic/…` (PUSH_BASIC), `/x-appkey/…` (Inform key, `X-MOE-APPKEY` required),
 * `/reports/:id` (reports key, id in the path), `/push/v2` (PUSH_V2_AUTH), `/push/v2.1` (headers).
 * Each route answers the workspace the gateway authenticated.
 */
async function harness(
  t: TestContext,
  options: { perMinute?: number; secrets?: SecretBox } = {},
): Promise<Harness> {
  const raw = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => raw.close())
  const clock = createManualClock(T0)
  const cache = createWorkspaceCache({ store: raw, clock })
  const store = invalidatingWorkspaceWrites(raw, cache)
  const ids = createSequentialIds()
  const secrets =
    options.secrets ?? createSecretBox(() => Buffer.from('auth-variants-test-secret-0123456789'))
  const authFailures = createAuthFailureLimiter({
    perMinute: options.perMinute ?? 0,
    blockSeconds: 60,
    clock,
  })
  const log = createMemoryLogger()
  const app = Fastify({ logger: false })
  app.decorateRequest('workspace', null)
  installJsonBodyParser(app)
  installErrorHandling(app, log, { data: dataEnvelope })
  const deps = { store, clock, cache, authFailures, secrets, isClosing: () => false }
  const family = (prefix: string, url: string, variant: AuthVariant): void => {
    void app.register(
      (scope, _opts, done) => {
        installAuth(scope, deps, variant)
        scope.post(url, (request) => ({ status: 'success', workspace: request.workspace?.id }))
        scope.get(url, (request) => ({ status: 'success', workspace: request.workspace?.id }))
        done()
      },
      { prefix },
    )
  }
  family('/basic', '/:id', DATA_AUTH)
  family('/push-basic', '/send', PUSH_BASIC)
  family('/x-appkey', '/send', {
    ...PUSH_BASIC,
    feature: 'inform',
    appKeyHeader: 'X-MOE-APPKEY',
  })
  family('/reports', '/:id', {
    ...PUSH_BASIC,
    feature: 'reports',
    appKey: 'optional',
    workspaceFrom: 'path-or-query',
    contentType: 'any',
  })
  family('/push', '/v2', PUSH_V2_AUTH)
  family('/push', '/v2.1', { scheme: 'push-signature', source: 'headers' })
  await app.ready()
  t.after(() => app.close())
  const workspaces = createWorkspaces({ store, clock, ids })
  await workspaces.create({ id: WS, key: DATA_KEY })
  await workspaces.create({ id: OTHER, key: 'the-other-data-key' })
  const keys = createFeatureKeys({ store, clock, ids, secrets })
  await keys.create(WS, 'push', { key: PUSH_KEY })
  return { app, store, raw, clock, keys, log }
}

const basic = (user: string, secret: string): string =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`

type Answer = { status: number; type?: string; message?: string; workspace?: string }

function answer(res: LightMyRequestResponse): Answer {
  const body = res.json<{ workspace?: string; error?: { type: string; message: string } }>()
  if (body.error !== undefined) {
    return { status: res.statusCode, type: body.error.type, message: body.error.message }
  }
  return {
    status: res.statusCode,
    ...(body.workspace === undefined ? {} : { workspace: body.workspace }),
  }
}

function basicRequest(
  h: Harness,
  url: string,
  secret: string,
  headers: Record<string, string> = {},
  user = WS,
): Promise<Answer> {
  return h.app
    .inject({
      method: 'POST',
      url,
      headers: {
        authorization: basic(user, secret),
        'content-type': 'application/json',
        ...headers,
      },
      payload: '{}',
    })
    .then(answer)
}

function pushV2(h: Harness, body: Record<string, unknown>, remoteAddress?: string) {
  return h.app
    .inject({
      method: 'POST',
      url: '/push/v2',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    })
    .then(answer)
}

/** `body` without `field`. */
function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => k !== field))
}

const signed = (key: string, campaignName = CAMPAIGN, appId = WS) => ({
  appId,
  campaignName,
  signature: pushSignature(appId, campaignName, key),
  requestType: 'push',
})

const OK = { status: 200, workspace: WS }
const AUTH = 'Authentication required'
const FEATURE_KEY_MISMATCH = (feature: string): Answer => ({
  status: 401,
  type: AUTH,
  message: `${feature} API key mismatch. Please verify the key of this API`,
})
const FEATURE_KEY_NOT_SET = (feature: string): Answer => ({
  status: 409,
  type: AUTH,
  message: `${feature} API key is not set. Please ask the workspace operator to set a key`,
})
const KEY_MISMATCH: Answer = {
  status: 401,
  type: AUTH,
  message: 'App Secret key mismatch. Please login to the dashboard to verify key',
}
const APPKEY_MISSING: Answer = {
  status: 401,
  type: AUTH,
  message: 'MOE-APPKEY is missing in Header',
}
const APPKEY_MISMATCH: Answer = {
  status: 401,
  type: AUTH,
  message: "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
}
const SIGNATURE_MISSING: Answer = { status: 401, type: AUTH, message: 'Signature missing' }
const SIGNATURE_MISMATCH: Answer = { status: 401, type: AUTH, message: 'Signature not verified' }

describe('Basic auth with a feature key', () => {
  it('accepts the Push key on a Push route with MOE-APPKEY, and refuses the Data key', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await basicRequest(h, '/push-basic/send', PUSH_KEY, { 'moe-appkey': WS }), OK)
    assert.deepEqual(
      await basicRequest(h, '/push-basic/send', DATA_KEY, { 'moe-appkey': WS }),
      FEATURE_KEY_MISMATCH('Push'),
    )
  })

  it('refuses the Push key on a Data route (key_mismatch, the Data API’s own answer)', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await basicRequest(h, `/basic/${WS}`, DATA_KEY), OK)
    assert.deepEqual(await basicRequest(h, `/basic/${WS}`, PUSH_KEY), KEY_MISMATCH)
  })

  it('answers 409 when the workspace has no key for the feature, whatever the password', async (t) => {
    const h = await harness(t)
    for (const secret of [DATA_KEY, PUSH_KEY, 'any-guess-at-all']) {
      assert.deepEqual(
        await basicRequest(h, '/x-appkey/send', secret, { 'x-moe-appkey': WS }),
        FEATURE_KEY_NOT_SET('Inform'),
      )
    }
    assert.deepEqual(
      await basicRequest(h, '/reports/' + WS, PUSH_KEY),
      FEATURE_KEY_NOT_SET('Campaign report / Business events / Custom templates / Catalog'),
    )
  })

  it('requires MOE-APPKEY where the variant does: missing or empty is 401, another id too', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await basicRequest(h, '/push-basic/send', PUSH_KEY), APPKEY_MISSING)
    assert.deepEqual(
      await basicRequest(h, '/push-basic/send', PUSH_KEY, { 'moe-appkey': '' }),
      APPKEY_MISSING,
    )
    assert.deepEqual(
      await basicRequest(h, '/push-basic/send', PUSH_KEY, { 'moe-appkey': OTHER }),
      APPKEY_MISMATCH,
    )
    // Credentials first (spec §4.5): a wrong key without the header is a key error, not a
    // header error, so an unauthenticated caller learns nothing about the header.
    assert.deepEqual(
      await basicRequest(h, '/push-basic/send', DATA_KEY),
      FEATURE_KEY_MISMATCH('Push'),
    )
  })

  it('reads X-MOE-APPKEY where the variant names it (not MOE-APPKEY)', async (t) => {
    const h = await harness(t)
    const { apiKey } = await h.keys.create(WS, 'inform')
    assert.deepEqual(await basicRequest(h, '/x-appkey/send', apiKey, { 'x-moe-appkey': WS }), OK)
    assert.deepEqual(
      await basicRequest(h, '/x-appkey/send', apiKey, { 'moe-appkey': WS }),
      APPKEY_MISSING,
    )
    assert.deepEqual(
      await basicRequest(h, '/x-appkey/send', apiKey, { 'x-moe-appkey': OTHER }),
      APPKEY_MISMATCH,
    )
    assert.deepEqual(
      await basicRequest(h, '/x-appkey/send', PUSH_KEY, { 'x-moe-appkey': WS }),
      FEATURE_KEY_MISMATCH('Inform'),
    )
  })

  it('takes the workspace from the path or ?app_id= where the variant says, and checks it', async (t) => {
    const h = await harness(t)
    const { apiKey } = await h.keys.create(WS, 'reports')
    const get = (url: string, secret = apiKey) =>
      h.app
        .inject({ method: 'GET', url, headers: { authorization: basic(WS, secret) } })
        .then(answer)
    assert.deepEqual(await get(`/reports/${WS}`), OK, 'no Content-Type needed (contentType any)')
    assert.deepEqual(await get(`/reports/${WS}?app_id=${WS}`), OK)
    assert.deepEqual(await get(`/reports/${OTHER}`), {
      status: 409,
      type: 'Authentication Mismatch',
      message: 'App key mismatch in params and authentication',
    })
    assert.deepEqual(
      await get(`/reports/${OTHER}`, DATA_KEY),
      FEATURE_KEY_MISMATCH('Campaign report / Business events / Custom templates / Catalog'),
      'a wrong key before a mismatch',
    )
  })

  it('keeps a rotated-out feature key working for its grace period only', async (t) => {
    const h = await harness(t)
    const { apiKey: next } = await h.keys.rotate(WS, 'push', { graceSeconds: 60 })
    const send = (key: string) => basicRequest(h, '/push-basic/send', key, { 'moe-appkey': WS })
    assert.deepEqual(await send(next), OK, 'the new key at once (this process dropped its cache)')
    assert.deepEqual(await send(PUSH_KEY), OK, 'the old key during the grace period')
    h.clock.advance(59_999)
    assert.deepEqual(await send(PUSH_KEY), OK)
    h.clock.advance(1)
    assert.deepEqual(await send(PUSH_KEY), FEATURE_KEY_MISMATCH('Push'), 'grace over')
    assert.deepEqual(await send(next), OK)
    // Another process's change (the CLI, straight to the store) is seen within the cache's TTL.
    const { apiKey: third } = await createFeatureKeys({
      store: h.raw,
      clock: h.clock,
      ids: createSequentialIds(),
      secrets: createSecretBox(() => Buffer.from('auth-variants-test-secret-0123456789')),
    }).rotate(WS, 'push', { key: 'the-push-api-key-03' })
    assert.deepEqual(await send(next), OK, 'still cached')
    assert.deepEqual(await send(third), FEATURE_KEY_MISMATCH('Push'))
    h.clock.advance(WORKSPACE_CACHE_TTL_MS)
    assert.deepEqual(await send(third), OK)
    assert.deepEqual(await send(next), FEATURE_KEY_MISMATCH('Push'))
  })

  it('answers 409 at once when the key is removed through this process', async (t) => {
    const h = await harness(t)
    const send = () => basicRequest(h, '/push-basic/send', PUSH_KEY, { 'moe-appkey': WS })
    assert.deepEqual(await send(), OK)
    await h.keys.remove(WS, 'push')
    assert.deepEqual(await send(), FEATURE_KEY_NOT_SET('Push'))
  })
})

describe('Push signature (v2 body, v2.1 headers)', () => {
  it('accepts the signature of appId|campaignName|pushApiKey, in either case of hex', async (t) => {
    const h = await harness(t)
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY)), OK)
    const body = signed(PUSH_KEY)
    assert.deepEqual(await pushV2(h, { ...body, signature: body.signature.toUpperCase() }), OK)
  })

  it('refuses a missing, wrong or other-campaign signature, and one made with the Data key', async (t) => {
    const h = await harness(t)
    const unsigned = without(signed(PUSH_KEY), 'signature')
    assert.deepEqual(await pushV2(h, unsigned), SIGNATURE_MISSING)
    assert.deepEqual(await pushV2(h, { ...unsigned, signature: '' }), SIGNATURE_MISSING)
    assert.deepEqual(await pushV2(h, { ...unsigned, signature: 42 }), SIGNATURE_MISSING)
    assert.deepEqual(
      await pushV2(h, { ...unsigned, signature: 'f'.repeat(64) }),
      SIGNATURE_MISMATCH,
    )
    const other = signed(PUSH_KEY, 'Another campaign')
    assert.deepEqual(await pushV2(h, { ...other, campaignName: CAMPAIGN }), SIGNATURE_MISMATCH)
    assert.deepEqual(await pushV2(h, signed(DATA_KEY)), SIGNATURE_MISMATCH)
    // A signature for another workspace's id does not pass for this one.
    assert.deepEqual(
      await pushV2(h, { ...signed(PUSH_KEY, CAMPAIGN, OTHER), appId: WS }),
      SIGNATURE_MISMATCH,
    )
  })

  it('answers the workspace id, campaign name, workspace and key checks in order', async (t) => {
    const h = await harness(t)
    const noApp = without(signed(PUSH_KEY), 'appId')
    assert.deepEqual(await pushV2(h, noApp), {
      status: 400,
      type: 'ParamsRequired',
      message: 'app_id is required in path/query params.',
    })
    const noCampaign = without(signed(PUSH_KEY), 'campaignName')
    assert.deepEqual(await pushV2(h, noCampaign), {
      status: 400,
      type: 'MissingAttributeError',
      message: 'campaignName is not found in the payload',
    })
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY, CAMPAIGN, 'NOSUCHWORKSPACE')), {
      status: 400,
      type: 'InvalidParams',
      message: 'Given app_id is invalid.',
    })
    assert.deepEqual(
      await pushV2(h, signed(PUSH_KEY, CAMPAIGN, OTHER)),
      FEATURE_KEY_NOT_SET('Push'),
    )
    await h.store.workspaces.update(WS, { state: 'suspended', updatedAt: T0 })
    assert.deepEqual(await pushV2(h, signed('not-the-key')), SIGNATURE_MISMATCH, 'key before state')
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY)), {
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
    assert.deepEqual(await pushV2(h, signed(next)), OK)
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY)), OK, 'the old key in grace')
    h.clock.advance(30_000)
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY)), SIGNATURE_MISMATCH, 'grace over')
    assert.deepEqual(await pushV2(h, signed(next)), OK)
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
    assert.deepEqual(await post({ 'x-moe-appkey': WS, 'x-moe-pushapi-signature': signature }), OK)
    assert.deepEqual(await post({ 'x-moe-appkey': WS }), SIGNATURE_MISSING)
    assert.deepEqual(
      await post({
        'x-moe-appkey': WS,
        'x-moe-pushapi-signature': pushSignature(WS, 'x', PUSH_KEY),
      }),
      SIGNATURE_MISMATCH,
    )
    assert.equal((await post({ 'x-moe-pushapi-signature': signature })).status, 400)
  })

  it('answers 500, logged without the key, when the key was sealed under another secret', async (t) => {
    const h = await harness(t, {
      secrets: createSecretBox(() => Buffer.from('a-different-server-secret-0123456789')),
    })
    // The Push key of the harness was sealed by this box; seal OTHER's under yet another secret.
    await createFeatureKeys({
      store: h.store,
      clock: h.clock,
      ids: createSequentialIds(),
      secrets: createSecretBox(() => Buffer.from('the-secret-of-another-machine-01234')),
    }).create(OTHER, 'push', { key: 'the-other-push-key' })
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY)), OK)
    const res = await pushV2(h, signed('the-other-push-key', CAMPAIGN, OTHER))
    assert.equal(res.status, 500)
    const logged = h.log.lines.join('\n')
    assert.match(logged, /sealed under server secret [0-9a-f]{8}/)
    assert.ok(!logged.includes('the-other-push-key') && !logged.includes('another-machine'))
  })

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
      assert.deepEqual(await pushV2(h, signed(PUSH_KEY), from), OK)
      assert.deepEqual(
        await inject('/push-basic/send', { authorization: basic(WS, PUSH_KEY) }, {}),
        APPKEY_MISSING,
      )
    }
    const unsigned = without(signed(PUSH_KEY), 'signature')
    assert.deepEqual(
      await inject(
        '/push-basic/send',
        { authorization: basic(WS, DATA_KEY), 'moe-appkey': WS },
        {},
      ),
      FEATURE_KEY_MISMATCH('Push'),
    )
    assert.deepEqual(await pushV2(h, unsigned, from), SIGNATURE_MISSING)
    assert.deepEqual(await pushV2(h, signed('a-wrong-key'), from), SIGNATURE_MISMATCH)
    assert.deepEqual(await pushV2(h, signed('a-wrong-key'), from), SIGNATURE_MISMATCH, 'the 4th')
    const blocked = {
      status: 429,
      type: 'Rate Limit Exceeded',
      message: 'Too many failed authentication attempts. Please retry later.',
    }
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY), from), blocked)
    assert.deepEqual(
      await inject(
        '/push-basic/send',
        { authorization: basic(WS, PUSH_KEY), 'moe-appkey': WS },
        {},
      ),
      blocked,
    )
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY), '10.1.1.2'), OK, 'another address')
    h.clock.advance(60_000)
    assert.deepEqual(await pushV2(h, signed(PUSH_KEY), from), OK, 'unblocked')
  })
})
