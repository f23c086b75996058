/**
 * A workspace's stored segments as the engine reads them (store/custom-segment-repo.ts rows): the
 * kinds whose members are a stored list (file segments, cohorts) and their query, the lookup the
 * resolver follows references through, and the query of a stored segment resolved now — what the
 * segments family answers members from and what a Push campaign targets (families/segments,
 * families/push).
 */
import type { SegmentQuery } from '../store/segments.js'
import type { CustomSegmentRow, Store } from '../store/store.js'
import type { SegmentError } from './definition.js'
import { prepareSegment, type SegmentLookup } from './resolve.js'

/**
 * A file segment's and a cohort's `type` and `source` (Inlet's: MoEngage documents no list item
 * of either). Their members are a stored list (store/segment-list-repo.ts); `included_filters`
 * is stored as `null`.
 */
export const FILE_SEGMENT = Object.freeze({ type: 'FILE', source: 'API' })
export const COHORT_SEGMENT = Object.freeze({ type: 'COHORT', source: 'COHORT_SYNC' })

/** True for a segment whose members are a stored list (a file segment or a cohort). */
export const isListSegment = (row: CustomSegmentRow): boolean =>
  row.type === FILE_SEGMENT.type || row.type === COHORT_SEGMENT.type

/** The query of a list segment: its members. */
export function listQuery(row: CustomSegmentRow): SegmentQuery {
  return {
    kind: 'group',
    operator: 'and',
    filters: [{ kind: 'list', segmentId: row.id, name: row.name }],
  }
}

/** The workspace's stored segments, by id, as the engine reads references. */
export function lookupOf(store: Store, workspaceId: string): SegmentLookup {
  return async (id) => {
    const row = await store.customSegments.get(workspaceId, id)
    if (row === undefined) return undefined
    if (isListSegment(row)) return { name: row.name, list: true }
    return { name: row.name, includedFilters: JSON.parse(row.includedFilters) as unknown }
  }
}

/**
 * The query of stored segment `row` at this moment: a list segment's members, or its filters
 * resolved again (a referenced segment's change shows at once); the engine's error when they no
 * longer resolve (a cycle or a missing reference since).
 */
export async function storedSegmentQuery(
  store: Store,
  row: CustomSegmentRow,
): Promise<
  Readonly<{ ok: true; query: SegmentQuery }> | Readonly<{ ok: false; error: SegmentError }>
> {
  if (isListSegment(row)) return { ok: true, query: listQuery(row) }
  const result = await prepareSegment(
    JSON.parse(row.includedFilters) as unknown,
    lookupOf(store, row.workspaceId),
    { selfId: row.id },
  )
  return result.ok ? { ok: true, query: result.value.query } : result
}
