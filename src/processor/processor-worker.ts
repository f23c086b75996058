/**
 * The processor in a worker thread: startProcessorWorker gives the main thread the same Processor
 * as createProcessor, while the loop itself (and every store.db commit and fsync it makes) runs in
 * a `worker_thread` with its own SQLite connections (WAL lets them read and write beside the main
 * thread's). The two talk by postMessage: `wake` after each log commit, `stop` at shutdown; the
 * worker posts its running totals after each batch. Lag and drain are read from the store through
 * the main thread's connection, so /healthz needs no round trip. Only for a SQLite store in a
 * directory (`:memory:` cannot be shared across threads; PostgreSQL runs the processor inline):
 * processorRunsInWorker.
 */
import type { Clock } from '../core/clock.js'
import type { Config, Durability, LogLevel, WriterThread } from '../core/config.js'
import type { IdGenerator } from '../core/ids.js'
import type { Logger } from '../core/log.js'
import type { Store } from '../store/store.js'
import type { Worker } from 'node:worker_threads'
import { newWorker, WORKER_RESOURCE_LIMITS, type WorkerEntry } from '../core/worker-thread.js'
import { createProcessor, measureLag, type Processor, type ProcessorStats } from './processor.js'

/** What the worker needs to open its own store and run the loop (structured-cloned). */
export type ProcessorWorkerData = Readonly<{
  dataDir: string
  durability: Durability
  logLevel: LogLevel
  batchSize: number
  pollMs: number
  maxAttempts: number
  logRetentionMs: number
  maxDelayMs: number
  leaseMs?: number
  eventRetentionMs?: number
  /** Nice steps the thread lowers its own CPU priority by (INLET_PROCESSOR_NICE). */
  nice: number
  /** Who copies store.db's WAL: a thread of its own, or the processor (INLET_STORE_CHECKPOINTER). */
  storeCheckpointer: WriterThread
}>

export type ToWorker = Readonly<{ type: 'wake' }> | Readonly<{ type: 'stop' }>

export type FromWorker =
  | Readonly<{ type: 'stats'; stats: ProcessorStats }>
  | Readonly<{ type: 'ready' }>
  /** The loop found the log caught up and waits for a wake. */
  | Readonly<{ type: 'idle' }>
  | Readonly<{ type: 'stopped' }>

export type ProcessorWorkerOptions = ProcessorWorkerData &
  Readonly<{
    /** The main thread's store: lag and drain read it; an inline drain applies through it. */
    store: Store
    clock: Clock
    ids: IdGenerator
    log: Logger
    /** How long stop() waits for the batch in progress before terminating the worker. */
    stopTimeoutMs: number
    /** The thread's entry (server/processor-thread.ts): it opens the store with its expander. */
    entry: WorkerEntry
  }>

const RESTART_AFTER_MS = 1_000
const ZERO: ProcessorStats = { applied: 0, skipped: 0, dead: 0, batches: 0 }

