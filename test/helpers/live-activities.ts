/**
 * The Live Activities family in-process (src/families/live-activities tests, its conformance
 * replay): a test app with the admin API on, a Push key set for the seeded workspace, campaigns
 * defined through the admin API, and one `POST /v1.0/live-activity/broadcast/<action>` with the
 * Push credentials and X-MOE-APPKEY.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { admin, adminApp } from './admin.js'
import { WORKSPACE_ID, basicAuth, injectWith, type TestApp } from './app.js'

export const PUSH_KEY = 'test-push-key-000001'
export const LA_BASE = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`
export const PUSH_AUTH = basicAuth(WORKSPACE_ID, PUSH_KEY)

/** The campaign of the tests: the OpenAPI file's example id. */
export const DEMO_CAMPAIGN = {
  campaign_id: '6840f2a1c3b5d7e9f1a2b3c4',
  name: 'Cricket final',
  attribute_type: 'LiveActivityAttributes',
}

/** A test app with the admin API on, a Push key, and `campaigns` defined (DEMO_CAMPAIGN by default). */
export async function liveActivityApp(
  t: TestContext,
  options: Readonly<{ campaigns?: readonly unknown[]; env?: Record<string, string> }> = {},
): Promise<TestApp> {
  const app = await adminApp(t, options.env)
  const key = await admin(app, 'POST', `${LA_BASE}/keys/push`, { api_key: PUSH_KEY })
  assert.equal(key.statusCode, 200, key.body)
  for (const campaign of options.campaigns ?? [DEMO_CAMPAIGN]) await defineCampaign(app, campaign)
  return app
}

/** Defines (or replaces) a live-activity campaign through the admin API. */
export async function defineCampaign(app: TestApp, campaign: unknown): Promise<void> {
  const res = await admin(app, 'POST', `${LA_BASE}/live-activities`, campaign)
  assert.equal(res.statusCode, 200, res.body)
}

/** `POST /v1.0/live-activity/broadcast/<action>` with the Push credentials; `headers` on top. */
export function broadcastRequest(
  app: TestApp,
  action: 'start' | 'update' | 'end',
  body: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> {
  const base = {
    authorization: PUSH_AUTH,
    'x-moe-appkey': WORKSPACE_ID,
    'content-type': 'application/json',
  }
  return injectWith(app, 'POST', `/v1.0/live-activity/broadcast/${action}`, base, headers, body)
}

/** A start request's body for DEMO_CAMPAIGN; `ios` fields and top-level fields on top. */
export function startBody(
  top: Record<string, unknown> = {},
  ios: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    broadcast_live_activity_id: DEMO_CAMPAIGN.campaign_id,
    ios: {
      attribute_type: DEMO_CAMPAIGN.attribute_type,
      attribute_info: { match: 'IND vs AUS' },
      content_state: { score: '0/0' },
      alert: { title: 'Match started', body: 'IND vs AUS is live' },
      ...ios,
    },
    ...top,
  }
}

/** An update (or end) request's body for DEMO_CAMPAIGN. */
export function changeBody(
  top: Record<string, unknown> = {},
  ios: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    broadcast_live_activity_id: DEMO_CAMPAIGN.campaign_id,
    ios: {
      content_state: { score: '120/3' },
      alert: { title: 'Score', body: 'IND 120/3' },
      ...ios,
    },
    ...top,
  }
}
