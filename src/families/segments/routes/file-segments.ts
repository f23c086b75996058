/**
 * Segments v2 (moengage-other-apis.md §2.1; moengage-custom-segments-openapi.yml): Create File
 * Segment (`POST /v2/custom-segments/file-segment`), Add / Remove / Replace users (`PUT
 * …/add-users`, `…/remove-users`, `…/replace`), and Archive / Unarchive (`PATCH
 * /v2/custom-segments/archive|unarchive`, any segment). A create makes the segment at once, with
 * no users, and every file request queues a durable import (file-imports.ts runs it after the
 * answer); each answers 202 `{message, success: true, cs_name, cs_id}`. Failures in E3
 * (`{title, description}`). A segment is named by `cs_id` when given, else by `name`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ACTIVE_SEGMENT_LIMIT } from '../../../core/catalogue/segments.js'
import { AppError } from '../../../core/errors.js'
import { bodyOf } from '../../../http/route.js'
import { DAY_MS } from '../../../store/segments.js'
import type { CustomSegmentRow, ImportJobRow, ImportOperation } from '../../../store/store.js'
import { parseArchiveBody, parseFileSegmentBody } from '../bodies/file-bodies.js'
import { FILE_SEGMENT, isListSegment, listSegmentRow } from '../definitions.js'
import { FILE_SEGMENT_USERS_PER_DAY } from '../quotas.js'
import { otherMethods, segmentRoute } from '../route.js'
import type { SegmentDeps } from './custom-segments.js'

export const FILE_SEGMENT_URL = '/v2/custom-segments/file-segment'
export const ARCHIVE_URL = '/v2/custom-segments/archive'
export const UNARCHIVE_URL = '/v2/custom-segments/unarchive'

/** Each file operation's path (below FILE_SEGMENT_URL), method and 202 message. */
const OPERATIONS: Readonly<
  Record<
    ImportOperation & ('create' | 'add' | 'remove' | 'replace'),
    { path: string; message: string }
  >
> = {
  create: { path: '', message: 'File-segment creation request accepted' },
  add: { path: '/add-users', message: 'File-segment user-add request accepted' },
  remove: { path: '/remove-users', message: 'File-segment user-remove request accepted' },
  replace: { path: '/replace', message: 'File-segment user-replace request accepted' },
}

const E = 'file_segments' as const

/** The 202 every accepted request answers. */
const accepted = (message: string, row: CustomSegmentRow) => ({
  message,
  success: true,
  cs_name: row.name,
  cs_id: row.id,
})

/** The segment a request names: by `cs_id` when given (it wins), else by `name`; or 404. */
async function targetOf(
  deps: SegmentDeps,
  workspaceId: string,
  named: { name: string | undefined; csId: string | undefined },
): Promise<CustomSegmentRow> {
  if (named.csId !== undefined) {
    const row = await deps.store.customSegments.get(workspaceId, named.csId)
    if (row === undefined) {
      throw new AppError('segment_file_id_not_found', { params: { id: named.csId } })
    }
    return row
  }
  const name = named.name ?? ''
  const [row] = await deps.store.customSegments.list(workspaceId, { name })
  if (row === undefined) throw new AppError('segment_file_not_found', { params: { name } })
  return row
}

