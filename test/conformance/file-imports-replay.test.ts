/**
 * Conformance of File Imports (spec §7.9) against every example MoEngage publishes for it: the
 * OpenAPI file's request and response examples of trigger, status and run history
 * (test/fixtures/moengage/moengage-data-openapi.yml), the Postman collection's requests and saved
 * responses (moengage-data.postman_collection.json) and the JSON bodies of spec §7.9 itself
 * (moengage-data-api.md), replayed against a real Inlet in process. Every documented error body
 * and the trigger's 200 are produced verbatim, but for their request ids (a 403's and 429's
 * `error.request_id`, a 500's `code`: each request's own, spec §4.1); the status and run-history
 * 200s, whose examples carry MoEngage's ids, times, time zone and aux-data imports, are compared by
 * shape and by the fields Inlet documents; each request example gets its pinned answer.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { parseDocument } from 'yaml'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { fileImportsEnvelope } from '../../src/http/envelopes.js'
import { START_TIME, WORKSPACE_ID, basicAuth, spendMinuteQuota } from '../helpers/app.js'
import {
  FILE_IMPORTS,
  defineImport,
  fileImportsApp,
  fileImportsPost,
  writeSource,
  type FileImportsApp,
} from '../helpers/file-imports.js'
import type { OpenApi } from '../helpers/replay.js'

const FIXTURES = new URL('../fixtures/moengage/', import.meta.url)
const read = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

// The published file has an unterminated quoted string in `components` (a DeviceRequest
// description); the YAML library reports it and still builds `paths`.
const openApi = parseDocument(read('moengage-data-openapi.yml')).toJS() as OpenApi

type PostmanItem = {
  name: string
  item?: PostmanItem[]
  request?: {
    method: string
    url: { path?: string[]; variable?: { key: string; value: string }[] }
    body?: { raw?: string }
  }
  response?: { code: number; body?: string }[]
}
const postman = JSON.parse(read('moengage-data.postman_collection.json')) as { item: PostmanItem[] }

/** Spec §7.9, from its heading to the next section's. */
const SPEC = read('moengage-data-api.md')
const SECTION = SPEC.slice(SPEC.indexOf('### 7.9 '), SPEC.indexOf('### 7.10 '))

const PATHS = {
  trigger: '/fileimports/trigger/{schedule_id}',
  status: '/fileimports/import/status',
  history: '/fileimports/import/run/history',
} as const

type Documented = { where: string; status: number; body: unknown }

/** Every response example of the three paths in the OpenAPI file, by status. */
function openApiExamples(): Documented[] {
  return Object.values(PATHS).flatMap((path) =>
    Object.entries(openApi.paths[path]?.['post']?.responses ?? {}).flatMap(([status, response]) =>
      Object.entries(response.content?.['application/json']?.examples ?? {}).map(
        ([name, example]) => ({
          where: `openapi ${path} ${status} ${name}`,
          status: Number(status),
          body: example.value,
        }),
      ),
    ),
  )
}

function postmanItems(items: PostmanItem[]): PostmanItem[] {
  return items.flatMap((item) =>
    item.item !== undefined
      ? postmanItems(item.item)
      : (item.request?.url.path ?? []).includes('fileimports')
        ? [item]
        : [],
  )
}
const POSTMAN = postmanItems(postman.item)

/** The Postman collection's saved responses of the File Imports items. */
function postmanExamples(): Documented[] {
  return POSTMAN.flatMap((item) =>
    (item.response ?? []).map((r) => ({
      where: `postman ${item.name} ${r.code}`,
      status: r.code,
      body: JSON.parse(r.body ?? 'null') as unknown,
    })),
  )
}

/**
 * The JSON bodies written in spec §7.9, each with the status it follows; what is written between
 * braces but is not JSON (a field list) is returned apart.
 */
