// The admin API: off without INLET_ADMIN_TOKEN, its Bearer auth, each operation; and what a Data
// API client then sees — every workspace state and key rotation (with and without a grace period)
// with the exact status, type and message of spec §4.4.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { ADMIN_TOKEN, admin, adminApp } from '../../../test/helpers/admin.js'
import {
  API_KEY,
  START_TIME,
  WORKSPACE_ID,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/app.js'
import { settingProbes } from '../../../test/helpers/data-api.js'
import { SPEC, STATE_ANSWERS } from '../../../test/helpers/gateway-spec.js'
import { DEFAULT_QUOTAS } from '../../governance/quotas.js'
import { adminTokenMatches } from './admin.js'

const WS_URL = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`

/** A Track User request with `key`: the status and error (type, message) a client sees. */
async function trackUser(app: TestApp, key = API_KEY) {
  const res = await app.post(
    `/v1/customer/${WORKSPACE_ID}`,
    { type: 'customer', customer_id: 'john', attributes: {} },
    {
      headers: { authorization: basicAuth(WORKSPACE_ID, key), 'content-type': 'application/json' },
    },
  )
  const body = res.json<{ error?: { type: string; message: string } }>()
  return body.error === undefined
    ? { status: res.statusCode }
    : { status: res.statusCode, type: body.error.type, message: body.error.message }
}

function errorOf(res: LightMyRequestResponse): Record<string, string | number> {
  const { error } = res.json<{ error: Record<string, string> }>()
  const out: Record<string, string | number> = { status: res.statusCode }
  for (const [k, v] of Object.entries(error)) if (k !== 'request_id') out[k] = v
  return out
}

describe('admin API: availability and authentication', () => {
  it('is off (404 on every path) without INLET_ADMIN_TOKEN', async (t) => {
    const app = await createTestApp(t)
    for (const [method, url] of [
      ['GET', '/inlet/v1/admin/workspaces'],
      ['POST', '/inlet/v1/admin/workspaces'],
      ['GET', WS_URL],
    ] as const) {
      const res = await admin(app, method, url, method === 'POST' ? {} : undefined)
      assert.deepEqual(errorOf(res), {
        status: 404,
        type: 'Not Found',
        message: 'Resource not found',
      })
    }
  })

  it('answers 401 without the right Bearer token', async (t) => {
    const app = await adminApp(t)
    const expected = {
      status: 401,
      type: 'Authentication required',
      message: 'A valid admin token is required: Authorization: Bearer <INLET_ADMIN_TOKEN>',
    }
    for (const headers of [
      {},
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: `Basic ${ADMIN_TOKEN}` },
      { authorization: 'Bearer ' },
      { authorization: basicAuth(WORKSPACE_ID, API_KEY) },
    ]) {
      assert.deepEqual(
        errorOf(await admin(app, 'GET', '/inlet/v1/admin/workspaces', undefined, headers)),
        expected,
      )
    }
    const res = await admin(app, 'GET', '/inlet/v1/admin/workspaces')
    assert.equal(res.statusCode, 200)
  })

  it('compares tokens whatever their length', () => {
    assert.equal(adminTokenMatches(`Bearer ${ADMIN_TOKEN}`, ADMIN_TOKEN), true)
    assert.equal(adminTokenMatches(`bearer   ${ADMIN_TOKEN} `, ADMIN_TOKEN), true)
    assert.equal(adminTokenMatches('Bearer x', ADMIN_TOKEN), false)
    assert.equal(adminTokenMatches(undefined, ADMIN_TOKEN), false)
  })
})

describe('admin API: operations', () => {
  it('lists and gets workspaces, never with a key or its hash', async (t) => {
    const app = await adminApp(t)
    const list = await admin(app, 'GET', '/inlet/v1/admin/workspaces')
    assert.equal(list.statusCode, 200)
    const got = await admin(app, 'GET', WS_URL)
    const expected = {
      workspace_id: WORKSPACE_ID,
      name: 'Test',
      state: 'active',
      key_set: true,
      previous_key_expires_at: null,
      limits: DEFAULT_QUOTAS,
      settings: {
        bulkStrictElementValidation: false,
        projects: {},
        identityResolution: false,
        identifiers: ['u_mb', 'u_em'],
        conversionGoals: [],
        fairUsage: got.json<{ workspace: { settings: { fairUsage: unknown } } }>().workspace
          .settings.fairUsage,
      },
      created_at: new Date(START_TIME).toISOString(),
      updated_at: new Date(START_TIME).toISOString(),
    }
    assert.deepEqual(list.json(), { status: 'success', workspaces: [expected] })
    assert.deepEqual(got.json(), { status: 'success', workspace: expected })
    assert.ok(!/key_hash|keyHash|salt/.test(list.body + got.body))
    assert.deepEqual(errorOf(await admin(app, 'GET', '/inlet/v1/admin/workspaces/NOPE1')), {
      status: 404,
      type: 'Not Found',
      message: "No workspace with id 'NOPE1'",
      attribute: 'workspace_id',
    })
  })

  it('creates a workspace with limits and settings; its key works at once', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'POST', '/inlet/v1/admin/workspaces', {
      workspace_id: 'NEWSHOP1',
      data_api_key: 'new-shop-key-1',
      name: 'New shop',
      limits: { track_user: 5 },
      settings: { bulkStrictElementValidation: true, identityResolution: true },
    })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<{
      data_api_key?: string
      workspace: { limits: Record<string, number>; settings: Record<string, unknown> }
    }>()
    // The key was given: it is not echoed (a generated one is answered once).
    assert.equal(body.data_api_key, undefined)
    assert.ok(!res.body.includes('new-shop-key-1'))
    assert.equal(body.workspace.limits['track_user'], 5)
    assert.equal(body.workspace.settings['bulkStrictElementValidation'], true)
    assert.equal(body.workspace.settings['identityResolution'], true)
    const ingest = await app.post(
      '/v1/customer/NEWSHOP1',
      { type: 'customer', customer_id: 'john', attributes: {} },
      {
        headers: {
          authorization: basicAuth('NEWSHOP1', 'new-shop-key-1'),
          'content-type': 'application/json',
        },
      },
    )
    assert.equal(ingest.statusCode, 200)
    assert.equal(ingest.headers['x-ratelimit-limit'], '5; w=60')

    assert.deepEqual(
      errorOf(await admin(app, 'POST', '/inlet/v1/admin/workspaces', { workspace_id: 'NEWSHOP1' })),
      {
        status: 409,
        type: 'Conflict',
        message: "A workspace with id 'NEWSHOP1' already exists",
        attribute: 'workspace_id',
      },
    )
    const generated = await admin(app, 'POST', '/inlet/v1/admin/workspaces', {})
    assert.equal(generated.statusCode, 200)
    assert.match(generated.json<{ data_api_key: string }>().data_api_key, /^\S{8,}$/)
  })

  it('updates name, limits and settings, keeping what is not given', async (t) => {
    const app = await adminApp(t)
    const update = (body: unknown) => admin(app, 'POST', WS_URL, body)
    await update({ name: 'Renamed', limits: { track_user: 7, get_user: 0 } })
    const res = await update({
      limits: { get_user: null },
      settings: {
        projects: { p1: 'Shop' },
        fairUsage: { enabled: true },
      },
    })
    assert.equal(res.statusCode, 200, res.body)
    const { workspace } = res.json<{
      workspace: {
        name: string
        limits: Record<string, number>
        settings: { projects: unknown; fairUsage: { enabled: boolean } }
      }
    }>()
    assert.equal(workspace.name, 'Renamed')
    assert.equal(workspace.limits['track_user'], 7)
    assert.equal(workspace.limits['get_user'], 1000, 'null puts the default back')
    assert.deepEqual(workspace.settings.projects, { p1: 'Shop' })
    assert.equal(workspace.settings.fairUsage.enabled, true)
    const stored = await app.store.workspaces.get(WORKSPACE_ID)
    assert.deepEqual(stored?.settings['quotas'], { track_user: 7 })
  })

  it('toggles strict bulk mode and identity resolution; the Data API follows at once', async (t) => {
    const app = await adminApp(t)
    const settings = async (value: Record<string, unknown>) => {
      const res = await admin(app, 'POST', WS_URL, { settings: value })
      assert.equal(res.statusCode, 200, res.body)
      return res.json<{ workspace: { settings: Record<string, unknown> } }>().workspace.settings
    }
    // [Bulk with an element lacking customer_id, Track User by email alone]: see settingProbes.
    const both = () =>
      settingProbes(WORKSPACE_ID, async (path, body) => (await app.post(path, body)).statusCode)
    assert.deepEqual(await both(), [200, 400])

    assert.equal(
      (await settings({ bulkStrictElementValidation: true }))['bulkStrictElementValidation'],
      true,
    )
    assert.deepEqual(await both(), [400, 400])
    assert.equal((await settings({ identityResolution: true }))['identityResolution'], true)
    assert.deepEqual(await both(), [400, 200])
    const off = await settings({ bulkStrictElementValidation: false, identityResolution: false })
    assert.deepEqual(
      [off['bulkStrictElementValidation'], off['identityResolution']],
      [false, false],
    )
    assert.deepEqual(await both(), [200, 400])
  })

  it('refuses bad input with the field at fault, changing nothing', async (t) => {
    const app = await adminApp(t)
    const cases: [unknown, string, string][] = [
      [{ state: 'frozen' }, 'state', 'state should be one of'],
      [{ limits: { track_user: -1 } }, 'limits.track_user', 'should be a whole number'],
      [{ limits: { nope: 1 } }, 'limits.nope', 'is not a quota'],
      [{ settings: { projects: { p: 1 } } }, 'settings.projects.p', 'non-empty project name'],
      [{ settings: { fairUsage: { enabled: 'yes' } } }, 'settings.fairUsage.enabled', 'true'],
      [{ colour: 'red' }, 'colour', 'is not a known field'],
    ]
    for (const [body, attribute, message] of cases) {
      const error = errorOf(await admin(app, 'POST', WS_URL, body))
      assert.equal(error['status'], 400, JSON.stringify(body))
      assert.equal(error['type'], 'ValueError')
      assert.equal(error['attribute'], attribute)
      assert.ok(String(error['message']).includes(message), String(error['message']))
    }
    const stored = await app.store.workspaces.get(WORKSPACE_ID)
    assert.deepEqual([stored?.state, stored?.settings], ['active', {}])
  })
})

describe('workspace states as a Data API client sees them (spec §4.4)', () => {
  for (const [state, expected] of Object.entries(STATE_ANSWERS)) {
    it(`${state}: set through the admin API, answered at once, and lifted again`, async (t) => {
      const app = await adminApp(t)
      const res = await admin(app, 'POST', WS_URL, { state })
      assert.equal(res.json<{ workspace: { state: string } }>().workspace.state, state)
      assert.deepEqual(await trackUser(app), expected)
      await admin(app, 'POST', WS_URL, { state: 'active' })
      assert.deepEqual(await trackUser(app), { status: 200 })
    })
  }

  it('no key: removed through the admin API answers 409 until a key is set', async (t) => {
    const app = await adminApp(t)
    const removed = await admin(app, 'POST', `${WS_URL}/remove-key`)
    assert.equal(removed.json<{ workspace: { key_set: boolean } }>().workspace.key_set, false)
    assert.deepEqual(await trackUser(app), {
      status: 409,
      type: 'Authentication required',
      message: 'App Secret key is not set. Please login to the dashboard to set a key',
    })
    await admin(app, 'POST', `${WS_URL}/rotate-key`, { data_api_key: 'brand-new-key-1' })
    assert.deepEqual(await trackUser(app, 'brand-new-key-1'), { status: 200 })
  })
})

describe('key rotation', () => {
  it('makes the new key work at once and the old one fail with the documented 401', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'POST', `${WS_URL}/rotate-key`, {})
    assert.equal(res.statusCode, 200, res.body)
    const { data_api_key: key, workspace } = res.json<{
      data_api_key: string
      workspace: { previous_key_expires_at: string | null }
    }>()
    assert.notEqual(key, API_KEY)
    assert.equal(workspace.previous_key_expires_at, null)
    assert.deepEqual(await trackUser(app, key), { status: 200 })
    assert.deepEqual(await trackUser(app, API_KEY), SPEC.keyMismatch)
  })

  it('with a grace period, both keys work until it ends, then only the new one', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'POST', `${WS_URL}/rotate-key`, {
      data_api_key: 'rotated-key-0001',
      grace_seconds: 300,
    })
    assert.equal(
      res.json<{ workspace: { previous_key_expires_at: string } }>().workspace
        .previous_key_expires_at,
      new Date(START_TIME + 300_000).toISOString(),
    )
    assert.deepEqual(await trackUser(app, 'rotated-key-0001'), { status: 200 })
    app.clock.advance(299_999)
    assert.deepEqual(await trackUser(app, API_KEY), { status: 200 })
    app.clock.advance(1)
    assert.deepEqual(await trackUser(app, API_KEY), SPEC.keyMismatch)
    assert.deepEqual(await trackUser(app, 'rotated-key-0001'), { status: 200 })
  })

  it('a second rotation ends the first one’s grace period', async (t) => {
    const app = await adminApp(t)
    await admin(app, 'POST', `${WS_URL}/rotate-key`, {
      data_api_key: 'second-key-0001',
      grace_seconds: 300,
    })
    await admin(app, 'POST', `${WS_URL}/rotate-key`, { data_api_key: 'third-key-00001' })
    assert.deepEqual(await trackUser(app, API_KEY), SPEC.keyMismatch)
    assert.deepEqual(await trackUser(app, 'second-key-0001'), SPEC.keyMismatch)
    assert.deepEqual(await trackUser(app, 'third-key-00001'), { status: 200 })
  })

  it('refuses a bad key or grace period', async (t) => {
    const app = await adminApp(t)
    for (const [body, attribute] of [
      [{ data_api_key: 'short' }, 'data_api_key'],
      [{ grace_seconds: -1 }, 'grace_seconds'],
      [{ grace_seconds: 1.5 }, 'grace_seconds'],
    ] as const) {
      const error = errorOf(await admin(app, 'POST', `${WS_URL}/rotate-key`, body))
      assert.deepEqual([error['status'], error['attribute']], [400, attribute])
    }
    assert.deepEqual(await trackUser(app), { status: 200 })
  })
})
