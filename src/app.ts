/**
 * createApp: the Fastify application — error handling, the JSON body parser, the gateway scope
 * and every route. No I/O of its own: the store, ingest and processor come in as dependencies, so
 * tests drive it in-process with `app.inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { installErrorHandling } from './http/error-handler.js'
import { createGateway } from './http/gateway.js'
import { installJsonBodyParser } from './http/json-body.js'
import { exportRoutes } from './http/routes/export.js'
import { healthRoutes } from './http/routes/health.js'
import { ingestRoutes } from './http/routes/ingest.js'
import { requestRoutes } from './http/routes/requests.js'
import type { IdGenerator } from './ids.js'
import type { Ingest } from './ingest/accept.js'
import type { Logger } from './log.js'
import type { Processor } from './processor/processor.js'
import type { Store } from './store/store.js'

export type AppDeps = Readonly<{
  config: Config
  store: Store
  ingest: Ingest
  processor: Processor
  log: Logger
  ids: IdGenerator
  /** True once shutdown has begun: new requests get 503. */
  isClosing?: () => boolean
}>

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    genReqId: () => deps.ids.requestId(),
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
  })
  app.decorateRequest('workspace', null)
  installErrorHandling(app, deps.log)
  installJsonBodyParser(app)
  healthRoutes(app, {
    ingest: deps.ingest,
    processor: deps.processor,
    processorEnabled: deps.config.processor.enabled,
  })
  const gateway = createGateway({ store: deps.store, isClosing: deps.isClosing ?? (() => false) })
  await app.register((api, _opts, done) => {
    api.addHook('onRequest', gateway)
    ingestRoutes(app, api, { ingest: deps.ingest, config: deps.config })
    exportRoutes(app, api, { store: deps.store, config: deps.config })
    done()
  })
  const inletGateway = createGateway(
    { store: deps.store, isClosing: deps.isClosing ?? (() => false) },
    'inlet',
  )
  await app.register((api, _opts, done) => {
    api.addHook('onRequest', inletGateway)
    requestRoutes(api, { store: deps.store })
    done()
  })
  await app.ready()
  return app
}
