/**
 * The admin API in-process (src/families/admin tests): a test app with an admin token, and one
 * request to the admin API with that token's Bearer header (or other headers), its body as JSON.
 */
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createTestApp, type TestApp } from './app.js'

export const ADMIN_TOKEN = 'admin-token-for-tests-0001'
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  authorization: `Bearer ${ADMIN_TOKEN}`,
}

/** A test app with the admin API on (INLET_ADMIN_TOKEN), `env` on top. */
export function adminApp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN, ...env })
}

/** `method url` on the admin API, `body` sent as JSON when given. */
export function admin(
  app: TestApp,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = ADMIN_HEADERS,
): Promise<LightMyRequestResponse> {
  return app.app.inject({
    method,
    url,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
}
