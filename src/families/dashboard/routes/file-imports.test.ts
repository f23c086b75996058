// The dashboard's File Imports page data: each import with its definition, its state (the same the
// File Imports API's status answer gives, through workspaces/file-import-status.ts), its files and
// rows, and its runs newest first — state, file, rows read, stored and rejected, the rejected rows
// with their reasons, the checkpoint's progress through the file, claims, times and the error of a
// FAILED run; a run going on shows its progress so far. Only the session's workspace.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, START_TIME, WORKSPACE_ID } from '../../../../test/helpers/app.js'
import { dashboardGet, signIn } from '../../../../test/helpers/dashboard.js'
import {
  defineImport,
  fileImportsApp,
  fileImportsPost,
  writeSource,
} from '../../../../test/helpers/file-imports.js'
import { MAX_REJECTS, type runView } from './file-imports.js'

type Run = ReturnType<typeof runView>
type Import = {
  import_id: string
  name: string
  source: string
  schedule: unknown
  next_run_at: string | null
  status: string
  import_type: string
  import_source: string
  total_files: number
  processed_files: number
  total_rows: number
  processed_rows: number
  runs: Run[]
  more_runs: boolean
}

const PATH = `/w/${WORKSPACE_ID}/file-imports`
const iso = (ms: number): string => new Date(ms).toISOString()

describe("the dashboard's file imports", () => {
  it('lists imports with their state and runs: rows, rejects, progress, times, errors', async (t) => {
    const app = await fileImportsApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const empty = await dashboardGet<{ imports: Import[] }>(app, session, PATH)
    assert.deepEqual(empty, { imports: [] })

    // 12 rows, 11 of them rejected (no customer_id): more than the page lists.
    const lines = ['customer_id,first_name', 'ann,Ann']
    for (let i = 0; i < 11; i++) lines.push(`,Nobody ${i}`)
    const csv = lines.join('\n') + '\n'
    const mixed = await defineImport(app, {
      name: 'Mixed users',
      source: writeSource(app, 'mixed.csv', csv),
      type: 'users',
      schedule: { type: 'PERIODIC', daily_at: '23:00' },
    })
    const missing = await defineImport(app, {
      name: 'Gone',
      source: writeSource(app, 'gone.csv', 'customer_id\nx\n').replace('gone', 'absent'),
      type: 'users',
    })
    assert.equal((await fileImportsPost(app, `trigger/${mixed}`)).statusCode, 200)
    // Queued, not yet run: each import's state, no progress yet.
    const queued = (await dashboardGet<{ imports: Import[] }>(app, session, PATH)).imports
    assert.deepEqual(
      queued.map((i) => [i.name, i.status, i.runs.map((r) => r.state)]),
      [
        ['Mixed users', 'QUEUED', ['QUEUED']],
        ['Gone', 'SCHEDULED', []],
      ],
    )
    assert.equal(queued[0]?.runs[0]?.progress, null)
    app.clock.advance(1_000)
    while ((await app.fileImportRunner.runOnce()) > 0) app.clock.advance(1_000)

    const { imports } = await dashboardGet<{ imports: Import[] }>(app, session, PATH)
    const [one, gone] = imports
    assert.ok(one !== undefined && gone !== undefined)
    assert.deepEqual(
      {
        ...one,
        runs: undefined,
      },
      {
        ...one,
        import_id: mixed,
        name: 'Mixed users',
        schedule: { type: 'PERIODIC', daily_at: '23:00' },
        next_run_at: iso(Date.parse('2026-11-01T23:00:00Z')),
        status: 'SCHEDULED',
        import_type: 'USERS',
        import_source: 'SFTP',
        total_files: 1,
        processed_files: 1,
        total_rows: 12,
        processed_rows: 1,
        more_runs: false,
        runs: undefined,
      },
    )
    const [run] = one.runs
    assert.ok(run !== undefined)
    assert.deepEqual(
      { ...run, run_id: 'RUN', file_url: 'URL' },
      {
        run_id: 'RUN',
        file_name: 'mixed.csv',
        file_url: 'URL',
        origin: 'api',
        state: 'PARTIAL_SUCCESS',
        status_msg: '11 of 12 rows rejected; row 2: customer_id is empty or missing',
        scheduled_at: iso(START_TIME),
        started_at: iso(START_TIME + 1_000),
        completed_at: iso(START_TIME + 1_000),
        file_size: Buffer.byteLength(csv),
        total_rows: 12,
        accepted: 1,
        rejected: 11,
        rejects: Array.from({ length: MAX_REJECTS }, (_, i) => ({
          row: i + 2,
          line: i + 3,
          reason: 'customer_id is empty or missing',
        })),
        progress: {
          bytes_done: Buffer.byteLength(csv),
          bytes_total: Buffer.byteLength(csv),
          rows: 12,
          done: true,
        },
        claims: 1,
        error: null,
      },
    )
    assert.ok(run.file_url.endsWith('/mixed.csv'), run.file_url)
    // The same state and totals as the File Imports API's status answer.
    const wire = (await fileImportsPost(app, 'import/status', {})).json<{
      data: Record<string, unknown>[]
    }>().data
    for (const [shown, answered] of [
      [one, wire[0]],
      [gone, wire[1]],
    ] as const) {
      const keys = ['status', 'import_type', 'import_source', 'total_files', 'total_rows'] as const
      for (const key of keys) assert.equal(shown[key], answered?.[key], key)
    }
    // A run whose file is gone: FAILED, its error shown.
    assert.equal(gone.status, 'FAILED')
    assert.equal(gone.import_id, missing)
    assert.equal(gone.runs[0]?.state, 'FAILED')
    assert.match(gone.runs[0]?.error ?? '', /absent\.csv/)
    assert.equal(gone.runs[0]?.progress, null)
  })

  it("shows a run's checkpoint progress while it goes on", async (t) => {
    const app = await fileImportsApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const id = await defineImport(app, {
      name: 'Halfway',
      source: writeSource(app, 'halfway.csv', 'customer_id\nann\nbob\n'),
      type: 'users',
    })
    // As the runner leaves a run between two bodies: claimed, its checkpoint past the first row.
    await app.fileImportRunner.runOnce()
    const [done] = await app.store.fileImports.runs(WORKSPACE_ID, id, 1)
    assert.ok(done !== undefined)
    const checkpoint = { ...done.checkpoint, offset: 16, rows: 1, done: false }
    await app.store.fileImports.saveRun({
      ...done,
      state: 'PROCESSING',
      completedAt: null,
      checkpoint,
      totalRows: 1,
      accepted: 1,
    })
    const [shown] = (await dashboardGet<{ imports: Import[] }>(app, session, PATH)).imports
    assert.equal(shown?.status, 'PROCESSING')
    assert.deepEqual(shown?.runs[0]?.progress, {
      bytes_done: 16,
      bytes_total: Buffer.byteLength('customer_id\nann\nbob\n'),
      rows: 1,
      done: false,
    })
  })
})
