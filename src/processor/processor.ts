/**
 * The processor: a background loop that applies ingest-log records to the profile store in log
 * order (so in acceptance order for each user). Each batch is read after the cursor, applied in
 * memory by the steps, and committed with the new cursor in one transaction: a crash at any point
 * leaves the batch either wholly applied or not at all, so restart neither loses nor repeats a
 * record. Skipped and dead records are kept with their reason and request id. It also compacts the
 * log (records applied and older than the retention) and reports the ingestion lag. It runs in the
 * thread that creates it (tests, `:memory:`, INLET_PROCESSOR_THREAD=inline); processor-worker.ts
 * runs the same loop in a worker thread.
 *
 * Many processors may share one store (`inlet serve --role processor` on several machines): each
 * batch is preceded by taking or renewing the store's processor lease, so one of them applies at a
 * time and another takes over when the holder stops renewing (dies); a record's failed attempts
 * are counted in the store, so a takeover continues the count. Exactly-once does not rest on the
 * lease: a commit from a cursor that moved fails and the batch is read again.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Clock } from '../core/clock.js'
import type { IdGenerator } from '../core/ids.js'
import type { Logger } from '../core/log.js'
import { cardEvents, triggeredSends } from '../inbox/card-sends.js'
import { createCardTriggers, type TriggerMap } from '../inbox/card-triggers.js'
import type {
  CommitResult,
  LogRecord,
  NewLogRecord,
  OutboxMessageRow,
  Store,
  UserRow,
  Workspace,
} from '../store/store.js'
import { isWriteRefused } from '../store/store-errors.js'
import { createBatchState } from './batch-state.js'
import { planErasure } from './erasure.js'
import { dead, outcomeRow, skipped, type Outcome } from './outcome.js'
import { reindexProfiles } from './reindex.js'
import { SUPPRESSED_PAYLOAD, refusals } from './suppression-refusals.js'
import { applyRecord } from './steps/apply-record.js'
import type { Step, StepContext } from './steps/step.js'
import { readDelivery } from '../workspaces/delivery.js'
import { DEFAULT_SETTINGS, readSettings } from '../workspaces/settings.js'

/** What one batch did: records consumed, a wait before the next, and whether the log held more. */
type BatchResult = { consumed: number; delayMs: number; more?: boolean }

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
  /** How long the lease lasts without renewal (default 15 s). */
  leaseMs?: number
  /** This processor's name in the lease (default: host, pid and a random suffix). */
  owner?: string
  /** Events older than this are removed (whole months, store.processing.expireEvents); 0: kept. */
  eventRetentionMs?: number
  /** Replaces the record dispatcher; tests use it to inject failures. */
  step?: Step
  /** Profiles read and committed per page by an Identity Resolution reindex (default 1,000). */
  reindexPageSize?: number
  /** Called after each committed batch with the running totals (the worker posts them). */
  onBatch?: (stats: ProcessorStats) => void
  /**
   * Called when the loop starts waiting for a wake (or the next poll), having found the log
   * caught up; the worker posts it so that the main thread sends wakes only to a waiting loop.
   */
  onIdle?: () => void
}>

// ProcessorStats and Lag are alike in shape to other record types (store/snapshot-rules.ts): plain
// declarations of different things, sharing no logic.
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
/** How often the processor checkpoints the log (store.log.checkpoint) between batches. */
export const LOG_CHECKPOINT_EVERY_MS = 500
const EXPIRE_EVERY_MS = 3_600_000
const DEFAULT_LEASE_MS = 15_000
const LAG_LOG_EVERY_MS = 10_000
const MAX_BACKOFF_MS = 5_000

