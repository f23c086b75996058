/**
 * createTestApp(t): a complete Inlet in-process, composed by the production composition root
 * (server/server.ts composeInlet) on a throwaway SQLite store (`:memory:`) with one seeded
 * workspace, sequential ids, a manual clock and no background work (drain() applies); closed when
 * the test ends. Requests go through `app.inject()` — the real Fastify app, no socket.
 */
import type { TestContext } from 'node:test'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { createManualClock, type ManualClock } from '../../src/core/clock.js'
import { loadConfig, type Config } from '../../src/core/config.js'
import { createSequentialIds } from '../../src/core/ids.js'
import type { RequestReport } from '../../src/families/data/routes/requests.js'
import type { Ingest } from '../../src/ingest/accept.js'
import { createMemoryLogger, type MemoryLogger } from '../../src/core/log.js'
import type { Processor } from '../../src/processor/processor.js'
import type { DeliveryWorker } from '../../src/delivery/worker.js'
import type { RefusalCounter } from '../../src/http/refusals.js'
import { composeInlet } from '../../src/server/server.js'
import type { FileImports } from '../../src/families/segments/file-imports.js'
import type { PushScheduler } from '../../src/families/push/scheduler.js'
import type { FileImportRunner } from '../../src/families/file-imports/runner.js'
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { TestPostgres } from './postgres.js'
import type { Store } from '../../src/store/store.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

export const WORKSPACE_ID = 'TESTWORKSPACE0000001'
export const API_KEY = 'test-data-api-key-1'
export const START_TIME = Date.parse('2026-11-01T10:00:00Z')

