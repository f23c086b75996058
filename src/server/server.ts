/**
 * The composition root: opens the store, bootstraps the first workspace, wires ingest, processor
 * and HTTP app together, listens, and shuts down in order (stop accepting, finish in-flight
 * requests, flush the log, stop the processor, close the store). The CLI's `serve` and the
 * end-to-end tests start Inlet through here; nothing else constructs these parts. The role
 * (config.role) decides what runs: `api` the HTTP API without the processor, `processor` the
 * processor and the deletion sweeper with only /healthz on HTTP, `all` everything.
 */
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createApp, createHealthApp } from './app.js'
import { systemClock, type Clock } from '../core/clock.js'
import type { Config } from '../core/config.js'
import { createIdGenerator, type IdGenerator } from '../core/ids.js'
import { createIngest, type Ingest } from '../ingest/accept.js'
import { createServerLogWriter } from '../ingest/log-writer.js'
import type { Logger } from '../core/log.js'
import { createDeletionSweeper } from '../processor/deletion-sweeper.js'
import { createFileImports, type FileImports } from '../families/segments/file-imports.js'
import { createServerProcessor } from '../processor/processor-worker.js'
import type { Processor } from '../processor/processor.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { describeStore, openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { createWorkspaces, type BootstrappedWorkspace } from '../workspaces/workspaces.js'
import { createWorkspaceCache, invalidatingWorkspaceWrites } from '../http/gateway.js'
import { createDeliveryWorker, type DeliveryWorker } from '../delivery/worker.js'
import { createPushScheduler, type PushScheduler } from '../families/push/scheduler.js'
import { createFileImportRunner, type FileImportRunner } from '../families/file-imports/runner.js'
import { createInProcessBulk } from '../families/data/in-process-bulk.js'
import { createSecretBox, previousSecret, serverSecret } from '../workspaces/secret-box.js'
import { createRefusalCounter, type RefusalCounter } from '../http/refusals.js'

/** During shutdown, how often keep-alive connections that turned idle are closed. */
const IDLE_SWEEP_MS = 50

export type Inlet = Readonly<{
  url: string
  app: FastifyInstance
  store: Store
  ingest: Ingest
  processor: Processor
  /**
   * Refused records counted into the store (http/refusals.ts), written each second and at close;
   * `flush()` writes them now (tests).
   */
  refusals: RefusalCounter
  /**
   * The outbox's delivery worker (delivery/worker.ts): started with the background work;
   * `runOnce()` attempts the due messages now (tests).
   */
  delivery: DeliveryWorker
  /** A workspace created at this start; its key only when generated, to print once. */
  created: BootstrappedWorkspace | undefined
  /** File-segment imports (families/segments/file-imports.ts); tests run them with `runDue()`. */
  fileImports: FileImports
  /** Push campaigns' scheduled occurrences (families/push/scheduler.ts); tests call runOnce(). */
  pushScheduler: PushScheduler
  /** File Imports' runs (families/file-imports/runner.ts); tests call runOnce(). */
  fileImportRunner: FileImportRunner
  close(): Promise<void>
}>

/** What the composition root takes besides the configuration. */
export type ComposeOptions = Readonly<{
  log: Logger
  clock?: Clock
  ids?: IdGenerator
  /** A store the caller opened (tests: `:memory:`, a file store, PostgreSQL); else the configured one. */
  store?: Store
  /**
   * Start the background work (the processor's loop and the deletion sweeper when the processor
   * is on; the delivery worker in any process that serves the API); false leaves applying to
   * `processor.drain()` and delivering to `delivery.runOnce()` (the in-process tests). Default true.
   */
  background?: boolean
}>

/**
 * Everything wired and nothing listening: the one place Inlet's parts are constructed, for
 * `startInlet` (the server, the CLI's `serve`) and for the in-process test app alike.
 */