export function createProcessor(options: ProcessorOptions): Processor {
  const { store, clock, ids, log, batchSize } = options
  const step = options.step ?? applyRecord
  let running = false
  let loop: Promise<void> | undefined
  let wakeUp: (() => void) | undefined
  let woken = false
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  let holding = false
  /** When this processor last took or renewed the lease. */
  let leaseRenewedAt = 0
  let infraFailures = 0
  let lastExpire = 0
  let lastCompact = 0
  let lastCheckpoint = 0
  let lastLagLog = 0
  const counts = { applied: 0, skipped: 0, dead: 0, batches: 0 }
  const reindexPage = options.reindexPageSize ?? REINDEX_PAGE

  const cardTriggers = createCardTriggers(store)

  /**
   * What the steps read of the batch's workspaces: each one's row, and its event-triggered card
   * campaigns by trigger event (read again only when they changed: inbox/card-triggers.ts).
   */
  async function workspacesOf(records: readonly LogRecord[]): Promise<{
    rows: Map<string, Workspace>
    triggers: ReadonlyMap<string, TriggerMap>
  }> {
    const ids = [...new Set(records.map((r) => r.workspaceId))]
    const [rows, triggers] = await Promise.all([
      Promise.all(ids.map((id) => store.workspaces.get(id))),
      cardTriggers.of(ids),
    ])
    return { rows: new Map(rows.flatMap((w) => (w === undefined ? [] : [[w.id, w]]))), triggers }
  }

  /**
   * Issue 21: the `Card Sent` system events of the cards a commit wrote, appended to the log after
   * it (as a send appends them after its transaction), one request per workspace.
   */
  async function appendCardEvents(messages: readonly OutboxMessageRow[]): Promise<void> {
    const byWorkspace = new Map<string, OutboxMessageRow[]>()
    for (const m of messages) {
      byWorkspace.set(m.workspaceId, [...(byWorkspace.get(m.workspaceId) ?? []), m])
    }
    const records: NewLogRecord[] = []
    const receivedAt = clock.now()
    for (const [workspaceId, sent] of byWorkspace) {
      const requestId = ids.requestId()
      cardEvents(sent).forEach((r, index) =>
        records.push({
          workspaceId,
          requestId,
          index,
          kind: r.kind,
          customerId: r.customerId,
          receivedAt,
          payload: JSON.stringify(r.payload),
          api: 'cards',
        }),
      )
    }
    if (records.length > 0) await store.log.append(records)
  }

  /** spec §7.12: one erasure, committed alone (processor/erasure.ts). */
  async function runErasure(record: LogRecord, cursor: number): Promise<number> {
    const now = clock.now()
    const { changes, counts: erased } = await planErasure(store, record, now)
    await store.processing.commit({ fromSeq: cursor, toSeq: record.seq, ...changes })
    log.info({ requestId: record.requestId, erased }, 'GDPR erasure carried out')
    counts.applied++
    counts.batches++
    options.onBatch?.({ ...counts })
    return 1
  }

  /** spec §6.2: an Identity Resolution reindex, committed alone (processor/reindex.ts). */
  async function runReindex(record: LogRecord, cursor: number): Promise<number> {
    await reindexProfiles(store, record, cursor, reindexPage, clock.now())
    counts.applied++
    counts.batches++
    options.onBatch?.({ ...counts })
    return 1
  }

  /**
   * Applies one batch; returns how many records it consumed (0 when the log is caught up), and
   * `more` when the log held records past what it read (so a short batch is no reason to wait).
   */
  async function runBatch(limit: number): Promise<BatchResult> {
    const cursor = await store.processing.cursor()
    const read = await store.log.readAfter(cursor, limit)
    const head = read[0]
    if (head === undefined) return { consumed: 0, delayMs: 0 }
    // A read shorter than the limit is the log's end, or a Bulk row that did not fit whole in
    // what was left of the limit (a row is never split): only the first is a reason to wait.
    const last = read[read.length - 1] as LogRecord // read is not empty
    const more = read.length < limit && (await store.log.lastSeq()) > last.seq
    if (head.kind === 'gdpr_erasure') {
      return { consumed: await runErasure(head, cursor), delayMs: 0 }
    }
    if (head.kind === 'identity_reindex') {
      return { consumed: await runReindex(head, cursor), delayMs: 0 }
    }
    // An erasure or a reindex ends the batch before it: it is committed alone, in log order.
    const cut = read.findIndex((r) => ALONE.includes(r.kind))
    const records = cut === -1 ? read : read.slice(0, cut)
    const refused = await refusals(store, records)
    const redactedLog: { seq: number; payload: string }[] = []
    const snapshot = await store.processing.loadSnapshot(records)
    const state = createBatchState(snapshot)
    const now = clock.now()
    const workspaces = await workspacesOf(records)
    const settings = new Map(
      [...workspaces.rows].map(([id, w]) => [id, readSettings(w.settings)] as const),
    )
    const ctx: StepContext = {
      state,
      now,
      ids,
      settings: (workspaceId) => settings.get(workspaceId) ?? DEFAULT_SETTINGS,
      // Only when a workspace of the batch has event-triggered campaigns: else no call per event.
      ...(workspaces.triggers.size === 0
        ? {}
        : {
            triggeredCards: (record: LogRecord, name: string, user: UserRow) => {
              const campaigns = workspaces.triggers.get(record.workspaceId)?.get(name)
              if (campaigns === undefined) return []
              const at = { workspaceId: record.workspaceId, requestId: record.requestId, now, ids }
              const delivery = readDelivery(workspaces.rows.get(record.workspaceId)?.settings ?? {})
              return campaigns.flatMap((c) => triggeredSends(c, user, at, delivery))
            },
          }),
    }
    const tally = { applied: 0, skipped: 0, dead: 0 }
    let toSeq = cursor
    for (const [i, record] of records.entries()) {
      let outcome: Outcome
      const refusal = refused.get(record.seq)
      try {
        if (refusal !== undefined) {
          // The record names an erased identity: skipped, and its payload no longer kept.
          outcome = skipped(refusal)
          redactedLog.push({ seq: record.seq, payload: SUPPRESSED_PAYLOAD })
        } else outcome = step(record, ctx)
      } catch (err) {
        if (i > 0) {
          // The failing step may have half-changed this batch's state: apply only the records
          // before it, and meet the failing one at the head of the next batch.
          return runBatch(i)
        }
        const failures = await store.processing.recordFailure(record.seq, errorText(err), now)
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
    const kept = redactedLog.filter((r) => r.seq <= toSeq)
    let committed: CommitResult
    try {
      committed = await store.processing.commit({
        fromSeq: cursor,
        toSeq,
        ...changes,
        ...(kept.length > 0 ? { redactedLog: kept } : {}),
      })
    } catch (err) {
      if (!isWriteRefused(err)) throw err
      // The store refuses something this batch writes (e.g. a value PostgreSQL cannot hold):
      // the same commit would fail forever. Halve the batch until the one record remains.
      if (records.length > 1) return runBatch(Math.floor(records.length / 2))
      return refuseRecord(records[0] as LogRecord, cursor, err, now) // length 1 here
    }
    if (committed.cardMessages.length > 0) {
      await appendCardEvents(committed.cardMessages).catch((err: unknown) => {
        // The cards are in their inboxes and their messages recorded; only the events are lost.
        log.error({ err, cards: committed.cardMessages.length }, 'appending Card Sent failed')
      })
    }
    counts.applied += tally.applied
    counts.skipped += tally.skipped
    counts.dead += tally.dead
    counts.batches++
    options.onBatch?.({ ...counts })
    return { consumed: tally.applied + tally.skipped + tally.dead, delayMs: 0, more }
  }

  /**
   * The store refused to commit the one record of a batch: counted as a failed attempt, and after
   * maxAttempts marked dead with the store's reason (committed with nothing of its own changes),
   * so the records after it are applied.
   */
  async function refuseRecord(
    record: LogRecord,
    cursor: number,
    err: unknown,
    now: number,
  ): Promise<BatchResult> {
    const reason = `the store refused it: ${errorText(err).replaceAll('\u0000', '\\u0000')}`
    const failures = await store.processing.recordFailure(record.seq, reason, now)
    log.error({ err, seq: record.seq, requestId: record.requestId, failures }, 'commit refused')
    if (failures < options.maxAttempts) return { consumed: 0, delayMs: backoff(failures) }
    const state = createBatchState(await store.processing.loadSnapshot([]))
    state.addOutcome(outcomeRow(record, 'dead', `failed ${failures} times: ${reason}`, now))
    await store.processing.commit({ fromSeq: cursor, toSeq: record.seq, ...state.changes() })
    counts.dead++
    counts.batches++
    options.onBatch?.({ ...counts })
    return { consumed: 1, delayMs: 0 }
  }

  /**
   * Takes or renews the lease when a third of it has passed since the last renewal (so that a
   * busy processor renews every few batches, not every batch); false while another holds it.
   */
  async function holdLease(): Promise<boolean> {
    const now = clock.now()
    if (holding && now - leaseRenewedAt < leaseMs / 3) return true
    const held = await store.processing.acquireLease(owner, now, leaseMs)
    if (held && !holding) log.info({ owner }, 'processor lease taken')
    if (!held && holding) log.warn({ owner }, 'processor lease lost')
    holding = held
    leaseRenewedAt = now
    return held
  }

  async function maintain(): Promise<void> {
    const now = clock.now()
    const retentionMs = options.eventRetentionMs ?? 0
    if (retentionMs > 0 && now - lastExpire >= EXPIRE_EVERY_MS) {
      lastExpire = now
      await store.processing.expireEvents(now - retentionMs)
    }
    if (now - lastCompact >= COMPACT_EVERY_MS) {
      lastCompact = now
      const cursor = await store.processing.cursor()
      const removed = await store.log.compact(cursor, now - options.logRetentionMs)
      if (removed > 0) log.debug({ removed, cursor }, 'log compacted')
    }
    // Off the log writer's commits (sqlite/log-append.ts LOG_WRITER_AUTOCHECKPOINT_PAGES); a
    // SQLite store whose checkpointer thread runs leaves it to that thread (checkpointer.ts).
    if (now - lastCheckpoint >= LOG_CHECKPOINT_EVERY_MS || now < lastCheckpoint) {
      lastCheckpoint = now
      await store.log.checkpoint()
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
        if (!(await holdLease())) {
          // Another processor applies the log; look again before its lease could run out (not
          // at every wake(): appends are the holder's business).
          woken = false
          await sleep(Math.min(options.pollMs * 5, leaseMs / 2))
          continue
        }
        const result = await runBatch(batchSize)
        infraFailures = 0
        await maintain()
        if (result.consumed > 0) {
          const maxDelayMs = options.maxDelayMs ?? 0
          if (result.consumed < batchSize && result.more !== true && maxDelayMs > 0 && running) {
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
      if (holding) {
        holding = false
        // Handed over at once rather than after the lease runs out.
        await store.processing.releaseLease(owner).catch((err: unknown) => {
          log.warn({ err }, 'releasing the processor lease failed')
        })
      }
    },
    wake: () => {
      if (!holding && running) return // standing by: the lease holder applies
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
  const oldest = await store.log.receivedAfter(cursor)
  return {
    records: lastSeq - cursor,
    oldestMs: oldest === undefined ? 0 : Math.max(0, clock.now() - oldest),
    cursor,
    lastSeq,
  }
}

/** Records the processor commits as batches of their own. */
const ALONE: readonly string[] = ['gdpr_erasure', 'identity_reindex']

/** Users read (and committed) per page when indexing a workspace's profiles. */
const REINDEX_PAGE = 1000

function backoff(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(failures, 10))
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
