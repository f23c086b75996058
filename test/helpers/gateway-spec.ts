/**
 * What the gateway tests (src/http/gateway*.test.ts) share: the strings of spec §4.4 written out
 * verbatim (not imported from the catalogue, so a drifting catalogue fails), every Data API route
 * with a valid body, and helpers to send one request with one fault and check its envelope.
 */
import assert from 'node:assert/strict'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { createSequentialIds } from '../../src/core/ids.js'
import type { WorkspaceState } from '../../src/store/store.js'
import { createWorkspaces } from '../../src/workspaces/workspaces.js'
import { API_KEY, WORKSPACE_ID, basicAuth, type TestApp } from './app.js'

export type Expected = Readonly<{ status: number; type: string; message: string }>

export const MALFORMED_JSON_MESSAGE =
  'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.'

/** spec §4.4 (newest overview table) and its Merge-page 401 variants, verbatim. */
export const SPEC = {
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

/** What a Data API client is answered in each workspace state but `active` (spec §4.4). */
export const STATE_ANSWERS = {
  blacklisted: SPEC.blacklisted,
  suspended: SPEC.suspended,
  temporarily_suspended: SPEC.temporarilySuspended,
} as const satisfies Record<Exclude<WorkspaceState, 'active'>, Expected>

export const UNKNOWN_ID = 'UNKNOWNWORKSPACE0001'
export const OTHER_ID = 'OTHERWORKSPACE000001'
export const OTHER_KEY = 'other-data-api-key-2'
export const KB = 1024

export type Endpoint = Readonly<{
  name: string
  url: (id: string) => string
  body: Readonly<Record<string, unknown>>
  limitBytes: number
  bulk: boolean
  /** The workspace id is a path segment (and may also be given as `?app_id=`). */
  pathId: boolean
}>

export const CUSTOMER = {
  type: 'customer',
  customer_id: 'john',
  attributes: { first_name: 'John' },
}

export const ENDPOINTS: readonly Endpoint[] = [
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

export type Headers = Record<string, string | undefined>

export type RequestSpec = Readonly<{
  method?: InjectOptions['method']
  url: string
  headers: Headers
  payload: string | Buffer
}>

export const GOOD_HEADERS: Headers = {
  authorization: basicAuth(WORKSPACE_ID, API_KEY),
  'content-type': 'application/json',
}

/** A request that succeeds on `endpoint`, but for what `change` replaces (undefined drops a header). */
export function request(
  endpoint: Endpoint,
  change: { id?: string; headers?: Headers; payload?: string | Buffer } = {},
): RequestSpec {
  return {
    url: endpoint.url(change.id ?? WORKSPACE_ID),
    headers: { ...GOOD_HEADERS, ...change.headers },
    payload: change.payload ?? JSON.stringify(endpoint.body),
  }
}

export function send({ app }: TestApp, spec: RequestSpec): Promise<LightMyRequestResponse> {
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
export function paddedBody(endpoint: Endpoint, bytes: number): string {
  const base = JSON.stringify({ ...endpoint.body, pad: '' }).length
  const body = JSON.stringify({ ...endpoint.body, pad: 'x'.repeat(bytes - base) })
  assert.equal(Buffer.byteLength(body), bytes)
  return body
}

export function auth(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`
}

export type Failure = {
  status: string
  error?: { type: string; message: string; request_id: string; attribute?: string }
}

/** The exact §4.2 envelope: status, type and message as given, no attribute, an 8-letter id. */
export function assertFailure(
  res: LightMyRequestResponse,
  expected: Expected,
  context: string,
): void {
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

export async function setState(app: TestApp, id: string, state: WorkspaceState): Promise<void> {
  await app.store.workspaces.update(id, { state, updatedAt: app.clock.now() })
}

export async function unsetKey(app: TestApp, id: string): Promise<void> {
  await app.store.workspaces.update(id, {
    keyHash: null,
    keySalt: null,
    updatedAt: app.clock.now(),
  })
}

export async function addOtherWorkspace(app: TestApp): Promise<void> {
  const workspaces = createWorkspaces({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
  })
  await workspaces.create({ id: OTHER_ID, key: OTHER_KEY, name: 'Other' })
}

export const always = (expected: Expected) => (): Expected => expected

export const malformed = (endpoint: Endpoint): Expected =>
  endpoint.bulk ? SPEC.malformedJsonBulk : SPEC.malformedJson
