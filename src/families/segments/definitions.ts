/**
 * The segments family over the engine (segments/, docs/segments.md): a workspace's stored
 * segments as the engine's lookup, a definition prepared or its error as the family's AppError
 * (400, 404, 412, 413), the hash that makes a definition's identity unique in the store, and a
 * stored segment in the wire forms of spec §2.1 (the full `data` of a create or update, the item
 * of a list).
 */
import { createHash } from 'node:crypto'
import { AppError } from '../../core/errors.js'
import { definitionKey, type SegmentError } from '../../segments/definition.js'
import { prepareSegment, type PreparedSegment } from '../../segments/resolve.js'
import {
  COHORT_SEGMENT,
  FILE_SEGMENT,
  isListSegment,
  listQuery,
  lookupOf,
} from '../../segments/stored.js'
import type { CustomSegmentRow, Store } from '../../store/store.js'

export { COHORT_SEGMENT, FILE_SEGMENT, isListSegment, listQuery, lookupOf }

/** A filter segment's `type` and `source` (spec §2.1: fixed for segments made through the API). */
export const FILTER_SEGMENT = Object.freeze({ type: 'ELASTIC_SEARCH', source: 'API' })

/** The store's definition hash of list segment `id`: unique, as no filters are. */
export const listHash = (id: string): string => `list:${id}`

/** A new list segment's row: `kind` its type and source, no filters, a unique hash. */
export function listSegmentRow(
  at: Readonly<{ workspaceId: string; id: string; name: string; now: number }>,
  kind: Readonly<{ type: string; source: string }>,
  description: string,
): CustomSegmentRow {
  return {
    workspaceId: at.workspaceId,
    id: at.id,
    name: at.name,
    type: kind.type,
    source: kind.source,
    includedFilters: 'null',
    definitionHash: listHash(at.id),
    description,
    createdAt: at.now,
    updatedAt: at.now,
    updatedBy: null,
    archivedAt: null,
  }
}

/** The engine's error as the family answers it. */
export function segmentAppError(error: SegmentError): AppError {
  switch (error.code) {
    case 'invalid_filters':
      return new AppError('segment_filters_invalid', {
        params: { path: error.path, reason: error.message },
      })
    case 'segment_not_found':
      return new AppError('segment_not_found', { params: { id: error.id } })
    case 'cyclic_segment':
      return new AppError('segment_cyclic')
    case 'too_many_nesting_levels':
      return new AppError('segment_too_many_nesting_levels', {
        params: { limit: String(error.limit) },
      })
    case 'too_many_segments':
      return new AppError('segment_too_many_segments', { params: { limit: String(error.limit) } })
    case 'query_too_long':
      return new AppError('segment_query_too_long')
  }
}

/** `included_filters` parsed, its references expanded and checked, or the family's error. */
export async function prepared(
  store: Store,
  workspaceId: string,
  includedFilters: unknown,
  selfId?: string,
): Promise<PreparedSegment> {
  const result = await prepareSegment(
    includedFilters,
    lookupOf(store, workspaceId),
    selfId === undefined ? {} : { selfId },
  )
  if (!result.ok) throw segmentAppError(result.error)
  return result.value
}

/** The store's key of a definition's identity: SHA-256 of definitionKey, hex. */
export function definitionHash(prepared: PreparedSegment): string {
  return createHash('sha256').update(definitionKey(prepared.definition)).digest('hex')
}

/** A time as spec §2.1's responses write it: `2022-12-20T06:21:44.112000` (UTC, no zone). */
export function segmentTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000`
}

/** A segment as a list (and Get by ID) answers it. */
export function listItem(row: CustomSegmentRow) {
  return {
    name: row.name,
    id: row.id,
    created_time: segmentTime(row.createdAt),
    type: row.type,
    source: row.source,
  }
}

/** A segment as a create or an update answers it. */
export function segmentData(row: CustomSegmentRow) {
  return {
    name: row.name,
    id: row.id,
    created_time: segmentTime(row.createdAt),
    updated_time: segmentTime(row.updatedAt),
    type: row.type,
    source: row.source,
    description: row.description,
    included_filters: JSON.parse(row.includedFilters) as unknown,
  }
}

/** The segment `id` of the workspace, or 404. */
export async function segmentOf(
  store: Store,
  workspaceId: string,
  id: string,
): Promise<CustomSegmentRow> {
  const row = await store.customSegments.get(workspaceId, id)
  if (row === undefined) throw new AppError('segment_not_found', { params: { id } })
  return row
}
