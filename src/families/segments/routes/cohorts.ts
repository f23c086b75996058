/**
 * Cohort Sync (moengage-other-apis.md §2.2; moengage-cohort-audience-openapi.yml):
 * `POST /v1/integrations/cohortsync` adds members to or removes them from a partner's cohort by
 * `uid` (the user's customer id), never creating a user: a uid that names no user is counted
 * (the sync's record, read by the dashboard) and left out. A cohort is a segment of its own
 * source (`type: "COHORT"`, `source: "COHORT_SYNC"`), made at its first sync and found again by
 * its partner and `cohort_id`; it lists, counts and pages as every segment does. A segment not
 * made by Cohort Sync is never changed through it. The answer is the documented 200 once the
 * members are written. Failures in E1.
 */
import type { FastifyInstance } from 'fastify'
import { ACTIVE_SEGMENT_LIMIT } from '../../../core/catalogue/segments.js'
import { AppError } from '../../../core/errors.js'
import { bodyOf } from '../../../http/route.js'
import type { SegmentListRow, Store } from '../../../store/store.js'
import { parseCohortBody, type CohortBody } from '../bodies/file-bodies.js'
import { COHORT_SEGMENT, listSegmentRow } from '../definitions.js'
import { otherMethods, segmentRoute } from '../route.js'
import type { SegmentDeps } from './custom-segments.js'

export const COHORT_SYNC_URL = '/v1/integrations/cohortsync'

const E = 'cohort_sync' as const

const ACCEPTED = {
  status: 'success',
  message: 'Your request has been accepted and will be processed soon.',
} as const

/** The cohort's list, made (with its segment) at its first sync. */
async function cohortOf(
  deps: SegmentDeps,
  workspaceId: string,
  body: CohortBody,
  now: number,
): Promise<SegmentListRow> {
  const { store } = deps
  const found = await store.segmentLists.cohort(workspaceId, body.partner, body.cohortId)
  if (found !== undefined) return found
  const id = deps.ids.userId(now)
  const created = await store.customSegments.create(
    listSegmentRow(
      { workspaceId, id, name: body.name, now },
      COHORT_SEGMENT,
      body.description ?? `Cohort ${body.cohortId} of ${body.partner}`,
    ),
    ACTIVE_SEGMENT_LIMIT,
  )
  if (created.kind === 'limit') throw new AppError('segment_file_active_limit')
  if (created.kind !== 'created') {
    // The name is another segment's: a concurrent first sync of this cohort, or not a cohort.
    const again = await store.segmentLists.cohort(workspaceId, body.partner, body.cohortId)
    if (again !== undefined) return again
    throw new AppError('segment_cohort_not_owned', { params: { name: body.name } })
  }
  const list: SegmentListRow = {
    workspaceId,
    segmentId: id,
    kind: 'cohort',
    partner: body.partner,
    externalId: body.cohortId,
    expiresAt: null,
  }
  await store.segmentLists.put(list)
  return list
}

/** Writes the sync's members and records what it did (unknown uids counted). */
async function sync(
  store: Store,
  list: SegmentListRow,
  body: CohortBody,
  requestId: string,
  now: number,
): Promise<void> {
  const ws = list.workspaceId
  const uids = [...new Set(body.uids)]
  const matches = await store.segmentLists.match(
    ws,
    { kind: 'column', column: 'customer_id' },
    'string',
    uids,
  )
  const users = [...new Set(matches.map((m) => m.userId))]
  const known = new Set(matches.map((m) => m.value))
  if (body.action === 'add_members')
    await store.segmentLists.addMembers(ws, list.segmentId, users, now)
  else await store.segmentLists.removeMembers(ws, list.segmentId, users)
  await store.segmentLists.enqueue({
    workspaceId: ws,
    id: requestId,
    segmentId: list.segmentId,
    operation: body.action === 'add_members' ? 'cohort_add' : 'cohort_remove',
    attributeName: 'uid',
    attributeType: 'string',
    fileUrl: '',
    callbackUrl: null,
    emails: '[]',
    state: 'done',
    attempts: 1,
    nextAttemptAt: now,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: now,
    resultStatus: 201,
    errorMessage: null,
    valuesFound: body.uids.length,
    valuesProcessed: uids.length,
    userCount: users.length,
    unmatched: uids.filter((u) => !known.has(u)).length,
    ambiguous: 0,
    callbackAttempts: 0,
    callbackState: 'none',
  })
}

export function cohortRoutes(root: FastifyInstance, api: FastifyInstance, deps: SegmentDeps): void {
  otherMethods(root, COHORT_SYNC_URL, ['POST'], E)
  segmentRoute(api, deps, {
    method: 'POST',
    url: COHORT_SYNC_URL,
    endpoint: E,
    quota: 'cohort_sync',
    handler: async (request, workspace) => {
      const body = parseCohortBody(bodyOf(request))
      const now = deps.clock.now()
      const list = await cohortOf(deps, workspace.id, body, now)
      await sync(deps.store, list, body, request.id, now)
      return ACCEPTED
    },
  })
}