export type TestApp = Readonly<{
  app: FastifyInstance
  store: Store
  ingest: Ingest
  processor: Processor
  /** Refused records counted into the store; `flush()` writes them now (else each second). */
  refusals: RefusalCounter
  /** The outbox's delivery worker: `runOnce()` attempts the due messages (at the clock's time). */
  delivery: DeliveryWorker
  clock: ManualClock
  log: MemoryLogger
  config: Config
  /** Basic auth + JSON content type for the seeded workspace. */
  headers: Record<string, string>
  /** POST `body` as JSON to `url` with the seeded workspace's credentials. */
  post(
    url: string,
    body: unknown,
    options?: Partial<InjectOptions>,
  ): Promise<LightMyRequestResponse>
  /** Applies everything accepted so far. */
  drain(): Promise<void>
  /** File-segment imports: `runDue()` runs the jobs due now (nothing runs in the background). */
  fileImports: FileImports
  /** Push campaigns' scheduled occurrences: `runOnce()` expands those due at the clock's time. */
  pushScheduler: PushScheduler
  /** File Imports' runner: `runOnce()` queues the due imports' runs and runs one. */
  fileImportRunner: FileImportRunner
  /** Drains, then Get User (spec §7.6) for one customer id: its `user_attributes`, or undefined. */
  getUser(customerId: string): Promise<Record<string, unknown> | undefined>
  /** Drains, then GET /inlet/v1/requests/{id}: the records of one request and their outcomes. */
  inspect(requestId: string): Promise<RequestReport>
}>

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`
}

export async function createTestApp(
  t: TestContext,
  env: Record<string, string> = {},
  /** Another store than the in-memory SQLite one (a file store, PostgreSQL). */
  options: Readonly<{ store?: Store }> = {},
): Promise<TestApp> {
  // Failed-auth limiting is off unless a test turns it on: many tests fail auth on purpose.
  const config = loadConfig({
    INLET_DATA_DIR: ':memory:',
    INLET_DURABILITY: 'os',
    INLET_AUTH_FAILURES_PER_MINUTE: '0',
    INLET_WORKSPACE_ID: WORKSPACE_ID,
    INLET_DATA_API_KEY: API_KEY,
    INLET_WORKSPACE_NAME: 'Test',
    ...env,
  })
  const clock = createManualClock(START_TIME)
  const ids = createSequentialIds()
  const log = createMemoryLogger()
  // The production composition root, with the seeded workspace bootstrapped as a start would and
  // nothing running in the background: tests apply what was accepted with drain().
  const inlet = await composeInlet(config, {
    log,
    clock,
    ids,
    store:
      options.store ??
      createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' }),
    background: false,
  })
  const { app, store, ingest, processor, refusals, delivery, fileImports, pushScheduler } = inlet
  const { fileImportRunner } = inlet
  t.after(() => inlet.close())
  const headers = {
    authorization: basicAuth(WORKSPACE_ID, API_KEY),
    'content-type': 'application/json',
  }
  return {
    app,
    store,
    ingest,
    processor,
    refusals,
    delivery,
    fileImports,
    pushScheduler,
    fileImportRunner,
    clock,
    log,
    config,
    headers,
    post: (url, body, options = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...headers, ...(options.headers ?? {}) },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
        ...options,
      }),
    drain: () => processor.drain(),
    getUser: async (customerId) => {
      await processor.drain()
      const res = await app.inject({
        method: 'POST',
        url: `/v1/customers/export?app_id=${WORKSPACE_ID}`,
        headers,
        payload: {
          data: { identifiers: [{ identifier_type: 'customer_id', identifier: customerId }] },
        },
      })
      if (res.statusCode !== 200)
        throw new Error(`Get User answered ${res.statusCode}: ${res.body}`)
      const users = res.json<{ data: { users: { user_attributes: Record<string, unknown> }[] } }>()
        .data.users
      return users[0]?.user_attributes
    },
    inspect: async (requestId) => {
      await processor.drain()
      const res = await app.inject({
        method: 'GET',
        url: `/inlet/v1/requests/${requestId}`,
        headers: { authorization: headers.authorization },
      })
      if (res.statusCode !== 200) throw new Error(`inspect answered ${res.statusCode}: ${res.body}`)
      return res.json<RequestReport>()
    },
  }
}

/** `method url` with the workspace's Basic auth and MOE-APPKEY, `body` as JSON when given. */
export function appKeyRequest(
  app: TestApp,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH',
  url: string,
  body?: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> {
  const all: Record<string, string> = { 'moe-appkey': WORKSPACE_ID }
  all['authorization'] = app.headers['authorization'] ?? ''
  if (body !== undefined) all['content-type'] = 'application/json'
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k]
    else all[k] = v
  }
  return app.app.inject({
    method,
    url,
    headers: all,
    ...(body === undefined
      ? {}
      : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

/**
 * createTestApp on the in-memory SQLite store (`sqlite`), or on a fresh database of the test
 * PostgreSQL (`postgres`; a test given no `postgres` should have been skipped).
 */
export async function createTestAppOn(
  t: TestContext,
  kind: 'sqlite' | 'postgres',
  postgres: TestPostgres | undefined,
  env: Record<string, string> = {},
): Promise<TestApp> {
  if (kind === 'sqlite') return createTestApp(t, env)
  if (postgres === undefined) throw new Error('no PostgreSQL: skip this test')
  const store = await createPostgresStore({
    expandRow: expandBulkRow,
    url: await postgres.freshUrl(),
    durability: 'os',
    maxConnections: 4,
  })
  return createTestApp(t, env, { store })
}

/**
 * Spends the whole of `quota`'s current minute (of `limit` units) for the seeded workspace, as
 * another process of the store would, before `app` has taken a lease of it: its next request that
 * takes the quota is refused.
 */
export async function spendMinuteQuota(app: TestApp, quota: string, limit: number): Promise<void> {
  const now = app.clock.now()
  await app.store.quotas.lease({
    workspaceId: WORKSPACE_ID,
    quota,
    windowStart: now - (now % 60_000),
    limit,
    need: 1,
    want: limit,
  })
}

/**
 * `method url` with `base` headers — each of `overrides` replacing one, or removing it when
 * undefined — and `body` as the payload (a string as it is, anything else as JSON).
 */
export function injectWith(
  app: TestApp,
  method: 'POST' | 'GET' | 'DELETE',
  url: string,
  base: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string | undefined>>,
  body: unknown,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...base }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete headers[k]
    else headers[k] = v
  }
  return app.app.inject({
    method,
    url,
    headers,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  })
}
