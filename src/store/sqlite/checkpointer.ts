/**
 * The store checkpointer: a thread of its own (checkpointer-worker.ts, `inlet-checkpt`) that
 * copies `store.db`'s write-ahead log into the database file while the processor goes on applying
 * (INLET_STORE_CHECKPOINTER=worker). SQLite's default is that the connection whose COMMIT takes
 * the WAL past 1,000 pages copies it there and then: the processor's thread stopped applying for
 * every copy and its fsync. Here the processor's connection only checkpoints as a fallback
 * (STORE_WRITER_AUTOCHECKPOINT_PAGES) and this thread looks at the WAL every CHECKPOINT_PROBE_MS
 * and runs a PASSIVE checkpoint (copies what no reader still needs; never waits for a writer or
 * a reader) once CHECKPOINT_PAGES of it wait. The WAL then starts over often, and stays small.
 * docs/benchmarks.md, the 2026-12-05 15:30 section: the drain after Bulk applied 46–56K records/s
 * instead of 34–41K/s. What a checkpoint copies and when it syncs is SQLite's: a crash at any point
 * loses nothing committed.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { endianness } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import type { Durability } from '../../core/config.js'
import type { Logger } from '../../core/log.js'
import { newWorker, WORKER_RESOURCE_LIMITS } from '../../core/worker-thread.js'

/**
 * WAL pages waiting to be copied at which the thread checkpoints (SQLite's default: 1,000). About
 * one Bulk row's commit: a checkpoint then follows nearly every commit and ends before the next,
 * so the WAL starts over at each. At 700 the drain was as slow as without the thread (the WAL
 * could no longer start over, and grew): measure the drain before changing it.
 */
export const CHECKPOINT_PAGES = 300
/** How often the thread reads the WAL's header when fewer pages than that wait. */
export const CHECKPOINT_PROBE_MS = 10
/**
 * The processor's own connection checkpoints only past this many WAL pages: a fallback, for a
 * WAL that the thread's checkpoints cannot restart (a reader holding it) or a thread gone.
 */
export const STORE_WRITER_AUTOCHECKPOINT_PAGES = 10_000
/** SQLite's own `wal_autocheckpoint`, which the writer returns to when the thread is gone. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000

/**
 * How often the thread also checkpoints `log.db` when given it (PASSIVE): the processor's
 * LOG_CHECKPOINT_EVERY_MS, done here instead of on the processor's thread, where it took ~2 % of
 * the drain and about a tenth of the processor during a Bulk load (docs/benchmarks.md,
 * 2026-12-05 18:30).
 */
export const LOG_CHECKPOINT_MS = 500

export type CheckpointerData = Readonly<{
  storePath: string
  /** `log.db`, checkpointed every LOG_CHECKPOINT_MS; none: the store's WAL only. */
  logPath?: string
  durability: Durability
}>

export type ToCheckpointer = Readonly<{ type: 'close' }>

export type FromCheckpointer =
  | Readonly<{ type: 'ready' }>
  | Readonly<{ type: 'failed'; file: 'store.db' | 'log.db'; message: string; code?: string }>

/**
 * A WAL's state as its wal-index (`-shm`) header records it (sqlite.org/walformat.html, "The
 * WAL-Index Header Format"): the frames committed (`mxFrame`, offset 16) and those already copied
 * into the database (`nBackfill`, offset 96), as 32-bit integers in the machine's byte order.
 * Read without SQLite's locks, so a read racing a commit may see a torn header: the figures only
 * decide when to checkpoint, never what a checkpoint copies.
 */
export type WalState = Readonly<{ frames: number; copied: number }>

const HEADER_BYTES = 136
const MX_FRAME_AT = 16
const N_BACKFILL_AT = 96

