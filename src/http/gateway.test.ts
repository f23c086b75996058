/**
 * The gateway and body-parsing answers of spec §4.4 as a client sees them, on every Data API route
 * in both its path-id and `?app_id=` forms, and the check order of §4.5. Expected strings are
 * written out from the spec here (not imported from the catalogue) so a drifting catalogue fails.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import {
  API_KEY,
  WORKSPACE_ID,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../test/helpers/app.js'
import { createSequentialIds } from '../core/ids.js'
import type { WorkspaceState } from '../store/store.js'
import { createWorkspaces } from '../workspaces/workspaces.js'

type Expected = Readonly<{ status: number; type: string; message: string }>

const MALFORMED_JSON_MESSAGE =
  'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.'

/** spec §4.4 (newest overview table) and its Merge-page 401 variants, verbatim. */
const SPEC = {
  paramsRequired: {
    status: 400,
    type: 'ParamsRequired',
    message: 'app_id is required in path/query params.',
  },
  authHeaderRequired: {
    status: 401,
    type: 'Authentication Required',
    message: 'Authentication Header Required',
  },
  authEmpty: {
    status: 401,
    type: 'Authentication required',
    message: 'No identity information found',
  },
  authNotBasic: {
    status: 401,
    type: 'Authentication required',
    message: "Invalid authorization used. MoEngage only supports 'Basic Auth' authorization.",
  },
  authUndecodable: {
    status: 401,
    type: 'Authentication required',
    message: 'Invalid identity information found',
  },
  usernameMissing: {
    status: 401,
    type: 'Authentication required',
    message: 'APP_KEY missing in the authentication header',
  },
  passwordMissing: {
    status: 401,
    type: 'Authentication required',
    message: 'APP_SECRET missing in the authentication header',
  },
  invalidAppId: { status: 400, type: 'InvalidParams', message: 'Given app_id is invalid.' },
  unknownAuthAppId: {
    status: 401,
    type: 'Authentication required',
    message: 'Invalid APP_ID used in Authentication Header',
  },
  keyNotSet: {
    status: 409,
    type: 'Authentication required',
    message: 'App Secret key is not set. Please login to the dashboard to set a key',
  },
  keyMismatch: {
    status: 401,
    type: 'Authentication required',
    message: 'App Secret key mismatch. Please login to the dashboard to verify key',
  },
  appMismatch: {
    status: 409,
    type: 'Authentication Mismatch',
    message: 'App key mismatch in params and authentication',
  },
  moeAppKeyMismatch: {
    status: 401,
    type: 'Authentication required',
    message: "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
  },
  blacklisted: {
    status: 400,
    type: 'Blacklisted',
    message: 'Your account is blacklisted, Please contact MoEngage.',
  },
  suspended: { status: 403, type: 'Account Suspended', message: 'Account Suspended' },
  temporarilySuspended: {
    status: 403,
    type: 'Account Temporarily Suspended',
    message: 'Account Temporarily Suspended',
  },
  contentTypeMissing: {
    status: 400,
    type: 'Missing header value',
    message: 'The Content-Type Header is required',
  },
  unsupportedMediaType: {
    status: 415,
    type: 'Unsupported Media Type',
    message: 'Unsupported Media Type',
  },
  tooLarge128: {
    status: 413,
    type: 'Payload too large',
    message: 'The payload can not exceed 128KB',
  },
  // spec §3: Bulk's limit is 100 KB, answered with the same envelope
  tooLarge100: {
    status: 413,
    type: 'Payload too large',
    message: 'The payload can not exceed 100KB',
  },
  emptyBody: {
    status: 400,
    type: 'Empty request body',
    message: 'A valid JSON document is required',
  },
  malformedJson: { status: 400, type: 'Malformed JSON', message: MALFORMED_JSON_MESSAGE },
  // spec §7.3: Bulk's own page has a stray leading apostrophe on this message
  malformedJsonBulk: { status: 400, type: 'Malformed JSON', message: `'${MALFORMED_JSON_MESSAGE}` },
  bodyNotObject: {
    status: 400,
    type: 'Body type is not JSON',
    message: 'A valid JSON document is required.',
  },
  // Inlet's own: the spec has no JSON 404/405 for these hosts, so they use the §4.2 envelope
  notFound: { status: 404, type: 'Not Found', message: 'Resource not found' },
  methodNotAllowed: { status: 405, type: 'Method Not Allowed', message: 'Method not allowed' },
} as const satisfies Record<string, Expected>

const UNKNOWN_ID = 'UNKNOWNWORKSPACE0001'
const OTHER_ID = 'OTHERWORKSPACE000001'
const OTHER_KEY = 'other-data-api-key-2'
const KB = 1024

type Endpoint = Readonly<{
  name: string
  url: (id: string) => string
  body: Readonly<Record<string, unknown>>
  limitBytes: number
  bulk: boolean
  /** The workspace id is a path segment (and may also be given as `?app_id=`). */
  pathId: boolean
}>

