/**
 * The outbox SQL written once for both adapters (store/outbox-repo.ts): the listing's WHERE
 * clause (OutboxFilter: the conditions a filter sets, in one order, with the adapter's placeholder
 * for each value) and the columns a settlement writes. The statements around them are each
 * adapter's (sqlite/outbox.ts, postgres/outbox.ts).
 */
import type { OutboxFilter, OutboxSettlement, OutboxStatus } from './outbox-repo.js'

/** `workspace_id = ? AND …` for `filter`, and its values in order; `mark(i)` a placeholder. */
export function outboxWhere(
  workspaceId: string,
  filter: OutboxFilter,
  mark: (index: number) => string,
): { sql: string; values: unknown[] } {
  const values: unknown[] = [workspaceId]
  const parts = [`workspace_id = ${mark(1)}`]
  const add = (condition: (m: string) => string, value: unknown): void => {
    values.push(value)
    parts.push(condition(mark(values.length)))
  }
  if (filter.customerId !== undefined) add((m) => `customer_id = ${m}`, filter.customerId)
  if (filter.source !== undefined) add((m) => `source = ${m}`, filter.source)
  if (filter.sourceId !== undefined) add((m) => `source_id = ${m}`, filter.sourceId)
  if (filter.channel !== undefined) add((m) => `channel = ${m}`, filter.channel)
  if (filter.status !== undefined) add((m) => `status = ${m}`, filter.status)
  if (filter.since !== undefined) add((m) => `created_at >= ${m}`, filter.since)
  if (filter.until !== undefined) add((m) => `created_at < ${m}`, filter.until)
  if (filter.beforeSeq !== undefined) add((m) => `seq < ${m}`, filter.beforeSeq)
  return { sql: parts.join(' AND '), values }
}

/** The status, reason and due time a settlement writes (both adapters' `settle`). */
export function settlementColumns(
  outcome: OutboxSettlement,
): [status: OutboxStatus, reason: string | null, dueAt: number | null] {
  switch (outcome.status) {
    case 'sent':
      return ['sent', null, null]
    case 'retry':
      return ['recorded', outcome.reason, outcome.dueAt]
    case 'failed':
      return ['failed', outcome.reason, null]
    case 'kept':
      return ['recorded', outcome.reason, null]
  }
}
