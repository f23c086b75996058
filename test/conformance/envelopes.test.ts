/**
 * Conformance: the envelopes every answer shares — spec §4.1 (success), §4.2 (failure, with an
 * 8-letter `request_id`) and the §4.4 5xx row — across every Data API endpoint Inlet serves, and
 * the JSON 404 / 405 that replace a framework's HTML pages.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { WORKSPACE_ID, API_KEY, createTestApp } from '../helpers/app.js'

const ID = WORKSPACE_ID
const REQUEST_ID = /^[A-Za-z]{8}$/

/** The request id a response carries: top level on a success, inside `error` on a failure. */
function requestIdOf(res: LightMyRequestResponse): unknown {
  const body = res.json<{ request_id?: unknown; error?: { request_id?: unknown } }>()
  return res.statusCode === 200 ? body.request_id : body.error?.request_id
}

describe('§4.2 request_id', () => {
  it('§4.2 every answer of every Data API endpoint carries its own 8-letter request_id', async (t) => {
    const app = await createTestApp(t)
    const customer = { type: 'customer', customer_id: 'ann', attributes: { a: 1 } }
    const seedRes = await app.post(`/v1/customer/${ID}`, customer)
    assert.equal(seedRes.statusCode, 200)
    await app.post(`/v1/customer/${ID}`, { ...customer, customer_id: 'bob' })
    await app.drain()
    const ok: [string, string, unknown][] = [
      ['Track User', `/v1/customer/${ID}`, customer],
      [
        'Create Event',
        `/v1/event/${ID}`,
        { type: 'event', customer_id: 'ann', actions: [{ action: 'Opened' }] },
      ],
      [
        'Track Device',
        `/v1/device/${ID}`,
        {
          type: 'device',
          customer_id: 'ann',
          device_id: 'd1',
          attributes: { platform: 'web', push_id: 'p1' },
        },
      ],
      ['Bulk (path)', `/v1/transition/${ID}`, { type: 'transition', elements: [customer] }],
      ['Bulk (query)', `/v1/transition?app_id=${ID}`, { type: 'transition', elements: [customer] }],
      [
        'Get User',
        `/v1/customers/export?app_id=${ID}`,
        { data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'ann' }] } },
      ],
      [
        'Device Opt-out',
        `/v1/devices/manage?app_id=${ID}`,
        { user_identifier_type: 'customer_id', user_identifier_value: 'ann', action_type: 'block' },
      ],
      [
        'Merge Users',
        `/v1/customer/merge?app_id=${ID}`,
        { merge_data: [{ merged_user: 'bob', retained_user: 'ann' }] },
      ],
      [
        'Delete Users',
        `/v1/customer/delete?app_id=${ID}`,
        { identity_type: 'customer_id', identity_value: 'ann' },
      ],
    ]
    const seen = new Set<unknown>([requestIdOf(seedRes)])
    for (const [name, url, body] of ok) {
      const res = await app.post(url, body)
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`)
      assert.equal(res.json<{ status: string }>().status, 'success', name)
      const id = requestIdOf(res)
      assert.match(String(id), REQUEST_ID, name)
      assert.equal(seen.has(id), false, `${name}: a fresh request_id`)
      seen.add(id)
    }
    const testConnection = await app.app.inject({
      method: 'POST',
      url: '/v1/integrations/authentication',
      headers: { 'content-type': 'application/json', 'moe-appkey': ID },
      payload: { app_id: ID, app_secret: API_KEY, source: 'test', region: '01' },
    })
    assert.equal(testConnection.statusCode, 200, testConnection.body)
    assert.match(String(requestIdOf(testConnection)), REQUEST_ID, 'Test connection')

    const failures: [string, Promise<LightMyRequestResponse>][] = [
      ['404', app.app.inject({ method: 'GET', url: '/nowhere' })],
      ['405', app.app.inject({ method: 'GET', url: `/v1/customer/${ID}` })],
      ['400 ParamsRequired', app.post('/v1/transition', {})],
      ['401', app.app.inject({ method: 'POST', url: `/v1/customer/${ID}`, payload: '{}' })],
      ['400 field', app.post(`/v1/customer/${ID}`, { type: 'customer' })],
      ['413', app.post(`/v1/customer/${ID}`, { pad: 'x'.repeat(130 * 1024) })],
      [
        '415',
        app.post(`/v1/customer/${ID}`, '{}', {
          headers: { ...app.headers, 'content-type': 'text/plain' },
        }),
      ],
      ['400 Malformed JSON', app.post(`/v1/event/${ID}`, '{')],
    ]
    for (const [name, pending] of failures) {
      const res = await pending
      assert.notEqual(res.statusCode, 200, name)
      assert.match(String(res.headers['content-type']), /^application\/json/, name)
      assert.equal(res.json<{ status: string }>().status, 'fail', name)
      const id = requestIdOf(res)
      assert.match(String(id), REQUEST_ID, name)
      assert.equal(seen.has(id), false, `${name}: a fresh request_id`)
      seen.add(id)
    }
  })
})

describe('§4.4 5xx', () => {
  it('§4.4 an unexpected failure is 500 "Server Error" with the long message, no internals, logged', async (t) => {
    const app = await createTestApp(t)
    // The ingest log refuses to commit (a full disk, a broken file): a bug-class failure.
    Object.assign(app.store.log, {
      append: () => Promise.reject(new Error('disk on fire at /secret/path')),
    })
    for (const [url, body] of [
      [`/v1/customer/${ID}`, { type: 'customer', customer_id: 'ann' }],
      [`/v1/event/${ID}`, { type: 'event', customer_id: 'ann', actions: [{ action: 'A' }] }],
      [
        `/v1/transition/${ID}`,
        { type: 'transition', elements: [{ type: 'customer', customer_id: 'ann' }] },
      ],
    ] as const) {
      const res = await app.post(url, body)
      assert.equal(res.statusCode, 500, res.body)
      const requestId = String(requestIdOf(res))
      assert.deepEqual(res.json(), {
        status: 'fail',
        error: {
          message:
            'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
          type: 'Server Error',
          request_id: requestId,
        },
      })
      assert.match(requestId, REQUEST_ID)
      assert.doesNotMatch(res.body, /disk on fire|secret|at \//)
      const logged = app.log.lines.filter((l) => l.includes(requestId))
      assert.equal(logged.length, 1, `the failure is logged once with its request id`)
      assert.match(logged[0] ?? '', /disk on fire/)
      assert.match(logged[0] ?? '', /"level":"error"/)
    }
  })
})
