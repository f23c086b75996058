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

type Waiter<T> = { items: readonly T[]; resolve: () => void; reject: (err: unknown) => void }

export function createGroupCommitter<T>(
  write: (items: readonly T[]) => Promise<void>,
): GroupCommitter<T> {
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
      inFlight = flush().finally(() => {
        inFlight = undefined
        if (pending.length > 0) schedule()
      })
    })
  }

  async function flush(): Promise<void> {
    const batch = pending
    pending = []
    if (batch.length === 0) return
    const items = batch.length === 1 ? (batch[0]?.items ?? []) : batch.flatMap((w) => w.items)
    try {
      await write(items)
      batches++
      written += items.length
      for (const w of batch) w.resolve()
    } catch (err) {
      for (const w of batch) w.reject(err)
    }
  }

  return {
    submit: (items) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ items, resolve, reject })
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
