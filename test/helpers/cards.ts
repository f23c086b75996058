/**
 * The Cards family in-process (src/families/cards tests, its conformance replay, the isolation
 * walk): a test app with the admin API on, a `reports` key set for the seeded workspace, users
 * made through the Data API, card campaigns defined and sent through the admin API, and one
 * `POST /v1/cards/fetch` or `DELETE /v1/cards/delete` with the Cards credentials and MOE-APPKEY.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { ADMIN_TOKEN, admin } from './admin.js'
import { WORKSPACE_ID, basicAuth, createTestApp, injectWith, type TestApp } from './app.js'
import type { Store } from '../../src/store/store.js'

export const REPORTS_KEY = 'test-reports-key-00001'
export const CARDS_BASE = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`
export const CARDS_AUTH = basicAuth(WORKSPACE_ID, REPORTS_KEY)

/** A campaign of the tests: to john and mary on Android and iOS. */
export const DEMO_CARD_CAMPAIGN = {
  campaign_id: '6516b30d2712560fdfae50c3',
  name: 'Diwali offers',
  platforms: ['ANDROID', 'IOS'],
  category: 'Announcements',
  audience: { type: 'users', customer_ids: ['john', 'mary'] },
  template: {
    title: "Hi {{UserAttribute['First Name']|default('there')}}",
    message: '20% off today',
    image_url: 'https://shop.example/diwali.png',
    buttons: [{ text: 'Shop', action: { type: 'deepLink', value: 'shop://offers' } }],
    action: { type: 'screenName', value: 'Offers', kv_pairs: { from: 'card' } },
  },
}

/** A test app with the admin API on, a `reports` key, users john and mary; on `store` if given. */
export async function cardsApp(
  t: TestContext,
  env: Record<string, string> = {},
  store?: Store,
): Promise<TestApp> {
  const app = await createTestApp(
    t,
    { INLET_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    store === undefined ? {} : { store },
  )
  const key = await admin(app, 'POST', `${CARDS_BASE}/keys/reports`, { api_key: REPORTS_KEY })
  assert.equal(key.statusCode, 200, key.body)
  for (const [id, name] of [
    ['john', 'John'],
    ['mary', 'Mary'],
  ] as const) {
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: id,
      attributes: { first_name: name, email: `${id}@shop.example` },
    })
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
  return app
}

/** Defines (or replaces) a card campaign through the admin API, then sends it. */
export async function sendCampaign(
  app: TestApp,
  campaign: Readonly<Record<string, unknown>> = DEMO_CARD_CAMPAIGN,
): Promise<Record<string, unknown>> {
  const put = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns`, campaign)
  assert.equal(put.statusCode, 200, put.body)
  const id = put.json<{ campaign: { campaign_id: string } }>().campaign.campaign_id
  const sent = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns/${id}/send`, {})
  assert.equal(sent.statusCode, 200, sent.body)
  await app.drain()
  return sent.json<{ sent: Record<string, unknown> }>().sent
}

/** A Cards request with the Cards credentials; `headers` on top (undefined removes one). */
export function cardsRequest(
  app: TestApp,
  method: 'POST' | 'DELETE',
  url: string,
  body: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> {
  const base = {
    authorization: CARDS_AUTH,
    'moe-appkey': WORKSPACE_ID,
    'content-type': 'application/json',
  }
  return injectWith(app, method, url, base, headers, body)
}

export const fetchCards = (
  app: TestApp,
  body: unknown,
  query = '',
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> =>
  cardsRequest(app, 'POST', `/v1/cards/fetch${query}`, body, headers)

export const deleteCards = (
  app: TestApp,
  body: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> => cardsRequest(app, 'DELETE', '/v1/cards/delete', body, headers)
