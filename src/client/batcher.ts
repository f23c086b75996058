/**
 * The queue behind `trackUser` / `trackEvent` / `trackDevice`: records wait as Bulk Import
 * elements (spec §7.3), each serialised once, and go out in bodies that stay within the Bulk limit
 * (100 KB, spec §3) — a record is never split, and one too big for a body on its own is refused
 * when it is queued. A body is sent when the queue holds a full one (bytes or `maxBatchRecords`),
 * when the oldest queued record has waited `flushIntervalMs`, or on `flush()`; one body is in
 * flight at a time, cut to what the Bulk quota has left (pacer.ts) so it need not wait longer
 * than for the next window. A body refused by validation (400, or 413) is split in halves and
 * each sent again, down to the single record at fault, so one bad record never takes the rest
 * with it; a record that finally fails — that one, or a body whose retries ran out — goes to
 * `onFailure`, or, without one, makes the next `flush()` reject. Nothing queued is dropped silently.
 */
import {
  ClientClosedError,
  DataApiError,
  DeliveryError,
  NetworkError,
  PayloadTooLargeError,
  RecordTooLargeError,
  ValidationError,
  type DeliveryFailure,
} from './errors.js'
import type { Pacer } from './pacer.js'
import { utf8Length, type Transport } from './transport.js'
import type { AcceptedBody, BulkElement } from './types.js'

/** The quota name pacing knows Bulk Import by. */
export const BULK_QUOTA = 'bulk'

export type Delivered = Readonly<{ requestId: string; records: readonly BulkElement[] }>

export type BatchOptions = Readonly<{
  /** Largest body, in bytes (UTF-8). */
  maxBatchBytes: number
  /** Most records in one body. */
  maxBatchRecords: number
  /** Longest a queued record waits before its body is sent anyway. */
  flushIntervalMs: number
  /** Queued bytes beyond which `track*` waits for the queue to drain. */
  maxQueueBytes: number
  onFailure: ((failure: DeliveryFailure) => void) | undefined
  onDelivered: ((delivered: Delivered) => void) | undefined
}>

type Queued = Readonly<{
  record: BulkElement
  json: string
  bytes: number
  users: number
  events: number
}>

const PREFIX = '{"type":"transition","elements":['
const SUFFIX = ']}'
/** The bytes of a Bulk Import body beyond its elements and the commas between them. */
export const BULK_BODY_OVERHEAD = PREFIX.length + SUFFIX.length
const OVERHEAD = BULK_BODY_OVERHEAD

export type Batcher = Readonly<{
  enqueue(record: BulkElement): Promise<void>
  flush(): Promise<void>
  close(): Promise<void>
}>

