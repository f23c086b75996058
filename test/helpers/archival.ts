/**
 * Message Archival in-process (src/families/archival tests, its conformance replay): one
 * `POST /v1/archival/view` with the seeded workspace's Data credentials and MOE-APPKEY.
 */
import type { LightMyRequestResponse } from 'fastify'
import { WORKSPACE_ID, injectWith, type TestApp } from './app.js'

export const VIEW = '/v1/archival/view'

/** `POST /v1/archival/view` with `body` (JSON), the Data credentials and MOE-APPKEY; `headers` on top. */
export function view(
  app: TestApp,
  body: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> {
  const base = { ...app.headers, 'moe-appkey': WORKSPACE_ID }
  return injectWith(app, 'POST', VIEW, base, headers, body)
}
