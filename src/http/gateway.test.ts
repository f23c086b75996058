/**
 * The gateway and body-parsing answers of spec §4.4 as a client sees them: one fault at a time,
 * on every Data API route in both its path-id and `?app_id=` forms (test/helpers/gateway-spec.ts
 * holds the expected strings, written out from the spec).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  API_KEY,
  WORKSPACE_ID,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../test/helpers/app.js'
import {
  CUSTOMER,
  ENDPOINTS,
  GOOD_HEADERS,
  OTHER_ID,
  SPEC,
  STATE_ANSWERS,
  UNKNOWN_ID,
  addOtherWorkspace,
  always,
  assertFailure,
  auth,
  malformed,
  paddedBody,
  request,
  send,
  setState,
  unsetKey,
  type Endpoint,
  type Expected,
  type RequestSpec,
} from '../../test/helpers/gateway-spec.js'

type Fault = Readonly<{
  name: string
  setup?: (app: TestApp) => Promise<void>
  request: (endpoint: Endpoint) => RequestSpec
  expected: (endpoint: Endpoint) => Expected
}>

/** One fault each; every other part of the request is valid. */
const FAULTS: readonly Fault[] = [
  {
    name: 'no Authorization header',
    request: (e) => request(e, { headers: { authorization: undefined } }),
    expected: always(SPEC.authHeaderRequired),
  },
  {
    name: 'an empty Authorization header',
    request: (e) => request(e, { headers: { authorization: '' } }),
    expected: always(SPEC.authEmpty),
  },
  {
    name: 'a Basic Authorization header without credentials',
    request: (e) => request(e, { headers: { authorization: 'Basic' } }),
    expected: always(SPEC.authEmpty),
  },
  {
    name: 'a Bearer Authorization header',
    request: (e) => request(e, { headers: { authorization: `Bearer ${API_KEY}` } }),
    expected: always(SPEC.authNotBasic),
  },
  {
    name: 'Basic credentials that are not base64',
    request: (e) => request(e, { headers: { authorization: 'Basic ***not-base64***' } }),
    expected: always(SPEC.authUndecodable),
  },
  {
    name: 'Basic credentials without a colon',
    request: (e) => request(e, { headers: { authorization: auth(WORKSPACE_ID + API_KEY) } }),
    expected: always(SPEC.authUndecodable),
  },
  {
    name: 'Basic credentials without a username',
    request: (e) => request(e, { headers: { authorization: auth(`:${API_KEY}`) } }),
    expected: always(SPEC.usernameMissing),
  },
  {
    name: 'Basic credentials without a password',
    request: (e) => request(e, { headers: { authorization: auth(`${WORKSPACE_ID}:`) } }),
    expected: always(SPEC.passwordMissing),
  },
  {
    name: 'an unknown workspace id in both params and auth',
    request: (e) =>
      request(e, { id: UNKNOWN_ID, headers: { authorization: basicAuth(UNKNOWN_ID, API_KEY) } }),
    expected: always(SPEC.invalidAppId),
  },
  {
    name: 'an unknown workspace id in auth only',
    request: (e) => request(e, { headers: { authorization: basicAuth(UNKNOWN_ID, API_KEY) } }),
    expected: always(SPEC.unknownAuthAppId),
  },
  {
    name: 'a workspace with no Data API key set',
    setup: (app) => unsetKey(app, WORKSPACE_ID),
    request: (e) => request(e),
    expected: always(SPEC.keyNotSet),
  },
  {
    name: 'a wrong Data API key',
    request: (e) =>
      request(e, { headers: { authorization: basicAuth(WORKSPACE_ID, 'wrong-data-api-key') } }),
    expected: always(SPEC.keyMismatch),
  },
  {
    name: 'params naming another workspace than auth',
    setup: addOtherWorkspace,
    request: (e) => request(e, { id: OTHER_ID }),
    expected: always(SPEC.appMismatch),
  },
  {
    name: 'params naming an unknown workspace, auth a valid one',
    request: (e) => request(e, { id: UNKNOWN_ID }),
    expected: always(SPEC.appMismatch),
  },
  {
    name: 'a MOE-APPKEY header other than the auth username',
    setup: addOtherWorkspace,
    request: (e) => request(e, { headers: { 'moe-appkey': OTHER_ID } }),
    expected: always(SPEC.moeAppKeyMismatch),
  },
  // One fault a workspace state: blacklisted, suspended, temporarily suspended.
  ...Object.entries(STATE_ANSWERS).map(([state, answer]): Fault => ({
    name: `a ${state.replace('_', ' ')} workspace`,
    setup: (app) => setState(app, WORKSPACE_ID, state as keyof typeof STATE_ANSWERS),
    request: (e) => request(e),
    expected: always(answer),
  })),
  {
    name: 'no Content-Type header',
    request: (e) => request(e, { headers: { 'content-type': undefined } }),
    expected: always(SPEC.contentTypeMissing),
  },
  {
    name: 'an empty Content-Type header',
    request: (e) => request(e, { headers: { 'content-type': '' } }),
    expected: always(SPEC.contentTypeMissing),
  },
  {
    name: 'a text/plain Content-Type',
    request: (e) => request(e, { headers: { 'content-type': 'text/plain' } }),
    expected: always(SPEC.unsupportedMediaType),
  },
  {
    name: 'a form-encoded Content-Type',
    request: (e) =>
      request(e, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    expected: always(SPEC.unsupportedMediaType),
  },
  {
    name: 'a body one byte over the endpoint limit',
    request: (e) => request(e, { payload: paddedBody(e, e.limitBytes + 1) }),
    expected: (e) => (e.bulk ? SPEC.tooLarge100 : SPEC.tooLarge128),
  },
  {
    name: 'an empty body',
    request: (e) => request(e, { payload: '' }),
    expected: always(SPEC.emptyBody),
  },
  {
    name: 'a whitespace-only body',
    request: (e) => request(e, { payload: ' \r\n\t ' }),
    expected: always(SPEC.emptyBody),
  },
  {
    name: 'truncated JSON',
    request: (e) => request(e, { payload: JSON.stringify(e.body).slice(0, -3) }),
    expected: malformed,
  },
  {
    name: 'single-quoted pseudo-JSON',
    request: (e) => request(e, { payload: "{'type': 'customer'}" }),
    expected: malformed,
  },
  {
    name: 'a body that is not valid UTF-8',
    request: (e) =>
      request(e, {
        payload: Buffer.concat([
          Buffer.from('{"type":"customer","customer_id":"'),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from('"}'),
        ]),
      }),
    expected: malformed,
  },
  ...['[]', `[${JSON.stringify(CUSTOMER)}]`, '42', '"customer"', 'null', 'true'].map(
    (payload): Fault => ({
      name: `a JSON document that is not an object: ${payload.slice(0, 12)}`,
      request: (e) => request(e, { payload }),
      expected: always(SPEC.bodyNotObject),
    }),
  ),
]

describe('gateway', () => {
  it('accepts the valid request each fault below starts from', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const res = await send(app, request(endpoint))
      assert.equal(res.statusCode, 200, `${endpoint.name}: ${res.body}`)
      assert.equal(res.json<{ status: string }>().status, 'success', endpoint.name)
    }
  })

  it('accepts the allowed variants of a valid request', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      const variants: [string, RequestSpec][] = [
        [
          'a lower-case basic scheme',
          request(endpoint, {
            headers: { authorization: `basic ${auth(`${WORKSPACE_ID}:${API_KEY}`).slice(6)}` },
          }),
        ],
        [
          'a charset on the Content-Type',
          request(endpoint, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
        ],
        [
          'an upper-case Content-Type',
          request(endpoint, { headers: { 'content-type': 'Application/JSON' } }),
        ],
        ['a matching MOE-APPKEY', request(endpoint, { headers: { 'moe-appkey': WORKSPACE_ID } })],
        [
          'a body exactly at the limit',
          request(endpoint, { payload: paddedBody(endpoint, endpoint.limitBytes) }),
        ],
      ]
      if (endpoint.pathId) {
        variants.push([
          'a matching ?app_id= beside the path id',
          { ...request(endpoint), url: `${endpoint.url(WORKSPACE_ID)}?app_id=${WORKSPACE_ID}` },
        ])
      }
      for (const [name, spec] of variants) {
        const res = await send(app, spec)
        assert.equal(res.statusCode, 200, `${endpoint.name}, ${name}: ${res.body}`)
      }
    }
  })

  describe('answers each §4.4 fault with its exact error on every route', () => {
    for (const fault of FAULTS) {
      it(fault.name, async (t) => {
        const app = await createTestApp(t)
        await fault.setup?.(app)
        for (const endpoint of ENDPOINTS) {
          const res = await send(app, fault.request(endpoint))
          assertFailure(res, fault.expected(endpoint), endpoint.name)
        }
      })
    }
  })

  it('answers 400 ParamsRequired when neither path nor query names a workspace', async (t) => {
    const app = await createTestApp(t)
    for (const url of [
      '/v1/transition',
      '/v1/transition/',
      '/v1/transition?app_id=',
      '/v1/transition?project_code=P1',
      '/v1/customers/export',
      '/v1/customers/export?app_id=',
    ]) {
      const res = await send(app, { url, headers: GOOD_HEADERS, payload: '{}' })
      assertFailure(res, SPEC.paramsRequired, url)
    }
  })

  it('answers a long unknown workspace id in the path like any unknown id (§4.4)', async (t) => {
    const app = await createTestApp(t)
    const long = 'L'.repeat(300)
    for (const endpoint of ENDPOINTS.filter((e) => e.pathId)) {
      const res = await send(app, request(endpoint, { id: long }))
      assertFailure(res, SPEC.appMismatch, endpoint.name)
      const both = await send(
        app,
        request(endpoint, { id: long, headers: { authorization: basicAuth(long, API_KEY) } }),
      )
      assertFailure(both, SPEC.invalidAppId, endpoint.name)
    }
  })

  it('answers 409 when the path id and ?app_id= differ', async (t) => {
    const app = await createTestApp(t)
    await addOtherWorkspace(app)
    for (const endpoint of ENDPOINTS.filter((e) => e.pathId)) {
      for (const other of [OTHER_ID, UNKNOWN_ID]) {
        const spec = request(endpoint)
        const res = await send(app, { ...spec, url: `${spec.url}?app_id=${other}` })
        assertFailure(res, SPEC.appMismatch, `${endpoint.name} ?app_id=${other}`)
      }
    }
  })

  it('answers an unknown route with a JSON 404 whatever the method', async (t) => {
    const app = await createTestApp(t)
    for (const [method, url] of [
      ['POST', '/'],
      ['GET', '/'],
      ['POST', '/v1/unknown'],
      ['POST', '/v2/customer/' + WORKSPACE_ID],
      ['POST', `/v1/customer/${WORKSPACE_ID}/extra`],
      ['GET', '/v1/nothing/here'],
      ['DELETE', '/v1/nothing'],
      // a path the router cannot decode, and a path segment over the router's 1 KB limit
      ['POST', '/v1/customer/%E0%A4%A'],
      ['GET', '/%'],
      ['POST', `/v1/customer/${'A'.repeat(1025)}`],
    ] as const) {
      const res = await send(app, { method, url, headers: GOOD_HEADERS, payload: '{}' })
      assertFailure(res, SPEC.notFound, `${method} ${url}`)
    }
  })

  it('answers another method on a Data API route with a JSON 405 and Allow: POST', async (t) => {
    const app = await createTestApp(t)
    for (const endpoint of ENDPOINTS) {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
        const res = await send(app, { ...request(endpoint), method })
        const context = `${method} ${endpoint.name}`
        assertFailure(res, SPEC.methodNotAllowed, context)
        assert.equal(res.headers['allow'], 'POST', context)
      }
    }
  })
})
