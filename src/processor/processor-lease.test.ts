// Many processors on one store: one applies at a time (the store's lease), another takes over when
// the holder stops renewing, a clean stop hands the lease over at once, a record's failed attempts
// counted by one processor carry over to the next, and the lease holder expires old events and
// checkpoints the log. On SQLite in memory with a manual clock; the same lease runs on PostgreSQL
// (store contract) and across real processes (test/e2e/many-processes.test.ts).
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { silentLogger } from '../core/log.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'
import { anEvent } from '../../test/store/contract.js'
import { batchChanges } from '../../test/helpers/batches.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { createProcessor, LOG_CHECKPOINT_EVERY_MS, type Processor } from './processor.js'
import type { Step } from './steps/step.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'

const T0 = Date.parse('2026-11-24T10:00:00Z')
const WS = 'LEASEWS1'

async function setUp(
  t: TestContext,
): Promise<{ store: Store; clock: ReturnType<typeof createManualClock> }> {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const clock = createManualClock(T0)
  await createWorkspaces({ store, clock, ids: createSequentialIds() }).create({
    id: WS,
    key: 'k-12345678',
  })
  return { store, clock }
}

async function appendUsers(store: Store, count: number, receivedAt: number): Promise<void> {
  await store.log.append(
    Array.from({ length: count }, (_, i) => ({
      workspaceId: WS,
      requestId: `REQ${i}`,
      index: 0,
      kind: 'customer' as const,
      api: 'customer',
      customerId: `c${i}`,
      receivedAt,
      payload: JSON.stringify({ type: 'customer', customer_id: `c${i}`, attributes: { n: i } }),
    })),
  )
}

/** A processor, and a signal of its loop going round. */
type Watched = Processor &
  Readonly<{
    /**
     * Resolves once the loop has gone round a whole iteration that began after the call: at its
     * second idle wait (onIdle: caught up, or standing by for the lease) from now, as the first may
     * end an iteration already under way. What such an iteration could do — take the lease, apply,
     * checkpoint — it has done by then, so an assertion that it did not is not a guess on timing.
     */
    wentRound(what: string): Promise<void>
  }>

