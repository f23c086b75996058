/**
 * The dashboard's part of the isolation walk (isolation.test.ts): every dashboard route tried
 * with a session signed in with workspace A's key against workspace B — B's id in the path, B's
 * user, request and merge ids under A's own path, B's id with A's key at sign-in — and none of it
 * answers or changes anything of B. Routes without a workspace (the page, its assets, the session)
 * are tried too: they show A's session nothing of B.
 */
import assert from 'node:assert/strict'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { assertLeaksNone, type Attack } from './walk.js'
import type { TestApp } from '../helpers/app.js'
import { signIn, type Signed } from '../helpers/dashboard.js'

export type DashboardAttack = Attack

export type DashboardTargets = Readonly<{
  a: string
  aKey: string
  b: string
  bUserId: string
  bRequestIds: readonly string[]
  bMergeId: number
  /** A segment of workspace B. */
  bSegmentId: string
  /** Strings only B's data holds. */
  secrets: readonly string[]
}>

/** The dashboard routes' attacks, by `METHOD path` as the route table names them. */
export async function dashboardAttacks(
  app: TestApp,
  t: DashboardTargets,
): Promise<Map<string, DashboardAttack[]>> {
  const asA = await signIn(app, t.a, t.aKey)
  const toEnd = await signIn(app, t.a, t.aKey) // signed out by the DELETE attack
  const headers = (s: Signed, json = false): Record<string, string> => ({
    cookie: s.cookie,
    'x-csrf-token': s.csrf,
    ...(json ? { 'content-type': 'application/json' } : {}),
  })
  const leaksNothing = (res: LightMyRequestResponse): void => {
    assert.ok(res.statusCode < 500, res.body)
    assertLeaksNone(res, [...t.secrets, t.b, t.bUserId])
  }
  const notFound =
    (what: string) =>
    (res: LightMyRequestResponse): void => {
      assert.equal(res.statusCode, 404, res.body)
      const error = res.json<{ error: { code: string; message: string } }>().error
      assert.equal(error.code, 'Not Found', res.body)
      assert.match(error.message, new RegExp(`^No ${what} `), res.body)
      for (const secret of t.secrets) assert.ok(!res.body.includes(secret), res.body)
    }
  const get = (url: string, s: Signed = asA): InjectOptions => ({
    method: 'GET',
    url,
    headers: headers(s),
  })
  const post = (url: string, body: unknown = {}): InjectOptions => ({
    method: 'POST',
    url,
    headers: headers(asA, true),
    payload: JSON.stringify(body),
  })
  const inB = (rest: string): DashboardAttack => ({
    name: `A's session on B's ${rest}`,
    request: rest.startsWith('POST ')
      ? post(`/dashboard/api/w/${t.b}/${rest.slice(5)}`)
      : get(`/dashboard/api/w/${t.b}/${rest}`),
    expect: notFound('workspace'),
  })
  const walked = new Map<string, DashboardAttack[]>()
  walked.set('GET /dashboard', [
    { name: 'the page', request: get('/dashboard'), expect: leaksNothing },
  ])
  // /dashboard/assets/*, as helpers/routes.ts reads it from Fastify's route tree.
  walked.set('GET /dashboard*', [
    { name: 'an asset', request: get('/dashboard/assets/index.js'), expect: leaksNothing },
  ])
  walked.set('GET /dashboard/api/session', [
    {
      name: "A's session lists A's workspace only",
      request: get('/dashboard/api/session'),
      expect: (res) => {
        assert.equal(res.statusCode, 200, res.body)
        const ids = res.json<{ workspaces: { id: string }[] }>().workspaces.map((w) => w.id)
        assert.deepEqual(ids, [t.a])
        leaksNothing(res)
      },
    },
  ])
  walked.set('POST /dashboard/api/session', [
    {
      name: "B's id with A's key",
      request: {
        method: 'POST',
        url: '/dashboard/api/session',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ workspace_id: t.b, data_api_key: t.aKey }),
      },
      expect: (res) => {
        assert.equal(res.statusCode, 401, res.body)
        assert.equal(res.headers['set-cookie'], undefined)
        leaksNothing(res)
      },
    },
  ])
  walked.set('DELETE /dashboard/api/session', [
    {
      name: 'signing out ends only this session',
      request: { method: 'DELETE', url: '/dashboard/api/session', headers: headers(toEnd) },
      expect: (res) => assert.equal(res.statusCode, 204, res.body),
    },
  ])
  const a = `/dashboard/api/w/${t.a}`
  walked.set('GET /dashboard/api/w/:ws/users', [
    inB('users'),
    inB('users?by=customer_id&q=b-'),
    {
      name: "B's email searched in A",
      request: get(`${a}/users?by=email&q=b%40example.com`),
      expect: (res) => {
        assert.equal(res.statusCode, 200, res.body)
        assert.deepEqual(res.json<{ users: unknown[] }>().users, [])
      },
    },
    {
      name: "B's attribute value searched in A",
      request: get(`${a}/users?by=attribute&q=only-b-may-read-this`),
      expect: (res) => {
        assert.equal(res.statusCode, 200, res.body)
        assert.deepEqual(res.json<{ users: unknown[] }>().users, [])
      },
    },
  ])
  walked.set('GET /dashboard/api/w/:ws/users/:id', [
    inB(`users/${t.bUserId}`),
    { name: "B's user in A", request: get(`${a}/users/${t.bUserId}`), expect: notFound('user') },
  ])
  walked.set('GET /dashboard/api/w/:ws/users/:id/subscriptions', [
    inB(`users/${t.bUserId}/subscriptions`),
    {
      name: "B's user's subscriptions in A",
      request: get(`${a}/users/${t.bUserId}/subscriptions`),
      expect: notFound('user'),
    },
  ])
  walked.set('GET /dashboard/api/w/:ws/users/:id/cards', [
    inB(`users/${t.bUserId}/cards`),
    {
      name: "B's user's cards in A",
      request: get(`${a}/users/${t.bUserId}/cards`),
      expect: notFound('user'),
    },
  ])
  walked.set('GET /dashboard/api/w/:ws/users/:id/events', [
    inB(`users/${t.bUserId}/events`),
    {
      name: "B's user's events in A",
      request: get(`${a}/users/${t.bUserId}/events`),
      expect: notFound('user'),
    },
  ])
  walked.set('POST /dashboard/api/w/:ws/merges/:merge_id/undo', [
    inB(`POST merges/${t.bMergeId}/undo`),
    {
      name: "B's merge undone in A",
      request: post(`${a}/merges/${t.bMergeId}/undo`),
      expect: notFound('merge'),
    },
  ])
  walked.set('GET /dashboard/api/w/:ws/requests', [inB('requests')])
  walked.set('GET /dashboard/api/w/:ws/requests/:request_id', [
    inB(`requests/${t.bRequestIds[0] ?? ''}`),
    ...t.bRequestIds.map((id) => ({
      name: `B's request ${id} in A`,
      request: get(`${a}/requests/${id}`),
      expect: notFound('request'),
    })),
  ])
  walked.set('GET /dashboard/api/w/:ws/rejections', [
    inB('rejections'),
    {
      name: "A's rejections hold nothing of B",
      request: get(`${a}/rejections`),
      expect: leaksNothing,
    },
  ])
  walked.set('GET /dashboard/api/w/:ws/segments', [
    inB('segments'),
    { name: "A's segments hold nothing of B", request: get(`${a}/segments`), expect: leaksNothing },
  ])
  for (const rest of ['', '/members']) {
    walked.set(`GET /dashboard/api/w/:ws/segments/:id${rest}`, [
      inB(`segments/${t.bSegmentId}${rest}`),
      {
        name: `B's segment${rest} in A`,
        request: get(`${a}/segments/${t.bSegmentId}${rest}`),
        expect: notFound('segment'),
      },
    ])
  }
  walked.set('GET /dashboard/api/w/:ws/live', [inB('live')])
  walked.set('GET /dashboard/api/w/:ws/outbox', [
    inB('outbox'),
    { name: "A's outbox holds nothing of B", request: get(`${a}/outbox`), expect: leaksNothing },
  ])
  walked.set('GET /dashboard/api/w/:ws/outbox/tail', [inB('outbox/tail')])
  for (const path of ['push-sends', 'live-activities', 'file-imports']) {
    walked.set(`GET /dashboard/api/w/:ws/${path}`, [
      inB(path),
      { name: `A's ${path} hold nothing of B`, request: get(`${a}/${path}`), expect: leaksNothing },
    ])
  }
  walked.set('GET /dashboard/api/w/:ws/overview', [inB('overview')])
  walked.set('POST /dashboard/api/w/:ws/key/rotate', [
    inB('POST key/rotate'),
    {
      name: "A's developer session rotating A's key",
      request: post(`${a}/key/rotate`),
      expect: (res) => assert.equal(res.statusCode, 403, res.body),
    },
  ])
  return walked
}
