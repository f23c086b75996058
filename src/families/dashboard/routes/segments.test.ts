// The dashboard's segments: the list, one segment with its definition and count, its members a
// page at a time with the ids a profile link needs; another workspace's segment is not found; a
// cohort listed with its source, member count and last sync (its unknown uids counted).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  API_KEY,
  WORKSPACE_ID,
  appKeyRequest,
  createTestApp,
} from '../../../../test/helpers/app.js'
import { TRACK, customer, userOf } from '../../../../test/helpers/data-api.js'
import { dashboardGet, signIn } from '../../../../test/helpers/dashboard.js'
import { aSegmentBody, anAttributeFilter } from '../../../../test/helpers/segments.js'

type Detail = { id: string; name: string; description: string; count: number | null }
type Members = {
  members: { id: string; customer_id: string; email: string | null; name: string | null }[]
  next_after: string | null
}

describe("the dashboard's segments", () => {
  it('lists segments, shows one with its count, and pages its members', async (t) => {
    const app = await createTestApp(t)
    for (let i = 0; i < 55; i++) {
      await app.post(TRACK, customer(`u${i}`, { plan: 'gold', email: `u${i}@example.com` }))
    }
    await app.post(TRACK, customer('other', { plan: 'silver', name: 'Other' }))
    await app.drain()
    const made = await appKeyRequest(
      app,
      'POST',
      '/v3/custom-segments',
      aSegmentBody('gold', anAttributeFilter()),
    )
    assert.equal(made.statusCode, 201, made.body)
    const id = made.json<{ data: { id: string } }>().data.id

    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const ws = `/w/${WORKSPACE_ID}`
    const list = await dashboardGet<{ segments: Detail[] }>(app, session, `${ws}/segments`)
    assert.deepEqual(
      list.segments.map((s) => [s.id, s.name, s.description]),
      [[id, 'gold', 'plan  is gold  (case insensitive)']],
    )
    const detail = await dashboardGet<Detail & { included_filters: unknown }>(
      app,
      session,
      `${ws}/segments/${id}`,
    )
    assert.equal(detail.count, 55)
    assert.deepEqual(
      detail.included_filters,
      aSegmentBody('gold', anAttributeFilter())['included_filters'],
    )

    const first = await dashboardGet<Members>(app, session, `${ws}/segments/${id}/members`)
    assert.equal(first.members.length, 50)
    assert.ok(first.next_after !== null)
    const rest = await dashboardGet<Members>(
      app,
      session,
      `${ws}/segments/${id}/members?after=${encodeURIComponent(first.next_after)}`,
    )
    assert.equal(rest.members.length, 5)
    assert.equal(rest.next_after, null)
    const u7 = [...first.members, ...rest.members].find((m) => m.customer_id === 'u7')
    assert.deepEqual(u7, {
      id: (await userOf(app, 'u7')).id,
      customer_id: 'u7',
      email: 'u7@example.com',
      name: null,
    })

    const missing = await app.app.inject({
      method: 'GET',
      url: `/dashboard/api${ws}/segments/nosuch`,
      headers: { cookie: session.cookie },
    })
    assert.equal(missing.statusCode, 404)
  })

  it('lists a cohort with its source, members and last sync, and pages its members', async (t) => {
    const app = await createTestApp(t)
    for (const id of ['ann', 'bob']) await app.post(TRACK, customer(id, { email: `${id}@x.io` }))
    await app.drain()
    const synced = await appKeyRequest(app, 'POST', '/v1/integrations/cohortsync', {
      action: 'add_members',
      partner: 'partner-1',
      parameters: {
        cohort_name: 'Buyers',
        cohort_id: 'c-1',
        members: [{ uid: 'ann' }, { uid: 'bob' }, { uid: 'nobody' }],
      },
    })
    assert.equal(synced.statusCode, 200, synced.body)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const ws = `/w/${WORKSPACE_ID}`
    type Listed = Detail & {
      type: string
      source: string
      list: {
        kind: string
        partner: string
        cohort_id: string
        members: number
        last_import: Record<string, unknown>
      } | null
    }
    const list = await dashboardGet<{ segments: Listed[] }>(app, session, `${ws}/segments`)
    const [cohort] = list.segments
    assert.ok(cohort !== undefined)
    assert.deepEqual([cohort.type, cohort.source], ['COHORT', 'COHORT_SYNC'])
    assert.deepEqual(
      {
        ...cohort.list,
        last_import: { ...cohort.list?.last_import, at: undefined },
      },
      {
        kind: 'cohort',
        partner: 'partner-1',
        cohort_id: 'c-1',
        members: 2,
        last_import: {
          operation: 'cohort_add',
          state: 'done',
          status: 201,
          error: null,
          values_found: 3,
          values_processed: 3,
          user_count: 2,
          unmatched: 1,
          ambiguous: 0,
          attempts: 1,
          callback: 'none',
          at: undefined,
        },
      },
    )
    const detail = await dashboardGet<Detail>(app, session, `${ws}/segments/${cohort.id}`)
    assert.equal(detail.count, 2)
    const members = await dashboardGet<Members>(app, session, `${ws}/segments/${cohort.id}/members`)
    assert.deepEqual(members.members.map((m) => m.customer_id).sort(), ['ann', 'bob'])
  })
})
