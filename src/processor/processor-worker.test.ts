// The processor in a worker thread, on a real data directory: records appended by the main thread
// are applied by the worker (its own connections), drain and lag see it, stop closes it.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { getPriority } from 'node:os'
import { it } from 'node:test'
import { sqliteStoreOnDisk } from '../../test/helpers/sqlite.js'
import { systemClock } from '../core/clock.js'
import { loadConfig } from '../core/config.js'
import { createSequentialIds } from '../core/ids.js'
import { createMemoryLogger } from '../core/log.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { kernelThreadId } from '../core/thread-priority.js'
import { processorRunsInWorker, startProcessorWorker } from './processor-worker.js'

/** The nice value of every thread of this process (Linux: /proc/self/task/<id>/stat field 19). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((id) => {
    const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

it('applies the log in a worker thread and stops cleanly', { timeout: 60_000 }, async (t) => {
  const { dir, store } = sqliteStoreOnDisk(t, 'inlet-worker-', 'os')
  const ids = createSequentialIds()
  await createWorkspaces({ store, clock: systemClock, ids }).create({
    id: 'WORKERWS',
    key: 'k-12345678',
  })
  const log = createMemoryLogger()
  const processor = startProcessorWorker({
    store,
    clock: systemClock,
    ids,
    log,
    dataDir: dir,
    durability: 'os',
    logLevel: 'silent',
    batchSize: 100,
    pollMs: 50,
    maxAttempts: 3,
    logRetentionMs: 86_400_000,
    maxDelayMs: 5,
    nice: 3,
    storeCheckpointer: 'worker',
    stopTimeoutMs: 10_000,
    entry: { base: import.meta.url, name: '../server/processor-thread' },
  })
  t.after(() => processor.stop()) // also when an assertion fails: a live worker keeps the test alive
  const linux = kernelThreadId() !== undefined
  const nices = (): number[] => (linux ? threadNices().map((n) => n - getPriority()) : [])
  const before = nices()
  processor.start()
  await processor.ready?.()
  // INLET_PROCESSOR_NICE: two new threads run 3 steps below the process's — the processor's, and
  // the store checkpointer's it started (a Linux thread starts at its creator's nice value).
  if (linux) {
    assert.equal(before.filter((d) => d === 3).length, 0)
    assert.equal(nices().filter((d) => d === 3).length, 2, JSON.stringify(nices()))
    const names = (): string[] =>
      readdirSync('/proc/self/task').map((id) =>
        readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim(),
      )
    // The checkpointer names itself once its module runs, which may be after the ready.
    for (let i = 0; i < 500 && !names().includes('inlet-checkpt'); i++) {
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.ok(names().includes('inlet-processor'), names().join(', '))
    assert.ok(names().includes('inlet-checkpt'), names().join(', '))
  }
  const records = Array.from({ length: 250 }, (_, i) => ({
    workspaceId: 'WORKERWS',
    requestId: `REQ${i}`,
    index: 0,
    kind: 'customer' as const,
    api: 'customer',
    customerId: `c${i % 50}`,
    receivedAt: Date.now(),
    payload: JSON.stringify({ type: 'customer', customer_id: `c${i % 50}`, attributes: { n: i } }),
  }))
  await store.log.append(records)
  processor.wake()
  await processor.drain(30_000)
  assert.equal((await processor.lag()).records, 0)
  // The worker posts its totals just after each commit: the last may arrive after drain().
  for (let i = 0; i < 200 && processor.stats().applied < 250; i++) {
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.equal(processor.stats().applied, 250)
  const users = await store.profiles.findUsers('WORKERWS', { customerIds: ['c0', 'c49'], ids: [] })
  assert.deepEqual(
    users.map((u) => u.attributes['n']),
    [200, 249],
  )
  await processor.stop()
  await processor.stop()
  assert.deepEqual(
    log.lines.filter((l) => l.includes('"error"')),
    [],
  )
})

it('runs in a worker only on SQLite in a directory, with the processor on, as docs/config.md says', () => {
  const config = (env: Record<string, string>) => loadConfig({ INLET_DATA_DIR: '/data', ...env })
  assert.equal(processorRunsInWorker(config({}), 'sqlite'), true)
  assert.equal(processorRunsInWorker(config({}), 'postgres'), false)
  assert.equal(processorRunsInWorker(config({ INLET_DATA_DIR: ':memory:' }), 'sqlite'), false)
  assert.equal(processorRunsInWorker(config({ INLET_PROCESSOR: 'false' }), 'sqlite'), false)
  assert.equal(processorRunsInWorker(config({ INLET_PROCESSOR_THREAD: 'inline' }), 'sqlite'), false)
  // The setting's row names each store that always runs the processor inline.
  const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')
  const row = doc.split('\n').find((line) => line.startsWith('| `INLET_PROCESSOR_THREAD`')) ?? ''
  const inline = /[^.]*always runs? it inline[^.]*\./.exec(row)?.[0] ?? ''
  assert.match(inline, /PostgreSQL/, `PostgreSQL runs it inline: ${row}`)
  assert.match(inline, /`:memory:`/, `a :memory: store runs it inline: ${row}`)
})
