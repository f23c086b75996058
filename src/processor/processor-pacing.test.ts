// The processor's pacing: after a batch shorter than its limit it waits INLET_PROCESSOR_MAX_DELAY_MS
// only when that batch reached the log's end, never because a Bulk row did not fit whole in what
// was left of the limit (which made a Bulk backlog drain at a fraction of its rate).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createSequentialIds } from '../core/ids.js'
import { silentLogger } from '../core/log.js'
import { WORKSPACE_ID, createTestApp } from '../../test/helpers/app.js'
import { createProcessor } from './processor.js'

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  assert.fail(`timed out waiting for ${what}`)
}

it('drains Bulk rows back to back, and waits only at the end of the log', async (t) => {
  const app = await createTestApp(t)
  for (let r = 0; r < 6; r++) {
    const elements = Array.from({ length: 30 }, (_, i) => ({
      type: 'customer',
      customer_id: `user-${r}-${i}`,
      attributes: { row: r },
    }))
    const res = await app.post(`/v1/transition/${WORKSPACE_ID}`, { type: 'transition', elements })
    assert.equal(res.statusCode, 200, res.body)
  }
  assert.equal(await app.store.log.lastSeq(), 180)
  // A limit of 50 holds one row of 30 at a time: every batch is short of the limit.
  const p = createProcessor({
    store: app.store,
    clock: app.clock,
    ids: createSequentialIds(),
    log: silentLogger,
    batchSize: 50,
    pollMs: 5,
    maxAttempts: 3,
    logRetentionMs: 86_400_000,
    maxDelayMs: 60_000,
  })
  p.start()
  t.after(() => p.stop())
  // Six batches: before, each waited 60 s after it.
  await waitFor('the six rows applied', async () => (await app.store.processing.cursor()) === 180)

  // At the log's end the wait holds: records appended now wait for it (not for a wake).
  const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
    type: 'customer',
    customer_id: 'late',
  })
  assert.equal(res.statusCode, 200)
  p.wake()
  await new Promise((r) => setTimeout(r, 300))
  assert.equal(await app.store.processing.cursor(), 180, 'the late record waits for the delay')
})
