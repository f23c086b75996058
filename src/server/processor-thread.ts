/**
 * The entry of the processor's worker thread (started by processor/processor-worker.ts, named by
 * server/server.ts): the composition root of that thread. Opens its own
 * connections to the store directory, runs the processor loop, wakes it on `wake`, posts its
 * totals after each batch, and on `stop` finishes the batch in progress, closes the store and
 * exits. Time and ids are the system's, as in the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { systemClock } from '../core/clock.js'
import { createIdGenerator } from '../core/ids.js'
import { createLogger } from '../core/log.js'
import { lowerThisThread, nameThisThread } from '../core/thread-priority.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { FromWorker, ProcessorWorkerData, ToWorker } from '../processor/processor-worker.js'
import { createProcessor } from '../processor/processor.js'

const port = parentPort
if (port === null) throw new Error('processor worker: started outside a worker thread')
const data = workerData as ProcessorWorkerData // posted by startProcessorWorker
const post = (message: FromWorker): void => port.postMessage(message)

const log = createLogger({ level: data.logLevel })
nameThisThread('inlet-processor')
// Below the request thread and the log writer when the cores are contended (INLET_PROCESSOR_NICE).
try {
  const priority = lowerThisThread(data.nice)
  log.debug({ ...priority }, 'processor thread priority')
} catch (err) {
  log.warn({ err, nice: data.nice }, 'processor thread priority not lowered')
}
// store.db batches are fsynced before each compaction, not one by one (sqlite/connection.ts),
// and copied from its WAL by a thread of their own (sqlite/checkpointer.ts, started from this
// thread, so at its lowered priority too).
const store = createSqliteStore({
  dir: data.dataDir,
  durability: data.durability,
  deferStoreSync: true,
  expandRow: expandBulkRow,
  ...(data.storeCheckpointer === 'worker' ? { checkpointer: { log } } : {}),
})
const processor = createProcessor({
  store,
  clock: systemClock,
  ids: createIdGenerator(),
  log,
  batchSize: data.batchSize,
  pollMs: data.pollMs,
  maxAttempts: data.maxAttempts,
  logRetentionMs: data.logRetentionMs,
  maxDelayMs: data.maxDelayMs,
  ...(data.leaseMs === undefined ? {} : { leaseMs: data.leaseMs }),
  ...(data.eventRetentionMs === undefined ? {} : { eventRetentionMs: data.eventRetentionMs }),
  onBatch: (stats) => post({ type: 'stats', stats }),
  onIdle: () => post({ type: 'idle' }),
})

let stopping = false
port.on('message', (message: ToWorker) => {
  if (message.type === 'wake') {
    processor.wake()
    return
  }
  if (stopping) return
  stopping = true
  void (async () => {
    try {
      await processor.stop()
    } finally {
      await store.close()
      post({ type: 'stopped' })
      port.close()
    }
  })()
})
processor.start()
post({ type: 'ready' })
