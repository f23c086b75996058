/**
 * The entry of the outbox writer's thread (started by outbox-writer.ts): opens its own connection
 * to `store.db` and writes the groups of sends it is posted. The groups that arrive while it
 * commits are merged and written together after it (one transaction, one fsync), and each group
 * is answered only after the COMMIT returned — under INLET_DURABILITY=fsync, after SQLite's fsync.
 * A Push send's step (sqlite/push.ts pushStepWriter) is its own transaction, after the groups.
 * `close` closes the connection, after what was posted before it, and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { nameThisThread } from '../../core/thread-priority.js'
import { postedError } from '../../core/worker-thread.js'
import { openDatabase } from './connection.js'
import { outboxGroupWriter, type OutboxRecordCall, type SettledRecord } from './outbox.js'
import { pushStepWriter } from './push.js'
import type { PushRunStep } from '../store.js'
import type {
  FromOutboxWriter,
  OutboxWriterData,
  ToOutboxWriter,
  WrittenCall,
} from './outbox-writer.js'

if (parentPort === null) throw new Error('outbox writer: started outside a worker thread')
const port = parentPort
nameThisThread('inlet-outbox')
const data = workerData as OutboxWriterData // posted by startOutboxWriter
const db = openDatabase(data.storePath, data.durability)
// A Push expansion inserts into the outbox's six indexes at random places (customer, recipient):
// a 64 MB page cache (2 MB by default) keeps their pages between steps (bench:push: +10 %).
db.pragma('cache_size = -65536')
const write = outboxGroupWriter(db)
const writeStep = pushStepWriter(db)
const post = (message: FromOutboxWriter): void => port.postMessage(message)

function written(s: SettledRecord): WrittenCall {
  if (!s.ok) return { ok: false, ...postedError(s.error) }
  if (s.value.duplicate) return { ok: true, duplicate: true }
  return {
    ok: true,
    duplicate: false,
    seqs: s.value.rows.map((r) => r.seq),
    revs: s.value.rows.map((r) => r.rev),
  }
}

/** Groups received since the last write: (id, calls) each. */
let pending: { id: number; calls: readonly OutboxRecordCall[] }[] = []
/** Push steps received since the last write, each its own transaction, in order. */
let pendingSteps: { id: number; step: PushRunStep; values: readonly unknown[][] }[] = []
let closing = false
let scheduled = false

function flush(): void {
  scheduled = false
  const groups = pending
  pending = []
  if (groups.length > 0) {
    try {
      const settled = write(groups.flatMap((g) => g.calls))
      let at = 0
      for (const g of groups) {
        post({
          type: 'recorded',
          id: g.id,
          calls: settled.slice(at, at + g.calls.length).map(written),
        })
        at += g.calls.length
      }
    } catch (err) {
      // BEGIN or COMMIT failed: nothing of these groups was written.
      for (const g of groups) post({ type: 'failed', id: g.id, ...postedError(err) })
    }
  }
  const stepsNow = pendingSteps
  pendingSteps = []
  for (const s of stepsNow) {
    try {
      post({ type: 'stepped', id: s.id, moved: writeStep(s.step, s.values) })
    } catch (err) {
      post({ type: 'failed', id: s.id, ...postedError(err) })
    }
  }
  if (closing) {
    db.close()
    port.close()
  }
}

port.on('message', (message: ToOutboxWriter) => {
  if (message.type === 'close') closing = true
  else if (message.type === 'step') pendingSteps.push(message)
  else pending.push({ id: message.id, calls: message.calls })
  // Everything that arrived while the last COMMIT ran is dispatched before the check phase.
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
})
