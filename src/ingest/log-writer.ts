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
import type { Config, Durability } from '../core/config.js'
import type { Logger } from '../core/log.js'
import { BULK_ROW_KIND, RECORD_KINDS, type NewLogRecord, type Store } from '../store/store.js'
import { newWorker, WORKER_RESOURCE_LIMITS } from '../core/worker-thread.js'

export type LogWriter = Readonly<{
  /** Appends in one transaction; resolves once committed (durable per setting). */
  append(records: readonly NewLogRecord[]): Promise<void>
  /** Resolves once the writer can commit (its thread started and opened log.db). */
  ready(): Promise<void>
  /** Closes the writer after the appends already posted. */
  close(): Promise<void>
}>

/**
 * One group commit as posted to the worker, packed so that structured cloning it is cheap: the
 * request-level fields once per run of records of one request (workspace, request id, time,
 * sending API, first index, count), the kinds as bytes, and every payload in one string joined by NUL — JSON
 * text never holds a raw U+0000 (JSON.stringify escapes it), so splitting restores them exactly;
 * a batch with one anyway is posted as a list.
 */
export type PackedBatch = Readonly<{
  runs: (string | number)[]
  kinds: Uint8Array
  customerIds: (string | null)[]
  payloads: string | string[]
  /** (position, records) of each Bulk row of the batch (families/data/bulk-rows.ts). */
  rows: number[]
}>

/** Every kind has its byte: the one list of kinds is the Store's, and the Bulk row's. */
const KINDS: readonly NewLogRecord['kind'][] = [...RECORD_KINDS, BULK_ROW_KIND]
const KIND_CODE = new Map(KINDS.map((k, i) => [k, i]))
const SEPARATOR = '\u0000'
/** Fields of one run in `runs`. */
const RUN_FIELDS = 6

export type ToLogWriter =
  Readonly<{ type: 'append'; id: number; batch: PackedBatch }> | Readonly<{ type: 'close' }>

export type FromLogWriter =
  | Readonly<{ type: 'ready' }>
  | Readonly<{ type: 'appended'; id: number }>
  | Readonly<{ type: 'failed'; id: number; message: string; code?: string }>

export type LogWriterData = Readonly<{ dataDir: string; durability: Durability }>

export function packBatch(records: readonly NewLogRecord[]): PackedBatch {
  const n = records.length
  const runs: (string | number)[] = []
  const kinds = new Uint8Array(n)
  const customerIds = new Array<string | null>(n)
  const payloads = new Array<string>(n)
  const rows: number[] = []
  let joinable = true
  let prev: NewLogRecord | undefined
  for (let i = 0; i < n; i++) {
    const r = records[i] as NewLogRecord // i < n
    const continues =
      prev !== undefined &&
      r.requestId === prev.requestId &&
      r.workspaceId === prev.workspaceId &&
      r.receivedAt === prev.receivedAt &&
      r.api === prev.api &&
      r.index === prev.index + 1
    if (continues) runs[runs.length - 1] = (runs[runs.length - 1] as number) + 1
    else runs.push(r.workspaceId, r.requestId, r.receivedAt, r.api, r.index, 1)
    const code = KIND_CODE.get(r.kind)
    if (code === undefined) throw new Error(`log writer: no code for record kind '${r.kind}'`)
    kinds[i] = code
    customerIds[i] = r.customerId
    payloads[i] = r.payload
    if (r.records !== undefined) rows.push(i, r.records)
    if (joinable && r.payload.includes(SEPARATOR)) joinable = false
    prev = r
  }
  return {
    runs,
    kinds,
    customerIds,
    payloads: joinable ? payloads.join(SEPARATOR) : payloads,
    rows,
  }
}

export function unpackBatch(b: PackedBatch): NewLogRecord[] {
  const payloads = typeof b.payloads === 'string' ? b.payloads.split(SEPARATOR) : b.payloads
  const rows = new Map<number, number>()
  for (let r = 0; r < b.rows.length; r += 2) rows.set(b.rows[r] ?? 0, b.rows[r + 1] ?? 1)
  const out: NewLogRecord[] = []
  for (let r = 0; r < b.runs.length; r += RUN_FIELDS) {
    // A run is (workspaceId, requestId, receivedAt, api, first index, count), as packBatch wrote it.
    const workspaceId = b.runs[r] as string
    const requestId = b.runs[r + 1] as string
    const receivedAt = b.runs[r + 2] as number
    const api = b.runs[r + 3] as string
    const first = b.runs[r + 4] as number
    const count = b.runs[r + 5] as number
    for (let j = 0; j < count; j++) {
      const i = out.length
      const records = rows.get(i)
      out.push({
        workspaceId,
        requestId,
        index: first + j,
        kind: KINDS[b.kinds[i] ?? 0] ?? 'invalid',
        customerId: b.customerIds[i] ?? null,
        receivedAt,
        payload: payloads[i] ?? '',
        ...(records === undefined ? {} : { records }),
        api,
      })
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
  let started: Promise<void> = Promise.resolve()
  let markStarted: () => void = () => undefined

  function spawn(): Worker {
    const w = newWorker(
      import.meta.url,
      './log-writer-worker',
      data,
      WORKER_RESOURCE_LIMITS.logWriter,
    )
    worker = w
    started = new Promise<void>((resolve) => {
      markStarted = resolve
    })
    w.on('message', (message: FromLogWriter) => {
      if (message.type === 'ready') return markStarted()
      const waiter = waiting.get(message.id)
      if (waiter === undefined) return
      waiting.delete(message.id)
      if (message.type === 'appended') waiter.resolve()
      else {
        // The SQLite error's code crosses the thread, so a full disk is still told apart.
        const err = new Error(`log append failed: ${message.message}`)
        waiter.reject(message.code === undefined ? err : Object.assign(err, { code: message.code }))
      }
    })
    w.on('error', (err) => deps.log.error({ err }, 'log writer failed'))
    exited = new Promise<void>((resolve) => {
      w.once('exit', (code) => {
        if (worker === w) worker = undefined
        markStarted()
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

  // Started now, not on the first append: a worker takes a moment to boot, and the first
  // requests should not wait for it.
  spawn()
  return {
    ready: () => started,
    append: (records) => {
      if (closing) return Promise.reject(new Error('log writer is closed'))
      if (records.length === 0) return Promise.resolve()
      const w = worker ?? spawn()
      const id = nextId++
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        const message: ToLogWriter = { type: 'append', id, batch: packBatch(records) }
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
    return {
      append: (records) => deps.store.log.append(records),
      ready: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }
  }
  return startLogWriterWorker(
    { dataDir: config.dataDir, durability: config.durability },
    { log: deps.log, closeTimeoutMs: Math.max(config.shutdownTimeoutMs, 1_000) },
  )
}
