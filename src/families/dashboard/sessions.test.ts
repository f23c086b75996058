// Dashboard sessions through the HTTP API: the cookie's attributes, the token kept only hashed,
// CSRF on every state-changing request, sign-in failures in the failed-auth limiter, expiry — and,
// since sessions live in the store, a session signed in through one Inlet instance working
// through a second on the same store (SQLite directory, PostgreSQL database), with signing out or
// rotating the key through either ending it on both, an open live stream included.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { API_KEY, WORKSPACE_ID, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { ADMIN_TOKEN } from '../../../test/helpers/admin.js'
import { signIn, type Signed } from '../../../test/helpers/dashboard.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { Store } from '../../store/store.js'
import { SESSION_TTL_MS } from './sessions.js'

const postgres = await startPostgres()

const call = (
  app: TestApp,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  s?: Signed,
  /** The x-csrf-token sent: the session's unless given; null sends none. */
  csrf: string | null = s?.csrf ?? null,
) =>
  app.app.inject({
    method,
    url: `/dashboard/api${url}`,
    headers: {
      ...(s === undefined ? {} : { cookie: s.cookie }),
      ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { payload: '{}' } : {}),
  })

const signInAs = async (app: TestApp, body: Record<string, unknown>) =>
  app.app.inject({
    method: 'POST',
    url: '/dashboard/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  })

const operatorOf = async (app: TestApp): Promise<Signed> => {
  const res = await signInAs(app, { admin_token: ADMIN_TOKEN })
  assert.equal(res.statusCode, 200, res.body)
  return {
    cookie: String(res.headers['set-cookie']).split(';')[0] ?? '',
    csrf: res.json<{ csrf_token: string }>().csrf_token,
  }
}

describe('dashboard sessions', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for /dashboard that expires, Secure when configured', async (t) => {
    const app = await createTestApp(t)
    const res = await signInAs(app, { workspace_id: WORKSPACE_ID, data_api_key: API_KEY })
    assert.equal(res.statusCode, 200, res.body)
    const cookie = String(res.headers['set-cookie'])
    assert.match(
      cookie,
      /^inlet_dashboard=[A-Za-z0-9_-]{32}; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    )
    const secure = await createTestApp(t, { INLET_DASHBOARD_SECURE_COOKIE: 'true' })
    const over = await signInAs(secure, { workspace_id: WORKSPACE_ID, data_api_key: API_KEY })
    assert.match(String(over.headers['set-cookie']), /; Secure$/)
    const out = await call(secure, 'DELETE', '/session', {
      cookie: String(over.headers['set-cookie']).split(';')[0] ?? '',
      csrf: over.json<{ csrf_token: string }>().csrf_token,
    })
    assert.equal(out.statusCode, 204, out.body)
    assert.match(String(out.headers['set-cookie']), /^inlet_dashboard=; .*Max-Age=0; Secure$/)
  })

  it('keeps only the hash of the token in the store, with the workspace it sees', async (t) => {
    const app = await createTestApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const token = session.cookie.slice('inlet_dashboard='.length)
    const hash = createHash('sha256').update(token).digest('hex')
    const row = await app.store.sessions.get(hash, app.clock.now())
    assert.equal(row?.workspaceId, WORKSPACE_ID)
    assert.equal(row?.csrf, session.csrf)
    assert.equal(row?.expiresAt, app.clock.now() + SESSION_TTL_MS)
    assert.equal(await app.store.sessions.get(token, app.clock.now()), undefined)
  })

  it('refuses a state-changing request without the CSRF token, and a sign-in from another origin', async (t) => {
    const app = await createTestApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const undo = `/w/${WORKSPACE_ID}/merges/1/undo`
    for (const csrf of [null, '', 'x'.repeat(32), `${session.csrf}x`]) {
      const res = await call(app, 'POST', undo, session, csrf)
      assert.equal(res.statusCode, 403, res.body)
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'Forbidden')
    }
    const withToken = await call(app, 'POST', undo, session)
    assert.equal(withToken.statusCode, 404, 'past the CSRF check: there is no merge 1')
    assert.equal((await call(app, 'DELETE', '/session', session, 'wrong')).statusCode, 403)
    const elsewhere = await app.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        host: 'inlet',
      },
      payload: JSON.stringify({ workspace_id: WORKSPACE_ID, data_api_key: API_KEY }),
    })
    assert.equal(elsewhere.statusCode, 403, elsewhere.body)
    assert.equal(elsewhere.headers['set-cookie'], undefined)
  })

  it('counts failed sign-ins in the failed-auth limiter', async (t) => {
    const app = await createTestApp(t, { INLET_AUTH_FAILURES_PER_MINUTE: '2' })
    for (const key of ['wrong-key-1', 'wrong-key-2', 'wrong-key-3']) {
      const res = await signInAs(app, { workspace_id: WORKSPACE_ID, data_api_key: key })
      assert.equal(res.statusCode, 401, res.body)
    }
    const blocked = await signInAs(app, { workspace_id: WORKSPACE_ID, data_api_key: API_KEY })
    assert.equal(blocked.statusCode, 429, blocked.body)
  })

  it('ends a session when it expires, and sweeps it when another signs in', async (t) => {
    const app = await createTestApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    app.clock.advance(SESSION_TTL_MS - 1)
    assert.equal((await call(app, 'GET', '/session', session)).statusCode, 200)
    app.clock.advance(1)
    assert.equal((await call(app, 'GET', '/session', session)).statusCode, 401)
    await signIn(app, WORKSPACE_ID, API_KEY)
    assert.equal(await app.store.sessions.sweep(app.clock.now()), 0, 'swept at that sign-in')
  })

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(
      `works through a second instance on the same store, and ends on both (${kind})`,
      kind === 'postgres' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
      async (t) => {
        const [one, two] = await twoInstances(t, kind)
        const session = await signIn(one, WORKSPACE_ID, API_KEY)
        const view = await call(two, 'GET', '/session', session)
        assert.equal(view.statusCode, 200, view.body)
        assert.equal(view.json<{ csrf_token: string }>().csrf_token, session.csrf)
        assert.equal((await call(two, 'GET', `/w/${WORKSPACE_ID}/users`, session)).statusCode, 200)
        // A live stream open through the first instance ends once the session does.
        // (inject dispatches when awaited: started here, then given time to pass the guard).
        const live = Promise.resolve(call(one, 'GET', `/w/${WORKSPACE_ID}/live`, session))
        await new Promise((resolve) => setTimeout(resolve, 500))
        // Signed out through the second: gone on both.
        assert.equal((await call(two, 'DELETE', '/session', session)).statusCode, 204)
        for (const app of [one, two]) {
          assert.equal((await call(app, 'GET', '/session', session)).statusCode, 401)
        }
        const stream = await live
        assert.match(stream.body, /data: \{"type":"signed_out"\}/)
        // Rotating the key through one ends the workspace's sessions on both.
        const again = await signIn(two, WORKSPACE_ID, API_KEY)
        const rotated = await call(
          one,
          'POST',
          `/w/${WORKSPACE_ID}/key/rotate`,
          await operatorOf(one),
        )
        assert.equal(rotated.statusCode, 200, rotated.body)
        for (const app of [one, two]) {
          assert.equal((await call(app, 'GET', '/session', again)).statusCode, 401)
        }
      },
    )
  }
})

/** Two Inlet instances (each its own store object, as two processes have) on one store's data. */
async function twoInstances(
  t: TestContext,
  kind: 'sqlite' | 'postgres',
): Promise<[TestApp, TestApp]> {
  let open: () => Promise<Store>
  if (kind === 'postgres' && postgres !== undefined) {
    const url = await postgres.freshUrl()
    open = () =>
      createPostgresStore({ expandRow: expandBulkRow, url, durability: 'os', maxConnections: 4 })
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-sessions-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    open = () =>
      Promise.resolve(createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' }))
  }
  const env = { INLET_ADMIN_TOKEN: ADMIN_TOKEN }
  const one = await createTestApp(t, env, { store: await open() })
  const two = await createTestApp(t, env, { store: await open() })
  return [one, two]
}
