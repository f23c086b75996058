/**
 * The entry of the store checkpointer's thread (started by checkpointer.ts): opens its own
 * connection to `store.db`, reads the WAL's header every CHECKPOINT_PROBE_MS, and runs a PASSIVE
 * checkpoint whenever CHECKPOINT_PAGES or more wait to be copied — again at once while that many
 * still wait, so a writer that fills the WAL faster than one checkpoint copies it is followed
 * closely. A failed checkpoint is reported and tried again at the next look. `close` ends it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { nameThisThread } from '../../core/thread-priority.js'
import { postedError } from '../../core/worker-thread.js'
import {
  CHECKPOINT_PAGES,
  CHECKPOINT_PROBE_MS,
  pagesWaiting,
  walProbe,
  type CheckpointerData,
  type FromCheckpointer,
  type ToCheckpointer,
} from './checkpointer.js'
import { openDatabase } from './connection.js'

if (parentPort === null) throw new Error('store checkpointer: started outside a worker thread')
const port = parentPort
nameThisThread('inlet-checkpt')
const data = workerData as CheckpointerData // posted by startCheckpointer
const db = openDatabase(data.storePath, data.durability)
const probe = walProbe(data.storePath)
const post = (message: FromCheckpointer): void => port.postMessage(message)
let timer: NodeJS.Timeout | undefined
let closed = false

function look(): void {
  timer = undefined
  if (closed) return
  const state = probe.read()
  let checkpointed = false
  if (state !== undefined && pagesWaiting(state) >= CHECKPOINT_PAGES) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)')
      checkpointed = true
    } catch (err) {
      post({ type: 'failed', ...postedError(err) })
    }
  }
  // After a checkpoint, look again at once: what was committed meanwhile may be as much again.
  // setImmediate, not a loop: a `close` posted meanwhile is handled between two checkpoints.
  if (checkpointed) setImmediate(look)
  else timer = setTimeout(look, CHECKPOINT_PROBE_MS)
}

port.on('message', (message: ToCheckpointer) => {
  if (message.type !== 'close' || closed) return
  closed = true
  if (timer !== undefined) clearTimeout(timer)
  probe.close()
  db.close()
  port.close()
})
post({ type: 'ready' })
look()
