// File Imports (spec §7.9) end to end in process: imports defined through the admin API, the
// trigger with its one-per-five-minutes rule on the manual clock, the runner importing a real CSV
// from the allowed directory and from an HTTP server on 127.0.0.1 through the import code of
// `inlet import` (Get User finds the users), the status and run-history answers, and every
// documented error body: 400s of both shapes, 401s, 403, 405, 415 (history's own field).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admin } from '../../../test/helpers/admin.js'
import { START_TIME, WORKSPACE_ID } from '../../../test/helpers/app.js'
import {
  FILE_IMPORTS,
  defineImport,
  fileImportsApp,
  fileImportsPost,
  writeSource,
  type FileImportsApp,
} from '../../../test/helpers/file-imports.js'
import { startFileServer } from '../../../test/helpers/file-server.js'

const USERS_CSV = 'customer_id,first_name,age\nann,Ann,31\nbob,Bob,42\n'
const ADMIN_IMPORTS = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/file-imports`
const MINUTE = 60_000

/** An import of USERS_CSV from the allowed directory, run on the API's trigger only. */
async function usersImport(app: FileImportsApp, name = 'Users'): Promise<string> {
  const source = writeSource(app, `${name}.csv`, USERS_CSV)
  return defineImport(app, {
    name,
    source,
    type: 'users',
    schedule: { type: 'PERIODIC', daily_at: '23:00' },
  })
}

describe('File Imports: trigger', () => {
  it('queues a run, and refuses a second trigger within five minutes', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    const first = await fileImportsPost(app, `trigger/${id}`)
    assert.equal(first.statusCode, 200, first.body)
    assert.deepEqual(first.json(), { status: 'success', message: 'Triggered Import Successfully' })
    app.clock.advance(5 * MINUTE - 1)
    const again = await fileImportsPost(app, `/v1/fileimports/trigger/${id}`)
    assert.equal(again.statusCode, 400)
    assert.deepEqual(again.json(), {
      status: 'fail',
      error_type: 'ALREADY_EXISTS',
      message: 'Import has run in the last 5 min.',
    })
    app.clock.advance(1)
    assert.equal((await fileImportsPost(app, `/v1/fileimports/trigger/${id}`)).statusCode, 200)
    const runs = await app.store.fileImports.runs(WORKSPACE_ID, id, 10)
    assert.deepEqual(
      runs.map((r) => [r.state, r.origin]),
      [
        ['QUEUED', 'api'],
        ['QUEUED', 'api'],
      ],
    )
  })

  it('answers the documented 400 for an unknown or removed import', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    const removed = await admin(app, 'POST', `${ADMIN_IMPORTS}/remove`, { import_id: id })
    assert.equal(removed.json<{ removed: boolean }>().removed, true)
    for (const target of [id, 'nope']) {
      const res = await fileImportsPost(app, `trigger/${target}`)
      assert.equal(res.statusCode, 400)
      assert.deepEqual(res.json(), {
        status: 'fail',
        error_type: 'NOT_FOUND',
        message: 'This import is either deleted or expired.',
      })
    }
  })

  it('answers the documented 401s, 403 and 405', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    const missing = await fileImportsPost(app, `trigger/${id}`, undefined, {
      'moe-appkey': undefined,
    })
    assert.equal(missing.statusCode, 401)
    assert.deepEqual(missing.json(), {
      title: 'HeaderMissing',
      description: 'MOE-APPKEY is missing in Header',
    })
    const mismatch = await fileImportsPost(app, `trigger/${id}`, undefined, {
      'moe-appkey': 'OTHERWORKSPACE000001',
    })
    assert.equal(mismatch.statusCode, 401)
    assert.deepEqual(mismatch.json(), {
      title: 'HeaderMismatch',
      description:
        "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization",
    })
    const wrong = await fileImportsPost(app, `trigger/${id}`, undefined, {
      authorization: `Basic ${Buffer.from(`${WORKSPACE_ID}:wrong-key`).toString('base64')}`,
    })
    assert.equal(wrong.statusCode, 401)
    assert.deepEqual(wrong.json(), {
      title: 'AuthenticationInvalid',
      description:
        "Password (APP_KEY) doesn't match the one available on the dashboard. Kindly ensure the same APP_KEY available on the dashboard is used.",
    })
    const get = await app.app.inject({ method: 'GET', url: `${FILE_IMPORTS}/import/status` })
    assert.equal(get.statusCode, 405)
    assert.deepEqual(get.json(), { status: 'fail', message: 'Method not allowed' })
    await app.store.workspaces.update(WORKSPACE_ID, { state: 'suspended', updatedAt: START_TIME })
    const blocked = await fileImportsPost(app, `trigger/${id}`)
    assert.equal(blocked.statusCode, 403)
    const body = blocked.json<{ status: string; error: Record<string, unknown> }>()
    assert.equal(body.status, 'fail')
    assert.equal(body.error['type'], 'BlockedClient')
    assert.equal(body.error['message'], 'Your account is suspended. Please contact MoEngage team.')
  })
})

describe('File Imports: runs', () => {
  it('imports a CSV from the allowed directory; status and history report it', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    assert.equal((await fileImportsPost(app, `trigger/${id}`)).statusCode, 200)
    app.clock.advance(1000)
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    const ann = await app.getUser('ann')
    assert.equal(ann?.['first_name'], 'Ann')
    assert.equal(ann?.['age'], 31)
    assert.equal((await app.getUser('bob'))?.['first_name'], 'Bob')

    const status = await fileImportsPost(app, 'import/status', {})
    assert.equal(status.statusCode, 200, status.body)
    const answer = status.json<{ total_count: number; data: Record<string, unknown>[] }>()
    assert.equal(answer.total_count, 1)
    assert.deepEqual(
      { ...answer.data[0], created_at: undefined, last_run_at: undefined },
      {
        import_id: id,
        import_name: 'Users',
        last_run_status: 'SUCCESSFUL',
        import_type: 'USERS',
        schedule_type: 'PERIODIC',
        import_source: 'SFTP',
        custom_segment_config: {},
        aux_data_config: {},
        total_files: 1,
        processed_files: 1,
        total_rows: 2,
        processed_rows: 2,
        created_at: undefined,
        last_run_at: undefined,
        next_scheduled_at: '2026-11-01T23:00:00.000000',
        created_by_email: '',
        status: 'SCHEDULED',
        time_zone: 'UTC',
      },
    )
    assert.equal(answer.data[0]?.['created_at'], '2026-11-01T10:00:00.000000')

    const history = await fileImportsPost(app, 'import/run/history', { import_name: 'Users' })
    assert.equal(history.statusCode, 200, history.body)
    const runs = history.json<{ data: Record<string, unknown>[]; more_files: string }>()
    assert.equal(runs.more_files, 'false')
    assert.deepEqual(
      {
        ...runs.data[0],
        id: undefined,
      },
      {
        id: undefined,
        file_name: 'Users.csv',
        scheduled_at: '2026-11-01T10:00:00.000000',
        completed_at: '2026-11-01T10:00:01.000000',
        type: 'USERS',
        file_size: String(Buffer.byteLength(USERS_CSV)),
        file_status: 'SUCCESSFUL',
        status_msg: '',
        total_rows: 2,
        skipped_rows: 0,
        updated_rows: 0,
        failed_rows: 0,
        aux_data_added_count: 0,
        aux_data_failed_count: 0,
        added_rows: 2,
      },
    )
  })

  it('rejects bad rows with their reasons: PARTIAL_SUCCESS', async (t) => {
    const app = await fileImportsApp(t)
    const source = writeSource(app, 'mixed.csv', 'customer_id,first_name\nann,Ann\n,Nobody\n')
    const id = await defineImport(app, { name: 'Mixed', source, type: 'users' })
    // ONETIME: queued by the runner at once, without a trigger.
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    const [run] = await app.store.fileImports.runs(WORKSPACE_ID, id, 1)
    assert.equal(run?.state, 'PARTIAL_SUCCESS')
    assert.equal(run?.accepted, 1)
    assert.equal(run?.rejected, 1)
    assert.match(run?.statusMsg ?? '', /1 of 2 rows rejected; row 2: customer_id is empty/)
    assert.equal((await app.getUser('ann'))?.['first_name'], 'Ann')
    // A ONETIME import runs once: nothing more is queued.
    app.clock.advance(86_400_000)
    assert.equal(await app.fileImportRunner.runOnce(), 0)
  })

  it('imports from an HTTP server, and refuses a private address unless allowed', async (t) => {
    const server = await startFileServer(t)
    server.serve('/users.csv', USERS_CSV)
    const allowed = await fileImportsApp(t, { INLET_SEGMENT_FETCH_PRIVATE: 'true' })
    const id = await defineImport(allowed, {
      name: 'Remote',
      source: `${server.url}/users.csv`,
      type: 'users',
    })
    assert.equal(await allowed.fileImportRunner.runOnce(), 1)
    assert.equal((await allowed.getUser('bob'))?.['age'], 42)
    const [run] = await allowed.store.fileImports.runs(WORKSPACE_ID, id, 1)
    assert.equal(run?.state, 'SUCCESSFUL')
    assert.equal(server.gets('/users.csv'), 1)

    const refused = await fileImportsApp(t)
    const other = await defineImport(refused, {
      name: 'Remote',
      source: `${server.url}/users.csv`,
      type: 'users',
    })
    assert.equal(await refused.fileImportRunner.runOnce(), 1)
    const [failed] = await refused.store.fileImports.runs(WORKSPACE_ID, other, 1)
    assert.equal(failed?.state, 'FAILED')
    assert.match(failed?.statusMsg ?? '', /private address/)
    assert.equal(server.gets('/users.csv'), 1)
  })

  it('runs a directory: one file run per file of the format, in name order', async (t) => {
    const app = await fileImportsApp(t)
    writeSource(app, 'b.csv', 'customer_id,city\nbob,Oslo\n')
    writeSource(app, 'a.csv', 'customer_id,city\nann,Rome\n')
    writeSource(app, 'notes.txt', 'not imported')
    const id = await defineImport(app, {
      name: 'Folder',
      source: new URL(`file://${app.dir}/`).href,
      type: 'users',
      schedule: { type: 'PERIODIC', interval_minutes: 60 },
    })
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    assert.equal(await app.fileImportRunner.runOnce(), 0)
    const runs = await app.store.fileImports.runs(WORKSPACE_ID, id, 10)
    assert.deepEqual(runs.map((r) => r.state).sort(), ['SUCCESSFUL', 'SUCCESSFUL'])
    assert.equal((await app.getUser('ann'))?.['city'], 'Rome')
    assert.equal((await app.getUser('bob'))?.['city'], 'Oslo')
    // The next hour's occurrence is queued once the clock reaches it.
    app.clock.advance(60 * MINUTE)
    assert.equal(await app.fileImportRunner.runOnce(), 1)
    assert.equal((await app.store.fileImports.runs(WORKSPACE_ID, id, 10)).length, 4)
  })
})