function specExamples(): { bodies: Documented[]; unparsed: string[] } {
  const bodies: Documented[] = []
  const unparsed: string[] = []
  let status = 0
  for (const m of SECTION.matchAll(/\b([1-5]\d\d)\b|`(\{[^`]*\})`/g)) {
    if (m[1] !== undefined) {
      status = Number(m[1])
      continue
    }
    const text = m[2] ?? ''
    // `{}` is the status body "allowed" empty: a request, replayed below.
    if (text === '{}') continue
    try {
      bodies.push({ where: `spec §7.9 ${status} ${text}`, status, body: JSON.parse(text) })
    } catch {
      unparsed.push(text.replace(/\s+/g, ' ').slice(0, 40))
    }
  }
  return { bodies, unparsed }
}

/**
 * A body as compared: the request id a 403 or 429 carries in `error.request_id` and a 500 in
 * `code` is each request's own (spec §4.1), so it stands as `<request id>` on both sides.
 */
function comparable(status: number, body: unknown): string {
  const copy = structuredClone(body) as Record<string, unknown>
  const error = copy['error'] as Record<string, unknown> | undefined
  if (typeof error === 'object' && typeof error['request_id'] === 'string') {
    error['request_id'] = '<request id>'
  }
  if (status >= 500 && typeof copy['code'] === 'string') copy['code'] = '<request id>'
  return `${status} ${JSON.stringify(copy)}`
}

const USERS_CSV = 'customer_id,first_name\nann,Ann\nbob,Bob\n'
const WRONG_KEY = basicAuth(WORKSPACE_ID, 'not-the-data-key')

/** An app with one import (PERIODIC, run only when triggered) of USERS_CSV: its id. */
async function withImport(t: TestContext): Promise<{ app: FileImportsApp; id: string }> {
  const app = await fileImportsApp(t)
  const id = await defineImport(app, {
    name: 'Users',
    source: writeSource(app, 'users.csv', USERS_CSV),
    type: 'users',
    schedule: { type: 'PERIODIC', daily_at: '23:00' },
  })
  return { app, id }
}

/** Inlet's answers to every condition the examples document, as compared. */
async function produceAll(t: TestContext): Promise<Map<string, string>> {
  const produced = new Map<string, string>()
  const record = (what: string, res: LightMyRequestResponse): void => {
    const body = JSON.parse(res.body) as unknown
    if (res.statusCode === 403 || res.statusCode === 429) {
      // The request id is Inlet's own: eight letters, as the 403 example's.
      const error = (body as { error: { request_id: string } }).error
      assert.match(error.request_id, /^[A-Za-z]{8}$/, what)
    }
    produced.set(comparable(res.statusCode, body), what)
  }
  const { app, id } = await withImport(t)
  record('trigger', await fileImportsPost(app, `trigger/${id}`))
  record('trigger again', await fileImportsPost(app, `trigger/${id}`))
  record('trigger unknown', await fileImportsPost(app, 'trigger/not-an-import'))
  for (const path of [`trigger/${id}`, 'import/status', 'import/run/history']) {
    const body = path.startsWith('import') ? { import_id: id } : undefined
    record(
      `${path} wrong key`,
      await fileImportsPost(app, path, body, { authorization: WRONG_KEY }),
    )
    record(
      `${path} no MOE-APPKEY`,
      await fileImportsPost(app, path, body, { 'moe-appkey': undefined }),
    )
    record(
      `${path} other MOE-APPKEY`,
      await fileImportsPost(app, path, body, { 'moe-appkey': 'OTHERWORKSPACE000001' }),
    )
    record(
      `${path} text/plain`,
      await fileImportsPost(app, path, body, { 'content-type': 'text/plain' }),
    )
  }
  record(
    'GET trigger',
    await app.app.inject({ method: 'GET', url: `${FILE_IMPORTS}/trigger/${id}` }),
  )
  record('no trigger id', await fileImportsPost(app, 'trigger'))
  record('other status path', await fileImportsPost(app, 'import/details', {}))
  const dates = (start: string, end: string, format: string) => ({
    date: { start_date: start, end_date: end, format },
  })
  for (const [path, body] of [
    ['import/status', dates('2026-11-01', '01/11/2026', 'YYYY-MM-DD')],
    ['import/status', dates('2026-10-01', '2026-11-01', 'YYYY-MM-DD')],
    ['import/status', { import_type: ['users'] }],
    ['import/status', { offset: 0 }],
    ['import/run/history', { import_id: 'not-an-import' }],
    ['import/run/history', { import_id: id, ...dates('2026-11-01', 'x', 'YYYY-MM-DD') }],
    // The import has one run: a second page is past it.
    ['import/run/history', { import_id: id, offset: 2 }],
  ] as const) {
    record(`${path} ${JSON.stringify(body)}`, await fileImportsPost(app, path, body))
  }
  for (const [path, quota] of [
    ['import/status', 'file_imports_status'],
    ['import/run/history', 'file_imports_history'],
  ] as const) {
    const limited = await fileImportsApp(t)
    await spendMinuteQuota(limited, quota, 50)
    record(`${path} past its quota`, await fileImportsPost(limited, path, { import_id: 'x' }))
  }
  await app.store.workspaces.update(WORKSPACE_ID, { state: 'suspended', updatedAt: START_TIME })
  record('trigger suspended', await fileImportsPost(app, `trigger/${id}`))
  // A 500 comes from the error handler alone (nothing in the family fails on purpose).
  for (const endpoint of ['file_imports', 'file_imports_status', 'file_imports_history']) {
    const { status, body } = failureBody(
      new AppError('internal'),
      { family: 'file_imports', endpoint },
      'GlQhUzvM',
      { file_imports: fileImportsEnvelope },
    )
    produced.set(comparable(status, body), `500 on ${endpoint}`)
  }
  return produced
}

/**
 * Documented bodies Inlet does not produce as they stand, each with why: the 200s of status and
 * run history (their values are MoEngage's: compared by shape below) and the spec's field lists.
 */
const SHAPE_ONLY = new Set([
  `openapi ${PATHS.status} 200 success_response`,
  `openapi ${PATHS.history} 200 success_response`,
  'postman Import Details 200',
  'postman Import File Run History 200',
])

describe('File Imports replays of spec §7.9, the OpenAPI file and the Postman collection', () => {
  it('produces every documented error body and the trigger 200 verbatim, request ids apart', async (t) => {
    const produced = await produceAll(t)
    const spec = specExamples()
    // What spec §7.9 writes between braces that is not a body: the status body's `date` field
    // list, and its 200's field list, which the OpenAPI example spells out (shape test below).
    assert.deepEqual(spec.unparsed, [
      '{start_date, end_date, format}',
      '{"status":"success","total_count":2,"dat',
    ])
    const documented = [...openApiExamples(), ...postmanExamples(), ...spec.bodies]
    assert.ok(documented.length >= 40, `${documented.length} examples read`)
    const missing = documented
      .filter((d) => !SHAPE_ONLY.has(d.where))
      .filter((d) => !produced.has(comparable(d.status, d.body)))
      .map((d) => `${d.where}: ${comparable(d.status, d.body)}`)
    assert.deepEqual(missing, [], `produced:\n${[...produced.keys()].join('\n')}`)
    // Every shape-only entry is a documented example.
    const wheres = new Set(documented.map((d) => d.where))
    assert.deepEqual(
      [...SHAPE_ONLY].filter((w) => !wheres.has(w)),
      [],
    )
  })

  it('answers status in the documented 200 shape, with the documented filters of the example', async (t) => {
    const app = await fileImportsApp(t)
    // The example's filters ask for imports created on 14/11/2024, named test_import.
    app.clock.set(Date.parse('2024-11-14T10:00:00Z'))
    await defineImport(app, {
      name: 'test_import',
      source: writeSource(app, 'test.csv', USERS_CSV),
      type: 'users',
      schedule: { type: 'PERIODIC', interval_minutes: 60 },
    })
    // Its first run, at once: it has a last run, and its next is an hour on.
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    const media = openApi.paths[PATHS.status]?.['post']?.requestBody?.content?.['application/json']
    const requests = media?.examples ?? {}
    assert.deepEqual(Object.keys(requests).sort(), ['all_the_filters_passed', 'no_filters_passed'])
    const example = openApi.paths[PATHS.status]?.['post']?.responses['200']?.content?.[
      'application/json'
    ]?.examples?.['success_response']?.value as {
      data: Record<string, unknown>[]
    } & Record<string, unknown>
    for (const [name, request] of Object.entries(requests)) {
      const res = await fileImportsPost(app, 'import/status', request.value)
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`)
      const answer = res.json<{ data: Record<string, unknown>[] } & Record<string, unknown>>()
      assert.deepEqual(Object.keys(answer), Object.keys(example), name)
      assert.deepEqual(
        [answer['status'], answer['total_count'], answer['offset'], answer['more_files']],
        ['success', 1, 1, false],
        name,
      )
      const [item] = answer.data
      assert.ok(item !== undefined)
      for (const documented of example.data) {
        // The same fields in the same order, each of the documented JSON type.
        assert.deepEqual(Object.keys(item), Object.keys(documented), name)
        for (const [key, value] of Object.entries(documented)) {
          assert.equal(typeof item[key], typeof value, `${name} ${key}`)
        }
      }
      // Times as the example writes them (UTC, microseconds); the documented values of the
      // enums. aux_data_config stays {}: Inlet has no aux-data imports (spec §7.9 import_type
      // AUX_DATA), and the time zone is UTC, in which Inlet runs every schedule.
      for (const key of ['created_at', 'last_run_at', 'next_scheduled_at']) {
        for (const value of [item[key], example.data[0]?.[key]]) {
          assert.match(String(value), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/, key)
        }
      }
      assert.deepEqual(
        {
          import_name: item['import_name'],
          import_type: item['import_type'],
          schedule_type: item['schedule_type'],
          import_source: item['import_source'],
          aux_data_config: item['aux_data_config'],
          time_zone: item['time_zone'],
          created_at: item['created_at'],
          last_run_status: item['last_run_status'],
          status: item['status'],
        },
        {
          import_name: 'test_import',
          import_type: 'USERS',
          schedule_type: 'PERIODIC',
          import_source: 'SFTP',
          aux_data_config: {},
          time_zone: 'UTC',
          created_at: '2024-11-14T10:00:00.000000',
          last_run_status: 'SUCCESSFUL',
          status: 'SCHEDULED',
        },
      )
    }
  })

  it('answers run history in the documented 200 shape', async (t) => {
    const { app, id } = await withImport(t)
    assert.equal((await fileImportsPost(app, `trigger/${id}`)).statusCode, 200)
    app.clock.advance(1_000)
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    const example = openApi.paths[PATHS.history]?.['post']?.responses['200']?.content?.[
      'application/json'
    ]?.examples?.['success_response']?.value as Record<string, unknown>
    // The example's `data` is malformed in the file: null, with its item's fields written as a
    // schema beside it (`items.properties`); its total_count is the string "1" where the schema
    // (FileRunHistoryResponse) says integer, which Inlet answers, as the status page's example.
    assert.equal(example['data'], null)
    const documented = (example['items'] as { properties: Record<string, unknown> }).properties
    const res = await fileImportsPost(app, 'import/run/history', { import_id: id })
    assert.equal(res.statusCode, 200, res.body)
    const answer = res.json<{ data: Record<string, unknown>[] } & Record<string, unknown>>()
    assert.deepEqual(Object.keys(answer), ['status', 'total_count', 'data', 'offset', 'more_files'])
    assert.deepEqual(
      [answer['status'], answer['total_count'], answer['offset'], answer['more_files']],
      [example['status'], Number(example['total_count']), example['offset'], example['more_files']],
    )
    const [item] = answer.data
    assert.ok(item !== undefined)
    assert.deepEqual(Object.keys(item), Object.keys(documented))
    for (const [key, value] of Object.entries(documented)) {
      assert.equal(typeof item[key], typeof value, key)
    }
    for (const key of ['scheduled_at', 'completed_at']) {
      for (const value of [item[key], documented[key]]) {
        assert.match(String(value), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/, key)
      }
    }
    // The documented fields as Inlet fills them: its users file, two rows added.
    assert.deepEqual(
      {
        file_name: item['file_name'],
        type: item['type'],
        file_size: item['file_size'],
        file_status: item['file_status'],
        status_msg: item['status_msg'],
        total_rows: item['total_rows'],
        failed_rows: item['failed_rows'],
        added_rows: item['added_rows'],
      },
      {
        file_name: 'users.csv',
        type: 'USERS',
        file_size: String(Buffer.byteLength(USERS_CSV)),
        file_status: 'SUCCESSFUL',
        status_msg: '',
        total_rows: 2,
        failed_rows: 0,
        added_rows: 2,
      },
    )
  })

  it("answers the Postman collection's requests as pinned", async (t) => {
    const { app } = await withImport(t)
    assert.deepEqual(
      POSTMAN.map((item) => item.name),
      ['Trigger File Imports', 'Import Details', 'Import File Run History'],
    )
    const unprocessable = {
      success: false,
      status_code: '400 Bad Request',
      data: 'Unable to process the request',
    }
    // Generated from the schemas, every value is a placeholder such as "<string>": the trigger's
    // id names no import, and status and run history refuse "<string>" as an enum value.
    const pinned: Record<string, unknown> = {
      'Trigger File Imports': {
        status: 'fail',
        error_type: 'NOT_FOUND',
        message: 'This import is either deleted or expired.',
      },
      'Import Details': unprocessable,
      'Import File Run History': unprocessable,
    }
    for (const item of POSTMAN) {
      const request = item.request
      assert.ok(request !== undefined)
      const vars = new Map((request.url.variable ?? []).map((v) => [v.key, v.value]))
      const path = (request.url.path ?? [])
        .map((p) => (p.startsWith(':') ? encodeURIComponent(vars.get(p.slice(1)) ?? '') : p))
        .join('/')
      const raw = request.body?.raw
      // The collection masks the credentials: the test workspace's are sent.
      const res = await fileImportsPost(
        app,
        `/${path}`,
        raw === undefined ? undefined : (JSON.parse(raw) as unknown),
      )
      assert.equal(res.statusCode, 400, `${item.name}: ${res.body}`)
      assert.deepEqual(res.json(), pinned[item.name], item.name)
    }
  })
})
