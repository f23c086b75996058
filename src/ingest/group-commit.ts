/**
 * Group commit: requests that arrive while the log is busy share one transaction, so durability
 * costs one fsync per batch of requests rather than one per request. A submit resolves only when
 * the transaction that holds its records has committed; if that transaction fails, every request
 * in it gets the error (and none of them is acknowledged).
 */

export type GroupCommitter<T> = Readonly<{
  submit(items: readonly T[]): Promise<void>
  /** Resolves when everything submitted so far has been written (or failed). */
  flushed(): Promise<void>
  stats(): Readonly<{ batches: number; items: number }>
}>

type Waiter<T> = {
  items: readonly T[]
  size: number
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Most items one write takes (default): whole submissions are added until it is reached, so a
 * request's records always share one transaction, and one write (and its copy in the log writer
 * thread) stays bounded however many large requests wait.
 */
export const MAX_ITEMS_PER_WRITE = 16_384

export function createGroupCommitter<T>(
  write: (items: readonly T[]) => Promise<void>,
  options: Readonly<{
    maxItems?: number
    /** How many items one counts as, for maxItems and the stats (default 1). */
    weight?: (item: T) => number
  }> = {},
): GroupCommitter<T> {
  const maxItems = options.maxItems ?? MAX_ITEMS_PER_WRITE
  const weight = options.weight
  const sizeOf = (items: readonly T[]): number => {
    if (weight === undefined) return items.length
    let n = 0
    for (const item of items) n += weight(item)
    return n
  }
  let pending: Waiter<T>[] = []
  let scheduled = false
  let inFlight: Promise<void> | undefined
  let batches = 0
  let written = 0

  function schedule(): void {
    if (scheduled || inFlight !== undefined) return
    scheduled = true
    // setImmediate runs after the poll phase, so requests whose bytes arrived in this tick of the
    // event loop join the same transaction.
    setImmediate(() => {
      scheduled = false
      if (inFlight === undefined && pending.length > 0) start()
    })
  }

  function start(): void {
    inFlight = flush()
  }

  async function flush(): Promise<void> {
    // Whole submissions up to maxItems (at least one); the rest waits for the next write.
    let take = 0
    let count = 0
    while (take < pending.length) {
      const size = pending[take]?.size ?? 0
      if (take > 0 && count + size > maxItems) break
      count += size
      take++
    }
    const batch = take === pending.length ? pending : pending.slice(0, take)
    pending = take === pending.length ? [] : pending.slice(take)
    const items = batch.length === 1 ? (batch[0]?.items ?? []) : batch.flatMap((w) => w.items)
    let failure: { err: unknown } | undefined
    try {
      // Called inside an async function, so that a write that throws at once still ends after
      // `start` has set inFlight (which the lines after the await clear).
      await (async () => write(items))()
    } catch (err) {
      failure = { err }
    }
    // The next write starts before this one's submitters run: what arrived during this write is
    // on its way to disk (in the log writer's thread) while this thread answers these requests,
    // instead of after (docs/benchmarks.md, the 2026-12-05 12:20 section).
    inFlight = undefined
    if (pending.length > 0) start()
    if (failure !== undefined) {
      for (const w of batch) w.reject(failure.err)
      return
    }
    batches++
    written += count
    for (const w of batch) w.resolve()
  }

  return {
    submit: (items) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ items, size: sizeOf(items), resolve, reject })
        schedule()
      }),
    flushed: async () => {
      while (inFlight !== undefined || scheduled || pending.length > 0) {
        if (inFlight !== undefined) await inFlight
        else await new Promise<void>((r) => setImmediate(r))
      }
    },
    stats: () => ({ batches, items: written }),
  }
}
