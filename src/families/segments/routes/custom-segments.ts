/**
 * Segments v3 (moengage-other-apis.md §2.1; moengage-custom-segments-openapi.yml), at
 * `/v3/custom-segments`: List (`?name=` an exact name) and Get by ID (a list of one), each item
 * `{name, id, created_time, type, source}`; Create (201) and Update (PATCH, 200), each answering
 * the segment in full with its server-generated description. A name and a definition are each
 * used once per workspace (409, naming the holder of the definition), a workspace keeps at most
 * ACTIVE_SEGMENT_LIMIT active segments (429), a definition that reaches itself is refused (412)
 * and one past the engine's limits too (413). Every answer is `{data, response_id, type:
 * "custom_segment"}`, the response id the request's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ACTIVE_SEGMENT_LIMIT } from '../../../core/catalogue/segments.js'
import type { Clock } from '../../../core/clock.js'
import { AppError } from '../../../core/errors.js'
import type { IdGenerator } from '../../../core/ids.js'
import type { QuotaScope } from '../../../governance/governance.js'
import { bodyOf } from '../../../http/route.js'
import type { CustomSegmentConflict, Store } from '../../../store/store.js'
import { parseCreateBody, parseListQuery, parseUpdateBody } from '../bodies/segment-bodies.js'
import {
  FILTER_SEGMENT,
  definitionHash,
  listItem,
  prepared,
  segmentData,
  segmentOf,
} from '../definitions.js'
import type { SourcePolicy } from '../../../imports/file-source.js'
import { otherMethods, segmentRoute } from '../route.js'

export const SEGMENTS_URL = '/v3/custom-segments'
export const SEGMENT_URL = `${SEGMENTS_URL}/:id`

/** How long an archived segment is still listed (the Archive page: 180 days). */
export const ARCHIVED_SHOWN_MS = 180 * 86_400_000

/** The resource name of every answer (E2's `type`). */
export const RESOURCE = 'custom_segment'

export type SegmentDeps = Readonly<{
  store: Store
  clock: Clock
  ids: IdGenerator
  quotas: QuotaScope
  bodyLimitBytes: number
  /** Where file segments may fetch from and call back (file-source.ts). */
  files: SourcePolicy
}>

/** The success envelope: `{data, response_id, type}`. */
export const answer = (request: FastifyRequest, data: unknown) => ({
  data,
  response_id: request.id,
  type: RESOURCE,
})

/** The segment id of the path. */
export const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id // the route's :id

/** A store conflict as the family's 409. */
function conflictError(conflict: CustomSegmentConflict): AppError {
  const existing = conflict.existing
  return conflict.kind === 'name_taken'
    ? new AppError('segment_name_exists', { params: { name: existing.name } })
    : new AppError('segment_filters_exist', {
        params: { existing_cs_name: existing.name, existing_cs_id: existing.id },
      })
}

/** List and Get by ID, in the scope without a Content-Type check. */
export function segmentReadRoutes(api: FastifyInstance, deps: SegmentDeps): void {
  const { store } = deps
  segmentRoute(api, deps, {
    method: 'GET',
    url: SEGMENTS_URL,
    quota: 'segments_list',
    handler: async (request, workspace) => {
      const filter = parseListQuery(request.query as Record<string, unknown>) // Fastify's parsed query
      const rows = await store.customSegments.list(workspace.id, filter)
      // "Archived segments will not be shown beyond 180 days."
      const shownSince = deps.clock.now() - ARCHIVED_SHOWN_MS
      const shown = rows.filter((r) => r.archivedAt === null || r.archivedAt >= shownSince)
      return answer(request, shown.map(listItem))
    },
  })
  segmentRoute(api, deps, {
    method: 'GET',
    url: SEGMENT_URL,
    quota: 'segments_get',
    handler: async (request, workspace) => {
      const row = await segmentOf(store, workspace.id, idOf(request))
      return answer(request, [listItem(row)])
    },
  })
}

/** Create and Update, in the scope that requires a JSON body; the 405s on `root`. */
export function segmentWriteRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: SegmentDeps,
): void {
  const { store, clock } = deps
  otherMethods(root, SEGMENTS_URL, ['GET', 'POST'])
  otherMethods(root, SEGMENT_URL, ['GET', 'PATCH'])
  segmentRoute(api, deps, {
    method: 'POST',
    url: SEGMENTS_URL,
    quota: 'segments_create',
    handler: async (request, workspace, reply) => {
      const body = parseCreateBody(bodyOf(request))
      const segment = await prepared(store, workspace.id, body.includedFilters)
      const now = clock.now()
      const created = await store.customSegments.create(
        {
          workspaceId: workspace.id,
          // The 24-hex, time-ordered form of Inlet's user ids, as MoEngage's segment ids look.
          id: deps.ids.userId(now),
          name: body.name,
          ...FILTER_SEGMENT,
          includedFilters: JSON.stringify(body.includedFilters),
          definitionHash: definitionHash(segment),
          description: segment.description,
          createdAt: now,
          updatedAt: now,
          updatedBy: null,
          archivedAt: null,
        },
        ACTIVE_SEGMENT_LIMIT,
      )
      if (created.kind === 'limit') {
        throw new AppError('segment_active_limit', {
          params: {
            actual_count: String(created.active + 1),
            limit: String(ACTIVE_SEGMENT_LIMIT),
          },
        })
      }
      if (created.kind !== 'created') throw conflictError(created)
      void reply.code(201)
      return answer(request, segmentData(created.row))
    },
  })
  segmentRoute(api, deps, {
    method: 'PATCH',
    url: SEGMENT_URL,
    quota: 'segments_update',
    handler: async (request, workspace) => {
      const id = idOf(request)
      const current = await segmentOf(store, workspace.id, id)
      if (
        current.archivedAt !== null ||
        current.type !== FILTER_SEGMENT.type ||
        current.source !== FILTER_SEGMENT.source
      ) {
        throw new AppError('segment_update_forbidden')
      }
      const body = parseUpdateBody(bodyOf(request))
      const segment = await prepared(store, workspace.id, body.includedFilters, id)
      const updated = await store.customSegments.update(workspace.id, id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        includedFilters: JSON.stringify(body.includedFilters),
        definitionHash: definitionHash(segment),
        description: segment.description,
        updatedAt: clock.now(),
        updatedBy: body.updatedBy,
      })
      if (updated.kind === 'not_found') {
        throw new AppError('segment_not_found', { params: { id } })
      }
      if (updated.kind !== 'updated') throw conflictError(updated)
      return answer(request, segmentData(updated.row))
    },
  })
}