export function startProcessorWorker(options: ProcessorWorkerOptions): Processor {
  const { store, clock, log } = options
  const data: ProcessorWorkerData = {
    dataDir: options.dataDir,
    durability: options.durability,
    logLevel: options.logLevel,
    batchSize: options.batchSize,
    pollMs: options.pollMs,
    maxAttempts: options.maxAttempts,
    logRetentionMs: options.logRetentionMs,
    maxDelayMs: options.maxDelayMs,
    nice: options.nice,
    storeCheckpointer: options.storeCheckpointer,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.eventRetentionMs === undefined
      ? {}
      : { eventRetentionMs: options.eventRetentionMs }),
  }
  let worker: Worker | undefined
  let running = false
  let exited: Promise<void> = Promise.resolve()
  /** Resolves when the first worker is running (or has exited trying). */
  let started: Promise<void> = Promise.resolve()
  let markStarted: () => void = () => undefined
  /** Totals of workers that have exited (a restarted worker counts from zero). */
  let base: ProcessorStats = ZERO
  let current: ProcessorStats = ZERO
  let restartTimer: NodeJS.Timeout | undefined
  /**
   * Wakes are posted only to a worker that said it is idle (each post costs the request thread a
   * cross-thread wake-up); a commit while it is busy is remembered and sent when it goes idle.
   */
  let idle = false
  let missedWake = false
  /** Applies inline through the main thread's store when drain() is called with no worker. */
  let inline: Processor | undefined

  function spawn(): void {
    const w = newWorker(
      options.entry.base,
      options.entry.name,
      data,
      WORKER_RESOURCE_LIMITS.processor,
    )
    worker = w
    current = ZERO
    idle = false
    missedWake = false
    w.on('message', (message: FromWorker) => {
      if (message.type === 'stats') current = message.stats
      if (message.type === 'ready') markStarted()
      if (message.type === 'idle') {
        // Commits since the last wake it saw may have come after its last read: wake it now.
        if (missedWake) {
          missedWake = false
          send({ type: 'wake' })
        } else idle = true
      }
    })
    w.on('error', (err) => log.error({ err }, 'processor worker failed'))
    exited = new Promise<void>((resolve) => {
      w.once('exit', (code) => {
        base = add(base, current)
        current = ZERO
        if (worker === w) worker = undefined
        markStarted()
        resolve()
        if (running) {
          log.error({ code, restartInMs: RESTART_AFTER_MS }, 'processor worker exited; restarting')
          restartTimer = setTimeout(() => {
            restartTimer = undefined
            if (running) spawn()
          }, RESTART_AFTER_MS)
        }
      })
    })
  }

  function send(message: ToWorker): void {
    worker?.postMessage(message)
  }

  return {
    start: () => {
      if (running) return
      running = true
      started = new Promise<void>((resolve) => {
        markStarted = resolve
      })
      spawn()
    },
    ready: () => started,
    stop: async () => {
      running = false
      if (restartTimer !== undefined) clearTimeout(restartTimer)
      const w = worker
      if (w === undefined) return
      send({ type: 'stop' })
      const timer = setTimeout(() => {
        log.warn({ timeoutMs: options.stopTimeoutMs }, 'processor worker did not stop; terminating')
        void w.terminate()
      }, options.stopTimeoutMs)
      try {
        await exited
      } finally {
        clearTimeout(timer)
      }
    },
    wake: () => {
      if (!idle) {
        missedWake = true
        return
      }
      idle = false
      send({ type: 'wake' })
    },
    drain: async (timeoutMs = 30_000) => {
      if (!running) {
        inline ??= createProcessor({ ...data, store, clock, ids: options.ids, log })
        return inline.drain(timeoutMs)
      }
      const target = await store.log.lastSeq()
      const deadline = Date.now() + timeoutMs
      while ((await store.processing.cursor()) < target) {
        if (Date.now() > deadline) throw new Error(`processor did not drain within ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 5))
      }
    },
    lag: () => measureLag(store, clock),
    stats: () => add(add(base, current), inline?.stats() ?? ZERO),
  }
}

/**
 * The processor the server runs: in a worker thread (INLET_PROCESSOR_THREAD=worker, the default)
 * when the store is SQLite in a directory and the processor is on; otherwise in this thread.
 */
/**
 * Whether createServerProcessor runs the processor in a worker thread: only when it is asked for
 * (INLET_PROCESSOR_THREAD=worker), the processor is on, and the store is SQLite in a directory.
 * PostgreSQL (the worker opens its own connections to SQLite files only) and a `:memory:` SQLite
 * store (it cannot be shared between threads) always run it inline. docs/config.md says the same.
 */
export function processorRunsInWorker(config: Config, storeKind: Store['kind']): boolean {
  return (
    config.processor.thread === 'worker' &&
    config.processor.enabled &&
    storeKind === 'sqlite' &&
    config.dataDir !== ':memory:'
  )
}

export function createServerProcessor(
  config: Config,
  deps: Readonly<{ store: Store; clock: Clock; ids: IdGenerator; log: Logger; entry: WorkerEntry }>,
): Processor {
  const settings = {
    batchSize: config.processor.batchSize,
    pollMs: config.processor.pollMs,
    maxAttempts: config.processor.maxAttempts,
    logRetentionMs: config.logRetentionSeconds * 1000,
    maxDelayMs: config.processor.maxDelayMs,
    nice: config.processor.nice,
    leaseMs: config.processor.leaseMs,
    eventRetentionMs: config.eventRetentionDays * 86_400_000,
  }
  const { entry, ...inline } = deps
  if (!processorRunsInWorker(config, deps.store.kind)) {
    return createProcessor({ ...inline, ...settings })
  }
  return startProcessorWorker({
    ...inline,
    entry,
    ...settings,
    dataDir: config.dataDir,
    durability: config.durability,
    storeCheckpointer: config.storeCheckpointer,
    logLevel: config.logLevel,
    stopTimeoutMs: Math.max(config.shutdownTimeoutMs, 1_000),
  })
}

function add(a: ProcessorStats, b: ProcessorStats): ProcessorStats {
  return {
    applied: a.applied + b.applied,
    skipped: a.skipped + b.skipped,
    dead: a.dead + b.dead,
    batches: a.batches + b.batches,
  }
}
