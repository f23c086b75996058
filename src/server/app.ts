/**
 * createApp: the Fastify application — error handling, the JSON body parser, the HTTP server's
 * limits against slow and oversized clients, load shedding, failed-auth limiting, the gateway
 * scope with its quotas, the admin API (only with an admin token) and every route. No I/O of its own: the store, ingest and processor come in as dependencies, so
 * tests drive it in-process with `app.inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { systemClock, type Clock } from '../core/clock.js'
import type { Config } from '../core/config.js'
import { createGovernance, type Governance } from '../governance/governance.js'
import { installRateLimitHeaders } from '../http/rate-limit-headers.js'
import { createSharedQuotaCounter } from '../governance/shared-quotas.js'
import { frameworkErrorHandler, installErrorHandling } from '../http/error-handler.js'
import {
  createGateway,
  createWorkspaceCache,
  invalidatingWorkspaceWrites,
  type WorkspaceCache,
} from '../http/gateway.js'
import { installJsonBodyParser } from '../http/json-body.js'
import { createAuthFailureLimiter } from '../http/auth-failures.js'
import { createLoadShedder } from '../http/load-shedding.js'
import { adminRoutes } from '../families/admin/admin.js'
import { deleteRoutes } from '../families/data/routes/deletes.js'
import { exportRoutes } from '../families/data/routes/export.js'
import { gdprRoutes, gdprStatusRoutes } from '../families/data/routes/gdpr.js'
import { healthRoutes } from '../http/health.js'
import { installInfoRoutes } from '../families/data/routes/install-info.js'
import { ingestRoutes } from '../families/data/routes/ingest.js'
import { mergeRoutes, mergeUndoRoutes } from '../families/data/routes/merges.js'
import { optOutRoutes } from '../families/data/routes/opt-out.js'
import { DATA_RATE_LIMIT_HEADERS } from '../families/data/quotas.js'
import { requestRoutes } from '../families/data/routes/requests.js'
import { testConnectionRoutes } from '../families/data/routes/test-connection.js'
import type { IdGenerator } from '../core/ids.js'
import type { Ingest } from '../ingest/accept.js'
import type { Logger } from '../core/log.js'
import type { Processor } from '../processor/processor.js'
import type { Store } from '../store/store.js'
import { createWorkspaces } from '../workspaces/workspaces.js'

export type AppDeps = Readonly<{
  config: Config
  store: Store
  ingest: Ingest
  processor: Processor
  log: Logger
  ids: IdGenerator
  /** True once shutdown has begun: new requests get 503. */
  isClosing?: () => boolean
  /** Time for quota windows and key grace periods (default: the system clock). */
  clock?: Clock
  /**
   * Quotas and fair usage (default: quotas shared through the store by every process on it,
   * fair usage in-process; enforced unless config.rateLimits is off).
   */
  governance?: Governance
  /**
   * The gateway's workspace cache (default: a new one). Pass one to drop workspaces from it when
   * they are written outside the app (see invalidatingWorkspaceWrites).
   */
  workspaceCache?: WorkspaceCache
}>

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = deps.config.http
  const app = Fastify({
    logger: false,
    genReqId: () => deps.ids.requestId(),
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: false,
    // A workspace id of any plausible length reaches the gateway and gets its §4.4 answer; only
    // a path segment over 1 KB is refused by the router (frameworkErrors: the JSON 404).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    frameworkErrors: frameworkErrorHandler(),
    // Slow and oversized clients are cut off by Node itself (docs/config.md): headers within
    // headersTimeout (slowloris), the whole request within requestTimeout (slow bodies), headers
    // up to maxHeaderSize (431). Node checks the timeouts every connectionsCheckingInterval.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: 1_000,
    },
  })
  app.decorateRequest('workspace', null)
  installErrorHandling(app, deps.log)
  installJsonBodyParser(app)
  const clock = deps.clock ?? systemClock
  const authFailures = createAuthFailureLimiter({ ...deps.config.authFailures, clock })
  const shedder = createLoadShedder({
    ...deps.config.shed,
    lag: async () => (await deps.processor.lag()).records,
    clock,
  })
  healthRoutes(app, {
    ingest: deps.ingest,
    processor: deps.processor,
    processorEnabled: deps.config.processor.enabled,
    role: deps.config.role,
    shedder,
  })
  const isClosing = deps.isClosing ?? (() => false)
  // spec §5.1: one combined quota for every process on this store (governance/shared-quotas.ts).
  const governance =
    deps.governance ??
    createGovernance({
      clock,
      enabled: deps.config.rateLimits,
      counter: createSharedQuotaCounter({
        quotas: deps.store.quotas,
        onError: (err) => deps.log.warn({ err }, 'quota lease failed'),
      }),
    })
  app.addHook('onClose', () => governance.close())
  // One cache for both gateways; the admin API's changes drop their workspace from it at once.
  const cache = deps.workspaceCache ?? createWorkspaceCache({ store: deps.store, clock })
  testConnectionRoutes(app, { store: deps.store, clock, authFailures })
  // spec §2.1: no Basic auth; authenticated by its appAttributionKey query parameter.
  installInfoRoutes(app, { store: deps.store, ingest: deps.ingest, isClosing })
  const gateway = createGateway({ store: deps.store, isClosing, clock, cache, authFailures })
  await app.register((api, _opts, done) => {
    // Shed before anything else is done for the request (docs/errors.md `overloaded`).
    api.addHook('onRequest', (_request, _reply, done) => {
      try {
        shedder.check()
        done()
      } catch (err) {
        done(err as Error) // check() throws only AppError
      }
    })
    api.addHook('onRequest', gateway)
    installRateLimitHeaders(api, DATA_RATE_LIMIT_HEADERS)
    ingestRoutes(app, api, { ingest: deps.ingest, config: deps.config, governance })
    exportRoutes(app, api, { store: deps.store, config: deps.config, governance })
    deleteRoutes(app, api, {
      ingest: deps.ingest,
      config: deps.config,
      store: deps.store,
      governance,
      clock,
    })
    optOutRoutes(app, api, { ingest: deps.ingest, config: deps.config, governance })
    mergeRoutes(app, api, {
      ingest: deps.ingest,
      config: deps.config,
      store: deps.store,
      governance,
    })
    gdprRoutes(app, api, { ingest: deps.ingest, config: deps.config })
    done()
  })
  const inletGateway = createGateway(
    { store: deps.store, isClosing, clock, cache, authFailures },
    'inlet',
  )
  await app.register((api, _opts, done) => {
    api.addHook('onRequest', inletGateway)
    requestRoutes(api, { store: deps.store })
    gdprStatusRoutes(api, { store: deps.store })
    mergeUndoRoutes(api, { ingest: deps.ingest, config: deps.config, store: deps.store })
    done()
  })
  const adminToken = deps.config.adminToken
  if (adminToken !== undefined) {
    const workspaces = createWorkspaces({
      store: invalidatingWorkspaceWrites(deps.store, cache),
      clock,
      ids: deps.ids,
    })
    await app.register((api, _opts, done) => {
      adminRoutes(api, { workspaces, adminToken, isClosing, authFailures, store: deps.store })
      done()
    })
  }
  await app.ready()
  return app
}

/**
 * The HTTP side of a `processor` process (INLET_ROLE=processor): `GET /healthz` only — liveness
 * and the ingestion lag for an orchestrator or load balancer — and no Data API.
 */
export async function createHealthApp(
  deps: Pick<AppDeps, 'config' | 'ingest' | 'processor' | 'log' | 'ids'>,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    genReqId: () => deps.ids.requestId(),
    return503OnClosing: false,
  })
  installErrorHandling(app, deps.log)
  healthRoutes(app, {
    ingest: deps.ingest,
    processor: deps.processor,
    processorEnabled: deps.config.processor.enabled,
    role: deps.config.role,
  })
  await app.ready()
  return app
}
