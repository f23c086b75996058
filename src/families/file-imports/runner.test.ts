// The File Imports runner killed mid-run: a run whose process stops while a body is in flight
// (after the body was logged, before its answer) is claimed again by another runner once its
// lease runs out, resumes from the checkpoint in the store and sends that body again under its
// Idempotency-Key — every event stored once; the dead runner, woken late, finds its claim fenced
// and writes nothing. Real SQLite store, real ingest, a manual clock.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { createSequentialIds } from '../../core/ids.js'
import { createInProcessBulk } from '../data/in-process-bulk.js'
import { WORKSPACE_ID } from '../../../test/helpers/app.js'
import { defineImport, fileImportsApp, writeSource } from '../../../test/helpers/file-imports.js'
import { RUN_LEASE_MS, createFileImportRunner } from './runner.js'

const ROWS = 2500

describe('File Imports runner: a run killed mid-body', () => {
  it('resumes from the store checkpoint without duplicating events', async (t) => {
    const app = await fileImportsApp(t)
    const lines = ['customer_id,action,current_time,n']
    for (let i = 1; i <= ROWS; i++) {
      lines.push(`u${i % 50},Purchased,2026-10-31T10:00:00Z,${i}`)
    }
    const source = writeSource(app, 'events.csv', lines.join('\n') + '\n')
    const id = await defineImport(app, { name: 'Events', source, type: 'events' })
    const inProcess = createInProcessBulk({ store: app.store, ingest: app.ingest })
    const stageDir = path.join(app.dir, 'stage')
    const common = {
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
      log: app.log,
      policy: { fileDir: app.dir, allowPrivate: false },
      stageDir,
    }
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
    await app.drain()
    const events = await app.store.profiles.eventsPage(
      WORKSPACE_ID,
      Number.MIN_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      ROWS * 2,
    )
    assert.equal(events.length, ROWS)
    const numbers = new Set(events.map((e) => e.attributes['n']))
    assert.equal(numbers.size, ROWS)
  })
})
