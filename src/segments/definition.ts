/**
 * A filter segment's definition as the engine holds it (docs/segments.md): the typed tree of
 * MoEngage's filter grammar (spec §2.1) — the store's query language (store/segments.ts) with
 * references to other segments still in it — the engine's limits, and its errors, which are
 * values (never thrown): a field path and a message for a definition that does not parse, and
 * one code for each of MoEngage's 404/412/413 cases.
 */
import type { FilterNode, Group } from '../store/segments.js'

/** A `custom_segments` filter: members of another segment (resolve.ts expands it). */
export type SegmentRef = Readonly<{ kind: 'segment'; id: string; name: string | undefined }>

export type SegmentDefinition = Group<SegmentRef>
export type DefinitionNode = FilterNode<SegmentRef>

/**
 * The engine's bounds (docs/segments.md, "Limits"), checked on a definition and again once the
 * segments it references are expanded into it. MoEngage states none of the numbers (spec §2.1).
 */
export const SEGMENT_LIMITS = Object.freeze({
  /** and/or groups inside one another, the top group counting 1 (a referenced segment's adds 1). */
  nestingLevels: 5,
  /** references to other segments (each occurrence, after expansion). */
  segments: 10,
  /** filters (user attribute, action and event-attribute filters, after expansion). */
  filters: 100,
  /** values in the lists of all filters together (after expansion). */
  values: 1_000,
})

export type SegmentError =
  /** The definition does not follow the grammar (400): where, and what is wrong there. */
  | Readonly<{ code: 'invalid_filters'; path: string; message: string }>
  /** A `custom_segments` filter names no segment the lookup knows. */
  | Readonly<{ code: 'segment_not_found'; path: string; id: string; message: string }>
  /** A segment reaches itself through its references (412 `Cyclic Entity`). */
  | Readonly<{ code: 'cyclic_segment'; path: string; message: string }>
  /** 413: more nesting, references or filters than SEGMENT_LIMITS allow. */
  | Readonly<{
      code: 'too_many_nesting_levels' | 'too_many_segments' | 'query_too_long'
      limit: number
      message: string
    }>

export type SegmentResult<T> =
  Readonly<{ ok: true; value: T }> | Readonly<{ ok: false; error: SegmentError }>

/** The messages of the 412 and 413 cases: MoEngage's (spec §2.1), with Inlet's numbers. */
export const LIMIT_MESSAGES = Object.freeze({
  cyclic_segment: 'Circular reference detected in the custom segment definition.',
  too_many_nesting_levels: (n: number) =>
    `The query has more than ${n} levels of nesting. Please reduce the segment nesting.`,
  too_many_segments: (n: number) =>
    `The query has more than ${n} custom segments. Please reduce the custom segments.`,
  query_too_long: () => 'The query is too large to execute. Please reduce the filters.',
})

export function limitError(
  code: 'too_many_nesting_levels' | 'too_many_segments' | 'query_too_long',
  limit: number,
): SegmentError {
  return { code, limit, message: LIMIT_MESSAGES[code](limit) }
}

/** What a definition holds, for the limits: its depth, references, filters and list values. */
export type DefinitionSize = Readonly<{
  depth: number
  segments: number
  filters: number
  values: number
}>

/** The size of a definition (its top group at depth 1). */
export function sizeOf(group: DefinitionNode): DefinitionSize {
  switch (group.kind) {
    case 'group': {
      const parts = group.filters.map(sizeOf)
      return {
        depth: 1 + Math.max(0, ...parts.map((p) => p.depth)),
        segments: sum(parts.map((p) => p.segments)),
        filters: sum(parts.map((p) => p.filters)),
        values: sum(parts.map((p) => p.values)),
      }
    }
    case 'segment':
      return { depth: 0, segments: 1, filters: 0, values: 0 }
    case 'list':
      return { depth: 0, segments: 0, filters: 1, values: 0 }
    case 'attribute':
      return { depth: 0, segments: 0, filters: 1, values: valuesOf(group) }
    case 'subscription': {
      const c = group.condition
      return {
        depth: 0,
        segments: 0,
        filters: 1,
        values: c.type === 'opt_in_status' ? c.values.length : 0,
      }
    }
    case 'action':
      return {
        depth: 0,
        segments: 0,
        filters: 1 + group.where.filters.length,
        values: sum(group.where.filters.map(valuesOf)),
      }
  }
}

const sum = (ns: readonly number[]): number => ns.reduce((a, b) => a + b, 0)

function valuesOf(f: Extract<DefinitionNode, { kind: 'attribute' }>): number {
  const c = f.condition
  return 'values' in c ? c.values.length : 1
}

/** The first limit a size breaks, if any. */
export function limitBroken(size: DefinitionSize): SegmentError | undefined {
  if (size.depth > SEGMENT_LIMITS.nestingLevels) {
    return limitError('too_many_nesting_levels', SEGMENT_LIMITS.nestingLevels)
  }
  if (size.segments > SEGMENT_LIMITS.segments) {
    return limitError('too_many_segments', SEGMENT_LIMITS.segments)
  }
  if (size.filters > SEGMENT_LIMITS.filters || size.values > SEGMENT_LIMITS.values) {
    return limitError('query_too_long', SEGMENT_LIMITS.filters)
  }
  return undefined
}

/**
 * A definition's identity, for MoEngage's rule that no two segments of a workspace have the same
 * filters (spec §2.1, 409 `existing_cs_id`): the parsed tree as JSON — defaults filled in, values
 * as read, names mapped to the fields they read (`Name` and `u_n` are one filter) — without the
 * names as written, which only descriptions show. Equal keys select the same users.
 */
export function definitionKey(definition: SegmentDefinition): string {
  return JSON.stringify(definition, (key, value: unknown) =>
    key === 'name' && typeof value !== 'object' ? undefined : value,
  )
}