export function createBatcher(
  transport: Transport,
  pacer: Pacer,
  path: string,
  options: BatchOptions,
): Batcher {
  const queue: (Queued | undefined)[] = [] // taken records are cleared, then compacted away
  let head = 0 // queue[head] is the oldest record not yet taken into a body
  let queuedBytes = 0
  let enqueued = 0 // records ever queued
  let finished = 0 // records delivered or failed
  let flushTarget = 0 // send until `finished` reaches this, full bodies or not
  let running = false
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let unreported: DeliveryFailure[] = []
  const finishWaiters: { target: number; resolve: () => void }[] = []
  const roomWaiters: (() => void)[] = []

  const pending = (): number => queue.length - head

  /** A full body is waiting: by count, or by bytes (the next record would not fit). */
  function full(): boolean {
    if (pending() >= options.maxBatchRecords) return true
    return OVERHEAD + queuedBytes + pending() - 1 >= options.maxBatchBytes
  }

  function startTimer(): void {
    if (timer !== undefined || pending() === 0) return
    timer = setTimeout(() => {
      timer = undefined
      flushTarget = Math.max(flushTarget, enqueued)
      kick()
    }, options.flushIntervalMs)
  }

  function stopTimer(): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  function kick(): void {
    if (running) return
    running = true
    void run().finally(() => {
      running = false
      if (pending() > 0 && (full() || finished < flushTarget)) kick()
      else startTimer()
    })
  }

  async function run(): Promise<void> {
    while (pending() > 0 && (full() || finished < flushTarget)) {
      stopTimer()
      const batch = take()
      await deliver(batch)
      finished += batch.length
      for (const w of finishWaiters.splice(0)) {
        if (finished >= w.target) w.resolve()
        else finishWaiters.push(w)
      }
      for (const w of roomWaiters.splice(0)) w()
    }
  }

  /** The next body: as many records as fit by bytes, count and the Bulk quota's capacity. */
  function take(): Queued[] {
    const capacity = pacer.capacity(BULK_QUOTA)
    const first = queue[head]
    const firstUnits = first === undefined ? 0 : Math.max(first.users, first.events)
    const maxUnits =
      capacity.now >= firstUnits ? capacity.now : (capacity.limit ?? Number.POSITIVE_INFINITY)
    const batch: Queued[] = []
    let bytes = OVERHEAD - 1 // no comma before the first element
    let users = 0
    let events = 0
    for (let next = queue[head]; next !== undefined; next = queue[head]) {
      if (batch.length >= options.maxBatchRecords) break
      const units = Math.max(users + next.users, events + next.events)
      if (
        batch.length > 0 &&
        (bytes + next.bytes + 1 > options.maxBatchBytes || units > maxUnits)
      ) {
        break
      }
      batch.push(next)
      bytes += next.bytes + 1
      users += next.users
      events += next.events
      queue[head] = undefined
      head++
      queuedBytes -= next.bytes
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head)
      head = 0
    }
    return batch
  }

  async function deliver(batch: readonly Queued[]): Promise<void> {
    const users = batch.reduce((n, q) => n + q.users, 0)
    const events = batch.reduce((n, q) => n + q.events, 0)
    let answer: AcceptedBody
    try {
      answer = await transport.send<AcceptedBody>({
        method: 'POST',
        path,
        json: `${PREFIX}${batch.map((q) => q.json).join(',')}${SUFFIX}`,
        auth: true,
        quota: { name: BULK_QUOTA, units: Math.max(users, events) },
      })
    } catch (err) {
      const refused = err instanceof ValidationError || err instanceof PayloadTooLargeError
      if (refused && batch.length > 1) {
        // Nothing of a refused body was stored: send each half again to find the record at fault.
        const half = Math.ceil(batch.length / 2)
        await deliver(batch.slice(0, half))
        await deliver(batch.slice(half))
        return
      }
      const error =
        err instanceof DataApiError || err instanceof NetworkError
          ? err
          : new NetworkError(`Bulk Import failed: ${String(err)}`, { cause: err })
      fail({ records: batch.map((q) => q.record), error })
      return
    }
    try {
      options.onDelivered?.({ requestId: answer.request_id, records: batch.map((q) => q.record) })
    } catch {
      // The records were accepted; a throwing callback must not make them count as failed.
    }
  }

  function fail(failure: DeliveryFailure): void {
    if (options.onFailure === undefined) {
      unreported.push(failure)
      return
    }
    try {
      options.onFailure(failure)
    } catch (thrown) {
      // A callback that throws must not lose the records: the next flush() reports them.
      unreported.push({
        ...failure,
        error: new NetworkError(`onFailure threw: ${String(thrown)}`, { cause: thrown }),
      })
    }
  }

  function prepare(record: BulkElement): Queued {
    const json = JSON.stringify(record)
    const bytes = utf8Length(json)
    if (OVERHEAD + bytes > options.maxBatchBytes) {
      throw new RecordTooLargeError(record, OVERHEAD + bytes, options.maxBatchBytes)
    }
    const events =
      record.type === 'event' && Array.isArray(record.actions) ? record.actions.length : 0
    return { record, json, bytes, users: record.type === 'event' ? 0 : 1, events }
  }

  async function settle(target: number): Promise<void> {
    flushTarget = Math.max(flushTarget, target)
    if (finished < target) {
      const done = new Promise<void>((resolve) => finishWaiters.push({ target, resolve }))
      kick()
      await done
    }
    const failures = unreported
    unreported = []
    if (failures.length > 0) throw new DeliveryError(failures)
  }

  return {
    async enqueue(record) {
      if (closed) throw new ClientClosedError()
      const queued = prepare(record)
      while (queuedBytes >= options.maxQueueBytes) {
        await new Promise<void>((resolve) => roomWaiters.push(resolve))
        if (closed) throw new ClientClosedError()
      }
      queue.push(queued)
      queuedBytes += queued.bytes
      enqueued++
      if (full()) kick()
      else startTimer()
    },

    flush() {
      return settle(enqueued)
    },

    async close() {
      closed = true
      try {
        await settle(enqueued)
      } finally {
        stopTimer()
        for (const w of roomWaiters.splice(0)) w()
      }
    },
  }
}