/** Reads the wal-index header of the database at `dbPath`; undefined while there is none. */
export function walProbe(
  dbPath: string,
): Readonly<{ read(): WalState | undefined; close(): void }> {
  const header = Buffer.alloc(HEADER_BYTES)
  const little = endianness() === 'LE'
  let fd: number | undefined
  return {
    read: () => {
      try {
        fd ??= openSync(`${dbPath}-shm`, 'r')
        if (readSync(fd, header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return undefined
      } catch {
        return undefined // no -shm yet (or no longer): nothing to checkpoint
      }
      const at = (offset: number): number =>
        little ? header.readUInt32LE(offset) : header.readUInt32BE(offset)
      return { frames: at(MX_FRAME_AT), copied: at(N_BACKFILL_AT) }
    },
    close: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}

/** Pages of the WAL not yet copied into the database (0 for a torn read that says otherwise). */
export const pagesWaiting = (s: WalState): number => Math.max(0, s.frames - s.copied)

export type Checkpointer = Readonly<{
  /** Resolves once the thread has opened the store and started looking at its WAL. */
  ready(): Promise<void>
  /** Stops the thread (after the checkpoint in progress, if any). */
  close(): Promise<void>
  /** Whether the thread is checkpointing `log.db`: started with the log, ready, and not ended. */
  checkpointsLog(): boolean
}>

export type CheckpointerOptions = Readonly<{
  /** A checkpoint failed (the thread goes on) — e.g. a full disk. */
  onFailure(err: Error): void
  /** The thread ended without close(): the writer must checkpoint again itself. */
  onExit(code: number): void
  /** Checkpoint `dir`/log.db too, every LOG_CHECKPOINT_MS. */
  log?: boolean
  closeTimeoutMs?: number
}>

/** Starts the checkpointer thread on `dir`'s store.db (already created and migrated). */
export function startCheckpointer(
  dir: string,
  durability: Durability,
  options: CheckpointerOptions,
): Checkpointer {
  const data: CheckpointerData = {
    storePath: join(dir, 'store.db'),
    ...(options.log === true ? { logPath: join(dir, 'log.db') } : {}),
    durability,
  }
  const worker: Worker = newWorker(
    import.meta.url,
    './checkpointer-worker',
    data,
    WORKER_RESOURCE_LIMITS.checkpointer,
  )
  let closing = false
  let running = false
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  worker.on('message', (message: FromCheckpointer) => {
    if (message.type === 'ready') {
      running = true
      return markReady()
    }
    const err = new Error(`${message.file} checkpoint failed: ${message.message}`)
    options.onFailure(message.code === undefined ? err : Object.assign(err, { code: message.code }))
  })
  // An 'error' (the thread threw) is followed by 'exit', which onExit reports.
  worker.on('error', (err) => options.onFailure(err))
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      running = false
      markReady()
      if (!closing) options.onExit(code)
      resolve()
    })
  })
  return {
    ready: () => ready,
    checkpointsLog: () => running && !closing && options.log === true,
    close: async () => {
      if (closing) return exited
      closing = true
      worker.postMessage({ type: 'close' } satisfies ToCheckpointer)
      const timer = setTimeout(() => void worker.terminate(), options.closeTimeoutMs ?? 5_000)
      try {
        await exited
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

/** At most one warning per this long while checkpoints keep failing. */
const FAILURE_WARN_EVERY_MS = 10_000

/**
 * The processor's store with the thread: `writer` (the processor's connection) checkpoints only
 * as a fallback while the thread runs, and as SQLite does by default again if it ends. The thread
 * also checkpoints the directory's `log.db`; the store's `log.checkpoint` leaves it to the thread
 * while `checkpointsLog()` (sqlite-store.ts), and does it again itself once the thread is gone.
 */
export function startStoreCheckpoints(
  writer: Database.Database,
  dir: string,
  durability: Durability,
  log: Logger,
): Checkpointer {
  writer.pragma(`wal_autocheckpoint = ${STORE_WRITER_AUTOCHECKPOINT_PAGES}`)
  let lastWarn = Number.NEGATIVE_INFINITY
  let failures = 0
  return startCheckpointer(dir, durability, {
    log: true,
    onFailure: (err) => {
      failures++
      const now = performance.now()
      if (now - lastWarn < FAILURE_WARN_EVERY_MS) return
      lastWarn = now
      log.warn({ err, failures }, 'store checkpoint failed; trying again')
      failures = 0
    },
    onExit: (code) => {
      if (writer.open) writer.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`)
      log.error(
        { code },
        'store checkpointer thread exited; the processor checkpoints store.db and log.db again',
      )
    },
  })
}
