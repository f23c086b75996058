/**
 * createApp: the Fastify application — the HTTP server's limits against slow and oversized
 * clients, the JSON body parser, /healthz, and the platform every API family shares (governance,
 * load shedding, failed-auth limiting, the gateway's workspace cache), then the families
 * themselves, one line each, with the one error handler that answers in each family's envelope.
 * No I/O of its own: server.ts (composeInlet) gives it the store, ingest and processor.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { systemClock, type Clock } from '../core/clock.js'
import type { Config } from '../core/config.js'
import { createGovernance, type Governance } from '../governance/governance.js'
import { createFairUsageTracker } from '../governance/fair-usage.js'
import { createSharedQuotaCounter } from '../governance/shared-quotas.js'
import { frameworkErrorHandler, installErrorHandling } from '../http/error-handler.js'
import { createWorkspaceCache, type WorkspaceCache } from '../http/gateway.js'
import { refuseNulInUrl } from '../http/nul.js'
import { installJsonBodyParser } from '../http/json-body.js'
import { decorateRawRoutes, installRawRoutes } from '../http/raw-routes.js'
import { createAuthFailureLimiter } from '../http/auth-failures.js'
import { createLoadShedder, shedHook } from '../http/load-shedding.js'
import { createRefusalCounter, type RefusalCounter } from '../http/refusals.js'
import { healthRoutes } from '../http/health.js'
import { envelopesOf, type ApiFamily, type Platform } from '../http/family.js'
import { adminFamily } from '../families/admin/family.js'
import { consentFamily } from '../families/consent/family.js'
import { dashboardFamily } from '../families/dashboard/family.js'
import { dataFamily } from '../families/data/family.js'
import { segmentsFamily } from '../families/segments/family.js'
import { informFamily } from '../families/inform/family.js'
import { outboxFamily } from '../families/outbox/family.js'
import { pushFamily } from '../families/push/family.js'
import { archivalFamily } from '../families/archival/family.js'
import { fileImportsFamily } from '../families/file-imports/family.js'
import { cardsFamily } from '../families/cards/family.js'
import { liveActivitiesFamily } from '../families/live-activities/family.js'
import type { IdGenerator } from '../core/ids.js'
import type { Ingest } from '../ingest/accept.js'
import type { Logger } from '../core/log.js'
import type { Processor } from '../processor/processor.js'
import type { Store } from '../store/store.js'
import {
  createSecretBox,
  previousSecret,
  serverSecret,
  type SecretBox,
} from '../workspaces/secret-box.js'

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
  /** Seals feature keys (default: the configured server secret, read when first needed). */
  secrets?: SecretBox
  /**
   * Counts refused records into the store (default: a new counter, closed with the app; one
   * given is closed by its owner).
   */
  refusals?: RefusalCounter
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
  app.decorateRequest('verifiedWorkspaceId', null)
  decorateRawRoutes(app)
  installJsonBodyParser(app)
  app.addHook('onRequest', refuseNulInUrl)
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
      // At its cap the tracker drops the counts of users it cannot keep (governance/fair-usage.ts).
      fairUsage: createFairUsageTracker({
        clock,
        onOverflow: (report) =>
          deps.log.warn(report, 'fair usage: tracker full, some users went uncounted'),
      }),
    })
  app.addHook('onClose', () => governance.close())
  let refusals = deps.refusals
  if (refusals === undefined) {
    const own = createRefusalCounter({ store: deps.store, clock, log: deps.log })
    app.addHook('onClose', () => own.close())
    refusals = own
  }
  const platform: Platform = {
    config: deps.config,
    store: deps.store,
    ingest: deps.ingest,
    processor: deps.processor,
    clock,
    ids: deps.ids,
    log: deps.log,
    governance,
    // One cache for every family's gateway; writes through deps.store drop their workspace.
    cache: deps.workspaceCache ?? createWorkspaceCache({ store: deps.store, clock }),
    authFailures,
    refusals,
    secrets:
      deps.secrets ?? createSecretBox(serverSecret(deps.config), previousSecret(deps.config)),
    // Shed before anything else is done for the request (docs/errors.md `overloaded`): every
    // family's routes but the admin API; never /healthz.
    shed: shedHook(shedder),
    shedder,
    isClosing,
  }
  // The API families, one line each (docs/architecture.md: adding an API family).
  const families = [
    dataFamily(platform),
    adminFamily(platform),
    dashboardFamily(platform),
    consentFamily(platform),
    segmentsFamily(platform),
    informFamily(platform),
    outboxFamily(platform),
    pushFamily(platform),
    archivalFamily(platform),
    cardsFamily(platform),
    liveActivitiesFamily(platform),
    fileImportsFamily(platform),
  ].filter((f): f is ApiFamily => f !== undefined)
  installErrorHandling(app, deps.log, envelopesOf(families))
  for (const family of families) await family.register(app)
  await app.ready()
  installRawRoutes(
    app,
    families.flatMap((f) => (f.raw === undefined ? [] : [f.raw])),
  )
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
