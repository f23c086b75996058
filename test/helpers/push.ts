/**
 * The Push family in-process (src/families/push tests, conformance replays, the e2e test): a test
 * app with the admin API on and a Push key set for the seeded workspace, users and their devices
 * tracked through the Data API, and one `POST /v2/transaction/sendpush` (the signature in the
 * body) or `/v2.1/transaction/sendpush` (in the headers) signed with the Push key.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { pushSignature } from '../../src/http/auth.js'
import type { OutboxMessageRow, Store } from '../../src/store/store.js'
import { ADMIN_TOKEN, admin } from './admin.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from './app.js'
import { DEVICE, TRACK, customer } from './data-api.js'

export const V2 = '/v2/transaction/sendpush'
export const V2_1 = '/v2.1/transaction/sendpush'
export const PUSH_KEY = 'test-push-key-00001'
export const ADMIN_BASE = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`

/** A test app with the admin API on and a Push key for the seeded workspace. */
export async function pushApp(
  t: TestContext,
  options: Readonly<{ env?: Record<string, string>; store?: Store }> = {},
): Promise<TestApp> {
  const env = { INLET_ADMIN_TOKEN: ADMIN_TOKEN, ...options.env }
  const app = await createTestApp(
    t,
    env,
    options.store === undefined ? {} : { store: options.store },
  )
  const key = await admin(app, 'POST', `${ADMIN_BASE}/keys/push`, { api_key: PUSH_KEY })
  assert.equal(key.statusCode, 200, key.body)
  return app
}

/** A user `customerId` with `attributes`, and a device per `devices` entry ([platform, token]). */
export async function trackUser(
  app: TestApp,
  customerId: string,
  attributes: Record<string, unknown>,
  devices: readonly (readonly [platform: string, token: string])[],
): Promise<void> {
  const res = await app.post(TRACK, customer(customerId, attributes))
  assert.equal(res.statusCode, 200, res.body)
  for (const [i, [platform, token]] of devices.entries()) {
    const device = await app.post(DEVICE, {
      type: 'device',
      customer_id: customerId,
      device_id: `${customerId}-device-${i}`,
      attributes: { platform, push_id: token },
    })
    assert.equal(device.statusCode, 200, device.body)
  }
  await app.drain()
}

/** `body` with the v2 signature of its campaign name (and appId, when it has none). */
export function signedV2(body: Record<string, unknown>, key = PUSH_KEY): Record<string, unknown> {
  const appId = typeof body['appId'] === 'string' ? body['appId'] : WORKSPACE_ID
  const name = typeof body['campaignName'] === 'string' ? body['campaignName'] : ''
  return { ...body, appId, signature: pushSignature(appId, name, key) }
}

/** POST `body` to v2 (signed unless `raw`) or v2.1 (signed headers, X-MOE-Query-Type). */
export function sendPush(
  app: TestApp,
  body: Record<string, unknown> | string,
  options: Readonly<{
    version?: 'v2' | 'v2.1'
    raw?: boolean
    headers?: Record<string, string | undefined>
  }> = {},
): Promise<LightMyRequestResponse> {
  const v21 = options.version === 'v2.1'
  const payload =
    typeof body === 'string'
      ? body
      : JSON.stringify(v21 || options.raw === true ? body : signedV2(body))
  const text = (key: string): string => {
    const value = typeof body === 'string' ? undefined : body[key]
    return typeof value === 'string' ? value : ''
  }
  const name = text('campaignName')
  const audience = text('targetAudience')
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (v21) {
    headers['x-moe-appkey'] = WORKSPACE_ID
    headers['x-moe-pushapi-signature'] = pushSignature(WORKSPACE_ID, name, PUSH_KEY)
    headers['x-moe-query-type'] = audience.toLowerCase()
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (v === undefined) delete headers[k]
    else headers[k] = v
  }
  return app.app.inject({ method: 'POST', url: v21 ? V2_1 : V2, headers, payload })
}

/** A campaign to one user by customer id, Android and iOS, sent at once. */
export const toUser = (
  customerId: string | string[],
  o: Record<string, unknown> = {},
): Record<string, unknown> => ({
  campaignName: 'Order shipped',
  requestType: 'push',
  targetPlatform: ['ANDROID', 'IOS'],
  targetAudience: 'User',
  targetUserAttributes: {
    attribute: 'USER_ATTRIBUTE_UNIQUE_ID',
    comparisonParameter: Array.isArray(customerId) ? 'in' : 'is',
    attributeValue: customerId,
  },
  payload: {
    ANDROID: { title: 'Shipped', message: 'Hi {{UserAttribute["First Name"]|default("there")}}' },
    IOS: { title: 'Shipped', message: 'Hi {{UserAttribute["First Name"]|default("there")}}' },
  },
  campaignDelivery: { type: 'soon' },
  ...o,
})

/** The PUSH messages of the seeded workspace, oldest first. */
export async function pushMessages(app: TestApp): Promise<OutboxMessageRow[]> {
  return (await app.store.outbox.list(WORKSPACE_ID, { channel: 'PUSH' }, 500)).reverse()
}
