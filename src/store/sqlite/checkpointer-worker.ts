/**
 * The entry of the store checkpointer's thread (started by checkpointer.ts): opens its own
 * connection to `store.db`, reads the WAL's header every CHECKPOINT_PROBE_MS, and runs a PASSIVE
 * checkpoint whenever CHECKPOINT_PAGES or more wait to be copied — again at once while that many
 * still wait, so a writer that fills the WAL faster than one checkpoint copies it is followed
 * closely. Given `log.db` too, it checkpoints that every LOG_CHECKPOINT_MS (PASSIVE). A failed
 * checkpoint is reported and tried again at the next look. `close` ends it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import { nameThisThread } from '../../core/thread-priority.js'
import { postedError } from '../../core/worker-thread.js'
import {
  CHECKPOINT_PAGES,
  CHECKPOINT_PROBE_MS,
  LOG_CHECKPOINT_MS,
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
const logDb = data.logPath === undefined ? undefined : openDatabase(data.logPath, data.durability)
const post = (message: FromCheckpointer): void => port.postMessage(message)
let timer: NodeJS.Timeout | undefined
let closed = false
let lastLogCheckpoint = performance.now()

/** A PASSIVE checkpoint of `file`; false (reported) when it failed. */
function checkpoint(target: Database.Database, file: 'store.db' | 'log.db'): boolean {
  try {
    target.pragma('wal_checkpoint(PASSIVE)')
    return true
  } catch (err) {
    post({ type: 'failed', file, ...postedError(err) })
    return false
  }
}

function look(): void {
  timer = undefined
  if (closed) return
  const now = performance.now()
  if (logDb !== undefined && now - lastLogCheckpoint >= LOG_CHECKPOINT_MS) {
    lastLogCheckpoint = now
    checkpoint(logDb, 'log.db')
  }
  const state = probe.read()
  const checkpointed =
    state !== undefined && pagesWaiting(state) >= CHECKPOINT_PAGES && checkpoint(db, 'store.db')
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
  logDb?.close()
  port.close()
})
post({ type: 'ready' })
look()
