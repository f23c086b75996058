/**
 * File Imports in tests (src/families/file-imports): an app with the admin API on and a temporary
 * directory that `file:` sources may be read from, an import defined through the admin API, and
 * the three endpoints with their credentials (Basic with the Data key, `MOE-APPKEY`).
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { admin, adminApp } from './admin.js'
import { API_KEY, WORKSPACE_ID, basicAuth, type TestApp } from './app.js'
import { tempDir } from './server.js'

export const FILE_IMPORTS = '/v1.0/data/fileimports'

export const FILE_IMPORT_HEADERS: Readonly<Record<string, string>> = {
  authorization: basicAuth(WORKSPACE_ID, API_KEY),
  'moe-appkey': WORKSPACE_ID,
  'content-type': 'application/json',
}

export type FileImportsApp = TestApp & Readonly<{ dir: string }>

/** An app whose `file:` sources may be under `dir` (INLET_SEGMENT_FILE_DIR), `env` on top. */
export async function fileImportsApp(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<FileImportsApp> {
  const dir = tempDir(t, 'inlet-file-imports-')
  const app = await adminApp(t, { INLET_SEGMENT_FILE_DIR: dir, ...env })
  return Object.assign(app, { dir })
}

/** Writes `text` to `name` under the app's directory; its `file:` URL. */
export function writeSource(app: FileImportsApp, name: string, text: string): string {
  const file = join(app.dir, name)
  writeFileSync(file, text)
  return pathToFileURL(file).href
}

/** Defines an import through the admin API; its `import_id`. */
export async function defineImport(app: TestApp, body: Record<string, unknown>): Promise<string> {
  const res = await admin(
    app,
    'POST',
    `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/file-imports`,
    body,
  )
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ import: { import_id: string } }>().import.import_id
}

/** POST `path` (under /v1.0/data/fileimports) with `body` and the File Imports credentials. */
export function fileImportsPost(
  app: TestApp,
  path: string,
  body?: unknown,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<LightMyRequestResponse> {
  const all: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...FILE_IMPORT_HEADERS, ...headers })) {
    if (v !== undefined) all[k] = v
  }
  return app.app.inject({
    method: 'POST',
    url: path.startsWith('/') ? path : `${FILE_IMPORTS}/${path}`,
    headers: all,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
}
