/**
 * The dashboard's view of a workspace's segments (filter segments made through
 * `/v3/custom-segments`, file segments and cohorts): the list — a list segment with its source
 * (file, or a cohort's partner and id), its member count and its last import (state, outcome,
 * counts, values that named no user or several) — one segment with its description, definition
 * and member count, and its members a page at a time (internal-id order, with the email and name a
 * person recognises them by). The count and members are computed now, as the segments family's
 * member reads do (segments/ resolves the stored filters; Store `segments` runs them; a list
 * segment's are its stored members); a segment whose references no longer resolve shows why
 * instead of a count.
 */
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import { prepareSegment, type SegmentLookup } from '../../../segments/resolve.js'
import type { SegmentQuery } from '../../../store/segments.js'
import type { CustomSegmentRow, ImportJobRow, SegmentListRow, Store } from '../../../store/store.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'
import { PAGE_SIZE, param } from '../paging.js'

const iso = (ms: number): string => new Date(ms).toISOString()

const summary = (row: CustomSegmentRow) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  type: row.type,
  source: row.source,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
  archived: row.archivedAt !== null,
})

/** A list segment's origin and last import, as the page shows them. */
function listOf(list: SegmentListRow, members: number, job: ImportJobRow | undefined) {
  return {
    kind: list.kind,
    partner: list.partner,
    cohort_id: list.externalId,
    members,
    last_import:
      job === undefined
        ? null
        : {
            operation: job.operation,
            state: job.state,
            status: job.resultStatus,
            error: job.errorMessage,
            values_found: job.valuesFound,
            values_processed: job.valuesProcessed,
            user_count: job.userCount,
            unmatched: job.unmatched,
            ambiguous: job.ambiguous,
            attempts: job.attempts,
            callback: job.callbackState,
            at: iso(job.finishedAt ?? job.updatedAt),
          },
  }
}

/** A list segment's query: its stored members. */
const listQuery = (row: CustomSegmentRow): SegmentQuery => ({
  kind: 'group',
  operator: 'and',
  filters: [{ kind: 'list', segmentId: row.id, name: row.name }],
})

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export function segmentRoutes(
  api: FastifyInstance,
  deps: Readonly<{ store: Store; clock: Clock }>,
): void {
  const { store, clock } = deps
  const lookupOf =
    (ws: string): SegmentLookup =>
    async (id) => {
      const row = await store.customSegments.get(ws, id)
      if (row === undefined) return undefined
      if ((await store.segmentLists.get(ws, id)) !== undefined)
        return { name: row.name, list: true }
      return { name: row.name, includedFilters: JSON.parse(row.includedFilters) as unknown }
    }
  const segmentOf = async (ws: string, id: string): Promise<CustomSegmentRow> => {
    const row = await store.customSegments.get(ws, id)
    if (row === undefined)
      throw new AppError('dashboard_not_found', { params: { what: 'segment', id } })
    return row
  }
  /** The segment's query: its members if it is a list, else its stored filters resolved now. */
  const queryOf = async (
    row: CustomSegmentRow,
  ): Promise<
    { ok: true; value: { query: SegmentQuery } } | { ok: false; error: { message: string } }
  > => {
    if ((await store.segmentLists.get(row.workspaceId, row.id)) !== undefined) {
      return { ok: true, value: { query: listQuery(row) } }
    }
    return prepareSegment(JSON.parse(row.includedFilters), lookupOf(row.workspaceId), {
      selfId: row.id,
    })
  }

  api.get(`${API_PREFIX}/w/:ws/segments`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const lists = new Map((await store.segmentLists.list(ws.id)).map((l) => [l.segmentId, l]))
    const jobs = new Map((await store.segmentLists.latestJobs(ws.id)).map((j) => [j.segmentId, j]))
    const segments = []
    for (const row of await store.customSegments.list(ws.id)) {
      const list = lists.get(row.id)
      segments.push({
        ...summary(row),
        list:
          list === undefined
            ? null
            : listOf(list, await store.segmentLists.memberCount(ws.id, row.id), jobs.get(row.id)),
      })
    }
    return { segments }
  })

  api.get(`${API_PREFIX}/w/:ws/segments/:id`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const { id } = request.params as { id: string } // route param
    const row = await segmentOf(ws.id, id)
    const prepared = await queryOf(row)
    const count = prepared.ok
      ? await store.segments.count(ws.id, prepared.value.query, clock.now())
      : null
    return {
      ...summary(row),
      included_filters: JSON.parse(row.includedFilters) as unknown,
      count,
      problem: prepared.ok ? null : prepared.error.message,
    }
  })

  api.get(`${API_PREFIX}/w/:ws/segments/:id/members`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    const { id } = request.params as { id: string } // route param
    const after = param(request.query, 'after')
    const prepared = await queryOf(await segmentOf(ws.id, id))
    if (!prepared.ok) {
      throw new AppError('dashboard_invalid_input', {
        params: { attribute: 'segment', detail: prepared.error.message },
      })
    }
    const page = await store.segments.members(ws.id, prepared.value.query, {
      now: clock.now(),
      limit: PAGE_SIZE,
      ...(after === undefined || after === '' ? {} : { afterId: after }),
      attributes: ['u_em', 'u_n'],
    })
    return {
      members: page.members.map((m) => ({
        id: m.id,
        customer_id: m.customerId,
        email: text(m.attributes['u_em']),
        name: text(m.attributes['u_n']),
      })),
      next_after: page.next,
    }
  })
}
