// The shared quota counter with several windows (spec §5.1 across processes, quotas.ts windows):
// exact like the in-process counter for one process, windows of every length and kind; several
// processes — counters over their own store handles on one SQLite directory, and on one real
// PostgreSQL — never admit more than any window's limit between them, and a minute with room
// does not let a spent hour through; a rolling window gives its slice's unspent lease back; the
// counts of every length are pruned only once they are no longer in force.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it, type TestContext } from 'node:test'
import { startPostgres } from '../../test/helpers/postgres.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createPostgresStore } from '../store/postgres/postgres-store.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { QuotaLeaseRequest, QuotaRepo, Store } from '../store/store.js'
import {
  DAY,
  HOUR,
  MINUTE,
  createMemoryQuotaCounter,
  quotaWindows,
  type Demand,
  type QuotaCounter,
  type QuotaPlan,
} from './quotas.js'
import { createSharedQuotaCounter } from './shared-quotas.js'
import { randomOf } from '../../test/helpers/random.js'

const T = Date.parse('2026-11-01T10:00:00Z')
const MINUTE_MS = MINUTE * 1000
const HOUR_MS = HOUR * 1000

const tempDirs: string[] = []
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function counterOver(t: TestContext, quotas: QuotaRepo): QuotaCounter {
  const counter = createSharedQuotaCounter({ quotas })
  t.after(() => counter.close?.())
  return counter
}

/** A store's quota counts with every lease and prune recorded. */
function recorded(store: Store) {
  const leases: QuotaLeaseRequest[] = []
  const prunes: Promise<number>[] = []
  const quotas: QuotaRepo = {
    lease: (request) => {
      leases.push(request)
      return store.quotas.lease(request)
    },
    used: (key) => store.quotas.used(key),
    prune: (before) => {
      const pruned = store.quotas.prune(before)
      prunes.push(pruned)
      return pruned
    },
  }
  return { quotas, leases, prunes }
}

function memoryStore(t: TestContext): Store {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  return store
}

const one = (quota: string, amount: number): Demand[] => [{ quota, amount }]