function processor(
  t: TestContext,
  store: Store,
  clock: ReturnType<typeof createManualClock>,
  owner: string,
  extra: { step?: Step; maxAttempts?: number; eventRetentionMs?: number } = {},
): Watched {
  let idleWaits = 0
  const waiting: { at: number; done: () => void }[] = []
  const p = createProcessor({
    store,
    clock,
    ids: createSequentialIds(),
    log: silentLogger,
    batchSize: 100,
    pollMs: 5,
    maxAttempts: extra.maxAttempts ?? 3,
    logRetentionMs: 86_400_000,
    leaseMs: 1_000,
    owner,
    ...(extra.step === undefined ? {} : { step: extra.step }),
    ...(extra.eventRetentionMs === undefined ? {} : { eventRetentionMs: extra.eventRetentionMs }),
    onIdle: () => {
      idleWaits++
      for (const w of waiting.filter((w) => idleWaits >= w.at)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.done()
      }
    },
  })
  t.after(() => p.stop())
  const wentRound = (what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      // A bound on a positive event, not a sleep: the loop goes round every few ms.
      const timer = setTimeout(
        () => reject(new Error(`${owner} never went round: ${what}`)),
        10_000,
      )
      waiting.push({
        at: idleWaits + 2,
        done: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  return { ...p, wentRound }
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  assert.fail(`timed out waiting for ${what}`)
}

describe('processor lease', () => {
  it('applies nothing while another processor holds the lease, and takes over once it expires', async (t) => {
    const { store, clock } = await setUp(t)
    // A processor that took the lease and died: it never renews nor releases it.
    assert.equal(await store.processing.acquireLease('dead', clock.now(), 1_000), true)
    await appendUsers(store, 10, T0)
    const p = processor(t, store, clock, 'alive')
    p.start()
    await p.wentRound('standing by')
    assert.equal(await store.processing.cursor(), 0, 'nothing applied under another’s lease')
    clock.advance(999)
    await p.wentRound('standing by at 999 ms')
    assert.equal(await store.processing.cursor(), 0, 'still the other’s lease')
    clock.advance(1)
    await waitFor('the takeover', async () => (await store.processing.cursor()) === 10)
    assert.equal(p.stats().applied, 10)
    assert.equal(await store.processing.acquireLease('dead', clock.now(), 1_000), false)
  })

  it('keeps a second processor idle while the first works, and hands over at a clean stop', async (t) => {
    const { store, clock } = await setUp(t)
    const first = processor(t, store, clock, 'first')
    const second = processor(t, store, clock, 'second')
    first.start()
    await appendUsers(store, 5, T0)
    await waitFor('the first batch', async () => (await store.processing.cursor()) === 5)
    second.start()
    await appendUsers(store, 5, T0)
    await waitFor('the second batch', async () => (await store.processing.cursor()) === 10)
    await second.wentRound('standing by after the second batch')
    assert.deepEqual([first.stats().applied, second.stats().applied], [10, 0])
    await first.stop() // releases: the second takes over without waiting for the expiry
    await appendUsers(store, 5, T0)
    await waitFor('the takeover', async () => (await store.processing.cursor()) === 15)
    assert.deepEqual([first.stats().applied, second.stats().applied], [10, 5])
  })

  it('continues the failed-attempt count of a record across processors, then records it dead', async (t) => {
    const { store, clock } = await setUp(t)
    await appendUsers(store, 1, T0)
    // Two attempts failed under a processor that has since gone.
    await store.processing.recordFailure(1, 'boom', T0)
    await store.processing.recordFailure(1, 'boom', T0)
    const failing: Step = () => {
      throw new Error('boom')
    }
    const p = processor(t, store, clock, 'next', { step: failing, maxAttempts: 3 })
    p.start()
    await waitFor('the dead record', async () => (await store.processing.cursor()) === 1)
    const [outcome] = await store.profiles.outcomesOfRequest(WS, 'REQ0')
    assert.equal(outcome?.outcome, 'dead')
    assert.match(outcome?.reason ?? '', /^failed 3 times: boom/)
    assert.equal(p.stats().dead, 1)
  })

  it('removes events past INLET_EVENT_RETENTION_DAYS, by whole months, while it holds the lease', async (t) => {
    const { store, clock } = await setUp(t)
    const user = {
      workspaceId: WS,
      id: 'u1',
      customerId: 'c1',
      attributes: {},
      createdAt: T0,
      updatedAt: T0,
    }
    const event = (seq: number, iso: string) =>
      anEvent({ seq, workspaceId: WS, userId: 'u1', eventTime: Date.parse(iso) })
    await store.processing.commit(
      batchChanges({
        users: [user],
        events: [event(101, '2026-07-31T00:00:00Z'), event(102, '2026-08-15T00:00:00Z')],
      }),
    )
    // 100 days before 2026-11-24 is 2026-08-16: July is past, August is kept (whole months).
    const p = processor(t, store, clock, 'keeper', { eventRetentionMs: 100 * 86_400_000 })
    p.start()
    await waitFor(
      'the expiry',
      async () => (await store.profiles.eventsOfUser(WS, 'u1', 10)).length === 1,
    )
    assert.deepEqual(
      (await store.profiles.eventsOfUser(WS, 'u1', 10)).map((e) => e.seq),
      [102],
    )
  })

  it('checkpoints the log every LOG_CHECKPOINT_EVERY_MS while it holds the lease', async (t) => {
    const { store, clock } = await setUp(t)
    let checkpoints = 0
    const counted: Store = {
      ...store,
      log: {
        ...store.log,
        checkpoint: () => {
          checkpoints++
          return store.log.checkpoint()
        },
      },
    }
    const idle = processor(t, store, clock, 'holder')
    idle.start()
    await idle.wentRound('taking the lease') // and caught up with the empty log
    // Another holds the lease: no checkpoint from this one.
    const p = processor(t, counted, clock, 'waiting')
    p.start()
    await p.wentRound('standing by')
    assert.equal(checkpoints, 0)
    await idle.stop()
    await waitFor('the first checkpoint', () => Promise.resolve(checkpoints === 1))
    await appendUsers(store, 3, T0)
    await waitFor('the records applied', async () => (await store.processing.cursor()) === 3)
    clock.advance(LOG_CHECKPOINT_EVERY_MS - 1)
    await p.wentRound('a batch and its maintenance 1 ms before the interval')
    assert.equal(checkpoints, 1, 'not again within the interval, however many batches')
    clock.advance(1)
    await waitFor('the next checkpoint', () => Promise.resolve(checkpoints === 2))
  })
})