export async function composeInlet(config: Config, options: ComposeOptions): Promise<Inlet> {
  const { log } = options
  const clock = options.clock ?? systemClock
  const ids = options.ids ?? createIdGenerator(clock)
  const opened = options.store ?? (await openStore(config, expandBulkRow, config))
  // The gateway's workspace cache: writes through this store (the admin API, tests) drop the
  // workspace from it at once; other processes' writes are seen within WORKSPACE_CACHE_TTL_MS.
  const workspaceCache = createWorkspaceCache({ store: opened, clock })
  const store = invalidatingWorkspaceWrites(opened, workspaceCache)
  const workspaces = createWorkspaces({ store, clock, ids })
  // A processor serves no requests: the API processes create the first workspace.
  const created =
    config.role === 'processor'
      ? undefined
      : await workspaces.bootstrap({ ...config.bootstrap, name: config.bootstrap.workspaceName })

  // In a worker thread by default (processor/processor-worker.ts); in this thread for `:memory:`.
  const processor = createServerProcessor(config, {
    store,
    clock,
    ids,
    log,
    entry: { base: import.meta.url, name: './processor-thread' },
  })
  // In a worker thread by default (ingest/log-writer.ts): commits and their fsync leave this thread.
  const logWriter = createServerLogWriter(config, { store, log })
  const ingest = createIngest({
    log: logWriter,
    clock,
    onCommitted: () => processor.wake(),
    bulkRows: store.kind === 'sqlite',
  })
  // Feature keys and delivery secrets are sealed under the server secret (read when first needed).
  const secrets = createSecretBox(serverSecret(config), previousSecret(config))
  // Refused records of the Data API, for the dashboard: written to the store a second at a time.
  const refusals = createRefusalCounter({ store, clock, log })
  let closing = false
  const app =
    config.role === 'processor'
      ? await createHealthApp({ config, ingest, processor, log, ids })
      : await createApp({
          config,
          store,
          ingest,
          processor,
          log,
          ids,
          clock,
          workspaceCache,
          refusals,
          secrets,
          isClosing: () => closing,
        })
  // spec §7.8: scheduled deletions are logged when due, so the processor applies them in order.
  const sweeper = createDeletionSweeper({ store, ingest, clock, ids, log })
  if (config.processor.enabled && options.background !== false) {
    sweeper.start()
    processor.start()
    await processor.ready?.() // a worker thread has opened its store before the first request
  }
  // The outbox's deliveries: claimed through the store, so every process may run the worker.
  const delivery = createDeliveryWorker({ store, secrets, clock, log, ...config.delivery })
  if (config.role !== 'processor' && options.background !== false) delivery.start()
  // File segments' imports run in the processes that accept them (any number: leases in the store).
  const fileImports = createFileImports({
    store,
    clock,
    log,
    owner: `${hostname()}:${process.pid}:${ids.requestId()}`,
    settings: config.segmentFiles,
  })
  if (config.role !== 'processor' && options.background !== false) fileImports.start()
  // Push campaigns' later and periodic occurrences (and sends a dead process left half expanded).
  const pushScheduler = createPushScheduler({ store, ingest, clock, ids, log })
  if (config.role !== 'processor' && options.background !== false) pushScheduler.start()
  // File Imports' scheduled and triggered runs, each imported through the in-process Bulk Import.
  const fileImportRunner = createFileImportRunner({
    store,
    clock,
    ids,
    log,
    policy: config.segmentFiles,
    clientFor: createInProcessBulk({ store, ingest }),
    leaseMs: config.fileImports.leaseMs,
    stageDir:
      config.dataDir === ':memory:'
        ? path.join(tmpdir(), `inlet-file-imports-${process.pid}`)
        : path.join(config.dataDir, 'file-imports'),
  })
  if (config.role !== 'processor' && options.background !== false) fileImportRunner.start()
  await logWriter.ready() // likewise the log writer's thread

  let closed: Promise<void> | undefined
  async function shutdown(): Promise<void> {
    closing = true
    // Shutdown's budget is wall time (INLET_SHUTDOWN_TIMEOUT_MS), not the injected clock's.
    const deadline = performance.now() + config.shutdownTimeoutMs
    const timer = setTimeout(() => {
      log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; closing connections')
      app.server.closeAllConnections()
    }, config.shutdownTimeoutMs)
    // A keep-alive connection whose request finishes during shutdown turns idle after the one
    // closeIdleConnections() call below: look again until the server has closed, so that
    // shutdown does not wait for the timeout (or the client's keep-alive) to end it.
    const idle = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS)
    try {
      app.server.closeIdleConnections()
      await app.close()
      clearInterval(idle)
      await refusals.close() // after the last request, before the store closes
      // Its attempts in flight settled before the store closes, within what is left of the budget.
      await delivery.stop(Math.max(0, deadline - performance.now()))
      sweeper.stop()
      await fileImports.stop()
      await pushScheduler.stop() // its step in progress committed before the store closes
      await fileImportRunner.stop(Math.max(0, deadline - performance.now()))
      await ingest.flushed()
      await logWriter.close()
      await processor.stop()
      await store.close()
    } finally {
      clearTimeout(timer)
      clearInterval(idle)
    }
    log.info({}, 'inlet stopped')
  }

  return {
    url: '',
    app,
    store,
    ingest,
    processor,
    refusals,
    delivery,
    created,
    fileImports,
    pushScheduler,
    fileImportRunner,
    close: () => (closed ??= shutdown()),
  }
}

/** composeInlet, then listen on config.host:config.port (unless `listen` is false). */
export async function startInlet(
  config: Config,
  deps: ComposeOptions & { listen?: boolean },
): Promise<Inlet> {
  const inlet = await composeInlet(config, deps)
  if (deps.listen === false) return inlet
  const { app } = inlet
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address() as AddressInfo // a TCP listener always has an AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  deps.log.info(
    { url, role: config.role, store: describeStore(config), durability: config.durability },
    'inlet listening',
  )
  return { ...inlet, url }
}
