/**
 * Accepting a request: its validated records become ingest-log records, are group-committed to the
 * log, and only then does the caller answer 200 (spec §4.1: "accepted for asynchronous
 * processing" — here also durable). The processor is woken once the records are on disk; nothing
 * is applied inline.
 */
import type { Clock } from '../clock.js'
import type { IngestLog, NewLogRecord } from '../store/store.js'
import type { ParsedRecord } from '../wire/ingest-bodies.js'
import { createGroupCommitter } from './group-commit.js'

export type RequestContext = Readonly<{ workspaceId: string; requestId: string }>

export type Ingest = Readonly<{
  accept(ctx: RequestContext, records: readonly ParsedRecord[]): Promise<void>
  /** Resolves when everything accepted so far is committed. */
  flushed(): Promise<void>
  stats(): Readonly<{ batches: number; records: number }>
}>

export function createIngest(deps: {
  /** Where commits go: the store's log, or the log writer thread (log-writer.ts). */
  log: Pick<IngestLog, 'append'>
  clock: Clock
  /** Called after each commit, e.g. to wake the processor. */
  onCommitted?: () => void
}): Ingest {
  const committer = createGroupCommitter<NewLogRecord>(async (records) => {
    await deps.log.append(records)
    deps.onCommitted?.()
  })
  return {
    accept: (ctx, parsed) => {
      const receivedAt = deps.clock.now()
      const records: NewLogRecord[] = parsed.map((r, index) => ({
        workspaceId: ctx.workspaceId,
        requestId: ctx.requestId,
        index,
        kind: r.kind,
        customerId: r.customerId,
        receivedAt,
        payload: JSON.stringify(r.payload),
      }))
      return committer.submit(records)
    },
    flushed: () => committer.flushed(),
    stats: () => {
      const s = committer.stats()
      return { batches: s.batches, records: s.items }
    },
  }
}