describe('createSharedQuotaCounter with several windows', () => {
  it('decides exactly as the in-process counter when it is the only process', async (t) => {
    const shared = counterOver(t, memoryStore(t).quotas)
    const memory = createMemoryQuotaCounter()
    const plan: QuotaPlan = {
      segments: quotaWindows(
        { length: MINUTE, limit: 12, kind: 'fixed' },
        { length: HOUR, limit: 60, kind: 'fixed' },
        { length: DAY, limit: 200, kind: 'fixed' },
      ),
      offers: quotaWindows(
        { length: MINUTE, limit: 9, kind: 'fixed' },
        { length: HOUR, limit: 30, kind: 'fixed' },
      ),
      campaigns: quotaWindows({ length: HOUR, limit: 25, kind: 'rolling' }),
      flows: quotaWindows({ length: MINUTE, limit: 6, kind: 'rolling' }),
    }
    const random = randomOf(5)
    let now = T - 5 * MINUTE_MS
    for (let i = 0; i < 1_500; i++) {
      now += random(20_000) // about 4 hours, across two UTC days' hours
      // A rolling window's status is exact once its slice has leased, so each request carries at
      // least a unit, and rolling quotas are taken alone (shared-quotas.ts: refused from memory).
      const pick = random(4)
      const demands: Demand[] =
        pick === 0
          ? one('segments', 1 + random(4))
          : pick === 1
            ? [
                { quota: 'segments', amount: 1 + random(3) },
                { quota: 'offers', amount: 1 + random(3) },
              ]
            : pick === 2
              ? one('campaigns', 1 + random(3))
              : one('flows', 1 + random(2))
      const expected = memory.take('W', demands, plan, now)
      const actual = await shared.take('W', demands, plan, now)
      assert.deepEqual(actual, expected, `take ${i} at ${new Date(now).toISOString()}`)
      if (pick < 2) {
        const quotas = demands.map((d) => d.quota)
        assert.deepEqual(shared.peek('W', quotas, plan, now), memory.peek('W', quotas, plan, now))
      }
    }
  })

  it('gives a rolling window’s unspent lease back when its slice turns', async (t) => {
    const store = memoryStore(t)
    const { quotas, leases } = recorded(store)
    const counter = counterOver(t, quotas)
    // Leases of 1000 / 50 = 20 units: one request a minute spends 1 of each.
    const plan = { campaigns: quotaWindows({ length: HOUR, limit: 1_000, kind: 'rolling' }) }
    const key = { workspaceId: 'W', quota: 'campaigns', windowMs: HOUR_MS + MINUTE_MS }
    for (let minute = 0; minute < 90; minute++) {
      const decision = await counter.take('W', one('campaigns', 1), plan, T + minute * MINUTE_MS)
      assert.equal(decision.allowed, true, `minute ${minute}`)
      if (minute === 1) {
        assert.deepEqual(leases[1]?.giveBack, { windowStart: T, units: 19 })
        assert.equal(await store.quotas.used({ ...key, windowStart: T }), 1, 'given back')
      }
    }
    assert.ok(leases.every((l) => l.overlapping === true && l.windowMs === HOUR_MS + MINUTE_MS))
    const last = await counter.take('W', one('campaigns', 1), plan, T + 90 * MINUTE_MS)
    assert.equal(last.status.remaining, 1_000 - 61, 'the hour and a minute counted: 61 units')
  })

  it('prunes the counts of each length only once they are no longer in force', async (t) => {
    const store = memoryStore(t)
    const { quotas, prunes } = recorded(store)
    const counter = counterOver(t, quotas)
    const plan = {
      q: quotaWindows(
        { length: MINUTE, limit: 100, kind: 'fixed' },
        { length: HOUR, limit: 100, kind: 'fixed' },
        { length: HOUR, limit: 100, kind: 'rolling' },
        { length: DAY, limit: 100, kind: 'fixed' },
      ),
    }
    const DAY_START = Date.parse('2026-11-01T00:00:00Z') // the fixed day is the UTC day
    const counts = {
      minute: { windowMs: MINUTE_MS, windowStart: T },
      hour: { windowMs: HOUR_MS, windowStart: T },
      rolling: { windowMs: HOUR_MS + MINUTE_MS, windowStart: T },
      day: { windowMs: DAY * 1000, windowStart: DAY_START },
    }
    const counted = async () => {
      const out: string[] = []
      for (const [name, key] of Object.entries(counts)) {
        if ((await store.quotas.used({ workspaceId: 'W', quota: 'q', ...key })) > 0) out.push(name)
      }
      return out
    }
    const takeAt = async (ms: number) => {
      assert.equal((await counter.take('W', one('q', 1), plan, T + ms)).allowed, true)
      await Promise.all(prunes)
    }
    await takeAt(0)
    assert.deepEqual(await counted(), ['minute', 'hour', 'rolling', 'day'])
    await takeAt(2 * MINUTE_MS) // prunes what ended by T + 1 min
    assert.deepEqual(await counted(), ['hour', 'rolling', 'day'], 'the minute only')
    await takeAt(HOUR_MS + 30_000) // prunes what ended by T + 59 min
    assert.deepEqual(await counted(), ['hour', 'rolling', 'day'])
    await takeAt(HOUR_MS + MINUTE_MS + 30_000) // ... by T + 60 min
    assert.deepEqual(await counted(), ['rolling', 'day'], 'the hour; its rolling slice outlives it')
    await takeAt(HOUR_MS + 2 * MINUTE_MS + 30_000) // ... by T + 61 min
    assert.deepEqual(await counted(), ['day'])
    await takeAt(DAY_START + DAY * 1000 - T + 30_000) // ... by 23:59 UTC
    assert.deepEqual(await counted(), ['day'])
    await takeAt(DAY_START + DAY * 1000 - T + MINUTE_MS + 30_000) // ... by the day's end
    assert.deepEqual(await counted(), [])
  })
})

/** Two "processes": a counter each, over its own store handle on one shared store. */
type Shared = Readonly<{ name: string; open: () => Promise<Store[]> }>

/**
 * A counter over each store, closed before the stores when the test ends: a counter's close
 * waits for its leases in flight, and a PostgreSQL pool ended under a query never answers it.
 */
async function processes(t: TestContext, shared: Shared): Promise<QuotaCounter[]> {
  const stores = await shared.open()
  const counters = stores.map((s) => createSharedQuotaCounter({ quotas: s.quotas }))
  t.after(async () => {
    for (const c of counters) await c.close?.()
    for (const s of stores) await s.close()
  })
  return counters
}

const postgres = await startPostgres()
const SHARED: Shared[] = [
  {
    name: 'one SQLite directory',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'inlet-quota-windows-'))
      tempDirs.push(dir)
      return Promise.resolve(
        [0, 1].map(() => createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })),
      )
    },
  },
  {
    name: 'one PostgreSQL',
    open: async () => {
      if (postgres === undefined) throw new Error('no PostgreSQL')
      const url = await postgres.freshUrl()
      const stores: Store[] = []
      for (let i = 0; i < 2; i++) {
        stores.push(await createPostgresStore({ expandRow: expandBulkRow, url, durability: 'os' }))
      }
      return stores
    },
  },
]

