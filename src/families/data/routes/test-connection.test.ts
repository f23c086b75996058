// Test connection (spec §7.11): the success answer, and each credential and body error exactly.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, createTestApp, type TestApp } from '../../../../test/helpers/app.js'

const URL_ = '/v1/integrations/authentication'
const body = { app_id: WORKSPACE_ID, app_secret: API_KEY, source: 'test', region: '01' }

function send(app: TestApp, payload: unknown, headers: Record<string, string> = {}) {
  return app.app.inject({
    method: 'POST',
    url: URL_,
    headers: { 'content-type': 'application/json', 'moe-appkey': WORKSPACE_ID, ...headers },
    payload: JSON.stringify(payload),
  })
}

describe('POST /v1/integrations/authentication', () => {
  it('answers {"status":"success","app_name": …} for matching credentials, without Basic auth', async (t) => {
    const app = await createTestApp(t)
    const res = await send(app, body)
    assert.equal(res.statusCode, 200)
    const { request_id, ...documented } = res.json<Record<string, unknown>>()
    assert.deepEqual(documented, { status: 'success', app_name: 'Test' })
    assert.match(String(request_id), /^[A-Za-z]{8}$/)
  })

  it('answers each problem with its documented error', async (t) => {
    const app = await createTestApp(t)
    const cases: [unknown, Record<string, string>, number, string, string][] = [
      [
        body,
        { 'moe-appkey': '' },
        401,
        'Authentication required',
        'MOE-APPKEY is missing in Header',
      ],
      [
        body,
        { 'moe-appkey': 'SOMEOTHERWORKSPACE01' },
        401,
        'Authentication required',
        "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
      ],
      [
        { ...body, app_secret: 'wrong-secret' },
        {},
        401,
        'Authentication required',
        'App Secret key mismatch. Please login to the dashboard to verify key',
      ],
      [
        { ...body, app_id: 'UNKNOWNWORKSPACE0001' },
        { 'moe-appkey': 'UNKNOWNWORKSPACE0001' },
        401,
        'Authentication required',
        'Invalid APP_ID used in Authentication Header',
      ],
      [
        { app_id: WORKSPACE_ID, app_secret: API_KEY, source: 'test' },
        {},
        400,
        'MissingAttributeError',
        'region is not found in the payload',
      ],
      [
        { ...body, source: 7 },
        {},
        400,
        'MissingAttributeError',
        'source is expected to be String or Unicode String.',
      ],
    ]
    for (const [payload, headers, status, type, message] of cases) {
      const res = await send(app, payload, headers)
      assert.equal(res.statusCode, status, message)
      const error = res.json<{ status: string; error: { type: string; message: string } }>()
      assert.equal(error.status, 'fail')
      assert.deepEqual([error.error.type, error.error.message], [type, message])
    }
  })
})
