/**
 * The processor: a background loop that applies ingest-log records to the profile store in log
 * order (so in acceptance order for each user). Each batch is read after the cursor, applied in
 * memory by the steps, and committed with the new cursor in one transaction: a crash at any point
 * leaves the batch either wholly applied or not at all, so restart neither loses nor repeats a
 * record. Skipped and dead records are kept with their reason and request id. It also compacts the
 * log (records applied and older than the retention) and reports the ingestion lag. It runs in the
 * thread that creates it (tests, `:memory:`, INLET_PROCESSOR_THREAD=inline); processor-worker.ts
 * runs the same loop in a worker thread.
 */
import type { Clock } from '../clock.js'
import type { IdGenerator } from '../ids.js'
import type { Logger } from '../log.js'
import type { LogRecord, OutcomeKind, RecordOutcomeRow, Store } from '../store/store.js'
import { createBatchState } from './batch-state.js'
import { dead, type Outcome } from './outcome.js'
import { applyRecord } from './steps/apply-record.js'
import type { Step, StepContext } from './steps/step.js'
import { DEFAULT_SETTINGS, readSettings, type WorkspaceSettings } from '../workspaces/settings.js'

export type ProcessorOptions = Readonly<{
  store: Store
  clock: Clock
  ids: IdGenerator
  log: Logger
  batchSize: number
  pollMs: number
  maxAttempts: number
  logRetentionMs: number
  /**
   * After a batch that caught up with the log, wait this long before reading it again, so that
   * the next batch (and its store commit) holds what arrived meanwhile; 0: read again at once.
   */
  maxDelayMs?: number
  /** Replaces the record dispatcher; tests use it to inject failures. */
  step?: Step
  /** Called after each committed batch with the running totals (the worker posts them). */
  onBatch?: (stats: ProcessorStats) => void
  /**
   * Called when the loop starts waiting for a wake (or the next poll), having found the log
   * caught up; the worker posts it so that the main thread sends wakes only to a waiting loop.
   */
  onIdle?: () => void
}>

export type ProcessorStats = Readonly<{
  applied: number
  skipped: number
  dead: number
  batches: number
}>

export type Lag = Readonly<{
  /** Records accepted and not yet applied. */
  records: number
  /** Age of the oldest record not yet applied, in ms (0 when none). */
  oldestMs: number
  cursor: number
  lastSeq: number
}>

export type Processor = Readonly<{
  start(): void
  /** Stops after the batch in progress; resolves when the loop has exited. */
  stop(): Promise<void>
  /** Wakes the loop now (after an append) instead of at the next poll. */
  wake(): void
  /** Resolves when every record appended before the call has been applied. */
  drain(timeoutMs?: number): Promise<void>
  lag(): Promise<Lag>
  stats(): ProcessorStats
  /** Resolves once a started loop runs (a worker has opened its store); absent in-process. */
  ready?: () => Promise<void>
}>

const COMPACT_EVERY_MS = 10_000
const LAG_LOG_EVERY_MS = 10_000
const MAX_BACKOFF_MS = 5_000