describe('File Imports: admin definitions', () => {
  it('lists, reads, updates and removes; refuses sources outside the rules', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    const listed = await admin(app, 'GET', ADMIN_IMPORTS)
    assert.deepEqual(
      listed.json<{ imports: { import_id: string }[] }>().imports.map((i) => i.import_id),
      [id],
    )
    const updated = await admin(app, 'POST', `${ADMIN_IMPORTS}/${id}`, {
      name: 'Users v2',
      source: writeSource(app, 'v2.csv', USERS_CSV),
      type: 'users',
      datetime_columns: ['signup'],
    })
    assert.equal(updated.statusCode, 200, updated.body)
    const read = await admin(app, 'GET', `${ADMIN_IMPORTS}/${id}`)
    const view = read.json<{ import: Record<string, unknown> }>().import
    assert.equal(view['name'], 'Users v2')
    assert.equal(view['version'], 2)
    assert.deepEqual(view['datetime_columns'], ['signup'])
    const unknown = await admin(app, 'GET', `${ADMIN_IMPORTS}/nope`)
    assert.equal(unknown.statusCode, 404)
    for (const [source, reason] of [
      ['file:///etc/passwd', /not under INLET_SEGMENT_FILE_DIR/],
      ['ftp://example.com/a.csv', /scheme ftp:/],
      ['https://user:pw@example.com/a.csv', /credentials/],
    ] as const) {
      const res = await admin(app, 'POST', ADMIN_IMPORTS, { name: 'Bad', source, type: 'users' })
      assert.equal(res.statusCode, 400, source)
      assert.match(res.body, reason)
    }
    const badSchedule = await admin(app, 'POST', ADMIN_IMPORTS, {
      name: 'Bad',
      source: 'https://example.com/a.csv',
      type: 'users',
      schedule: { type: 'PERIODIC', interval_minutes: 1 },
    })
    assert.equal(badSchedule.statusCode, 400)
    assert.equal(
      (await admin(app, 'POST', `${ADMIN_IMPORTS}/remove`, { import_id: id })).statusCode,
      200,
    )
    assert.equal((await admin(app, 'GET', `${ADMIN_IMPORTS}/${id}`)).statusCode, 404)
  })
})

