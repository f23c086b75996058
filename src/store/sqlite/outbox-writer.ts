/**
 * The outbox writer thread of the SQLite store (docs/outbox.md "Performance"): where the server's
 * sends, and the steps of its Push expansions (sqlite/push.ts PushStepper), are written to the
 * outbox. A worker thread (outbox-writer-worker.ts) owns its own
 * connection to `store.db` and commits each group of sends in one transaction
 * (outbox.ts outboxGroupWriter), so the request thread keeps parsing and rendering while a COMMIT
 * fsyncs, and the next group collects every send that arrived during it — as the log writer does
 * for the ingest log (ingest/log-writer.ts). The contract is the repository's `record`: the
 * promise resolves only once the messages are committed (fsynced under INLET_DURABILITY=fsync),
 * and rejects when the commit failed or the thread died, so no send is answered for messages that
 * are not on disk.
 */
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type { Durability } from '../../core/config.js'
import { newWorker, WORKER_RESOURCE_LIMITS } from '../../core/worker-thread.js'
import type { OutboxMessageRow, OutboxRecordResult, PushRunStep } from '../store.js'
import type { OutboxRecordCall } from './outbox.js'

export type OutboxWriterData = Readonly<{ storePath: string; durability: Durability }>

export type ToOutboxWriter =
  | Readonly<{ type: 'record'; id: number; calls: readonly OutboxRecordCall[] }>
  | Readonly<{ type: 'step'; id: number; step: PushRunStep; values: readonly unknown[][] }>
  | Readonly<{ type: 'close' }>

/** A call's outcome as the thread answers it: the store's seq and rev of each message. */
export type WrittenCall =
  | Readonly<{ ok: true; duplicate: true }>
  | Readonly<{ ok: true; duplicate: false; seqs: number[]; revs: number[] }>
  | Readonly<{ ok: false; message: string; code?: string }>

export type FromOutboxWriter =
  | Readonly<{ type: 'recorded'; id: number; calls: WrittenCall[] }>
  | Readonly<{ type: 'stepped'; id: number; moved: boolean }>
  | Readonly<{ type: 'failed'; id: number; message: string; code?: string }>

export type OutboxWriter = Readonly<{
  record(call: OutboxRecordCall): Promise<OutboxRecordResult>
  /**
   * A Push send's step (sqlite/push.ts pushStepWriter) in a transaction of its own, posted at
   * once: resolves once committed, to whether the send was still where the step began.
   */
  step(step: PushRunStep, values: readonly unknown[][]): Promise<boolean>
  /** Closes the thread after the groups already posted; later records are refused. */
  close(): Promise<void>
}>

/** An Error carrying SQLite's code across the thread (SQLITE_FULL: 503, as the log's). */
function errorOf(prefix: string, message: string, code: string | undefined): Error {
  const err = new Error(`${prefix}: ${message}`)
  return code === undefined ? err : Object.assign(err, { code })
}

/** The rows of `call` as the store answers them, from the thread's seqs and revs. */
function rowsOf(call: OutboxRecordCall, seqs: number[], revs: number[]): OutboxMessageRow[] {
  return call.messages.map((m, i) => ({
    ...m,
    seq: seqs[i] ?? 0,
    rev: revs[i] ?? 0,
    updatedAt: m.createdAt,
  }))
}

type Waiter = Readonly<{
  call: OutboxRecordCall
  resolve: (result: OutboxRecordResult) => void
  reject: (error: Error) => void
}>

type StepWaiter = Readonly<{ resolve: (moved: boolean) => void; reject: (error: Error) => void }>

/**
 * Starts the writer thread on the store in `dir` (whose store.db is already migrated). The calls
 * made in one turn of the event loop are posted as one group; the thread merges the groups that
 * arrive while it commits.
 */
