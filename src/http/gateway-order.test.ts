/**
 * The order of the gateway's checks (spec §4.5): with several faults in one request, the one the
 * spec checks first is answered.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { WorkspaceState } from '../store/store.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../../test/helpers/app.js'
import {
  ENDPOINTS,
  OTHER_ID,
  OTHER_KEY,
  SPEC,
  UNKNOWN_ID,
  addOtherWorkspace,
  assertFailure,
  auth,
  malformed,
  request,
  send,
  setState,
  unsetKey,
  type Expected,
  type Failure,
  type Headers,
} from '../../test/helpers/gateway-spec.js'

describe('gateway check order (spec §4.5)', () => {
  it('answers 404 for an unknown route before auth, Content-Type and body', async (t) => {
    const app = await createTestApp(t)
    const res = await send(app, { url: '/v1/unknown', headers: {}, payload: '{not json' })
    assertFailure(res, SPEC.notFound, 'POST /v1/unknown')
  })

  it('answers 405 for a wrong method before the workspace id, auth and body', async (t) => {
    const app = await createTestApp(t)
    for (const url of ['/v1/transition', `/v1/customer/${UNKNOWN_ID}`, '/v1/customers/export']) {
      const res = await send(app, { method: 'PUT', url, headers: {}, payload: '{not json' })
      assertFailure(res, SPEC.methodNotAllowed, `PUT ${url}`)
      assert.equal(res.headers['allow'], 'POST')
    }
  })

  it('answers a missing workspace id (400) before a missing Authorization header', async (t) => {
    const app = await createTestApp(t)
    for (const url of ['/v1/transition', '/v1/customers/export']) {
      const res = await send(app, { url, headers: {}, payload: '' })
      assertFailure(res, SPEC.paramsRequired, url)
    }
  })

  it('answers an auth error before every later fault', async (t) => {
    const app = await createTestApp(t)
    await setState(app, WORKSPACE_ID, 'blacklisted')
    const authFaults: [Headers, Expected][] = [
      [{ authorization: undefined }, SPEC.authHeaderRequired],
      [{ authorization: '' }, SPEC.authEmpty],
      [{ authorization: 'Bearer x' }, SPEC.authNotBasic],
      [{ authorization: 'Basic %%%' }, SPEC.authUndecodable],
      [{ authorization: auth(`:${API_KEY}`) }, SPEC.usernameMissing],
      [{ authorization: auth(`${WORKSPACE_ID}:`) }, SPEC.passwordMissing],
      [{ authorization: basicAuth(WORKSPACE_ID, 'wrong-data-api-key') }, SPEC.keyMismatch],
    ]
    for (const endpoint of ENDPOINTS) {
      for (const [headers, expected] of authFaults) {
        // and later faults: blacklisted, MOE-APPKEY mismatch, text/plain, too large, malformed
        const spec = request(endpoint, {
          headers: { 'content-type': 'text/plain', 'moe-appkey': OTHER_ID, ...headers },
          payload: `{"not json${'x'.repeat(endpoint.limitBytes)}`,
        })
        const res = await send(app, spec)
        assertFailure(res, expected, `${endpoint.name} ${String(headers['authorization'])}`)
      }
      // bad auth + bad JSON, nothing else wrong
      const res = await send(
        app,
        request(endpoint, { headers: { authorization: undefined }, payload: '{' }),
      )
      assertFailure(res, SPEC.authHeaderRequired, `${endpoint.name} no auth, bad JSON`)
    }
  })

  it('answers an auth error before an unknown workspace id in params', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const noAuth = request(endpoint, { id: UNKNOWN_ID, headers: { authorization: undefined } })
      assertFailure(await send(app, noAuth), SPEC.authHeaderRequired, endpoint.name)
      const wrongKey = request(endpoint, {
        id: UNKNOWN_ID,
        headers: { authorization: basicAuth(WORKSPACE_ID, 'wrong-data-api-key') },
      })
      assertFailure(await send(app, wrongKey), SPEC.keyMismatch, endpoint.name)
    }
  })

  it('answers an auth error before a path id / ?app_id= mismatch', async (t) => {
    const app = await createTestApp(t)
    await addOtherWorkspace(app)
    for (const endpoint of ENDPOINTS.filter((e) => e.pathId)) {
      const url = `${endpoint.url(WORKSPACE_ID)}?app_id=${OTHER_ID}`
      const cases: [Headers, Expected][] = [
        [{ authorization: undefined }, SPEC.authHeaderRequired],
        [{ authorization: basicAuth(WORKSPACE_ID, 'wrong-data-api-key') }, SPEC.keyMismatch],
        [{ authorization: basicAuth(UNKNOWN_ID, API_KEY) }, SPEC.unknownAuthAppId],
      ]
      for (const [headers, expected] of cases) {
        const res = await send(app, { ...request(endpoint, { headers }), url })
        assertFailure(res, expected, `${endpoint.name} ${url}`)
      }
    }
  })

  it('answers an unknown auth username (401) before a param mismatch (409)', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const spec = request(endpoint, { headers: { authorization: basicAuth(UNKNOWN_ID, API_KEY) } })
      assertFailure(await send(app, spec), SPEC.unknownAuthAppId, endpoint.name)
    }
  })

  it('answers a missing key (409) whatever the secret, before mismatch and state', async (t) => {
    const app = await createTestApp(t)
    await addOtherWorkspace(app)
    await unsetKey(app, WORKSPACE_ID)
    await setState(app, WORKSPACE_ID, 'suspended')
    for (const endpoint of ENDPOINTS) {
      const spec = request(endpoint, {
        id: OTHER_ID,
        headers: {
          authorization: basicAuth(WORKSPACE_ID, 'any-secret-at-all'),
          'content-type': 'text/plain',
        },
        payload: '',
      })
      assertFailure(await send(app, spec), SPEC.keyNotSet, endpoint.name)
    }
  })

  it('answers a wrong key (401) before a param/auth mismatch (409)', async (t) => {
    const app = await createTestApp(t)
    await addOtherWorkspace(app)
    for (const endpoint of ENDPOINTS) {
      const spec = request(endpoint, {
        id: OTHER_ID,
        headers: { authorization: basicAuth(WORKSPACE_ID, OTHER_KEY) },
      })
      assertFailure(await send(app, spec), SPEC.keyMismatch, endpoint.name)
    }
  })

  it('answers a param/auth mismatch (409) before account state and the body', async (t) => {
    const app = await createTestApp(t)
    await addOtherWorkspace(app)
    await setState(app, WORKSPACE_ID, 'blacklisted')
    for (const endpoint of ENDPOINTS) {
      const spec = request(endpoint, {
        id: OTHER_ID,
        headers: { 'content-type': undefined },
        payload: '[',
      })
      assertFailure(await send(app, spec), SPEC.appMismatch, endpoint.name)
    }
  })

  it('answers account state before Content-Type, size and body', async (t) => {
    const app = await createTestApp(t)
    const states: [WorkspaceState, Expected][] = [
      ['blacklisted', SPEC.blacklisted],
      ['suspended', SPEC.suspended],
      ['temporarily_suspended', SPEC.temporarilySuspended],
    ]
    for (const [state, expected] of states) {
      await setState(app, WORKSPACE_ID, state)
      for (const endpoint of ENDPOINTS) {
        for (const change of [
          { headers: { 'content-type': undefined } },
          { headers: { 'content-type': 'text/xml' } },
          { payload: `[${'1,'.repeat(endpoint.limitBytes)}1]` },
          { payload: '' },
          { payload: '{"a":' },
          { payload: '"text"' },
          { payload: '{}' },
        ]) {
          const res = await send(app, request(endpoint, change))
          assertFailure(res, expected, `${endpoint.name} ${state}`)
        }
      }
    }
  })

  it('answers Content-Type (400/415) before body size and body content', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const huge = 'x'.repeat(endpoint.limitBytes + 10)
      const cases: [Headers, string, Expected][] = [
        [{ 'content-type': undefined }, huge, SPEC.contentTypeMissing],
        [{ 'content-type': undefined }, '', SPEC.contentTypeMissing],
        [{ 'content-type': 'text/plain' }, huge, SPEC.unsupportedMediaType],
        [{ 'content-type': 'text/plain' }, '', SPEC.unsupportedMediaType],
        [{ 'content-type': 'text/plain' }, '[]', SPEC.unsupportedMediaType],
      ]
      for (const [headers, payload, expected] of cases) {
        const res = await send(app, request(endpoint, { headers, payload }))
        assertFailure(res, expected, `${endpoint.name} ${String(headers['content-type'])}`)
      }
    }
  })

  it('answers body size (413) before the body content', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const over = endpoint.limitBytes + 1
      const expected = endpoint.bulk ? SPEC.tooLarge100 : SPEC.tooLarge128
      for (const payload of [
        ' '.repeat(over),
        '{'.repeat(over),
        Buffer.alloc(over, 0xff),
        `[${'1,'.repeat(over / 2)}1]`,
      ]) {
        const res = await send(app, request(endpoint, { payload }))
        assertFailure(res, expected, endpoint.name)
      }
    }
  })

  it('answers invalid UTF-8 as malformed JSON before the object check', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const payload = Buffer.concat([Buffer.from('["'), Buffer.from([0xff]), Buffer.from('"]')])
      const res = await send(app, request(endpoint, { payload }))
      assertFailure(res, malformed(endpoint), endpoint.name)
    }
  })

  it('answers body checks before field validation', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      // `{}` alone would be a field error (customer_id, actions, elements or data missing)
      const fieldError = await send(app, request(endpoint, { payload: '{}' }))
      assert.equal(fieldError.statusCode, 400, endpoint.name)
      assert.notEqual(fieldError.json<Failure>().error?.type, 'Body type is not JSON')
      assertFailure(
        await send(app, request(endpoint, { payload: '[{}]' })),
        SPEC.bodyNotObject,
        endpoint.name,
      )
      assertFailure(
        await send(app, request(endpoint, { payload: '{},' })),
        malformed(endpoint),
        endpoint.name,
      )
    }
  })
})
