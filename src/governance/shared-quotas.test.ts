// The shared quota counter (spec §5.1 across processes): several counters over one store stand
// for several Inlet processes. Exact like the in-process counter for one process; one combined
// quota for several; answers from memory while its lease lasts, waits for one shared lease round
// trip otherwise, refuses from memory once the window is known to be spent.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { QuotaLeaseRequest, QuotaRepo } from '../store/store.js'
import {
  createMemoryQuotaCounter,
  effectiveLimits,
  type Decision,
  type Demand,
  type QuotaCounter,
} from './quotas.js'
import { createSharedQuotaCounter } from './shared-quotas.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'

const T = Date.parse('2026-11-01T10:00:00Z')

/** The store's quota counts, with every lease recorded and optionally held back or failed. */
function sharedRepo(t: TestContext) {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const leases: QuotaLeaseRequest[] = []
  const control = { delayMs: 0, fail: false }
  const quotas: QuotaRepo = {
    lease: async (request) => {
      leases.push(request)
      if (control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs))
      if (control.fail) throw new Error('database unreachable')
      return store.quotas.lease(request)
    },
    used: (key) => store.quotas.used(key),
    prune: (before) => store.quotas.prune(before),
  }
  return { quotas, leases, control, store }
}

function counterOver(t: TestContext, quotas: QuotaRepo): QuotaCounter {
  const counter = createSharedQuotaCounter({ quotas })
  t.after(() => counter.close?.())
  return counter
}

const users = (amount: number): Demand[] => [{ quota: 'track_user', amount }]

