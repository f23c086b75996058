/**
 * Accepting a request: its validated records become ingest-log records, are group-committed to the
 * log, and only then does the caller answer 200 (spec §4.1: "accepted for asynchronous
 * processing" — here also durable). The processor is woken once the records are on disk; nothing
 * is applied inline.
 */
import type { Clock } from '../core/clock.js'
import { BULK_ROW_KIND, type IngestLog, type NewLogRecord } from '../store/store.js'
import type { ParsedRecord } from '../core/records.js'
import { createGroupCommitter } from './group-commit.js'

/**
 * Who a request's records belong to: the workspace, the request, and the API that sent them (the
 * Data family's endpoint, `dashboard`, `scheduled`): the workspace page counts accepted records
 * per minute by it (NewLogRecord `api`).
 */
export type RequestContext = Readonly<{ workspaceId: string; requestId: string; api: string }>

export type Ingest = Readonly<{
  accept(ctx: RequestContext, records: readonly ParsedRecord[]): Promise<void>
  /**
   * A Bulk request as one log row (families/data/bulk-rows.ts): `payload` from bulkRowPayload, holding
   * `records` records. Counted, batched and acknowledged like that many records.
   */
  acceptBulkRow(ctx: RequestContext, payload: string, records: number): Promise<void>
  /**
   * Whether the log keeps a Bulk row as one row (SQLite). Where it does not (PostgreSQL expands
   * it on append) a Bulk request is better appended as its records: it is parsed once, not twice.
   */
  readonly bulkRows: boolean
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
  /** Ingest.bulkRows (default true). */
  bulkRows?: boolean
}): Ingest {
  const committer = createGroupCommitter<NewLogRecord>(
    async (records) => {
      await deps.log.append(records)
      deps.onCommitted?.()
    },
    { weight: (r) => r.records ?? 1 },
  )
  return {
    bulkRows: deps.bulkRows ?? true,
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
        api: ctx.api,
      }))
      return committer.submit(records)
    },
    acceptBulkRow: (ctx, payload, records) =>
      committer.submit([
        {
          workspaceId: ctx.workspaceId,
          requestId: ctx.requestId,
          index: 0,
          kind: BULK_ROW_KIND,
          customerId: null,
          receivedAt: deps.clock.now(),
          payload,
          records,
          api: ctx.api,
        },
      ]),
    flushed: () => committer.flushed(),
    stats: () => {
      const s = committer.stats()
      return { batches: s.batches, records: s.items }
    },
  }
}
