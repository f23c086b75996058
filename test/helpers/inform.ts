/**
 * The Inform family in-process (src/families/inform tests, conformance replays, the outbox
 * routes): a test app with the admin API on, an Inform key set for the seeded workspace, an alert
 * defined through the admin API, and one `POST /v1.0/alerts/send` (live, or the sandbox's
 * `/sandbox/v1.0/alerts/send`) with the Inform credentials and MOE-APPKEY.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { admin, adminApp } from './admin.js'
import { WORKSPACE_ID, basicAuth, injectWith, type TestApp } from './app.js'

export const SEND = '/v1.0/alerts/send'
export const SANDBOX_SEND = '/sandbox/v1.0/alerts/send'
export const INFORM_KEY = 'test-inform-key-0001'
export const ADMIN_BASE = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`
export const INFORM_AUTH = basicAuth(WORKSPACE_ID, INFORM_KEY)

/** The alert of the OpenAPI file's examples: SMS, EMAIL and PUSH, personalised. */
export const DEMO_ALERT = {
  alert_id: '636b77e6e2cf83277195fb60',
  test_alert_id: '636b77e6e2cf83277195fb61',
  reference_name: 'Demo_ID',
  test_reference_name: 'Demo_ID_test',
  channels: {
    SMS: {
      body: 'Hi {{firstname|default("there")}}, order {{orderid|default("")}} arrives {{deliverydate|default("soon")}}.',
      senders: [{ name: 'SHOP' }],
    },
    EMAIL: {
      subject: 'Your order {{orderid|default("")}}',
      body: '<p>Hi {{firstname|default("there")}}</p>',
      senders: [{ name: 'Shop', address: 'orders@shop.test' }],
    },
    PUSH: { title: 'Order update', message: 'Hi {{firstname|default("there")}}' },
  },
}

/** A test app with the admin API on, an Inform key, and `alerts` defined (DEMO_ALERT by default). */
export async function informApp(
  t: TestContext,
  options: Readonly<{ alerts?: readonly unknown[]; env?: Record<string, string> }> = {},
): Promise<TestApp> {
  const app = await adminApp(t, options.env)
  const key = await admin(app, 'POST', `${ADMIN_BASE}/keys/inform`, { api_key: INFORM_KEY })
  assert.equal(key.statusCode, 200, key.body)
  for (const alert of options.alerts ?? [DEMO_ALERT]) await defineAlert(app, alert)
  return app
}

/** Defines (or replaces) an alert through the admin API. */
export async function defineAlert(app: TestApp, alert: unknown): Promise<void> {
  const res = await admin(app, 'POST', `${ADMIN_BASE}/inform-alerts`, alert)
  assert.equal(res.statusCode, 200, res.body)
}

/** `POST url` with the Inform credentials, MOE-APPKEY and a JSON body; `headers` on top. */
export function send(
  app: TestApp,
  body: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
  url = SEND,
): Promise<LightMyRequestResponse> {
  const base = {
    authorization: INFORM_AUTH,
    'moe-appkey': WORKSPACE_ID,
    'content-type': 'application/json',
  }
  return injectWith(app, 'POST', url, base, headers, body)
}