export function startOutboxWriter(
  dir: string,
  durability: Durability,
  closeTimeoutMs = 5_000,
): OutboxWriter {
  const data: OutboxWriterData = { storePath: join(dir, 'store.db'), durability }
  let worker: Worker | undefined
  let exited: Promise<void> = Promise.resolve()
  let closing = false
  let nextId = 1
  /** Groups posted and not answered, by id. */
  const posted = new Map<number, Waiter[]>()
  /** Steps posted and not answered, by id. */
  const steps = new Map<number, StepWaiter>()
  /** Calls of this turn of the event loop, not yet posted. */
  let pending: Waiter[] = []

  function settle(group: Waiter[], message: FromOutboxWriter): void {
    if (message.type !== 'recorded') {
      const err =
        message.type === 'failed'
          ? errorOf('outbox write failed', message.message, message.code)
          : new Error('outbox writer: a send answered as a step')
      for (const w of group) w.reject(err)
      return
    }
    group.forEach((w, i) => {
      const written = message.calls[i]
      if (written === undefined) w.reject(new Error('outbox writer: no answer for a send'))
      else if (!written.ok) w.reject(errorOf('outbox write failed', written.message, written.code))
      else if (written.duplicate) w.resolve({ duplicate: true })
      else w.resolve({ duplicate: false, rows: rowsOf(w.call, written.seqs, written.revs) })
    })
  }

  function spawn(): Worker {
    const w = newWorker(
      import.meta.url,
      './outbox-writer-worker',
      data,
      WORKER_RESOURCE_LIMITS.outboxWriter,
    )
    worker = w
    w.on('message', (message: FromOutboxWriter) => {
      const step = steps.get(message.id)
      if (step !== undefined) {
        steps.delete(message.id)
        if (message.type === 'stepped') step.resolve(message.moved)
        else if (message.type === 'failed') {
          step.reject(errorOf('push step failed', message.message, message.code))
        } else step.reject(new Error('outbox writer: a step answered as a record'))
        return
      }
      const group = posted.get(message.id)
      if (group === undefined) return
      posted.delete(message.id)
      settle(group, message)
    })
    // An 'error' is followed by 'exit', which fails what was waiting.
    w.on('error', () => undefined)
    exited = new Promise<void>((resolve) => {
      w.once('exit', (code) => {
        if (worker === w) worker = undefined
        // Whatever was posted and not answered may or may not be on disk: never acknowledged.
        const err = new Error(`outbox writer exited (code ${code}) before the commit completed`)
        for (const [id, group] of posted) {
          posted.delete(id)
          for (const waiter of group) waiter.reject(err)
        }
        for (const [id, step] of steps) {
          steps.delete(id)
          step.reject(err)
        }
        resolve()
      })
    })
    return w
  }

  function flush(): void {
    const group = pending
    pending = []
    if (group.length === 0) return
    const w = worker ?? spawn()
    const id = nextId++
    posted.set(id, group)
    const message: ToOutboxWriter = { type: 'record', id, calls: group.map((g) => g.call) }
    w.postMessage(message)
  }

  // Started now, not on the first send: a thread takes a moment to boot.
  spawn()
  return {
    record: (call) => {
      if (closing) return Promise.reject(new Error('outbox writer is closed'))
      return new Promise<OutboxRecordResult>((resolve, reject) => {
        pending.push({ call, resolve, reject })
        if (pending.length === 1) setImmediate(flush)
      })
    },
    step: (step, values) => {
      if (closing) return Promise.reject(new Error('outbox writer is closed'))
      return new Promise<boolean>((resolve, reject) => {
        const id = nextId++
        steps.set(id, { resolve, reject })
        const message: ToOutboxWriter = { type: 'step', id, step, values }
        ;(worker ?? spawn()).postMessage(message)
      })
    },
    close: async () => {
      if (closing) return exited
      closing = true
      flush()
      const w = worker
      if (w === undefined) return
      w.postMessage({ type: 'close' } satisfies ToOutboxWriter)
      const timer = setTimeout(() => void w.terminate(), closeTimeoutMs)
      try {
        await exited
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
