/**
 * The seeded test workspace's Data API as the conformance tests call it: the endpoint paths, a
 * Track User body, the request id of an answer, the §4.1 success envelope, the stored user of a
 * customer id, what the records of a request came to, and the exact failure envelope of spec §4.2
 * that every documented refusal is checked against (one answer, or a table of bodies POSTed to one
 * endpoint).
 */
import assert from 'node:assert/strict'
import type { UserRow } from '../../src/store/store.js'
import { WORKSPACE_ID, type TestApp } from './app.js'
import { EXAMPLES } from './spec-examples.js'

export const TRACK = `/v1/customer/${WORKSPACE_ID}`
export const EVENT = `/v1/event/${WORKSPACE_ID}`
export const DEVICE = `/v1/device/${WORKSPACE_ID}`
export const BULK = `/v1/transition/${WORKSPACE_ID}`
export const EXPORT = `/v1/customers/export?app_id=${WORKSPACE_ID}`
export const MERGE = `/v1/customer/merge?app_id=${WORKSPACE_ID}`
export const DELETE = `/v1/customer/delete?app_id=${WORKSPACE_ID}`
export const GDPR = `/v1/opengdpr_requests/${WORKSPACE_ID}`

/** A Track User body (spec §7.1): the customer, its attributes, and any other fields. */
export const customer = (
  customerId: unknown,
  attributes: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => ({ type: 'customer', customer_id: customerId, attributes, ...extra })

/**
 * The statuses of two requests that show two workspace settings: a Bulk Import with one element
 * without customer_id (spec §7.3: skipped when lenient, 200; the request refused when strict, 400)
 * and a Track User identified by an email alone (spec §6.2: 200 with Identity Resolution, else 400).
 */
export async function settingProbes(
  workspaceId: string,
  post: (path: string, body: unknown) => Promise<number>,
): Promise<[bulk: number, byEmail: number]> {
  return [
    await post(`/v1/transition/${workspaceId}`, {
      type: 'transition',
      elements: [customer('john'), { type: 'customer', attributes: {} }],
    }),
    await post(`/v1/customer/${workspaceId}`, {
      type: 'customer',
      attributes: { email: 'jo@example.com' },
    }),
  ]
}

type Answer = { statusCode: number; body: string; json<T>(): T }

/** The request id of an answer: its own, or its error's. */
export function requestIdOf(res: { json<T>(): T }): string {
  const body = res.json<{ request_id?: string; error?: { request_id: string } }>()
  return body.request_id ?? body.error?.request_id ?? ''
}

/**
 * The §4.1 success envelope, exactly (with `fields` in place of its message, for an endpoint that
 * answers others): the request id it returns is 8 letters.
 */
export function assertAccepted(
  res: Answer,
  fields: Record<string, unknown> = { message: EXAMPLES.success.message },
): string {
  assert.equal(res.statusCode, 200, res.body)
  const requestId = requestIdOf(res)
  assert.deepEqual(res.json(), { status: 'success', ...fields, request_id: requestId })
  assert.match(requestId, /^[A-Za-z]{8}$/, 'request_id')
  return requestId
}

/** A documented refusal: its status (400 unless given), type, message and attribute, if any. */
export type Refusal = Readonly<{
  status?: number
  type: string
  message: string
  attribute?: string
}>

/** A 400 MissingAttributeError naming `attribute` (the spec's type for a missing or mistyped key). */
export const missing = (attribute: string, message: string): Refusal => ({
  type: 'MissingAttributeError',
  message,
  attribute,
})

/** A 400 ValueError naming `attribute`. */
export const invalid = (attribute: string, message: string): Refusal => ({
  type: 'ValueError',
  message,
  attribute,
})

/**
 * The §4.2 failure envelope, exactly: `status: fail`, and an error with the refusal's attribute
 * (none when it names none), message and type, and an 8-letter request id.
 */
export function assertRefusal(res: Answer, expected: Refusal, context = ''): void {
  const { status = 400, type, message, attribute } = expected
  assert.equal(res.statusCode, status, `${context}: ${res.body}`)
  const body = res.json<{ error?: { request_id?: unknown } }>()
  const requestId = body.error?.request_id
  assert.deepEqual(
    body,
    {
      status: 'fail',
      error: {
        ...(attribute === undefined ? {} : { attribute }),
        message,
        type,
        request_id: requestId,
      },
    },
    context,
  )
  assert.match(String(requestId), /^[A-Za-z]{8}$/, `${context}: request_id`)
}

/** POSTs each body to `url` and asserts the refusal it is paired with. */
export async function assertRefusals(
  app: TestApp,
  url: string,
  cases: readonly (readonly [body: unknown, expected: Refusal])[],
): Promise<void> {
  for (const [body, expected] of cases) {
    assertRefusal(await app.post(url, body), expected, JSON.stringify(body).slice(0, 200))
  }
}

/** Applies what was accepted; then the stored user that holds `customerId`, which must exist. */
export async function userOf(app: TestApp, customerId: string): Promise<UserRow> {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  assert.ok(user, `a user with customer_id ${customerId}`)
  return user
}

/** The kind and outcome of each record of an accepted request, once applied. */
export async function outcomesOf(app: TestApp, res: Answer): Promise<[string, string][]> {
  assert.equal(res.statusCode, 200, res.body)
  const report = await app.inspect(requestIdOf(res))
  return report.records.map((r) => [r.kind, r.outcome])
}

/** A GDPR erasure body (spec §7.12) for one identity. */
export const erasure = (identityType: string, identityValue: string) => ({
  request_type: 'erasure',
  submitted_time: '2026-11-01T10:00:00Z',
  identities: [{ identity_type: identityType, identity_value: identityValue }],
  api_version: '1.0',
})
