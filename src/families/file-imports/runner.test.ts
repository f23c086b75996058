// The File Imports runner killed mid-run: a run whose process stops while a body is in flight
// (after the body was logged, before its answer) is claimed again by another runner once its
// lease runs out, resumes from the checkpoint in the store and sends that body again under its
// Idempotency-Key — every event stored once; the dead runner, woken late, finds its claim fenced
// and writes nothing. Killed at two claims, it still completes once on the third; killed at every
// claim, it is ended FAILED by the claim after the MAX_CLAIMS-th (no catch of the runner saw
// those deaths: the claims are counted by the store as they are made), its staged file removed.
// Real SQLite store, real ingest, a manual clock.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { createSequentialIds } from '../../core/ids.js'
import { createInProcessBulk } from '../data/in-process-bulk.js'
import { WORKSPACE_ID } from '../../../test/helpers/app.js'
import {
  defineImport,
  fileImportsApp,
  fileImportsPost,
  writeSource,
  type FileImportsApp,
} from '../../../test/helpers/file-imports.js'
import {
  CLAIMS_EXHAUSTED_MSG,
  MAX_CLAIMS,
  RUN_LEASE_MS,
  createFileImportRunner,
  type FileImportRunnerDeps,
} from './runner.js'

const ROWS = 2500

/** What the test's runners share: the app's store, clock and log, a staging directory. */
function runnerDeps(app: FileImportsApp) {
  const stageDir = path.join(app.dir, 'stage')
  const common: Omit<FileImportRunnerDeps, 'clientFor'> = {
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
    log: app.log,
    policy: { fileDir: app.dir, allowPrivate: false },
    stageDir,
  }
  return {
    common,
    inProcess: createInProcessBulk({ store: app.store, ingest: app.ingest }),
    stageDir,
  }
}

/** Once applied, the workspace holds `rows` events, one per row (its column `n`). */
async function assertEachRowOnce(app: FileImportsApp, rows: number): Promise<void> {
  await app.drain()
  const events = await app.store.profiles.eventsPage(
    WORKSPACE_ID,
    Number.MIN_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    rows * 2,
  )
  assert.equal(events.length, rows)
  assert.equal(new Set(events.map((e) => e.attributes['n'])).size, rows)
}

describe('File Imports runner: a run killed mid-body', () => {
  it('resumes from the store checkpoint without duplicating events', async (t) => {
    const app = await fileImportsApp(t)
    const lines = ['customer_id,action,current_time,n']
    for (let i = 1; i <= ROWS; i++) {
      lines.push(`u${i % 50},Purchased,2026-10-31T10:00:00Z,${i}`)
    }
    const source = writeSource(app, 'events.csv', lines.join('\n') + '\n')
    const id = await defineImport(app, { name: 'Events', source, type: 'events' })
    const { common, inProcess } = runnerDeps(app)
    // The first runner's second body is logged, then its answer never comes (the process died).
    let bodies = 0
    let wake: () => void = () => {}
    const hung = new Promise<void>((resolve) => {
      wake = resolve
    })
    const dying = createFileImportRunner({
      ...common,
      clientFor: (ws) => ({
        bulkImport: async (elements, options) => {
          const answer = await inProcess(ws).bulkImport(elements, options)
          bodies++
          if (bodies === 2) await hung
          return answer
        },
      }),
    })
    const first = dying.runOnce()
    for (let i = 0; bodies < 2; i++) {
      if (i > 2000) assert.fail(`the first runner sent ${bodies} bodies: ${await first}`)
      await new Promise((r) => setTimeout(r, 5))
    }
    const [held] = await app.store.fileImports.runs(WORKSPACE_ID, id, 1)
    assert.equal(held?.state, 'PROCESSING')
    // The first body acknowledged, the second in flight: the checkpoint is past the first only.
    const acknowledged = held?.totalRows ?? 0
    assert.ok(acknowledged > 0 && acknowledged < ROWS / 2, `${acknowledged}`)
    // Within its lease nobody takes it; after it, another runner does and finishes it.
    const second = createFileImportRunner({ ...common, clientFor: inProcess })
    assert.equal(await second.runOnce(), 0)
    app.clock.advance(RUN_LEASE_MS)
    assert.equal(await second.runOnce(), 1)
    const [done] = await app.store.fileImports.runs(WORKSPACE_ID, id, 1)
    assert.equal(done?.state, 'SUCCESSFUL')
    assert.equal(done?.claims, 2)
    assert.equal(done?.accepted, ROWS)
    // The dead runner wakes: its next save is fenced, and the run stays as the second left it.
    wake()
    await first
    assert.deepEqual(await app.store.fileImports.run(WORKSPACE_ID, done?.runId ?? ''), done)
    await assertEachRowOnce(app, ROWS)
  })
})

/**
 * Runners that each stop for good in their `body`-th Bulk body (after it was logged when
 * `logged`), as a killed process would; woken, each finds its claim gone.
 */
