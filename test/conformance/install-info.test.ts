/**
 * Conformance: install attribution `GET /v1/installInfo` (spec §7.10) — no Basic auth (spec §2.1),
 * the workspace named by `appId` and authenticated by `appAttributionKey`; the install's
 * publisher and campaign given to the user of the device with that GAID / IDFV (create-only,
 * spec §8.1); each error with its exact strings.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'

const KEY = 'attr-key-1'

async function withKey(app: TestApp): Promise<void> {
  const ws = await app.store.workspaces.get(WORKSPACE_ID)
  assert.ok(ws)
  await app.store.workspaces.update(WORKSPACE_ID, {
    settings: { ...ws.settings, attributionKey: KEY },
    updatedAt: app.clock.now(),
  })
}

async function seed(app: TestApp): Promise<void> {
  await app.post(`/v1/customer/${WORKSPACE_ID}`, { type: 'customer', customer_id: 'droid' })
  await app.post(`/v1/customer/${WORKSPACE_ID}`, { type: 'customer', customer_id: 'apple' })
  await app.drain()
  for (const [customer, platform, attributes] of [
    ['droid', 'ANDROID', { moe_gaid: 'gaid-1' }],
    ['apple', 'iOS', { idfv: 'idfv-1' }],
  ] as const) {
    const res = await app.post(`/v1/device/${WORKSPACE_ID}`, {
      type: 'device',
      customer_id: customer,
      device_id: `${customer}-device`,
      attributes: { platform, push_id: `${customer}-push`, ...attributes },
    })
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
}

function get(app: TestApp, query: Record<string, string>, headers: Record<string, string> = {}) {
  return app.app.inject({
    method: 'GET',
    url: `/v1/installInfo?${new URLSearchParams(query).toString()}`,
    headers,
  })
}

const BASE = { src: 'appsflyer', appId: WORKSPACE_ID, appAttributionKey: KEY }

async function fails(
  app: TestApp,
  query: Record<string, string>,
  expected: Record<string, unknown> & { status: number },
): Promise<void> {
  const res = await get(app, query)
  assert.equal(res.statusCode, expected.status, res.body)
  const body = res.json<{ status: string; error: Record<string, unknown> }>()
  assert.equal(body.status, 'fail')
  const { status, ...fields } = expected
  assert.deepEqual(
    Object.fromEntries(Object.entries(body.error).filter(([k]) => k !== 'request_id')),
    fields,
    String(status),
  )
}

describe('§7.10 install attribution', () => {
  it('§7.10 needs no Basic auth; gives the GAID device’s user its publisher and campaign', async (t) => {
    const app = await createTestApp(t)
    await withKey(app)
    await seed(app)
    const res = await get(app, {
      ...BASE,
      campaign_name: 'spring',
      publisher_name: 'network-a',
      advertising_id: 'gaid-1',
    })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Record<string, unknown>>()
    assert.deepEqual(body, {
      status: 'success',
      message: 'Your request has been accepted and will be processed soon.',
      request_id: body['request_id'],
    })
    const user = await app.getUser('droid')
    assert.equal(user?.['publisher_name'], 'network-a')
    assert.equal(user?.['campaign_name'], 'spring')
    assert.equal((await app.getUser('apple'))?.['campaign_name'], undefined)
  })

  it('§7.10 finds iOS devices by IDFV; publisher and campaign are set once (spec §8.1)', async (t) => {
    const app = await createTestApp(t)
    await withKey(app)
    await seed(app)
    // A Basic header, even a wrong one, is not what authenticates this endpoint.
    const first = await get(
      app,
      { ...BASE, campaign_name: 'c1', idfv: 'idfv-1' },
      { authorization: 'Basic d3Jvbmc6d3Jvbmc=' },
    )
    assert.equal(first.statusCode, 200, first.body)
    const second = await get(app, { ...BASE, campaign_name: 'c2', idfv: 'idfv-1' })
    assert.equal(second.statusCode, 200)
    assert.equal((await app.getUser('apple'))?.['campaign_name'], 'c1')
    const report = await app.inspect(second.json<{ request_id: string }>().request_id)
    assert.deepEqual(report.records[0]?.notes, [
      "'campaign_name' is set only once (spec §8.1); the user's value was kept",
    ])
  })

  it('§7.10 an unknown device is accepted and kept as skipped with the reason', async (t) => {
    const app = await createTestApp(t)
    await withKey(app)
    for (const [query, reason] of [
      [
        { ...BASE, advertising_id: 'nobody' },
        'no device has this advertising_id / idfv; nothing was attributed (spec §7.10)',
      ],
      [BASE, 'no advertising_id or idfv was given, so no device could be attributed (spec §7.10)'],
    ] as const) {
      const res = await get(app, query)
      assert.equal(res.statusCode, 200)
      const report = await app.inspect(res.json<{ request_id: string }>().request_id)
      assert.equal(report.records[0]?.outcome, 'skipped')
      assert.equal(report.records[0]?.reason, reason)
    }
  })

  it('§7.10 each error, exact strings', async (t) => {
    const app = await createTestApp(t)
    for (const key of ['appId', 'appAttributionKey', 'src']) {
      const query = Object.fromEntries(Object.entries(BASE).filter(([k]) => k !== key))
      await fails(app, query, {
        status: 400,
        type: 'MissingAttributeError',
        message: `${key} is required in query params.`,
        attribute: key,
      })
    }
    await fails(
      app,
      { ...BASE, appId: 'NOSUCHWORKSPACE00000' },
      { status: 400, type: 'InvalidParams', message: 'Given app_id is invalid.' },
    )
    await fails(app, BASE, {
      status: 409,
      type: 'Authentication required',
      message:
        'App attribution key is not set. Please set it on the dashboard (Settings > Analytics > Acquisition Tracking)',
      attribute: 'appAttributionKey',
    })
    await withKey(app)
    await fails(
      app,
      { ...BASE, appAttributionKey: 'wrong' },
      {
        status: 401,
        type: 'Authentication required',
        message: 'App attribution key mismatch. Please login to the dashboard to verify key',
        attribute: 'appAttributionKey',
      },
    )
    for (const [state, status, type, message] of [
      ['blacklisted', 400, 'Blacklisted', 'Your account is blacklisted, Please contact MoEngage.'],
      ['suspended', 403, 'Account Suspended', 'Account Suspended'],
      [
        'temporarily_suspended',
        403,
        'Account Temporarily Suspended',
        'Account Temporarily Suspended',
      ],
    ] as const) {
      await app.store.workspaces.update(WORKSPACE_ID, { state, updatedAt: app.clock.now() })
      await fails(app, BASE, { status, type, message })
    }
    const post = await app.app.inject({ method: 'POST', url: '/v1/installInfo', payload: {} })
    assert.equal(post.statusCode, 405)
    assert.equal(post.headers['allow'], 'GET')
    assert.equal(await app.store.log.lastSeq(), 0, 'nothing was logged for a refused request')
  })
})
