/**
 * Dashboard sessions for in-process tests (test/helpers/app.ts): sign in as a workspace with its
 * Data API key, as the browser does, and read the dashboard's JSON API with the session.
 */
import assert from 'node:assert/strict'
import type { TestApp } from './app.js'

export type Signed = { cookie: string; csrf: string }

export async function signIn(app: TestApp, workspaceId: string, key: string): Promise<Signed> {
  const res = await app.app.inject({
    method: 'POST',
    url: '/dashboard/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ workspace_id: workspaceId, data_api_key: key }),
  })
  assert.equal(res.statusCode, 200, res.body)
  const cookie = String(res.headers['set-cookie']).split(';')[0] ?? ''
  return { cookie, csrf: res.json<{ csrf_token: string }>().csrf_token }
}

/** GET a dashboard API path (after /dashboard/api) with the session; its JSON, after a 200. */
export async function dashboardGet<T>(app: TestApp, session: Signed, path: string): Promise<T> {
  const res = await app.app.inject({
    method: 'GET',
    url: `/dashboard/api${path}`,
    headers: { cookie: session.cookie },
  })
  assert.equal(res.statusCode, 200, res.body)
  return res.json<T>()
}
