/**
 * From a definition to what the store answers (docs/segments.md, "Referencing segments"): each
 * `custom_segments` filter replaced by the referenced segment's filters — read through a lookup
 * the caller gives (the routes read the store), parsed, and expanded in turn — with cycles found
 * (a segment that reaches itself, or the segment being saved: 412) and the limits checked on the
 * whole expanded query (413). `prepareSegment` is the one call a route makes: wire JSON in; the
 * definition, the query and the description out, or an error value.
 */
import type { FilterNode, SegmentQuery } from '../store/segments.js'
import {
  LIMIT_MESSAGES,
  SEGMENT_LIMITS,
  limitBroken,
  limitError,
  sizeOf,
  type DefinitionNode,
  type SegmentDefinition,
  type SegmentResult,
} from './definition.js'
import { describeSegment } from './describe.js'
import { parseFilters } from './parse.js'

/**
 * A stored segment as the lookup finds it: its name and its `included_filters` as stored, or —
 * a list segment (a file segment, a cohort) — `list: true`, which a reference expands to a
 * membership filter.
 */
export type StoredSegment = Readonly<
  { name: string; includedFilters: unknown } | { name: string; list: true }
>

/** Finds a segment of the same workspace by id (undefined: there is none). */
export type SegmentLookup = (id: string) => Promise<StoredSegment | undefined>

export type ResolveOptions = Readonly<{
  /** The id of the segment being updated: a reference that reaches it is a cycle. */
  selfId?: string
  /** Where the definition sits in the request, for error paths. */
  path?: string
}>

/**
 * The query of a definition: references expanded through `lookup` (each segment read once per
 * call), cycles refused, limits checked on the result.
 */
export async function resolveSegment(
  definition: SegmentDefinition,
  lookup: SegmentLookup,
  options: ResolveOptions = {},
): Promise<SegmentResult<SegmentQuery>> {
  const cache = new Map<string, Promise<StoredSegment | undefined>>()
  const find = (id: string): Promise<StoredSegment | undefined> => {
    let found = cache.get(id)
    if (found === undefined) {
      found = lookup(id)
      cache.set(id, found)
    }
    return found
  }
  const path = options.path ?? 'included_filters'
  const stack = options.selfId === undefined ? [] : [options.selfId]
  const references = { count: 0 }
  const expanded = await expand(definition, { path, depth: 1, stack, find, references })
  if (!expanded.ok) return expanded
  // The definition with its references in place: sizes count each expansion as a nested group.
  const broken = limitBroken(sizeOf(expanded.value))
  return broken === undefined ? expanded : { ok: false, error: broken }
}

type Walk = Readonly<{
  path: string
  /** The depth of the group being expanded (the top group: 1). */
  depth: number
  /** The segments being expanded around it (and the one being saved). */
  stack: readonly string[]
  find: (id: string) => Promise<StoredSegment | undefined>
  /** References expanded so far (each occurrence). */
  references: { count: number }
}>

async function expand(group: SegmentDefinition, w: Walk): Promise<SegmentResult<SegmentQuery>> {
  const filters: FilterNode[] = []
  for (const [i, f] of group.filters.entries()) {
    const done = await expandNode(f, { ...w, path: `${w.path}.filters[${i}]` })
    if (!done.ok) return done
    filters.push(done.value)
  }
  return { ok: true, value: { kind: 'group', operator: group.operator, filters } }
}

async function expandNode(f: DefinitionNode, w: Walk): Promise<SegmentResult<FilterNode>> {
  switch (f.kind) {
    case 'group':
      return expand(f, { ...w, depth: w.depth + 1 })
    case 'attribute':
    case 'action':
    case 'subscription':
    case 'list':
      return { ok: true, value: f }
    case 'segment': {
      if (w.stack.includes(f.id)) {
        const message = LIMIT_MESSAGES.cyclic_segment
        return { ok: false, error: { code: 'cyclic_segment', path: w.path, message } }
      }
      w.references.count += 1
      if (w.references.count > SEGMENT_LIMITS.segments) {
        return { ok: false, error: limitError('too_many_segments', SEGMENT_LIMITS.segments) }
      }
      // Its filters would sit a level deeper: refused before anything more is read.
      if (w.depth + 1 > SEGMENT_LIMITS.nestingLevels) {
        return {
          ok: false,
          error: limitError('too_many_nesting_levels', SEGMENT_LIMITS.nestingLevels),
        }
      }
      const stored = await w.find(f.id)
      if (stored === undefined) {
        const message = `Custom segment not found with the given id: ${f.id}`
        return {
          ok: false,
          error: { code: 'segment_not_found', path: `${w.path}.id`, id: f.id, message },
        }
      }
      if ('list' in stored) {
        return { ok: true, value: { kind: 'list', segmentId: f.id, name: stored.name } }
      }
      const path = `${w.path}(${f.id}).included_filters`
      const parsed = parseFilters(stored.includedFilters, path)
      if (!parsed.ok) return parsed
      return expand(parsed.value, { ...w, path, depth: w.depth + 1, stack: [...w.stack, f.id] })
    }
  }
}

export type PreparedSegment = Readonly<{
  definition: SegmentDefinition
  query: SegmentQuery
  description: string
}>

/** Parses `included_filters`, expands its references and describes it: all a route needs. */
export async function prepareSegment(
  includedFilters: unknown,
  lookup: SegmentLookup,
  options: ResolveOptions = {},
): Promise<SegmentResult<PreparedSegment>> {
  const parsed = parseFilters(includedFilters, options.path)
  if (!parsed.ok) return parsed
  const resolved = await resolveSegment(parsed.value, lookup, options)
  if (!resolved.ok) return resolved
  const definition = parsed.value
  return {
    ok: true,
    value: { definition, query: resolved.value, description: describeSegment(definition) },
  }
}
