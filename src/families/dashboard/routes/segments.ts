/**
 * The dashboard's view of a workspace's segments (those made through `/v3/custom-segments`): the
 * list, one segment with its description, definition and member count, and its members a page at
 * a time (internal-id order, with the email and name a person recognises them by). The count and
 * members are computed now, as the segments family's member reads do (segments/ resolves the
 * stored filters; Store `segments` runs them); a segment whose references no longer resolve shows
 * why instead of a count.
 */
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import { prepareSegment, type SegmentLookup } from '../../../segments/resolve.js'
import type { CustomSegmentRow, Store } from '../../../store/store.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'
import { PAGE_SIZE, param } from '../paging.js'

const iso = (ms: number): string => new Date(ms).toISOString()

const summary = (row: CustomSegmentRow) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
  archived: row.archivedAt !== null,
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
      return row === undefined
        ? undefined
        : { name: row.name, includedFilters: JSON.parse(row.includedFilters) as unknown }
    }
  const segmentOf = async (ws: string, id: string): Promise<CustomSegmentRow> => {
    const row = await store.customSegments.get(ws, id)
    if (row === undefined)
      throw new AppError('dashboard_not_found', { params: { what: 'segment', id } })
    return row
  }
  const queryOf = async (row: CustomSegmentRow) =>
    prepareSegment(JSON.parse(row.includedFilters), lookupOf(row.workspaceId), { selfId: row.id })

  api.get(`${API_PREFIX}/w/:ws/segments`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request)
    return { segments: (await store.customSegments.list(ws.id)).map(summary) }
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
