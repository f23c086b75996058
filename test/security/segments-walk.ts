/**
 * The segments family's part of the isolation walk (isolation.test.ts): each of its routes tried
 * with workspace A's key against workspace B — B as `MOE-APPKEY`, B as the Basic user with A's
 * key, and A's own credentials with B's segment id and name — and none of it answers or changes
 * anything of B; every other method answers 405. File segments and archiving (v2) by B's segment
 * id and name under A's key answer 404 (a create of B's name is A's own); Cohort Sync of B's
 * partner, cohort and user under A's key makes A's own cohort with no member, B's untouched.
 */
import assert from 'node:assert/strict'
import { anAttributeFilter, filterGroup } from '../helpers/segments.js'
import { appKeyWalk, type AppKeyTargets, type Attack, type Method } from './app-key-walk.js'

export type SegmentTargets = AppKeyTargets &
  Readonly<{
    /** A segment of workspace B: its id and name. */
    bSegment: Readonly<{ id: string; name: string }>
    /** B's cohort (partner `b-partner`, cohort id `b-cohort`): its id and name. */
    bCohort: Readonly<{ id: string; name: string }>
    /** The customer id of B's user (a member of B's cohort). */
    bUserCustomerId: string
  }>

const LIST = '/v3/custom-segments'
const ONE = '/v3/custom-segments/:id'
const USERS = '/v3/custom-segments/:id/users'
const COUNT = '/v3/custom-segments/:id/count'
const FILE = '/v2/custom-segments/file-segment'
const FILE_OPS = ['add-users', 'remove-users', 'replace'] as const
const ARCHIVE = '/v2/custom-segments/archive'
const UNARCHIVE = '/v2/custom-segments/unarchive'
const COHORTS = '/v1/integrations/cohortsync'

/** File segments, archiving and Cohort Sync aimed at B's segments and cohort with A's key. */
function listAttacks(t: SegmentTargets): Map<string, Attack[]> {
  const { answered, request, aimedAtB } = appKeyWalk(t)
  const file = {
    name: 'a file segment of A',
    attribute_name: 'ID',
    attribute_type: 'string',
    file_url: 'https://files.example.com/a.csv',
    expiry_time: 1,
  }
  const update = { ...file, expiry_time: undefined }
  const walked = new Map<string, Attack[]>()
  walked.set(`POST ${FILE}`, [
    ...aimedAtB('POST', FILE, file, [401]),
    {
      // A's own file segment of that name: made in A, never a 409 naming B's.
      name: "B's cohort name under A",
      request: request('POST', FILE, { ...file, name: t.bCohort.name }),
      expect: (res) => {
        assert.equal(res.statusCode, 202, res.body)
        assert.ok(!res.body.includes(t.bCohort.id), res.body)
      },
    },
  ])
  for (const op of FILE_OPS) {
    walked.set(`PUT ${FILE}/${op}`, [
      ...aimedAtB('PUT', `${FILE}/${op}`, update, [401]),
      {
        name: "B's segment id under A",
        request: request('PUT', `${FILE}/${op}`, { ...update, cs_id: t.bSegment.id }),
        expect: answered(404),
      },
      {
        name: "B's cohort id under A",
        request: request('PUT', `${FILE}/${op}`, { ...update, name: 'x', cs_id: t.bCohort.id }),
        expect: answered(404),
      },
    ])
  }
  for (const url of [ARCHIVE, UNARCHIVE]) {
    walked.set(`PATCH ${url}`, [
      ...aimedAtB('PATCH', url, { name: t.bSegment.name }, [401]),
      {
        name: "B's segment id under A",
        request: request('PATCH', url, { name: 'x', cs_id: t.bSegment.id }),
        expect: answered(404),
      },
      {
        name: "B's cohort id under A",
        request: request('PATCH', url, { name: 'x', cs_id: t.bCohort.id }),
        expect: answered(404),
      },
    ])
  }
  const sync = (action: string) => ({
    action,
    partner: 'b-partner',
    parameters: {
      cohort_name: 'a cohort of A',
      cohort_id: 'b-cohort',
      members: [{ uid: t.bUserCustomerId }],
    },
  })
  walked.set(`POST ${COHORTS}`, [
    ...aimedAtB('POST', COHORTS, sync('add_members'), [401]),
    {
      name: "B's cohort, partner and user under A: A's own cohort",
      request: request('POST', COHORTS, sync('remove_members')),
      expect: answered(200),
    },
  ])
  return walked
}

/** The segments routes' attacks, by `METHOD path` as the route table names them. */
export function segmentAttacks(t: SegmentTargets): Map<string, Attack[]> {
  const { asA, answered, request, aimedAtB: aimed } = appKeyWalk(t)
  const aimedAtB = (method: Method, url: string, body: unknown) => aimed(method, url, body, [400])
  const of = (path: string) => path.replace(':id', encodeURIComponent(t.bSegment.id))
  const body = { name: 'a segment of A', included_filters: filterGroup(anAttributeFilter()) }
  const walked = new Map<string, Attack[]>()
  walked.set(`GET ${LIST}`, [
    ...aimedAtB('GET', LIST, undefined),
    {
      name: "B's segment name under A",
      request: request('GET', `${LIST}?name=${encodeURIComponent(t.bSegment.name)}`, undefined),
      expect: (res) => {
        answered(200)(res)
        assert.deepEqual(res.json<{ data: unknown[] }>().data, [])
      },
    },
  ])
  walked.set(`POST ${LIST}`, [
    ...aimedAtB('POST', LIST, body),
    {
      // A's own segment of that name: made in A (answering what A sent), never a 409 naming B's.
      name: "B's segment name under A",
      request: request('POST', LIST, { ...body, name: t.bSegment.name }),
      expect: (res) => {
        assert.equal(res.statusCode, 201, res.body)
        assert.ok(!res.body.includes(t.bSegment.id), res.body)
      },
    },
  ])
  for (const [path, method, payload] of [
    [ONE, 'GET', undefined],
    [ONE, 'PATCH', { included_filters: filterGroup(anAttributeFilter({ value: ['a'] })) }],
    [USERS, 'GET', undefined],
    [COUNT, 'GET', undefined],
  ] as const) {
    walked.set(`${method} ${path}`, [
      ...aimedAtB(method, of(path), payload),
      {
        name: "B's segment id under A",
        request: request(method, of(path), payload),
        expect: answered(404),
      },
    ])
  }
  for (const [route, list] of listAttacks(t)) walked.set(route, list)
  const others: [string, readonly Method[]][] = [
    [LIST, ['DELETE', 'OPTIONS', 'PATCH', 'PUT']],
    [ONE, ['DELETE', 'OPTIONS', 'POST', 'PUT']],
    [USERS, ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']],
    [COUNT, ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']],
    [FILE, ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT']],
    ...FILE_OPS.map((op): [string, readonly Method[]] => [
      `${FILE}/${op}`,
      ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST'],
    ]),
    ...[ARCHIVE, UNARCHIVE].map((url): [string, readonly Method[]] => [
      url,
      ['DELETE', 'GET', 'OPTIONS', 'POST', 'PUT'],
    ]),
    [COHORTS, ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'PUT']],
  ]
  for (const [url, methods] of others) {
    for (const method of methods) {
      walked.set(`${method} ${url}`, [
        {
          name: `${method} with A key and MOE-APPKEY B`,
          request: request(method, of(url), undefined, { ...asA, 'moe-appkey': t.b }),
          expect: answered(405),
        },
      ])
    }
  }
  return walked
}
