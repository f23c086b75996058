/**
 * File segments (Segments v2) end to end over a real local HTTP server: a create answers 202 and
 * makes an empty segment at once; the import, run after the answer, matches each value to one
 * user (unmatched and ambiguous values counted), and the callback gets the documented body; add,
 * remove and replace; downloads retried with backoff and callbacks too; the URL policy (schemes,
 * `file:` under the allowed directory only, private addresses and names resolving to them refused
 * without INLET_SEGMENT_FETCH_PRIVATE); the size limit enforced while streaming; a job that
 * survives a restart and one claimed twice at once running once; archive and unarchive; the
 * segments listed, counted and paged by the v3 routes; the documented errors.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { pathToFileURL } from 'node:url'
import {
  createFileImports,
  IMPORT_FAILURES,
  IMPORT_RETENTION_MS,
  PRUNE_EVERY_MS,
  RETRY_BASE_MS,
} from './file-imports.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { silentLogger } from '../../core/log.js'
import {
  WORKSPACE_ID,
  appKeyRequest,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/app.js'
import { TRACK, customer } from '../../../test/helpers/data-api.js'
import { startFileServer, type FileServer } from '../../../test/helpers/file-server.js'

const FILE_SEGMENT = '/v2/custom-segments/file-segment'
const PRIVATE_OK = { INLET_SEGMENT_FETCH_PRIVATE: 'true' }

type Accepted = { message: string; success: boolean; cs_name: string; cs_id: string }

const USERS: Record<string, Record<string, unknown>> = {
  ann: { email: 'ann@example.com', plan: 'gold', score: 7 },
  bob: { email: 'bob@example.com', plan: 'gold', score: 8 },
  cy: { email: 'cy@example.com', plan: 'silver', score: 8 },
  dee: { email: 'shared@example.com' },
  eve: { email: 'shared@example.com' },
}

async function usersApp(t: TestContext, env: Record<string, string> = PRIVATE_OK) {
  const app = await createTestApp(t, env)
  for (const [id, attributes] of Object.entries(USERS)) {
    assert.equal((await app.post(TRACK, customer(id, attributes))).statusCode, 200)
  }
  await app.drain()
  return app
}

const createBody = (files: FileServer, file: string, more: Record<string, unknown> = {}) => ({
  name: 'from file',
  attribute_name: 'ID',
  attribute_type: 'string',
  file_url: `${files.url}${file}`,
  callback_url: `${files.url}/callback`,
  emails: ['ops@example.com'],
  expiry_time: 30,
  ...more,
})

async function members(app: TestApp, id: string): Promise<string[]> {
  const res = await appKeyRequest(app, 'GET', `/v3/custom-segments/${id}/users?limit=1000`)
  assert.equal(res.statusCode, 200, res.body)
  return res
    .json<{ data: { customer_id: string }[] }>()
    .data.map((m) => m.customer_id)
    .sort()
}

async function count(app: TestApp, id: string): Promise<number> {
  const res = await appKeyRequest(app, 'GET', `/v3/custom-segments/${id}/count`)
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ data: { count: number } }>().data.count
}

async function create(app: TestApp, body: unknown): Promise<Accepted> {
  const res = await appKeyRequest(app, 'POST', FILE_SEGMENT, body)
  assert.equal(res.statusCode, 202, res.body)
  return res.json<Accepted>()
}

describe('file segments', () => {
  it('creates an empty segment at once, imports after the answer and calls back', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/users.csv', 'ID\nann\nbob\nnobody\n\nann,extra\n')
    const res = await appKeyRequest(app, 'POST', FILE_SEGMENT, createBody(files, '/users.csv'))
    assert.equal(res.statusCode, 202, res.body)
    const body = res.json<Accepted>()
    assert.deepEqual(body, {
      message: 'File-segment creation request accepted',
      success: true,
      cs_name: 'from file',
      cs_id: body.cs_id,
    })
    assert.match(body.cs_id, /^[0-9a-f]{24}$/)
    assert.equal(files.gets('/users.csv'), 0) // nothing fetched before the answer
    assert.equal(await count(app, body.cs_id), 0)
    const listed = await appKeyRequest(app, 'GET', '/v3/custom-segments')
    assert.deepEqual(
      listed.json<{ data: Record<string, unknown>[] }>().data.map((s) => ({
        ...s,
        created_time: typeof s['created_time'],
      })),
      [{ name: 'from file', id: body.cs_id, created_time: 'string', type: 'FILE', source: 'API' }],
    )
    assert.equal(await app.fileImports.runDue(), 2) // the import, then its callback
    assert.deepEqual(await members(app, body.cs_id), ['ann', 'bob'])
    assert.deepEqual(files.callbacks('/callback'), [
      {
        db_name: WORKSPACE_ID,
        segment_name: 'from file',
        request_id: (await app.store.segmentLists.latestJobs(WORKSPACE_ID))[0]?.id,
        status: 201,
        values_found: 4,
        values_processed: 3,
        user_count: 2,
        values_unmatched: 1,
        values_ambiguous: 0,
      },
    ])
    assert.equal(await app.fileImports.runDue(), 0) // nothing left, nothing run twice
  })

  it('runs the jobs by itself once started, and stops', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/users.csv', 'ID\nann\ncy\n')
    app.fileImports.start()
    t.after(() => app.fileImports.stop())
    const { cs_id } = await create(app, createBody(files, '/users.csv'))
    const until = Date.now() + 10_000
    while (files.callbacks('/callback').length === 0) {
      assert.ok(Date.now() < until, 'the started runner never ran the import')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.deepEqual(await members(app, cs_id), ['ann', 'cy'])
    await app.fileImports.stop()
    files.serve('/more.csv', 'ID\nbob\n')
    const more = await create(app, createBody(files, '/more.csv', { name: 'after stop' }))
    await new Promise((resolve) => setTimeout(resolve, 1_500)) // past a poll: stopped, none runs
    assert.equal(files.gets('/more.csv'), 0)
    assert.equal(await count(app, more.cs_id), 0)
  })

  it('matches by an attribute, counting values that name no user or more than one', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/emails.csv', 'ann@example.com\nshared@example.com\nzed@example.com\n')
    const { cs_id: id } = await create(
      app,
      createBody(files, '/emails.csv', { attribute_name: 'email' }),
    )
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), ['ann'])
    const [job] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.equal(job?.unmatched, 1)
    assert.equal(job?.ambiguous, 1)
    assert.equal(job?.userCount, 1)
  })

  it('matches a double attribute by its number', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/scores.csv', '8.0\nnot a number\n')
    const { cs_id: id } = await create(
      app,
      createBody(files, '/scores.csv', { attribute_name: 'score', attribute_type: 'double' }),
    )
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), []) // 8 names two users: ambiguous
    const [job] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.deepEqual([job?.valuesProcessed, job?.ambiguous], [1, 1])
    files.serve('/seven.csv', '7\n')
    await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/add-users`, {
      ...createBody(files, '/seven.csv', { attribute_name: 'score', attribute_type: 'double' }),
      cs_id: id,
    })
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), ['ann'])
  })

  it('adds, removes and replaces users, in the order asked', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    files.serve('/ab.csv', 'ann\nbob\n')
    files.serve('/b.csv', 'bob\n')
    files.serve('/c.csv', 'cy\n')
    const { cs_id: id } = await create(app, createBody(files, '/a.csv'))
    const update = async (op: string, file: string, message: string, named: object) => {
      const res = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/${op}`, {
        ...createBody(files, file, { expiry_time: undefined }),
        ...named,
      })
      assert.equal(res.statusCode, 202, res.body)
      assert.deepEqual(res.json(), { message, success: true, cs_name: 'from file', cs_id: id })
    }
    await update('add-users', '/ab.csv', 'File-segment user-add request accepted', { cs_id: id })
    await update('remove-users', '/a.csv', 'File-segment user-remove request accepted', {
      name: 'from file',
    })
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), ['bob'])
    await update('replace', '/c.csv', 'File-segment user-replace request accepted', {
      cs_id: id,
      name: 'not this name: cs_id wins',
    })
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), ['cy'])
  })

  it('retries a failed download with backoff, then reports the failure', async (t) => {
    const app = await usersApp(t, { ...PRIVATE_OK, INLET_SEGMENT_FETCH_ATTEMPTS: '3' })
    const files = await startFileServer(t)
    files.queue('/flaky.csv', { status: 503 }, { status: 500 })
    files.serve('/flaky.csv', 'ann\n')
    const { cs_id: id } = await create(app, createBody(files, '/flaky.csv'))
    await app.fileImports.runDue()
    assert.equal(files.gets('/flaky.csv'), 1)
    await app.fileImports.runDue()
    assert.equal(files.gets('/flaky.csv'), 1) // not due yet
    app.clock.advance(RETRY_BASE_MS)
    await app.fileImports.runDue()
    assert.equal(files.gets('/flaky.csv'), 2)
    app.clock.advance(RETRY_BASE_MS) // the second delay is twice the first
    await app.fileImports.runDue()
    assert.equal(files.gets('/flaky.csv'), 2)
    app.clock.advance(RETRY_BASE_MS)
    await app.fileImports.runDue()
    assert.equal(files.gets('/flaky.csv'), 3)
    assert.deepEqual(await members(app, id), ['ann'])

    files.queue('/gone.csv', { status: 503 }, { status: 503 }, { status: 503 })
    await create(app, createBody(files, '/gone.csv', { name: 'gone' }))
    for (let i = 0; i < 3; i += 1) {
      await app.fileImports.runDue()
      app.clock.advance(RETRY_BASE_MS * 4)
    }
    await app.fileImports.runDue()
    assert.equal(files.gets('/gone.csv'), 3)
    const failure = files.callbacks('/callback').at(-1) as Record<string, unknown>
    assert.deepEqual(
      { ...failure, request_id: undefined },
      {
        db_name: WORKSPACE_ID,
        segment_name: 'gone',
        request_id: undefined,
        status: 400,
        error_message: IMPORT_FAILURES.downloadFailed,
      },
    )
  })

  it('retries a callback until it is answered 200', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    files.failCallbacks('/callback', 500, 503)
    await create(app, createBody(files, '/a.csv'))
    await app.fileImports.runDue()
    assert.equal(files.callbacks('/callback').length, 1)
    app.clock.advance(RETRY_BASE_MS)
    await app.fileImports.runDue()
    app.clock.advance(RETRY_BASE_MS * 2)
    await app.fileImports.runDue()
    assert.equal(files.callbacks('/callback').length, 3)
    const [job] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.deepEqual([job?.state, job?.callbackState], ['done', 'sent'])
    app.clock.advance(RETRY_BASE_MS * 10)
    await app.fileImports.runDue()
    assert.equal(files.callbacks('/callback').length, 3)
  })

  it('refuses private addresses, and names resolving to them, unless allowed', async (t) => {
    const app = await usersApp(t, {})
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    const port = new URL(files.url).port
    for (const [name, url] of [
      ['literal', `${files.url}/a.csv`],
      ['named', `http://localhost:${port}/a.csv`],
    ] as const) {
      await create(app, { ...createBody(files, '/a.csv', { name }), file_url: url })
    }
    await app.fileImports.runDue()
    assert.equal(files.gets('/a.csv'), 0)
    const jobs = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.equal(jobs.length, 2)
    for (const job of jobs) {
      assert.equal(job.resultStatus, 400)
      assert.equal(job.errorMessage, IMPORT_FAILURES.downloadFailed)
      assert.equal(job.attempts, 1) // a refusal is not retried
      assert.equal(job.callbackState, 'failed') // the callback is private too
    }
  })

  it('reads file: URLs only when enabled, and only under the allowed directory', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inlet-files-'))
    const outside = mkdtempSync(path.join(tmpdir(), 'inlet-outside-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    t.after(() => rmSync(outside, { recursive: true, force: true }))
    writeFileSync(path.join(dir, 'in.csv'), 'ann\nbob\n')
    writeFileSync(path.join(outside, 'out.csv'), 'cy\n')
    const inside = pathToFileURL(path.join(dir, 'in.csv')).href
    const off = await usersApp(t, {})
    const refused = await appKeyRequest(off, 'POST', FILE_SEGMENT, {
      name: 'local',
      attribute_name: 'ID',
      attribute_type: 'string',
      file_url: inside,
      expiry_time: 1,
    })
    assert.equal(refused.statusCode, 400)
    assert.deepEqual(refused.json(), {
      title: 'Invalid Request',
      description: 'file_url file: URLs are not enabled on this server (INLET_SEGMENT_FILE_DIR)',
    })
    const app = await usersApp(t, { INLET_SEGMENT_FILE_DIR: dir })
    const body = { attribute_name: 'ID', attribute_type: 'string', expiry_time: 1 }
    const { cs_id: id } = await create(app, { ...body, name: 'in', file_url: inside })
    const { cs_id: escaped } = await create(app, {
      ...body,
      name: 'out',
      file_url: pathToFileURL(path.join(dir, '..', path.basename(outside), 'out.csv')).href,
    })
    await app.fileImports.runDue()
    assert.deepEqual(await members(app, id), ['ann', 'bob'])
    assert.deepEqual(await members(app, escaped), [])
    const failed = (await app.store.segmentLists.latestJobs(WORKSPACE_ID)).find(
      (j) => j.segmentId === escaped,
    )
    assert.equal(failed?.errorMessage, IMPORT_FAILURES.downloadFailed)
  })

  it('refuses other schemes and bad bodies with the documented envelope', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    const cases: [unknown, string][] = [
      [
        { ...createBody(files, '/a.csv'), file_url: 'ftp://example.com/a.csv' },
        'file_url has the scheme ftp: (http: and https: only, or file: when enabled)',
      ],
      [
        { ...createBody(files, '/a.csv'), file_url: 'gopher://x' },
        'file_url has the scheme gopher: (http: and https: only, or file: when enabled)',
      ],
      [
        { ...createBody(files, '/a.csv'), callback_url: 'file:///etc/passwd' },
        'callback_url has the scheme file: (http: and https: only)',
      ],
      [{ ...createBody(files, '/a.csv'), name: undefined }, 'name is required'],
      [
        { ...createBody(files, '/a.csv'), attribute_type: 'bool' },
        'attribute_type must be one of string, double',
      ],
      [
        { ...createBody(files, '/a.csv'), expiry_time: 0 },
        'expiry_time must be a whole number of days from 1 to 3650',
      ],
      [{ ...createBody(files, '/a.csv'), expiry_time: undefined }, 'expiry_time is required'],
      [
        { ...createBody(files, '/a.csv'), emails: ['not an email'] },
        'emails must be an array of at most 100 email addresses',
      ],
      [
        { ...createBody(files, '/a.csv'), name: '<b>x</b>' },
        'name must not contain HTML characters and must be at most 255 characters',
      ],
    ]
    for (const [body, description] of cases) {
      const res = await appKeyRequest(app, 'POST', FILE_SEGMENT, body)
      assert.equal(res.statusCode, 400, JSON.stringify(body))
      assert.deepEqual(res.json(), { title: 'Invalid Request', description })
    }
    assert.equal((await app.store.segmentLists.latestJobs(WORKSPACE_ID)).length, 0)
  })

  it('answers 404, 409 and 400 for the segment a request names', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    await create(app, createBody(files, '/a.csv'))
    const again = await appKeyRequest(app, 'POST', FILE_SEGMENT, createBody(files, '/a.csv'))
    assert.equal(again.statusCode, 409)
    assert.deepEqual(again.json(), {
      title: 'Resource not created',
      description: 'Name already exists : from file',
    })
    const update = { ...createBody(files, '/a.csv'), expiry_time: undefined }
    const byName = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/add-users`, {
      ...update,
      name: 'missing',
    })
    assert.equal(byName.statusCode, 404)
    assert.deepEqual(byName.json(), {
      title: 'Entity Not Found',
      description: 'Segment not found with the given name: missing',
    })
    const byId = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/replace`, {
      ...update,
      cs_id: 'ffffffffffffffffffffffff',
    })
    assert.equal(byId.statusCode, 404)
    assert.deepEqual(byId.json(), {
      title: 'Entity Not Found',
      description: 'Segment not found with the given id: ffffffffffffffffffffffff',
    })
    const filter = await appKeyRequest(app, 'POST', '/v3/custom-segments', {
      name: 'filter',
      included_filters: {
        filter_operator: 'and',
        filters: [
          {
            filter_type: 'user_attributes',
            name: 'plan',
            data_type: 'string',
            operator: 'is',
            value: 'gold',
          },
        ],
      },
    })
    assert.equal(filter.statusCode, 201, filter.body)
    const notFile = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/add-users`, {
      ...update,
      name: 'filter',
    })
    assert.equal(notFile.statusCode, 400)
    assert.deepEqual(notFile.json(), {
      title: 'Invalid Request',
      description: 'Segment filter is not a file segment',
    })
    const unauthorized = await appKeyRequest(
      app,
      'POST',
      FILE_SEGMENT,
      createBody(files, '/a.csv'),
      {
        authorization: `Basic ${Buffer.from(`${WORKSPACE_ID}:wrong-key`).toString('base64')}`,
      },
    )
    assert.equal(unauthorized.statusCode, 401)
    assert.deepEqual(unauthorized.json(), {
      title: 'Authentication required',
      description: 'APP_SECRET key mismatch. Please login to the dashboard to verify key',
    })
  })

  it('archives and unarchives any segment; the list hides it 180 days after', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    const { cs_id: id } = await create(app, createBody(files, '/a.csv'))
    const archive = await appKeyRequest(app, 'PATCH', '/v2/custom-segments/archive', {
      name: 'from file',
    })
    assert.equal(archive.statusCode, 202, archive.body)
    assert.deepEqual(archive.json(), {
      message: 'Successfully archived the custom segment',
      success: true,
      cs_name: 'from file',
      cs_id: id,
    })
    const refused = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/add-users`, {
      ...createBody(files, '/a.csv', { expiry_time: undefined }),
      cs_id: id,
    })
    assert.deepEqual(refused.json(), {
      title: 'Invalid Request',
      description: 'Segment from file is archived',
    })
    const listed = async () =>
      (await appKeyRequest(app, 'GET', '/v3/custom-segments')).json<{ data: unknown[] }>().data
        .length
    assert.equal(await listed(), 1)
    app.clock.advance(181 * 86_400_000)
    assert.equal(await listed(), 0)
    const unarchive = await appKeyRequest(app, 'PATCH', '/v2/custom-segments/unarchive', {
      name: 'ignored: cs_id wins',
      cs_id: id,
    })
    assert.equal(unarchive.statusCode, 202, unarchive.body)
    assert.equal(
      unarchive.json<{ message: string }>().message,
      'Successfully unarchived the custom segment',
    )
    assert.equal(await listed(), 1)
  })

  it('archives a file segment when its expiry_time has passed', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    const { cs_id: id } = await create(app, createBody(files, '/a.csv', { expiry_time: 2 }))
    await app.fileImports.runDue()
    assert.equal((await app.store.customSegments.get(WORKSPACE_ID, id))?.archivedAt, null)
    app.clock.advance(2 * 86_400_000)
    await app.fileImports.runDue()
    assert.equal(
      (await app.store.customSegments.get(WORKSPACE_ID, id))?.archivedAt,
      app.clock.now(),
    )
  })

  it('keeps finished imports 30 days, and each segment’s latest import always', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    const { cs_id: id } = await create(app, createBody(files, '/a.csv'))
    await app.fileImports.runDue()
    const [first] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.equal(first?.state, 'done')
    app.clock.advance(PRUNE_EVERY_MS)
    const add = await appKeyRequest(app, 'PUT', `${FILE_SEGMENT}/add-users`, {
      ...createBody(files, '/a.csv', { expiry_time: undefined }),
      cs_id: id,
    })
    assert.equal(add.statusCode, 202, add.body)
    await app.fileImports.runDue()
    const job = (jobId: string) => app.store.segmentLists.job(WORKSPACE_ID, jobId)
    assert.equal((await job(first.id))?.id, first.id) // younger than 30 days
    app.clock.advance(IMPORT_RETENTION_MS)
    await app.fileImports.runDue()
    assert.equal(await job(first.id), undefined)
    const [latest] = await app.store.segmentLists.latestJobs(WORKSPACE_ID)
    assert.notEqual(latest?.id, first.id)
    assert.equal((await job(latest?.id ?? ''))?.state, 'done') // the latest stays, however old
  })

  it('aborts a download past the size limit while it streams', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    let sent = 0
    files.queue('/huge.csv', (_req, res) => {
      // No Content-Length: the limit can only be seen while the bytes arrive.
      const line = 'ann\n'.repeat(256)
      const push = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += line.length
          if (!res.write(line)) return void res.once('drain', push)
        }
        res.end()
      }
      res.on('close', () => undefined)
      push()
    })
    const { cs_id: id } = await create(app, createBody(files, '/huge.csv'))
    const imports = createFileImports({
      store: app.store,
      clock: app.clock,
      log: silentLogger,
      owner: 'small-limit',
      settings: { ...app.config.segmentFiles, limitBytes: 64 * 1024 },
    })
    await imports.runDue()
    assert.ok(sent < 64 * 1024 * 1024, `the server was not cut off (${sent} bytes sent)`)
    assert.deepEqual(await members(app, id), [])
    assert.equal(
      (files.callbacks('/callback')[0] as { error_message: string }).error_message,
      IMPORT_FAILURES.tooLarge,
    )
  })

  it('runs a job claimed by two runners at once only once', async (t) => {
    const app = await usersApp(t)
    const files = await startFileServer(t)
    files.queue('/slow.csv', (_req, res) => setTimeout(() => res.end('ann\n'), 100))
    await create(app, createBody(files, '/slow.csv', { callback_url: undefined }))
    const runner = (owner: string) =>
      createFileImports({
        store: app.store,
        clock: app.clock,
        log: silentLogger,
        owner,
        settings: app.config.segmentFiles,
      })
    const taken = await Promise.all([runner('a').runDue(), runner('b').runDue()])
    assert.deepEqual(taken.sort(), [0, 1])
    assert.equal(files.gets('/slow.csv'), 1)
  })

  it('resumes accepted work after a restart', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inlet-restart-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const files = await startFileServer(t)
    files.serve('/a.csv', 'ann\n')
    const open = () => createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    const first = await createTestApp(t, PRIVATE_OK, { store: open() })
    await first.post(TRACK, customer('ann', {}))
    await first.drain()
    const { cs_id: id } = await create(first, createBody(files, '/a.csv'))
    // A runner takes the job and its process stops before it finishes: the lease runs out.
    const claimed = await first.store.segmentLists.claim(
      'gone',
      first.clock.now(),
      first.clock.now() + 1000,
    )
    assert.equal(claimed?.segmentId, id)
    const second = await createTestApp(t, PRIVATE_OK, { store: open() })
    second.clock.set(first.clock.now() + 1000)
    assert.equal(await second.fileImports.runDue(), 2)
    assert.deepEqual(await members(second, id), ['ann'])
    assert.equal(files.gets('/a.csv'), 1)
  })
})