describe('File Imports: status and run history bodies', () => {
  it('filters and pages; answers the documented 400s', async (t) => {
    const app = await fileImportsApp(t)
    const id = await usersImport(app)
    const filtered = await fileImportsPost(app, 'import/status', {
      import_type: ['EVENTS'],
      offset: '1',
    })
    assert.equal(filtered.json<{ total_count: number }>().total_count, 0)
    const dated = await fileImportsPost(app, 'import/status', {
      date: { start_date: '01/11/2026', end_date: '01/11/2026', format: 'DD/MM/YYYY' },
      schedule_type: 'PERIODIC',
    })
    assert.equal(dated.json<{ total_count: number }>().total_count, 1)

    const failure = (error_type: string, message: string) => ({
      status: 'FAILURE',
      error_type,
      message,
    })
    const cases: [string, unknown, number, unknown][] = [
      [
        'import/status',
        { date: { start_date: '2026-11-01', end_date: '01/11/2026', format: 'YYYY-MM-DD' } },
        400,
        failure(
          'Invalid Date format',
          "The provided date format is either incorrect or doesn't match the entered dates. Please ensure both the dates and the format are valid.",
        ),
      ],
      [
        'import/status',
        { date: { start_date: '2026-10-01', end_date: '2026-11-01', format: 'YYYY-MM-DD' } },
        400,
        failure(
          'Difference exceeds 30 days',
          'Please note that only imports with a date difference of 30 can be displayed. Kindly adjust the dates accordingly.',
        ),
      ],
      [
        'import/status',
        { offset: 0 },
        400,
        failure(
          'Invalid Offset Value',
          'The offset value you have provided is not valid. Please review and correct the offset.',
        ),
      ],
      [
        'import/status',
        { offset: 2 },
        400,
        failure(
          'Invalid Offset Value',
          'The offset value you have provided is not valid. Please review and correct the offset.',
        ),
      ],
      [
        'import/status',
        { import_type: ['users'] },
        400,
        { success: false, status_code: '400 Bad Request', data: 'Unable to process the request' },
      ],
      [
        'import/run/history',
        {},
        400,
        failure(
          "Import Doesn't Exist",
          'No import exist in the database with the given query parameters.',
        ),
      ],
      [
        'import/run/history',
        { import_id: 'nope', import_name: 'Users' },
        400,
        failure(
          "Import Doesn't Exist",
          'No import exist in the database with the given query parameters.',
        ),
      ],
      [
        'import/run/history',
        { import_id: id, date: { start_date: 'x', end_date: 'y', format: 'YYYY-MM-DD' } },
        400,
        failure(
          'Invalid Date format',
          'The date entered is not in the correct format. Please ensure you are using the ISO 8601 format which should look like this: YYYY-MM-DDTHH:MM:SS.ssssss. Please check this and try again.',
        ),
      ],
      [
        'import/run/history',
        { import_id: id, file_status: ['DONE'] },
        400,
        { success: false, status_code: '400 Bad Request', data: 'Unable to process the request' },
      ],
    ]
    for (const [path, body, status, expected] of cases) {
      const res = await fileImportsPost(app, path, body)
      assert.equal(res.statusCode, status, `${path} ${JSON.stringify(body)}: ${res.body}`)
      assert.deepEqual(res.json(), expected, `${path} ${JSON.stringify(body)}`)
    }
    const history = await fileImportsPost(app, 'import/run/history', { import_id: id })
    assert.deepEqual(history.json(), {
      status: 'success',
      total_count: 0,
      data: [],
      offset: 1,
      more_files: 'false',
    })
  })

  it('answers 415 without a JSON Content-Type (run history in its own field)', async (t) => {
    const app = await fileImportsApp(t)
    const status = await fileImportsPost(app, 'import/status', {}, { 'content-type': 'text/plain' })
    assert.equal(status.statusCode, 415)
    assert.deepEqual(status.json(), {
      title: 'Unsupported media type',
      description: 'Content type is not supported',
    })
    const history = await fileImportsPost(
      app,
      'import/run/history',
      { import_name: 'x' },
      { 'content-type': 'text/plain' },
    )
    assert.equal(history.statusCode, 415)
    assert.deepEqual(history.json(), {
      title: 'Unsupported media type',
      error_description: 'Content type is not supported',
    })
  })
})