function dyingRunners(
  common: Omit<FileImportRunnerDeps, 'clientFor'>,
  inProcess: FileImportRunnerDeps['clientFor'],
) {
  const wakes: (() => void)[] = []
  const runs: Promise<number>[] = []
  let stopped = 0
  return {
    /** Starts a runner's runOnce; resolves once it has stopped in its `body`-th body. */
    async dieAt(body: number, logged: boolean): Promise<void> {
      let bodies = 0
      const hung = new Promise<void>((resolve) => wakes.push(resolve))
      const before = stopped
      const runner = createFileImportRunner({
        ...common,
        clientFor: (ws) => ({
          bulkImport: async (elements, options) => {
            if (++bodies < body) return inProcess(ws).bulkImport(elements, options)
            if (logged) await inProcess(ws).bulkImport(elements, options)
            stopped++
            await hung
            throw new Error('this process was killed')
          },
        }),
      })
      const run = runner.runOnce()
      runs.push(run)
      for (let i = 0; stopped === before; i++) {
        if (i > 2000) assert.fail(`the runner never reached body ${body}: ${await run}`)
        await new Promise((r) => setTimeout(r, 5))
      }
    },
    /** Wakes every stopped runner; resolves once each has given up. */
    async wakeAll(): Promise<void> {
      wakes.forEach((wake) => wake())
      await Promise.all(runs)
    },
  }
}

describe('File Imports runner: a run killed at claim after claim', () => {
  it('completes once after two kills, and is ended FAILED when killed at every claim', async (t) => {
    const app = await fileImportsApp(t)
    const rows = 1500
    const lines = ['customer_id,action,n']
    for (let i = 1; i <= rows; i++) lines.push(`u${i % 20},Viewed,${i}`)
    const csv = lines.join('\n') + '\n'
    const resumed = await defineImport(app, {
      name: 'Resumed',
      source: writeSource(app, 'resumed.csv', csv),
      type: 'events',
    })
    const { common, inProcess, stageDir } = runnerDeps(app)
    const dying = dyingRunners(common, inProcess)
    // Killed in its second body (logged), then in the body after (not logged): the third claim
    // finishes it, and every event is stored once.
    await dying.dieAt(2, true)
    app.clock.advance(RUN_LEASE_MS)
    await dying.dieAt(1, false)
    app.clock.advance(RUN_LEASE_MS)
    const healthy = createFileImportRunner({ ...common, clientFor: inProcess })
    assert.equal(await healthy.runOnce(), 1)
    const [done] = await app.store.fileImports.runs(WORKSPACE_ID, resumed, 1)
    assert.deepEqual([done?.state, done?.claims, done?.accepted], ['SUCCESSFUL', 3, rows])
    await assertEachRowOnce(app, rows)

    // Another import whose process dies in its first body at every claim.
    const looping = await defineImport(app, {
      name: 'Looping',
      source: writeSource(app, 'looping.csv', csv),
      type: 'events',
    })
    for (let claim = 1; claim <= MAX_CLAIMS; claim++) {
      await dying.dieAt(1, false)
      const [held] = await app.store.fileImports.runs(WORKSPACE_ID, looping, 1)
      assert.deepEqual([held?.state, held?.claims], ['PROCESSING', claim])
      app.clock.advance(RUN_LEASE_MS)
    }
    const staged = await readdir(stageDir)
    assert.equal(staged.length, 1, `the looping run's staged file: ${staged.join(', ')}`)
    // The next claim ends it, importing nothing; the healthy runner's client is not called.
    let called = 0
    const last = createFileImportRunner({
      ...common,
      clientFor: (ws) => ({
        bulkImport: (elements, options) => {
          called++
          return inProcess(ws).bulkImport(elements, options)
        },
      }),
    })
    assert.equal(await last.runOnce(), 1)
    assert.equal(called, 0)
    const [ended] = await app.store.fileImports.runs(WORKSPACE_ID, looping, 1)
    assert.deepEqual(
      [ended?.state, ended?.statusMsg, ended?.claims, ended?.completedAt],
      ['FAILED', CLAIMS_EXHAUSTED_MSG, MAX_CLAIMS + 1, app.clock.now()],
    )
    assert.deepEqual(await readdir(stageDir), [])
    assert.equal(await last.runOnce(), 0)
    // The dead runners wake: each is fenced, and nothing changes.
    await dying.wakeAll()
    assert.deepEqual(await app.store.fileImports.run(WORKSPACE_ID, ended?.runId ?? ''), ended)
    assert.deepEqual((await app.store.fileImports.runs(WORKSPACE_ID, resumed, 1))[0], done)
    const status = await fileImportsPost(app, 'import/status', { import_name: 'Looping' })
    assert.equal(status.json<{ data: { status: string }[] }>().data[0]?.status, 'FAILED')
  })
})
