/**
 * The consent family in-process (src/families/consent tests, conformance replays): a test app with
 * the admin API on, users made through Track User, categories defined through the admin API,
 * link tokens issued by it, and one request to a consent endpoint with the seeded workspace's
 * credentials and MOE-APPKEY.
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { admin, adminApp } from './admin.js'
import { WORKSPACE_ID, appKeyRequest, type TestApp } from './app.js'
import { TRACK, customer } from './data-api.js'

export const CATEGORIES = '/v1/category-subscription/user-preferences'
export const OPT_IN = '/v1.0/opt-in-management/user-preferences'
export const RESUBSCRIBE = '/emails/v1.0/bulk-resubscribe'
export const ADMIN_CATEGORIES = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-categories`

/** An app with the admin API on, `categories` defined (active) and `users` tracked and applied. */
export async function consentApp(
  t: TestContext,
  options: Readonly<{
    categories?: readonly string[]
    users?: Readonly<Record<string, Record<string, unknown>>>
    env?: Record<string, string>
  }> = {},
): Promise<TestApp> {
  const app = await adminApp(t, options.env)
  for (const name of options.categories ?? []) {
    const res = await admin(app, 'POST', ADMIN_CATEGORIES, { name })
    assert.equal(res.statusCode, 200, res.body)
  }
  for (const [id, attributes] of Object.entries(options.users ?? {})) {
    const res = await app.post(TRACK, customer(id, attributes))
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
  return app
}

/** Tokens for `customerId`'s preference page link (the admin API's subscription-links). */
export async function linkFor(
  app: TestApp,
  customerId: string,
  cid = 'campaign-1',
): Promise<{ user_id: string; cid: string }> {
  const res = await admin(
    app,
    'POST',
    `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-links`,
    { customer_id: customerId, cid },
  )
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ user_id: string; cid: string }>()
}

/** `method url` with the workspace's Basic auth and MOE-APPKEY (app.ts appKeyRequest). */
export const consent = appKeyRequest

/** The preference page's query string for `link`. */
export const pageUrl = (link: { user_id: string; cid: string }): string =>
  `${CATEGORIES}?user_id=${encodeURIComponent(link.user_id)}&cid=${encodeURIComponent(link.cid)}`