export function createProcessor(options: ProcessorOptions): Processor {
  const { store, clock, ids, log, batchSize } = options
  const step = options.step ?? applyRecord
  let running = false
  let loop: Promise<void> | undefined
  let wakeUp: (() => void) | undefined
  let woken = false
  /** Failed attempts of the record at the head of the log, by seq. */
  const attempts = new Map<number, number>()
  let infraFailures = 0
  let lastCompact = 0
  let lastLagLog = 0
  const counts = { applied: 0, skipped: 0, dead: 0, batches: 0 }

  /** The settings of every workspace the batch's records belong to. */
  async function settingsOf(
    records: readonly LogRecord[],
  ): Promise<Map<string, WorkspaceSettings>> {
    const ids = [...new Set(records.map((r) => r.workspaceId))]
    const rows = await Promise.all(ids.map((id) => store.workspaces.get(id)))
    return new Map(rows.flatMap((w) => (w === undefined ? [] : [[w.id, readSettings(w.settings)]])))
  }

  /** Applies one batch; returns how many records it consumed (0 when the log is caught up). */
  async function runBatch(limit: number): Promise<{ consumed: number; delayMs: number }> {
    const cursor = await store.processing.cursor()
    const records = await store.log.readAfter(cursor, limit)
    if (records.length === 0) return { consumed: 0, delayMs: 0 }
    const snapshot = await store.processing.loadSnapshot(records)
    const state = createBatchState(snapshot)
    const now = clock.now()
    const settings = await settingsOf(records)
    const ctx: StepContext = {
      state,
      now,
      ids,
      settings: (workspaceId) => settings.get(workspaceId) ?? DEFAULT_SETTINGS,
    }
    const tally = { applied: 0, skipped: 0, dead: 0 }
    let toSeq = cursor
    for (const [i, record] of records.entries()) {
      let outcome: Outcome
      try {
        outcome = step(record, ctx)
      } catch (err) {
        if (i > 0) {
          // The failing step may have half-changed this batch's state: apply only the records
          // before it, and meet the failing one at the head of the next batch.
          return runBatch(i)
        }
        const failures = (attempts.get(record.seq) ?? 0) + 1
        attempts.set(record.seq, failures)
        log.error({ err, seq: record.seq, requestId: record.requestId, failures }, 'step failed')
        if (failures < options.maxAttempts) {
          return { consumed: 0, delayMs: backoff(failures) }
        }
        outcome = dead(`failed ${failures} times: ${errorText(err)}`, err)
      }
      toSeq = record.seq
      switch (outcome.kind) {
        case 'applied':
          tally.applied++
          if (outcome.notes !== undefined && outcome.notes.length > 0) {
            state.addOutcome(outcomeRow(record, 'applied', JSON.stringify(outcome.notes), now))
          }
          break
        case 'skipped':
        case 'dead':
          tally[outcome.kind]++
          state.addOutcome(outcomeRow(record, outcome.kind, outcome.reason, now))
          break
        case 'retry':
          if (i > 0) return runBatch(i)
          return { consumed: 0, delayMs: outcome.afterMs }
      }
    }
    const changes = state.changes()
    await store.processing.commit({ fromSeq: cursor, toSeq, ...changes })
    for (const o of changes.outcomes) attempts.delete(o.seq)
    counts.applied += tally.applied
    counts.skipped += tally.skipped
    counts.dead += tally.dead
    counts.batches++
    options.onBatch?.({ ...counts })
    return { consumed: tally.applied + tally.skipped + tally.dead, delayMs: 0 }
  }

  async function maintain(): Promise<void> {
    const now = clock.now()
    if (now - lastCompact >= COMPACT_EVERY_MS) {
      lastCompact = now
      const cursor = await store.processing.cursor()
      const removed = await store.log.compact(cursor, now - options.logRetentionMs)
      if (removed > 0) log.debug({ removed, cursor }, 'log compacted')
    }
    if (now - lastLagLog >= LAG_LOG_EVERY_MS) {
      lastLagLog = now
      const lag = await lagNow()
      if (lag.records > 0) log.info({ lag }, 'ingestion lag')
    }
  }

  async function run(): Promise<void> {
    while (running) {
      let delayMs = options.pollMs
      try {
        const result = await runBatch(batchSize)
        infraFailures = 0
        await maintain()
        if (result.consumed > 0) {
          const maxDelayMs = options.maxDelayMs ?? 0
          if (result.consumed < batchSize && maxDelayMs > 0 && running) {
            // Caught up: let records accumulate so the next commit holds more of them.
            await new Promise<void>((r) => setTimeout(r, maxDelayMs))
          } else {
            // Yield to the event loop between batches so HTTP requests keep flowing.
            await new Promise<void>((r) => setImmediate(r))
          }
          continue
        }
        if (result.delayMs > 0) delayMs = result.delayMs
      } catch (err) {
        infraFailures++
        delayMs = backoff(infraFailures)
        log.error({ err, failures: infraFailures, retryInMs: delayMs }, 'processor batch failed')
      }
      await sleep(delayMs)
    }
  }

  function sleep(ms: number): Promise<void> {
    if (woken) {
      woken = false
      return Promise.resolve()
    }
    options.onIdle?.()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        wakeUp = undefined
        resolve()
      }
      wakeUp = done
    })
  }

  const lagNow = (): Promise<Lag> => measureLag(store, clock)

  return {
    start: () => {
      if (running) return
      running = true
      loop = run()
    },
    stop: async () => {
      running = false
      wakeUp?.()
      await loop
      loop = undefined
    },
    wake: () => {
      if (wakeUp !== undefined) wakeUp()
      else woken = true
    },
    drain: async (timeoutMs = 30_000) => {
      const target = await store.log.lastSeq()
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if ((await store.processing.cursor()) >= target) return
        if (!running) {
          // Not started (tests, --no-processor): apply inline until caught up.
          const { consumed, delayMs } = await runBatch(batchSize)
          if (consumed === 0 && delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
        } else {
          await new Promise((r) => setTimeout(r, 5))
        }
        if (Date.now() > deadline) throw new Error(`processor did not drain within ${timeoutMs} ms`)
      }
    },
    lag: lagNow,
    stats: () => ({ ...counts }),
  }
}

/** The ingestion lag as the store sees it (any connection: the worker's or the main thread's). */
export async function measureLag(store: Store, clock: Clock): Promise<Lag> {
  const [cursor, lastSeq] = await Promise.all([store.processing.cursor(), store.log.lastSeq()])
  if (lastSeq <= cursor) return { records: 0, oldestMs: 0, cursor, lastSeq }
  const [oldest] = await store.log.readAfter(cursor, 1)
  return {
    records: lastSeq - cursor,
    oldestMs: oldest === undefined ? 0 : Math.max(0, clock.now() - oldest.receivedAt),
    cursor,
    lastSeq,
  }
}

function outcomeRow(
  record: LogRecord,
  outcome: OutcomeKind,
  reason: string,
  at: number,
): RecordOutcomeRow {
  return {
    seq: record.seq,
    workspaceId: record.workspaceId,
    requestId: record.requestId,
    index: record.index,
    kind: record.kind,
    outcome,
    reason,
    at,
  }
}

function backoff(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(failures, 10))
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
