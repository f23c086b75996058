/**
 * Cohort Sync: members added and removed by `uid`, never creating a user (unknown uids counted in
 * the sync's record), a cohort kept as a segment of its own source (listed, counted, paged), found
 * again by partner and cohort id, never changing a segment it did not make; the documented
 * answers and errors. And on both stores: a GDPR erasure and a user deletion take the user out of
 * every file segment and cohort, and a merge moves the merged user's lists to the retained user
 * (its undo moves them back).
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import type { Store } from '../../store/store.js'
import {
  API_KEY,
  WORKSPACE_ID,
  appKeyRequest,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/app.js'
import { DELETE, GDPR, MERGE, TRACK, customer, erasure } from '../../../test/helpers/data-api.js'
import { startFileServer } from '../../../test/helpers/file-server.js'
import { startPostgres } from '../../../test/helpers/postgres.js'

const COHORTS = '/v1/integrations/cohortsync'
const ACCEPTED = {
  status: 'success',
  message: 'Your request has been accepted and will be processed soon.',
}

const sync = (action: string, uids: string[], more: Record<string, unknown> = {}) => ({
  action,
  partner: '6HNBXFm7ZS',
  parameters: {
    cohort_name: 'Partner_Name',
    cohort_id: 'JKTAuqTRhC',
    cohort_description: 'A cohort of users from a partner.',
    members: uids.map((uid) => ({ uid })),
    ...more,
  },
})

async function usersApp(
  t: TestContext,
  env: Record<string, string> = {},
  store?: Store,
): Promise<TestApp> {
  const app = await createTestApp(t, env, store === undefined ? {} : { store })
  for (const id of ['ann', 'bob', 'cy']) {
    const res = await app.post(TRACK, customer(id, { email: `${id}@example.com` }))
    assert.equal(res.statusCode, 200)
  }
  await app.drain()
  return app
}

async function cohortId(app: TestApp): Promise<string> {
  const list = await appKeyRequest(app, 'GET', '/v3/custom-segments?name=Partner_Name')
  const [item] = list.json<{ data: { id: string }[] }>().data
  assert.ok(item !== undefined, list.body)
  return item.id
}

async function members(app: TestApp, id: string): Promise<string[]> {
  const res = await appKeyRequest(app, 'GET', `/v3/custom-segments/${id}/users`)
  assert.equal(res.statusCode, 200, res.body)
  return res
    .json<{ data: { customer_id: string }[] }>()
    .data.map((m) => m.customer_id)
    .sort()
}

describe('Cohort Sync', () => {
  it('adds and removes members by uid, never creating a user', async (t) => {
    const app = await usersApp(t)
    const add = await appKeyRequest(
      app,
      'POST',
      COHORTS,
      sync('add_members', ['ann', 'bob', 'zed']),
    )
    assert.equal(add.statusCode, 200, add.body)
    assert.deepEqual(add.json(), ACCEPTED)
    const id = await cohortId(app)
    assert.deepEqual(await members(app, id), ['ann', 'bob'])
    const listed = await appKeyRequest(app, 'GET', `/v3/custom-segments/${id}`)
    const [item] = listed.json<{ data: Record<string, unknown>[] }>().data
    assert.deepEqual([item?.['type'], item?.['source']], ['COHORT', 'COHORT_SYNC'])
    const [record] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.deepEqual(
      [record?.operation, record?.valuesFound, record?.userCount, record?.unmatched],
      ['cohort_add', 3, 2, 1],
    )
    const zed = await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['zed'], ids: [] })
    assert.deepEqual(zed, []) // never created
    // The same cohort again, found by partner and cohort id (even under another name).
    const remove = await appKeyRequest(
      app,
      'POST',
      COHORTS,
      sync('remove_members', ['ann'], { cohort_name: 'Renamed' }),
    )
    assert.equal(remove.statusCode, 200, remove.body)
    assert.deepEqual(await members(app, id), ['bob'])
    const count = await appKeyRequest(app, 'GET', `/v3/custom-segments/${id}/count`)
    assert.equal(count.json<{ data: { count: number } }>().data.count, 1)
    const patch = await appKeyRequest(app, 'PATCH', `/v3/custom-segments/${id}`, {
      included_filters: { filter_operator: 'and', filters: [] },
    })
    assert.equal(patch.statusCode, 403, patch.body)
  })

  it('is referenced by a filter segment as its members', async (t) => {
    const app = await usersApp(t)
    await appKeyRequest(app, 'POST', COHORTS, sync('add_members', ['ann', 'cy']))
    const id = await cohortId(app)
    const res = await appKeyRequest(app, 'POST', '/v3/custom-segments', {
      name: 'in the cohort',
      included_filters: {
        filter_operator: 'and',
        filters: [{ filter_type: 'custom_segments', id, name: 'Partner_Name' }],
      },
    })
    assert.equal(res.statusCode, 201, res.body)
    const made = res.json<{ data: { id: string; description: string } }>().data
    assert.equal(made.description, 'Is in custom segment Partner_Name')
    assert.deepEqual(await members(app, made.id), ['ann', 'cy'])
  })

  it('never changes a segment it did not make', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    const made = await appKeyRequest(app, 'POST', '/v2/custom-segments/file-segment', {
      name: 'Partner_Name',
      attribute_name: 'ID',
      attribute_type: 'string',
      file_url: `${files.url}/a.csv`,
      expiry_time: 1,
    })
    assert.equal(made.statusCode, 202, made.body)
    const res = await appKeyRequest(app, 'POST', COHORTS, sync('add_members', ['ann']))
    assert.equal(res.statusCode, 400)
    const body = res.json<{ status: string; error: Record<string, unknown> }>()
    assert.deepEqual(
      { ...body.error, request_id: undefined },
      {
        attribute: 'cohort_name',
        message:
          'cohort_name Partner_Name is a segment not made by Cohort Sync and cannot be changed through it',
        type: 'MissingAttributeError',
        request_id: undefined,
      },
    )
  })

  it('answers the documented errors', async (t) => {
    const app = await usersApp(t)
    const fail = async (body: unknown, status: number, error: Record<string, unknown>) => {
      const res = await appKeyRequest(app, 'POST', COHORTS, body)
      assert.equal(res.statusCode, status, res.body)
      const got = res.json<{ status: string; error: Record<string, unknown> }>()
      assert.equal(got.status, 'fail')
      assert.deepEqual({ ...got.error, request_id: undefined }, { ...error, request_id: undefined })
    }
    const noAction: Record<string, unknown> = { ...sync('add_members', ['ann']) }
    delete noAction['action']
    await fail(noAction, 400, {
      attribute: 'action',
      message: 'action is not found in the payload',
      type: 'MissingAttributeError',
    })
    await fail(sync('drop_members', ['ann']), 400, {
      attribute: 'action',
      message: 'action must be one of add_members, remove_members',
      type: 'MissingAttributeError',
    })
    await fail(sync('add_members', ['ann'], { cohort_name: 'a|b' }), 400, {
      attribute: 'parameters.cohort_name',
      message:
        'parameters.cohort_name must not start with "." nor contain | * ? \\ : < > = $ " and must be at most 255 characters',
      type: 'MissingAttributeError',
    })
    await fail(sync('add_members', ['ann'], { members: [{ id: 'x' }] }), 400, {
      attribute: 'parameters.members[0].uid',
      message: 'parameters.members[0].uid is not found in the payload',
      type: 'MissingAttributeError',
    })
    await fail('{"action":', 400, {
      message: 'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.',
      type: 'Malformed JSON',
    })
    const unauthorized = await appKeyRequest(app, 'POST', COHORTS, sync('add_members', []), {
      authorization: `Basic ${Buffer.from(`${WORKSPACE_ID}:wrong-key`).toString('base64')}`,
    })
    assert.equal(unauthorized.statusCode, 401)
    assert.deepEqual(
      { ...unauthorized.json<{ error: object }>().error, request_id: undefined },
      {
        message: 'App Secret key mismatch. Please login to the dashboard to verify key',
        type: 'Authentication required',
        request_id: undefined,
      },
    )
  })
})

const postgres = await startPostgres()

/** A store of each kind: SQLite (the test app's own) and, when available, PostgreSQL. */
const STORES: [string, (() => Promise<Store>) | undefined][] = [
  ['SQLite', undefined],
  [
    'PostgreSQL',
    postgres === undefined
      ? undefined
      : async () =>
          createPostgresStore({
            expandRow: expandBulkRow,
            url: await postgres.freshUrl(),
            durability: 'fsync',
            maxConnections: 4,
          }),
  ],
]