for (const shared of SHARED) {
  const skip =
    shared.name.includes('PostgreSQL') && postgres === undefined
      ? 'no PostgreSQL binaries and no TEST_DATABASE_URL'
      : false
  describe(`several processes on ${shared.name}`, { skip }, () => {
    it('refuses a request when the hour is spent though the minute has room, taking nothing', async (t) => {
      const [a, b] = (await processes(t, shared)) as [QuotaCounter, QuotaCounter]
      const plan = {
        segments: quotaWindows(
          { length: MINUTE, limit: 5, kind: 'fixed' },
          { length: HOUR, limit: 8, kind: 'fixed' },
          { length: DAY, limit: 10, kind: 'fixed' },
        ),
      }
      const segments = (c: QuotaCounter, amount: number, at: number) =>
        Promise.resolve(c.take('W', one('segments', amount), plan, at))
      assert.equal((await segments(a, 5, T)).allowed, true)
      assert.equal((await segments(a, 3, T + MINUTE_MS)).allowed, true, 'a spent the hour')
      for (const c of [b, a]) {
        const refused = await segments(c, 1, T + 2 * MINUTE_MS) // the minute has room, not the hour
        assert.equal(refused.allowed, false)
        assert.deepEqual(refused.status.window, { length: HOUR, kind: 'fixed' })
      }
      // The refusals took nothing: over the rest of the UTC day both together get exactly the
      // day's 10 - 8 = 2. (A refused request's units held in a process's lease stay that
      // process's to spend, so keeping both busy spends every unit leased.)
      let admitted = 0
      for (let hour = 1; hour <= 12; hour++) {
        for (const c of [b, a]) {
          const decision = await segments(c, 1, T + hour * HOUR_MS)
          if (decision.allowed) admitted++
          else assert.deepEqual(decision.status.window, { length: DAY, kind: 'fixed' })
        }
      }
      assert.equal(admitted, 2)
    })

    it('never admits more than any window’s limit between them, fixed or rolling', async (t) => {
      const counters = await processes(t, shared)
      const limits = { minute: 12, hour: 40, rolling: 50 }
      const plan = {
        q: quotaWindows(
          { length: MINUTE, limit: limits.minute, kind: 'fixed' },
          { length: HOUR, limit: limits.hour, kind: 'fixed' },
          { length: HOUR, limit: limits.rolling, kind: 'rolling' },
        ),
      }
      const random = randomOf(3)
      const admitted: { at: number; amount: number }[] = []
      let now = T + 40 * MINUTE_MS
      for (let round = 0; round < 160; round++) {
        now += random(90_000) // about 2 hours: across hours, the rolling hour's boundary too
        const at = now
        const batch = Array.from({ length: 4 }, (_, i) => ({
          counter: counters[i % 2] as QuotaCounter,
          amount: 1 + random(3),
        }))
        const decisions = await Promise.all(
          batch.map(({ counter, amount }) =>
            Promise.resolve(counter.take('W', one('q', amount), plan, at)),
          ),
        )
        decisions.forEach((d, i) => {
          if (d.allowed) admitted.push({ at, amount: batch[i]?.amount ?? 0 })
        })
      }
      const sum = (from: number, to: number) =>
        admitted.filter((a) => a.at >= from && a.at < to).reduce((s, a) => s + a.amount, 0)
      const startOf = (ms: number, length: number) => Math.floor(ms / length) * length
      let busiest = { minute: 0, hour: 0, rolling: 0 }
      for (const a of admitted) {
        busiest = {
          minute: Math.max(
            busiest.minute,
            sum(startOf(a.at, MINUTE_MS), startOf(a.at, MINUTE_MS) + MINUTE_MS),
          ),
          hour: Math.max(
            busiest.hour,
            sum(startOf(a.at, HOUR_MS), startOf(a.at, HOUR_MS) + HOUR_MS),
          ),
          rolling: Math.max(busiest.rolling, sum(a.at, a.at + HOUR_MS)),
        }
      }
      const what = JSON.stringify({ busiest, limits, admitted: admitted.length })
      assert.ok(busiest.minute <= limits.minute, what)
      assert.ok(busiest.hour <= limits.hour, what)
      assert.ok(busiest.rolling <= limits.rolling, what)
      // Each window was reached, so each was what stopped requests at some point.
      assert.ok(busiest.minute >= limits.minute - 3, what)
      assert.ok(busiest.hour >= limits.hour - 6, what)
      assert.ok(busiest.rolling > limits.hour, `the rolling hour spans two clock hours: ${what}`)
    })
  })
}
