/**
 * The outbox as Inlet shows it over HTTP (`GET /inlet/v1/outbox` and its tail in
 * families/outbox, the dashboard's outbox page in families/dashboard): a message's JSON view
 * (snake_case, times as ISO 8601), the query's filters read and checked (`user_id`, `source`,
 * `source_id`, `channel`, `status`, `since`, `until`, `limit`, `cursor`, the tail's `after`), the opaque page cursor, one
 * page of a listing, and one read of a tail. Bad values are `outbox_filter_invalid` naming the
 * parameter.
 */
import { AppError } from '../core/errors.js'
import { messageFields } from '../delivery/attempt.js'
import {
  MESSAGE_CHANNELS,
  OUTBOX_STATUSES,
  type OutboxFilter,
  type OutboxMessageRow,
  type Store,
} from '../store/store.js'

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 500

export type OutboxMessageView = {
  id: string
  seq: number
  channel: string
  source: string
  source_id: string
  user_id: string | null
  recipient: string
  platform: string | null
  subject: string | null
  body: string
  payload: Readonly<Record<string, unknown>>
  template: string
  template_version: number
  transaction_id: string | null
  request_id: string
  status: string
  reason: string | null
  attempts: number
  created_at: string
  /** When the next delivery attempt is due; null when none is pending. */
  due_at: string | null
  /** Its position on the tail: new on each change. */
  rev: number
  updated_at: string
  /** Erased by a GDPR request: recipient, content and payload redacted (the request's id). */
  erased_by_gdpr_request: string | null
}

export function messageView(m: OutboxMessageRow): OutboxMessageView {
  return {
    ...messageFields(m),
    seq: m.seq,
    status: m.status,
    reason: m.reason,
    attempts: m.attempts,
    due_at: m.dueAt === null ? null : new Date(m.dueAt).toISOString(),
    rev: m.rev,
    updated_at: new Date(m.updatedAt).toISOString(),
    erased_by_gdpr_request: erasedBy(m),
  }
}

/** The GDPR request that redacted `m` (processor/erasure.ts writes it as the payload), if any. */
function erasedBy(m: OutboxMessageRow): string | null {
  const by = m.payload['erased_by_gdpr_request']
  return typeof by === 'string' ? by : null
}

const invalid = (attribute: string, detail: string): AppError =>
  new AppError('outbox_filter_invalid', { params: { attribute, detail } })

type Query = Readonly<Record<string, string | string[] | undefined>>

/** One value of a query parameter (the first, when repeated); undefined when absent or empty. */
function param(query: Query, name: string): string | undefined {
  const raw = query[name]
  const value = Array.isArray(raw) ? raw[0] : raw
  return value === undefined || value === '' ? undefined : value
}

function time(query: Query, name: string): number | undefined {
  const raw = param(query, name)
  if (raw === undefined) return undefined
  const ms = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isFinite(ms)) {
    throw invalid(name, `${name} should be an ISO 8601 time or epoch milliseconds`)
  }
  return ms
}

function oneOf(query: Query, name: string, allowed: readonly string[]): string | undefined {
  const raw = param(query, name)
  if (raw !== undefined && !allowed.includes(raw)) {
    throw invalid(name, `${name} should be one of ${allowed.join(', ')}`)
  }
  return raw
}

const CURSOR_PREFIX = 'o1:'

export function cursorOf(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url')
}

function cursor(query: Query): number | undefined {
  const raw = param(query, 'cursor')
  if (raw === undefined) return undefined
  const text = Buffer.from(raw, 'base64url').toString('utf8')
  const seq = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : ''
  if (!/^\d{1,15}$/.test(seq)) throw invalid('cursor', 'cursor is not one this server handed out')
  return Number(seq)
}

/** The filters of a listing's or a tail's query (without its position). */
export function filterOf(query: Query): OutboxFilter {
  const customerId = param(query, 'user_id')
  const source = param(query, 'source')
  const sourceId = param(query, 'source_id')
  const channel = oneOf(query, 'channel', MESSAGE_CHANNELS)
  const status = oneOf(query, 'status', OUTBOX_STATUSES)
  const since = time(query, 'since')
  const until = time(query, 'until')
  return {
    ...(customerId === undefined ? {} : { customerId }),
    ...(source === undefined ? {} : { source }),
    ...(sourceId === undefined ? {} : { sourceId }),
    ...(channel === undefined ? {} : { channel }),
    ...(status === undefined ? {} : { status }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  }
}

/** A listing's query: its filters with the page position, and the page size. */
export function listingOf(query: Query): { filter: OutboxFilter; limit: number } {
  const rawLimit = param(query, 'limit')
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalid('limit', `limit should be a whole number from 1 to ${MAX_LIMIT}`)
  }
  const beforeSeq = cursor(query)
  return {
    filter: { ...filterOf(query), ...(beforeSeq === undefined ? {} : { beforeSeq }) },
    limit,
  }
}

/**
 * The tail's start, a rev: `after` (or a reconnecting client's Last-Event-ID); undefined: from now.
 */
export function tailStartOf(query: Query, lastEventId: string | undefined): number | undefined {
  const raw = param(query, 'after') ?? (lastEventId === '' ? undefined : lastEventId)
  if (raw === undefined) return undefined
  if (!/^\d{1,15}$/.test(raw))
    throw invalid('after', 'after should be a message rev (0: from the start)')
  return Number(raw)
}

/** Whether `m` passes `filter`'s conditions (the tail filters in memory). */
export function matches(m: OutboxMessageRow, filter: OutboxFilter): boolean {
  return (
    (filter.customerId === undefined || m.customerId === filter.customerId) &&
    (filter.source === undefined || m.source === filter.source) &&
    (filter.sourceId === undefined || m.sourceId === filter.sourceId) &&
    (filter.channel === undefined || m.channel === filter.channel) &&
    (filter.status === undefined || m.status === filter.status) &&
    (filter.since === undefined || m.createdAt >= filter.since) &&
    (filter.until === undefined || m.createdAt < filter.until)
  )
}

/** One page of the workspace's messages for a listing's query: the views and the next cursor. */
export async function outboxPage(
  store: Store,
  workspaceId: string,
  query: Query,
): Promise<{ messages: OutboxMessageView[]; next_cursor: string | null }> {
  const { filter, limit } = listingOf(query)
  const rows = await store.outbox.list(workspaceId, filter, limit + 1)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    messages: page.map(messageView),
    next_cursor: rows.length > limit && last !== undefined ? cursorOf(last.seq) : null,
  }
}

/** Messages a tail reads at a time. */
const TAIL_READ_LIMIT = 500

/**
 * One read of a tail: every message of the workspace changed after `afterRev` that passes
 * `filter`, by rev, handed to `send`; resolves to the rev read up to (the next read's start).
 */
export async function readTail(
  store: Store,
  workspaceId: string,
  afterRev: number,
  filter: OutboxFilter,
  send: (view: OutboxMessageView) => void,
): Promise<number> {
  let rev = afterRev
  for (;;) {
    const rows = await store.outbox.after(workspaceId, rev, TAIL_READ_LIMIT)
    for (const m of rows) {
      rev = m.rev
      if (matches(m, filter)) send(messageView(m))
    }
    if (rows.length < TAIL_READ_LIMIT) return rev
  }
}