describe('createSharedQuotaCounter', () => {
  it('decides exactly as the in-process counter does when it is the only process', async (t) => {
    const { quotas } = sharedRepo(t)
    const shared = counterOver(t, quotas)
    const memory = createMemoryQuotaCounter()
    // The operator may change a limit within a window: lowered below what was taken, raised again.
    const limitSets = [
      effectiveLimits({ track_user: 120, bulk_users: 90, bulk_events: 60 }),
      effectiveLimits({ track_user: 30, bulk_users: 90, bulk_events: 20 }),
    ]
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    let now = T
    for (let i = 0; i < 400; i++) {
      now += random(900) // about 3 windows in all
      const demands: Demand[] =
        random(2) === 0
          ? users(random(9))
          : [
              { quota: 'bulk_users', amount: random(6) },
              { quota: 'bulk_events', amount: random(5) },
            ]
      const limits = limitSets[random(10) < 8 ? 0 : 1] ?? effectiveLimits({})
      const expected = memory.take('W', demands, limits, now)
      const actual = await shared.take('W', demands, limits, now)
      assert.deepEqual(actual, expected, `take ${i}: ${JSON.stringify(demands)}`)
      const quotas = demands.map((d) => d.quota)
      assert.deepEqual(shared.peek('W', quotas, limits, now), memory.peek('W', quotas, limits, now))
    }
  })

  it('gives several processes one combined quota, never more', async (t) => {
    const { quotas, store } = sharedRepo(t)
    const limits = effectiveLimits({ track_user: 500 })
    const processes = [counterOver(t, quotas), counterOver(t, quotas), counterOver(t, quotas)]
    const decisions = await Promise.all(
      Array.from({ length: 900 }, (_, i) =>
        Promise.resolve(
          (processes[i % 3] as QuotaCounter).take('W', users(1 + (i % 2)), limits, T + i),
        ),
      ),
    )
    const accepted = decisions.reduce((n, d, i) => n + (d.allowed ? 1 + (i % 2) : 0), 0)
    assert.ok(accepted <= 500, `accepted ${accepted}`)
    assert.ok(accepted >= 475, `accepted ${accepted}: within 5% of the limit`)
    assert.equal(
      await store.quotas.used({ workspaceId: 'W', quota: 'track_user', windowStart: T }),
      500,
    )
    for (const p of processes) {
      assert.equal((await p.take('W', users(1), limits, T + 1_000)).allowed, false)
    }
  })

  it('answers from memory while its lease lasts, with one lease per block of units', async (t) => {
    const { quotas, leases } = sharedRepo(t)
    const counter = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 10_000 }) // leases of 10,000 / 50 = 200 units
    const first = counter.take('W', users(1), limits, T)
    assert.ok(first instanceof Promise, 'the first request of a window waits for a lease')
    assert.equal((await first).allowed, true)
    let fromMemory = 0
    for (let i = 0; i < 1_000; i++) {
      const decision = counter.take('W', users(1), limits, T + 1)
      if (!(decision instanceof Promise)) fromMemory++
      assert.equal((await decision).allowed, true)
    }
    assert.ok(fromMemory >= 990, `${fromMemory} of 1,000 answered from memory`)
    assert.ok(leases.length <= 8, `${leases.length} leases for 1,001 units`)
    assert.ok(leases.every((l) => l.want <= 200))
  })

  it('refuses from memory once the last count seen says the window is spent', async (t) => {
    const { quotas, leases } = sharedRepo(t)
    const a = counterOver(t, quotas)
    const b = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 4 })
    assert.equal((await a.take('W', users(4), limits, T)).allowed, true)
    const refused = await b.take('W', users(1), limits, T + 10)
    assert.deepEqual(refused, {
      allowed: false,
      status: { quota: 'track_user', limit: 4, remaining: 0, windowStart: T, resetMs: 59_990 },
    })
    const asked = leases.length
    const again = b.take('W', users(1), limits, T + 20)
    assert.ok(!(again instanceof Promise), 'no round trip once the window is known spent')
    assert.equal(again.allowed, false)
    assert.equal(leases.length, asked)
    assert.equal((await b.take('W', users(1), limits, T + 60_000)).allowed, true, 'next window')
  })

  it('lets the requests queued behind a lease share its round trip', async (t) => {
    const { quotas, leases, control } = sharedRepo(t)
    control.delayMs = 20
    const counter = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 10_000 })
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => Promise.resolve(counter.take('W', users(3), limits, T))),
    )
    assert.ok(decisions.every((d) => d.allowed))
    assert.ok(leases.length <= 3, `${leases.length} leases for 50 queued requests`)
  })

  it('takes all demands or none: a refusal puts the units already held back in the lease', async (t) => {
    const { quotas } = sharedRepo(t)
    const counter = counterOver(t, quotas)
    const limits = effectiveLimits({ bulk_users: 100, bulk_events: 2 })
    const bulk = (u: number, e: number): Promise<Decision> =>
      Promise.resolve(
        counter.take(
          'W',
          [
            { quota: 'bulk_users', amount: u },
            { quota: 'bulk_events', amount: e },
          ],
          limits,
          T,
        ),
      )
    const refused = await bulk(10, 3)
    assert.equal(refused.allowed, false)
    assert.equal(refused.status.quota, 'bulk_events')
    const peek = counter.peek('W', ['bulk_users'], limits, T)
    assert.equal(peek.remaining, 100, 'the refused request took nothing')
    assert.equal((await bulk(100, 2)).allowed, true)
    assert.equal((await bulk(1, 0)).allowed, false)
  })

  it('shows another process’s use in its headers once it has leased again', async (t) => {
    const { quotas } = sharedRepo(t)
    const a = counterOver(t, quotas)
    const b = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 100 }) // leases of 2 units
    assert.equal((await a.take('W', users(40), limits, T)).status.remaining, 60)
    const seen = await b.take('W', users(2), limits, T)
    assert.ok(seen.status.remaining <= 58, `b sees a's units: ${seen.status.remaining} left`)
  })

  it('fails the requests that need a lease when the store fails, and recovers', async (t) => {
    const { quotas, control } = sharedRepo(t)
    const counter = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 10 })
    control.fail = true
    await assert.rejects(Promise.resolve(counter.take('W', users(1), limits, T)), /unreachable/)
    control.fail = false
    const decision = await counter.take('W', users(10), limits, T)
    assert.equal(decision.allowed, true)
    assert.equal(decision.status.remaining, 0)
  })

  it('prunes the counts of old windows as windows turn', async (t) => {
    const { quotas, store } = sharedRepo(t)
    const counter = counterOver(t, quotas)
    const limits = effectiveLimits({ track_user: 10 })
    const key = { workspaceId: 'W', quota: 'track_user' }
    for (const minute of [0, 1, 2]) await counter.take('W', users(1), limits, T + minute * 60_000)
    await counter.close?.()
    assert.equal(await store.quotas.used({ ...key, windowStart: T }), 0, 'pruned')
    assert.ok((await store.quotas.used({ ...key, windowStart: T + 60_000 })) > 0, 'kept')
  })
})
