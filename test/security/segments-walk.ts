/**
 * The segments family's part of the isolation walk (isolation.test.ts): each of its routes tried
 * with workspace A's key against workspace B — B as `MOE-APPKEY`, B as the Basic user with A's
 * key, and A's own credentials with B's segment id and name — and none of it answers or changes
 * anything of B; every other method answers 405.
 */
import assert from 'node:assert/strict'
import { anAttributeFilter, filterGroup } from '../helpers/segments.js'
import { appKeyWalk, type AppKeyTargets, type Attack, type Method } from './app-key-walk.js'

export type SegmentTargets = AppKeyTargets &
  Readonly<{
    /** A segment of workspace B: its id and name. */
    bSegment: Readonly<{ id: string; name: string }>
  }>

const LIST = '/v3/custom-segments'
const ONE = '/v3/custom-segments/:id'
const USERS = '/v3/custom-segments/:id/users'
const COUNT = '/v3/custom-segments/:id/count'

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
  const others: [string, readonly Method[]][] = [
    [LIST, ['DELETE', 'OPTIONS', 'PATCH', 'PUT']],
    [ONE, ['DELETE', 'OPTIONS', 'POST', 'PUT']],
    [USERS, ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']],
    [COUNT, ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']],
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