for (const [kind, open] of STORES) {
  const skip = kind === 'PostgreSQL' && open === undefined
  describe(
    `GDPR erasure, deletion and merges change every list (${kind})`,
    skip ? { skip: 'no PostgreSQL binaries and no TEST_DATABASE_URL' } : {},
    () => {
      /** ann and bob in a file segment and in a cohort. */
      async function listed(t: TestContext, env: Record<string, string> = {}) {
        const app = await usersApp(
          t,
          { INLET_SEGMENT_FETCH_PRIVATE: 'true', ...env },
          open === undefined ? undefined : await open(),
        )
        const files = await startFileServer(t)
        files.serve('/ab.csv', 'ann\nbob\n')
        const made = await appKeyRequest(app, 'POST', '/v2/custom-segments/file-segment', {
          name: 'file',
          attribute_name: 'ID',
          attribute_type: 'string',
          file_url: `${files.url}/ab.csv`,
          expiry_time: 1,
        })
        assert.equal(made.statusCode, 202, made.body)
        await app.fileImports.runDue()
        await appKeyRequest(app, 'POST', COHORTS, sync('add_members', ['ann', 'bob']))
        const file = made.json<{ cs_id: string }>().cs_id
        const cohort = await cohortId(app)
        assert.deepEqual(await members(app, file), ['ann', 'bob']) // the test can fail
        assert.deepEqual(await members(app, cohort), ['ann', 'bob'])
        return { app, file, cohort }
      }

      it('erasure', async (t) => {
        const { app, file, cohort } = await listed(t)
        const [ann] = await app.store.profiles.findUsers(WORKSPACE_ID, {
          customerIds: ['ann'],
          ids: [],
        })
        assert.ok(ann !== undefined)
        const res = await app.post(GDPR, erasure('email', 'ann@example.com'))
        assert.equal(res.statusCode, 200, res.body)
        await app.drain()
        assert.deepEqual(await members(app, file), ['bob'])
        assert.deepEqual(await members(app, cohort), ['bob'])
        assert.deepEqual(await app.store.segmentLists.membershipsOf(WORKSPACE_ID, ann.id), [])
        assert.equal(await app.store.segmentLists.memberCount(WORKSPACE_ID, cohort), 1)
      })

      it('a merge moves the merged user’s lists; its undo moves them back', async (t) => {
        const { app, file, cohort } = await listed(t)
        const [ann] = await app.store.profiles.findUsers(WORKSPACE_ID, {
          customerIds: ['ann'],
          ids: [],
        })
        assert.ok(ann !== undefined)
        const res = await app.post(MERGE, {
          merge_data: [{ merged_user: 'ann', retained_user: 'cy' }],
        })
        assert.equal(res.statusCode, 200, res.body)
        await app.drain()
        const note = (await app.inspect(res.json<{ request_id: string }>().request_id)).records[0]
          ?.notes?.[0]
        const mergeId = /^merge (\d+):/.exec(note ?? '')?.[1]
        assert.ok(mergeId, note)
        assert.deepEqual(await members(app, file), ['bob', 'cy'])
        assert.deepEqual(await members(app, cohort), ['bob', 'cy'])
        assert.deepEqual(await app.store.segmentLists.membershipsOf(WORKSPACE_ID, ann.id), [])
        const undone = await app.app.inject({
          method: 'POST',
          url: `/inlet/v1/merges/${mergeId}/undo`,
          headers: { authorization: basicAuth(WORKSPACE_ID, API_KEY) },
        })
        assert.equal(undone.statusCode, 200, undone.body)
        await app.drain()
        assert.deepEqual(await members(app, file), ['ann', 'bob'])
        assert.deepEqual(await members(app, cohort), ['ann', 'bob'])
      })

      it('deletion', async (t) => {
        const { app, file, cohort } = await listed(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
        const res = await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'bob' })
        assert.equal(res.statusCode, 200, res.body)
        await app.drain()
        assert.deepEqual(await members(app, file), ['ann'])
        assert.deepEqual(await members(app, cohort), ['ann'])
        assert.equal(await app.store.segmentLists.memberCount(WORKSPACE_ID, file), 1)
      })
    },
  )
}
