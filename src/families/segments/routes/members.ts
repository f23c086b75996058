/**
 * Inlet's member reads (an extension: MoEngage hands no members back, moengage-other-apis.md
 * §2.1): `GET /v3/custom-segments/{id}/users` — a page of members in a stable order (internal ids,
 * byte order) with an opaque `next_cursor`, the attributes asked for (`fields`) — or, with
 * `format=csv` or `format=jsonl`, every member streamed a page at a time (never the whole list in
 * memory); and `GET /v3/custom-segments/{id}/count`. Members are computed at the request's time
 * over the store (Store `segments`: SQL on either adapter), the segment's stored filters resolved
 * again so that a referenced segment's update shows at once. A user that was deleted or erased is
 * no member: the rows are gone.
 */
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { SegmentQuery, MemberPage } from '../../../store/segments.js'
import type { Store } from '../../../store/store.js'
import { MEMBER_PAGE, cursorOf, parseMemberQuery } from '../bodies/segment-bodies.js'
import { isListSegment, listQuery, prepared, segmentOf } from '../definitions.js'
import {
  csvHeader,
  csvLine,
  jsonLine,
  memberFields,
  memberJson,
  type MemberFields,
} from '../member-rows.js'
import { otherMethods, segmentRoute } from '../route.js'
import { SEGMENT_URL, answer, idOf, type SegmentDeps } from './custom-segments.js'

export const MEMBERS_URL = `${SEGMENT_URL}/users`
export const COUNT_URL = `${SEGMENT_URL}/count`

/**
 * The query of segment `id`: a list segment's members, or its stored filters resolved now (a
 * cycle found since: 412).
 */
async function queryOf(store: Store, workspaceId: string, id: string) {
  const row = await segmentOf(store, workspaceId, id)
  if (isListSegment(row)) return { row, query: listQuery(row) }
  const segment = await prepared(store, workspaceId, JSON.parse(row.includedFilters), id)
  return { row, query: segment.query }
}

type Export = Readonly<{
  store: Store
  workspaceId: string
  query: SegmentQuery
  now: number
  fields: MemberFields
  first: MemberPage
  line: (member: MemberPage['members'][number], fields: MemberFields) => string
  header: string
}>

/** The export's text, a page at a time: the first page was read before the answer began. */
async function* exportLines(e: Export): AsyncGenerator<string> {
  if (e.header !== '') yield e.header
  let page = e.first
  for (;;) {
    yield page.members.map((m) => e.line(m, e.fields)).join('')
    if (page.next === null) return
    page = await e.store.segments.members(e.workspaceId, e.query, {
      now: e.now,
      limit: MEMBER_PAGE.max,
      afterId: page.next,
      attributes: e.fields.keys,
    })
  }
}

export function memberRoutes(root: FastifyInstance, api: FastifyInstance, deps: SegmentDeps): void {
  const { store, clock } = deps
  otherMethods(root, MEMBERS_URL, ['GET'])
  otherMethods(root, COUNT_URL, ['GET'])
  segmentRoute(api, deps, {
    method: 'GET',
    url: MEMBERS_URL,
    quota: 'segments_members',
    handler: async (request, workspace, reply) => {
      const asked = parseMemberQuery(request.query as Record<string, unknown>) // Fastify's parsed query
      const { row, query } = await queryOf(store, workspace.id, idOf(request))
      const fields = memberFields(asked.fields)
      const now = clock.now()
      const limit = asked.format === 'json' ? asked.limit : MEMBER_PAGE.max
      const first = await store.segments.members(workspace.id, query, {
        now,
        limit,
        ...(asked.afterId === undefined ? {} : { afterId: asked.afterId }),
        attributes: fields.keys,
      })
      if (asked.format === 'json') {
        return {
          ...answer(
            request,
            first.members.map((m) => memberJson(m, fields)),
          ),
          next_cursor: first.next === null ? null : cursorOf(first.next),
        }
      }
      const csv = asked.format === 'csv'
      const lines = exportLines({
        store,
        workspaceId: workspace.id,
        query,
        now,
        fields,
        first,
        line: csv ? csvLine : jsonLine,
        header: csv ? csvHeader(fields) : '',
      })
      void reply
        .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="segment-${row.id}.${csv ? 'csv' : 'jsonl'}"`,
        )
      return reply.send(Readable.from(lines))
    },
  })
  segmentRoute(api, deps, {
    method: 'GET',
    url: COUNT_URL,
    quota: 'segments_members',
    handler: async (request, workspace) => {
      const { row, query } = await queryOf(store, workspace.id, idOf(request))
      const count = await store.segments.count(workspace.id, query, clock.now())
      return answer(request, { id: row.id, name: row.name, count })
    },
  })
}
