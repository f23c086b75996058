/**
 * The log writer: where group-committed ingest-log appends run. With SQLite in a directory it is a
 * dedicated worker thread (log-writer-worker.ts) that owns its own connection to `log.db`: the
 * request thread posts each group commit's records and keeps parsing and answering requests while
 * the worker inserts and fsyncs, so the next group commit collects everything that arrived during
 * the previous fsync. The contract is the store's `append`: the promise resolves only once the
 * records are committed (fsynced under INLET_DURABILITY=fsync), and rejects if the commit failed or
 * the worker died, so no request is answered 200 for records that are not on disk.
 */
import type { Worker } from 'node:worker_threads'
import type { Config, Durability } from '../config.js'
import type { Logger } from '../log.js'
import type { NewLogRecord, RecordKind, Store } from '../store/store.js'
import { newWorker } from '../worker-thread.js'

export type LogWriter = Readonly<{
  /** Appends in one transaction; resolves once committed (durable per setting). */
  append(records: readonly NewLogRecord[]): Promise<void>
  /** Closes the writer after the appends already posted. */
  close(): Promise<void>
}>

/** One group commit, column by column (cheaper to post than one object per record). */
export type LogColumns = Readonly<{
  workspaceId: string[]
  requestId: string[]
  index: number[]
  kind: RecordKind[]
  customerId: (string | null)[]
  receivedAt: number[]
  payload: string[]
}>

export type ToLogWriter =
  Readonly<{ type: 'append'; id: number; columns: LogColumns }> | Readonly<{ type: 'close' }>

export type FromLogWriter =
  | Readonly<{ type: 'appended'; id: number }>
  | Readonly<{ type: 'failed'; id: number; message: string }>

export type LogWriterData = Readonly<{ dataDir: string; durability: Durability }>

export function toColumns(records: readonly NewLogRecord[]): LogColumns {
  const n = records.length
  const c = {
    workspaceId: new Array<string>(n),
    requestId: new Array<string>(n),
    index: new Array<number>(n),
    kind: new Array<RecordKind>(n),
    customerId: new Array<string | null>(n),
    receivedAt: new Array<number>(n),
    payload: new Array<string>(n),
  }
  for (let i = 0; i < n; i++) {
    const r = records[i] as NewLogRecord // i < n
    c.workspaceId[i] = r.workspaceId
    c.requestId[i] = r.requestId
    c.index[i] = r.index
    c.kind[i] = r.kind
    c.customerId[i] = r.customerId
    c.receivedAt[i] = r.receivedAt
    c.payload[i] = r.payload
  }
  return c
}

export function fromColumns(c: LogColumns): NewLogRecord[] {
  const n = c.payload.length
  const out = new Array<NewLogRecord>(n)
  for (let i = 0; i < n; i++) {
    out[i] = {
      workspaceId: c.workspaceId[i] as string, // every column has n entries
      requestId: c.requestId[i] as string,
      index: c.index[i] as number,
      kind: c.kind[i] as RecordKind,
      customerId: c.customerId[i] ?? null,
      receivedAt: c.receivedAt[i] as number,
      payload: c.payload[i] as string,
    }
  }
  return out
}

type Waiter = { resolve: () => void; reject: (err: Error) => void }

/** The writer in a worker thread on `dataDir` (whose log.db the store has already migrated). */
export function startLogWriterWorker(
  data: LogWriterData,
  deps: Readonly<{ log: Logger; closeTimeoutMs: number }>,
): LogWriter {
  let worker: Worker | undefined
  let exited: Promise<void> = Promise.resolve()
  let nextId = 1
  const waiting = new Map<number, Waiter>()
  let closing = false

  function spawn(): Worker {
    const w = newWorker(import.meta.url, './log-writer-worker', data)
    worker = w
    w.on('message', (message: FromLogWriter) => {
      const waiter = waiting.get(message.id)
      if (waiter === undefined) return
      waiting.delete(message.id)
      if (message.type === 'appended') waiter.resolve()
      else waiter.reject(new Error(`log append failed: ${message.message}`))
    })
    w.on('error', (err) => deps.log.error({ err }, 'log writer failed'))
    exited = new Promise<void>((resolve) => {
      w.once('exit', (code) => {
        if (worker === w) worker = undefined
        // Whatever was posted and not answered may or may not be on disk: never acknowledged.
        for (const [id, waiter] of waiting) {
          waiting.delete(id)
          waiter.reject(new Error(`log writer exited (code ${code}) before the commit completed`))
        }
        if (!closing) log('log writer exited; a new one starts with the next append', code)
        resolve()
      })
    })
    return w
  }

  function log(msg: string, code: number): void {
    deps.log.error({ code }, msg)
  }

  return {
    append: (records) => {
      if (closing) return Promise.reject(new Error('log writer is closed'))
      if (records.length === 0) return Promise.resolve()
      const w = worker ?? spawn()
      const id = nextId++
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        const message: ToLogWriter = { type: 'append', id, columns: toColumns(records) }
        w.postMessage(message)
      })
    },
    close: async () => {
      closing = true
      const w = worker
      if (w === undefined) return
      w.postMessage({ type: 'close' } satisfies ToLogWriter)
      const timer = setTimeout(() => {
        deps.log.warn({ timeoutMs: deps.closeTimeoutMs }, 'log writer did not close; terminating')
        void w.terminate()
      }, deps.closeTimeoutMs)
      try {
        await exited
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

/**
 * The writer the server runs: a worker thread (INLET_LOG_WRITER=worker, the default) for SQLite in
 * a directory; otherwise the store's own `append` in this thread (PostgreSQL, `:memory:`).
 */
export function createServerLogWriter(
  config: Config,
  deps: Readonly<{ store: Store; log: Logger }>,
): LogWriter {
  const inWorker =
    config.logWriter === 'worker' && deps.store.kind === 'sqlite' && config.dataDir !== ':memory:'
  if (!inWorker) {
    return { append: (records) => deps.store.log.append(records), close: () => Promise.resolve() }
  }
  return startLogWriterWorker(
    { dataDir: config.dataDir, durability: config.durability },
    { log: deps.log, closeTimeoutMs: Math.max(config.shutdownTimeoutMs, 1_000) },
  )
}
