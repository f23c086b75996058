/**
 * The gateway's auth variants (src/http/auth.ts) on a real Fastify app, for auth.test.ts and
 * push-signature.test.ts: `harness` puts a small test family behind each variant (the real
 * gateway, JSON parser and error handler over a SQLite `:memory:` store with two workspaces and a
 * Push key), and the requests and expected answers those tests share. Expected strings are
 * written out here, so a drifting catalogue fails.
 */
import type { TestContext } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { createManualClock, type ManualClock } from '../../src/core/clock.js'
import { createSequentialIds } from '../../src/core/ids.js'
import { createMemoryLogger, type MemoryLogger } from '../../src/core/log.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import { createFeatureKeys, type FeatureKeys } from '../../src/workspaces/feature-keys.js'
import { createSecretBox, type SecretBox } from '../../src/workspaces/secret-box.js'
import { createWorkspaces } from '../../src/workspaces/workspaces.js'
import { createAuthFailureLimiter } from '../../src/http/auth-failures.js'
import { installAuth } from '../../src/http/auth-hooks.js'
import {
  DATA_AUTH,
  PUSH_V2_AUTH,
  pushSignature,
  type AuthVariant,
  type BasicAuth,
} from '../../src/http/auth.js'
import { dataEnvelope } from '../../src/http/envelopes.js'
import { installErrorHandling } from '../../src/http/error-handler.js'
import { createWorkspaceCache, invalidatingWorkspaceWrites } from '../../src/http/gateway.js'
import { installJsonBodyParser } from '../../src/http/json-body.js'

export const T0 = Date.parse('2026-11-01T10:00:00Z')
export const WS = 'AUTHVARIANTS00000001'
export const OTHER = 'AUTHVARIANTS00000002'
export const DATA_KEY = 'the-data-api-key-01'
export const PUSH_KEY = 'the-push-api-key-01'
export const CAMPAIGN = 'Winter sale 2026'
/** The server secret the harness seals feature keys under unless a test gives its own box. */
const HARNESS_SECRET = 'auth-variants-test-secret-0123456789'

/** Basic with the Push key, the Basic user naming the workspace, `MOE-APPKEY` required. */
export const PUSH_BASIC: BasicAuth = {
  scheme: 'basic',
  feature: 'push',
  appKey: 'required',
  appKeyHeader: 'MOE-APPKEY',
  workspaceFrom: 'basic-user',
  contentType: 'json',
}

export type Harness = Readonly<{
  app: FastifyInstance
  store: Store
  /** The store without the cache-dropping wrapper: writes as another process's would be. */
  raw: Store
  clock: ManualClock
  keys: FeatureKeys
  log: MemoryLogger
  /** A POST of `{}` to `url` with Basic auth `user:secret` (the workspace by default). */
  basic(
    url: string,
    secret: string,
    headers?: Record<string, string>,
    user?: string,
  ): Promise<Answer>
  /** A POST of `body` to `/push/v2` (the signature in the body), from `remoteAddress`. */
  pushV2(body: Record<string, unknown>, remoteAddress?: string): Promise<Answer>
  /**
   * Feature keys written to `store` as another process would (the CLI, straight to the store):
   * its own ids, sealed under `secret` (by default the harness's own).
   */
  keysOfAnotherProcess(store: Store, secret?: string): FeatureKeys
}>

/**
 * One Fastify app with a test family per variant under its own prefix: `/basic/…` (Data key,
 * DATA_AUTH), `/push-basic/…` (PUSH_BASIC), `/x-appkey/…` (Inform key, `X-MOE-APPKEY` required),
 * `/reports/:id` (reports key, id in the path), `/push/v2` (PUSH_V2_AUTH), `/push/v2.1` (headers).
 * Each route answers the workspace the gateway authenticated.
 */
export async function harness(
  t: TestContext,
  options: { perMinute?: number; secrets?: SecretBox } = {},
): Promise<Harness> {
  const raw = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => raw.close())
  const clock = createManualClock(T0)
  const cache = createWorkspaceCache({ store: raw, clock })
  const store = invalidatingWorkspaceWrites(raw, cache)
  const ids = createSequentialIds()
  const secrets = options.secrets ?? createSecretBox(() => Buffer.from(HARNESS_SECRET))
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
  const deps = { store, clock, cache, authFailures, secrets, log, isClosing: () => false }
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
  return {
    app,
    store,
    raw,
    clock,
    keys,
    log,
    basic: (...args) => basicRequest(app, ...args),
    pushV2: (...args) => pushV2(app, ...args),
    keysOfAnotherProcess: (other, secret = HARNESS_SECRET) =>
      createFeatureKeys({
        store: other,
        clock,
        ids: createSequentialIds(),
        secrets: createSecretBox(() => Buffer.from(secret)),
      }),
  }
}

export const basicAuth = (user: string, secret: string): string =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`

export type Answer = { status: number; type?: string; message?: string; workspace?: string }

export function answer(res: LightMyRequestResponse): Answer {
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
  app: FastifyInstance,
  url: string,
  secret: string,
  headers: Record<string, string> = {},
  user = WS,
): Promise<Answer> {
  return app
    .inject({
      method: 'POST',
      url,
      headers: {
        authorization: basicAuth(user, secret),
        'content-type': 'application/json',
        ...headers,
      },
      payload: '{}',
    })
    .then(answer)
}

function pushV2(
  app: FastifyInstance,
  body: Record<string, unknown>,
  remoteAddress?: string,
): Promise<Answer> {
  return app
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
export function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => k !== field))
}

export const signed = (key: string, campaignName = CAMPAIGN, appId = WS) => ({
  appId,
  campaignName,
  signature: pushSignature(appId, campaignName, key),
  requestType: 'push',
})

const AUTH = 'Authentication required'

/** What each test expects to be answered: a success naming the workspace, or an exact error. */
export const ANSWER = {
  ok: { status: 200, workspace: WS },
  featureKeyMismatch: (feature: string): Answer => ({
    status: 401,
    type: AUTH,
    message: `${feature} API key mismatch. Please verify the key of this API`,
  }),
  featureKeyNotSet: (feature: string): Answer => ({
    status: 409,
    type: AUTH,
    message: `${feature} API key is not set. Please ask the workspace operator to set a key`,
  }),
  keyMismatch: {
    status: 401,
    type: AUTH,
    message: 'App Secret key mismatch. Please login to the dashboard to verify key',
  },
  appKeyMissing: { status: 401, type: AUTH, message: 'MOE-APPKEY is missing in Header' },
  appKeyMismatch: {
    status: 401,
    type: AUTH,
    message: "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
  },
  signatureMissing: { status: 401, type: AUTH, message: 'Signature missing' },
  signatureMismatch: { status: 401, type: AUTH, message: 'Signature not verified' },
} as const satisfies Record<string, Answer | ((feature: string) => Answer)>
