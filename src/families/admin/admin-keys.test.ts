// The admin API's feature keys (docs/auth.md): list which features have a key (never a key),
// create one (shown once; 409 when there is one), rotate with a grace period, remove; the Data key
// through the same routes; input errors in the admin API's usual answers; the server secret.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { admin, adminApp } from '../../../test/helpers/admin.js'
import { API_KEY, START_TIME, WORKSPACE_ID, basicAuth } from '../../../test/helpers/app.js'
import type { FeatureKeyView } from '../../workspaces/feature-keys.js'
import { verifyKey } from '../../workspaces/keys.js'

const KEYS_URL = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/keys`

// The view the admin API answers with, as src/workspaces/feature-keys.ts declares it.
type KeyView = FeatureKeyView
type Issued = { status: string; key: KeyView; api_key: string }
type ErrorBody = { status: string; error: { type: string; message: string; attribute?: string } }

const errorOf = (res: LightMyRequestResponse) => ({
  status: res.statusCode,
  ...res.json<ErrorBody>().error,
  request_id: undefined,
})

const iso = (ms: number): string => new Date(ms).toISOString()

describe('admin API: feature keys', () => {
  it('lists every feature and whether it has a key, never a key', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'GET', KEYS_URL)
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<{ status: string; workspace_id: string; keys: KeyView[] }>()
    assert.equal(body.workspace_id, WORKSPACE_ID)
    assert.deepEqual(
      body.keys.map((k) => `${k.feature}:${k.key_set}`),
      ['data:true', 'push:false', 'inform:false', 'personalize:false', 'reports:false'],
    )
    assert.equal(
      body.keys[4]?.label,
      'Campaign report / Business events / Custom templates / Catalog',
    )
    assert.ok(!res.body.includes(API_KEY))
  })

  it('creates a key and shows it once; the list then has it, without the key', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'POST', `${KEYS_URL}/push`)
    assert.equal(res.statusCode, 200, res.body)
    const issued = res.json<Issued>()
    assert.equal(issued.status, 'success')
    assert.match(issued.api_key, /^\S{8,256}$/)
    assert.deepEqual(issued.key, {
      feature: 'push',
      label: 'Push',
      key_set: true,
      created_at: iso(START_TIME),
      rotated_at: null,
      previous_key_in_grace: false,
      previous_key_expires_at: null,
    })
    const row = await app.store.keys.get(WORKSPACE_ID, 'push')
    assert.ok(row !== undefined && verifyKey(issued.api_key, row))
    const list = await admin(app, 'GET', KEYS_URL)
    assert.ok(list.json<{ keys: KeyView[] }>().keys.some((k) => k.feature === 'push' && k.key_set))
    assert.ok(!list.body.includes(issued.api_key) && !list.body.includes(row.hash))
    // Given explicitly: the key a MoEngage integration already uses.
    // Given explicitly (the key a MoEngage integration already uses): stored, never echoed.
    const given = await admin(app, 'POST', `${KEYS_URL}/inform`, { api_key: 'existing-inform-key' })
    assert.equal(given.statusCode, 200, given.body)
    assert.ok(!given.body.includes('existing-inform-key') && !('api_key' in given.json<Issued>()))
    const informRow = await app.store.keys.get(WORKSPACE_ID, 'inform')
    assert.ok(informRow !== undefined && verifyKey('existing-inform-key', informRow))
  })

  it('answers 409 for a second create, leaving the key as it was', async (t) => {
    const app = await adminApp(t)
    const first = (await admin(app, 'POST', `${KEYS_URL}/push`)).json<Issued>()
    const again = await admin(app, 'POST', `${KEYS_URL}/push`, { api_key: 'another-push-key' })
    assert.deepEqual(errorOf(again), {
      status: 409,
      type: 'Conflict',
      message: `Workspace '${WORKSPACE_ID}' already has a push key: rotate it instead`,
      attribute: 'feature',
      request_id: undefined,
    })
    const row = await app.store.keys.get(WORKSPACE_ID, 'push')
    assert.ok(row !== undefined && verifyKey(first.api_key, row))
    assert.equal((await admin(app, 'POST', `${KEYS_URL}/data`)).statusCode, 409, 'the Data key too')
  })

  it('rotates with a grace period, and removes', async (t) => {
    const app = await adminApp(t)
    const first = (await admin(app, 'POST', `${KEYS_URL}/reports`)).json<Issued>()
    app.clock.advance(5_000)
    const res = await admin(app, 'POST', `${KEYS_URL}/reports/rotate`, { grace_seconds: 600 })
    assert.equal(res.statusCode, 200, res.body)
    const rotated = res.json<Issued>()
    assert.notEqual(rotated.api_key, first.api_key)
    assert.deepEqual(rotated.key, {
      feature: 'reports',
      label: 'Campaign report / Business events / Custom templates / Catalog',
      key_set: true,
      created_at: iso(START_TIME),
      rotated_at: iso(START_TIME + 5_000),
      previous_key_in_grace: true,
      previous_key_expires_at: iso(START_TIME + 605_000),
    })
    const row = await app.store.keys.get(WORKSPACE_ID, 'reports')
    assert.ok(row?.previous !== undefined && verifyKey(first.api_key, row.previous))
    const removed = await admin(app, 'POST', `${KEYS_URL}/reports/remove`)
    assert.equal(removed.statusCode, 200, removed.body)
    assert.equal(removed.json<{ key: KeyView }>().key.key_set, false)
    assert.equal(await app.store.keys.get(WORKSPACE_ID, 'reports'), undefined)
  })

  it('rotates the Data key too: the Data API takes the new key, the old one for its grace', async (t) => {
    const app = await adminApp(t)
    const res = await admin(app, 'POST', `${KEYS_URL}/data/rotate`, {
      api_key: 'the-new-data-api-key',
      grace_seconds: 60,
    })
    assert.equal(res.statusCode, 200, res.body)
    const track = (key: string) =>
      app.app.inject({
        method: 'POST',
        url: `/v1/customer/${WORKSPACE_ID}`,
        headers: {
          authorization: basicAuth(WORKSPACE_ID, key),
          'content-type': 'application/json',
        },
        payload: { type: 'customer', customer_id: 'u' },
      })
    assert.equal((await track('the-new-data-api-key')).statusCode, 200)
    assert.equal((await track(API_KEY)).statusCode, 200, 'in grace')
    app.clock.advance(60_000)
    assert.equal((await track(API_KEY)).statusCode, 401)
  })

  it('answers input errors as the other admin endpoints do', async (t) => {
    const app = await adminApp(t)
    const invalid = (attribute: string, message: string) => ({
      status: 400,
      type: 'ValueError',
      message,
      attribute,
      request_id: undefined,
    })
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/campaigns`)),
      invalid(
        'feature',
        'campaigns is not a feature (features: data, push, inform, personalize, reports)',
      ),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push`, { api_key: 'short' })),
      invalid('api_key', 'api_key must be 8 to 256 characters without spaces'),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push`, { api_key: 12345678 })),
      invalid('api_key', 'api_key should be a string'),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push`, { grace_seconds: 5 })),
      invalid('grace_seconds', 'grace_seconds is not a known field (known: api_key)'),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push/rotate`, { key: 'x' })),
      invalid('key', 'key is not a known field (known: api_key, grace_seconds)'),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push/rotate`, { grace_seconds: '60' })),
      invalid('grace_seconds', 'grace_seconds should be a whole number'),
    )
    assert.deepEqual(
      errorOf(await admin(app, 'POST', `${KEYS_URL}/push/rotate`, { grace_seconds: -1 })),
      invalid('grace_seconds', 'grace period must be a whole number of seconds from 0 to 2592000'),
    )
    const unknown = await admin(app, 'GET', '/inlet/v1/admin/workspaces/NOSUCHWORKSPACE/keys')
    assert.deepEqual(errorOf(unknown), {
      status: 404,
      type: 'Not Found',
      message: "No workspace with id 'NOSUCHWORKSPACE'",
      attribute: 'workspace_id',
      request_id: undefined,
    })
    assert.deepEqual(await app.store.keys.list(WORKSPACE_ID), [], 'nothing was written')
  })

  it('needs the admin token', async (t) => {
    const app = await adminApp(t)
    for (const url of [KEYS_URL, `${KEYS_URL}/push`, `${KEYS_URL}/push/rotate`]) {
      const res = await app.app.inject({
        method: url === KEYS_URL ? 'GET' : 'POST',
        url,
        headers: { authorization: basicAuth(WORKSPACE_ID, API_KEY) },
      })
      assert.equal(res.statusCode, 401, res.body)
    }
  })

  it('refuses Push and reports keys on PostgreSQL without INLET_SECRET_KEY; hashed-only ones work', async (t) => {
    // DATABASE_URL only decides where the secret comes from here: the store is the test's own.
    const app = await adminApp(t, { DATABASE_URL: 'postgres://localhost/inlet_test' })
    for (const url of [`${KEYS_URL}/push`, `${KEYS_URL}/reports/rotate`]) {
      assert.deepEqual(errorOf(await admin(app, 'POST', url)), {
        status: 500,
        type: 'Server Error',
        message:
          'Push and Campaign report keys are stored encrypted under the server secret, and this server has none: set INLET_SECRET_KEY',
        request_id: undefined,
      })
    }
    assert.equal((await admin(app, 'POST', `${KEYS_URL}/inform`)).statusCode, 200)
    const withSecret = await adminApp(t, {
      DATABASE_URL: 'postgres://localhost/inlet_test',
      INLET_SECRET_KEY: 'a-shared-server-secret-0123456789abc',
    })
    assert.equal((await admin(withSecret, 'POST', `${KEYS_URL}/push`)).statusCode, 200)
  })
})