const CUSTOMER = { type: 'customer', customer_id: 'john', attributes: { first_name: 'John' } }

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'Track User',
    url: (id) => `/v1/customer/${id}`,
    body: CUSTOMER,
    limitBytes: 128 * KB,
    bulk: false,
    pathId: true,
  },
  {
    name: 'Create Event',
    url: (id) => `/v1/event/${id}`,
    body: { type: 'event', customer_id: 'john', actions: [{ action: 'Opened App' }] },
    limitBytes: 128 * KB,
    bulk: false,
    pathId: true,
  },
  {
    name: 'Track Device',
    url: (id) => `/v1/device/${id}`,
    body: {
      type: 'device',
      customer_id: 'john',
      device_id: 'device-1',
      attributes: { platform: 'ANDROID', push_id: 'push-1' },
    },
    limitBytes: 128 * KB,
    bulk: false,
    pathId: true,
  },
  {
    name: 'Bulk Import (path id)',
    url: (id) => `/v1/transition/${id}`,
    body: { type: 'transition', elements: [CUSTOMER] },
    limitBytes: 100 * KB,
    bulk: true,
    pathId: true,
  },
  {
    name: 'Bulk Import (?app_id=)',
    url: (id) => `/v1/transition?app_id=${id}`,
    body: { type: 'transition', elements: [CUSTOMER] },
    limitBytes: 100 * KB,
    bulk: true,
    pathId: false,
  },
  {
    name: 'Get User (?app_id=)',
    url: (id) => `/v1/customers/export?app_id=${id}`,
    body: { data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'john' }] } },
    limitBytes: 128 * KB,
    bulk: false,
    pathId: false,
  },
]

type Headers = Record<string, string | undefined>

type RequestSpec = Readonly<{
  method?: InjectOptions['method']
  url: string
  headers: Headers
  payload: string | Buffer
}>

const GOOD_HEADERS: Headers = {
  authorization: basicAuth(WORKSPACE_ID, API_KEY),
  'content-type': 'application/json',
}

/** A request that succeeds on `endpoint`, but for what `change` replaces (undefined drops a header). */
function request(
  endpoint: Endpoint,
  change: { id?: string; headers?: Headers; payload?: string | Buffer } = {},
): RequestSpec {
  return {
    url: endpoint.url(change.id ?? WORKSPACE_ID),
    headers: { ...GOOD_HEADERS, ...change.headers },
    payload: change.payload ?? JSON.stringify(endpoint.body),
  }
}

function send({ app }: TestApp, spec: RequestSpec): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(spec.headers)) {
    if (value !== undefined) headers[name] = value
  }
  return app.inject({
    method: spec.method ?? 'POST',
    url: spec.url,
    headers,
    payload: spec.payload,
  })
}

/** The endpoint's valid body padded with a top-level string to exactly `bytes` bytes. */
function paddedBody(endpoint: Endpoint, bytes: number): string {
  const base = JSON.stringify({ ...endpoint.body, pad: '' }).length
  const body = JSON.stringify({ ...endpoint.body, pad: 'x'.repeat(bytes - base) })
  assert.equal(Buffer.byteLength(body), bytes)
  return body
}

function auth(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`
}

type Failure = {
  status: string
  error?: { type: string; message: string; request_id: string; attribute?: string }
}

/** The exact §4.2 envelope: status, type and message as given, no attribute, an 8-letter id. */
function assertFailure(res: LightMyRequestResponse, expected: Expected, context: string): void {
  assert.equal(res.statusCode, expected.status, `${context}: ${res.body}`)
  assert.match(String(res.headers['content-type']), /^application\/json/, context)
  const body = res.json<Failure>()
  const requestId = body.error?.request_id
  assert.deepEqual(
    body,
    {
      status: 'fail',
      error: { type: expected.type, message: expected.message, request_id: requestId },
    },
    context,
  )
  assert.match(String(requestId), /^[A-Za-z]{8}$/, `${context}: request_id`)
}

async function setState(app: TestApp, id: string, state: WorkspaceState): Promise<void> {
  await app.store.workspaces.update(id, { state, updatedAt: app.clock.now() })
}

async function unsetKey(app: TestApp, id: string): Promise<void> {
  await app.store.workspaces.update(id, {
    keyHash: null,
    keySalt: null,
    updatedAt: app.clock.now(),
  })
}

async function addOtherWorkspace(app: TestApp): Promise<void> {
  const workspaces = createWorkspaces({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
  })
  await workspaces.create({ id: OTHER_ID, key: OTHER_KEY, name: 'Other' })
}

type Fault = Readonly<{
  name: string
  setup?: (app: TestApp) => Promise<void>
  request: (endpoint: Endpoint) => RequestSpec
  expected: (endpoint: Endpoint) => Expected
}>

const always = (expected: Expected) => (): Expected => expected

const malformed = (endpoint: Endpoint): Expected =>
  endpoint.bulk ? SPEC.malformedJsonBulk : SPEC.malformedJson

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
  {
    name: 'a blacklisted workspace',
    setup: (app) => setState(app, WORKSPACE_ID, 'blacklisted'),
    request: (e) => request(e),
    expected: always(SPEC.blacklisted),
  },
  {
    name: 'a suspended workspace',
    setup: (app) => setState(app, WORKSPACE_ID, 'suspended'),
    request: (e) => request(e),
    expected: always(SPEC.suspended),
  },
  {
    name: 'a temporarily suspended workspace',
    setup: (app) => setState(app, WORKSPACE_ID, 'temporarily_suspended'),
    request: (e) => request(e),
    expected: always(SPEC.temporarilySuspended),
  },
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