export function fileSegmentRoutes(
  root: FastifyInstance,
  api: FastifyInstance,
  deps: SegmentDeps,
): void {
  const { store, clock } = deps

  /** Refuses a request past the users-per-day cap (users matched in the last 24 hours). */
  async function checkDailyUsers(workspaceId: string, now: number): Promise<void> {
    const imported = await store.segmentLists.usersImported(workspaceId, now - DAY_MS)
    if (imported >= FILE_SEGMENT_USERS_PER_DAY) {
      throw new AppError('rate_limit_exceeded', {
        params: { quota_limit: String(FILE_SEGMENT_USERS_PER_DAY), window_minutes: '1440' },
      })
    }
  }

  /** Queues the import of `request`'s file into `segment`. */
  async function enqueue(
    request: FastifyRequest,
    segment: CustomSegmentRow,
    operation: ImportOperation,
    body: ReturnType<typeof parseFileSegmentBody>,
    now: number,
  ): Promise<void> {
    const job: ImportJobRow = {
      workspaceId: segment.workspaceId,
      id: request.id,
      segmentId: segment.id,
      operation,
      attributeName: body.attributeName,
      attributeType: body.attributeType,
      fileUrl: body.fileUrl,
      callbackUrl: body.callbackUrl,
      emails: JSON.stringify(body.emails),
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      leaseOwner: null,
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      resultStatus: null,
      errorMessage: null,
      valuesFound: 0,
      valuesProcessed: 0,
      userCount: 0,
      unmatched: 0,
      ambiguous: 0,
      callbackAttempts: 0,
      callbackState: 'none',
    }
    await store.segmentLists.enqueue(job)
  }

  for (const [operation, { path, message }] of Object.entries(OPERATIONS) as [
    keyof typeof OPERATIONS,
    (typeof OPERATIONS)[keyof typeof OPERATIONS],
  ][]) {
    const url = `${FILE_SEGMENT_URL}${path}`
    const method = operation === 'create' ? 'POST' : 'PUT'
    otherMethods(root, url, [method], E)
    segmentRoute(api, deps, {
      method,
      url,
      endpoint: E,
      quota: 'file_segment_ops',
      handler: async (request, workspace, reply) => {
        const body = parseFileSegmentBody(bodyOf(request), operation, deps.files)
        const now = clock.now()
        if (operation !== 'remove') await checkDailyUsers(workspace.id, now)
        let segment: CustomSegmentRow
        if (operation === 'create') {
          const id = deps.ids.userId(now)
          const created = await store.customSegments.create(
            listSegmentRow(
              { workspaceId: workspace.id, id, name: body.name ?? '', now },
              FILE_SEGMENT,
              `File segment of users by ${body.attributeName}`,
            ),
            ACTIVE_SEGMENT_LIMIT,
          )
          if (created.kind === 'limit') throw new AppError('segment_file_active_limit')
          if (created.kind !== 'created') {
            throw new AppError('segment_file_name_exists', { params: { name: body.name ?? '' } })
          }
          segment = created.row
          await store.segmentLists.put({
            workspaceId: workspace.id,
            segmentId: id,
            kind: 'file',
            partner: null,
            externalId: null,
            expiresAt: now + (body.expiryDays ?? 0) * DAY_MS,
          })
        } else {
          segment = await targetOf(deps, workspace.id, body)
          const list = isListSegment(segment)
            ? await store.segmentLists.get(workspace.id, segment.id)
            : undefined
          if (list?.kind !== 'file') {
            throw new AppError('segment_file_invalid', {
              params: { reason: `Segment ${segment.name} is not a file segment` },
            })
          }
          if (segment.archivedAt !== null) {
            throw new AppError('segment_file_invalid', {
              params: { reason: `Segment ${segment.name} is archived` },
            })
          }
        }
        await enqueue(request, segment, operation, body, now)
        void reply.code(202)
        return accepted(message, segment)
      },
    })
  }

  for (const [url, archive] of [
    [ARCHIVE_URL, true],
    [UNARCHIVE_URL, false],
  ] as const) {
    otherMethods(root, url, ['PATCH'], E)
    segmentRoute(api, deps, {
      method: 'PATCH',
      url,
      endpoint: E,
      quota: 'segments_archive',
      handler: async (request, workspace, reply) => {
        const named = parseArchiveBody(bodyOf(request))
        const segment = await targetOf(deps, workspace.id, named)
        const done = await store.customSegments.setArchived(
          workspace.id,
          segment.id,
          archive ? clock.now() : null,
          ACTIVE_SEGMENT_LIMIT,
        )
        if (done.kind === 'limit') throw new AppError('segment_file_active_limit')
        if (done.kind === 'not_found') {
          throw new AppError('segment_file_id_not_found', { params: { id: segment.id } })
        }
        void reply.code(202)
        return accepted(
          archive
            ? 'Successfully archived the custom segment'
            : 'Successfully unarchived the custom segment',
          done.row,
        )
      },
    })
  }
}
