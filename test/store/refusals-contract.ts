/**
 * The contract of Store `refusals` (store/refusal-repo.ts), run by storeContract on every adapter:
 * refused records summed per workspace, minute and API across batches (a key twice in a batch
 * adds twice), read per workspace from a minute on, pruned by minute, concurrent batches losing
 * nothing, and — where the data outlives the store — the sums there again after a restart.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { RefusedMinute, Store } from '../../src/store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const M0 = T0 / 60_000
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

/** Sums in a stable order, for comparison. */
const sorted = (rows: readonly RefusedMinute[]): RefusedMinute[] =>
  [...rows].sort((a, b) => a.minute - b.minute || a.api.localeCompare(b.api))

export function refusalsContract(
  fresh: (t: TestContext) => Promise<Store>,
  /** The store closed and its data opened again; undefined where the data does not outlive it. */
  reopened: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('refused records per minute', () => {
    it('sums refused records per workspace, minute and API across batches', async (t) => {
      const store = await fresh(t)
      assert.deepEqual(await store.refusals.since(WS, 0), [])
      await store.refusals.add([])
      await store.refusals.add([
        { workspaceId: WS, minute: M0, api: 'event', records: 3 },
        { workspaceId: WS, minute: M0, api: 'event', records: 2 },
        { workspaceId: WS, minute: M0, api: 'customer', records: 1 },
        { workspaceId: WS, minute: M0 + 1, api: 'event', records: 1 },
        { workspaceId: OTHER, minute: M0, api: 'event', records: 7 },
      ])
      await store.refusals.add([{ workspaceId: WS, minute: M0, api: 'event', records: 10 }])
      assert.deepEqual(sorted(await store.refusals.since(WS, T0)), [
        { minute: M0, api: 'customer', records: 1 },
        { minute: M0, api: 'event', records: 15 },
        { minute: M0 + 1, api: 'event', records: 1 },
      ])
      // From a time inside a minute: that minute on.
      assert.deepEqual(await store.refusals.since(WS, T0 + 61_000), [
        { minute: M0 + 1, api: 'event', records: 1 },
      ])
      assert.deepEqual(await store.refusals.since(OTHER, T0), [
        { minute: M0, api: 'event', records: 7 },
      ])
      assert.deepEqual(await store.refusals.since('NOSUCHWORKSPACE00001', 0), [])
    })

    it('forgets the minutes before the one given, of every workspace', async (t) => {
      const store = await fresh(t)
      await store.refusals.add([
        { workspaceId: WS, minute: M0 - 2, api: 'event', records: 1 },
        { workspaceId: OTHER, minute: M0 - 1, api: 'event', records: 1 },
        { workspaceId: WS, minute: M0, api: 'event', records: 1 },
      ])
      assert.equal(await store.refusals.prune(M0), 2)
      assert.equal(await store.refusals.prune(M0), 0)
      assert.deepEqual(await store.refusals.since(WS, 0), [
        { minute: M0, api: 'event', records: 1 },
      ])
      assert.deepEqual(await store.refusals.since(OTHER, 0), [])
    })

    it('loses nothing of batches added concurrently', async (t) => {
      const store = await fresh(t)
      const batch = (n: number) =>
        ['event', 'customer', 'device'].map((api) => ({
          workspaceId: n % 2 === 0 ? WS : OTHER,
          minute: M0 + (n % 3),
          api,
          records: n,
        }))
      await Promise.all(Array.from({ length: 12 }, (_, n) => store.refusals.add(batch(n))))
      const total = async (ws: string) =>
        (await store.refusals.since(ws, 0)).reduce((sum, c) => sum + c.records, 0)
      // n even (WS): 0+2+…+10 = 30 per API; odd (OTHER): 1+3+…+11 = 36 per API.
      assert.equal(await total(WS), 90)
      assert.equal(await total(OTHER), 108)
    })

    it(
      'keeps the sums when the store is reopened',
      { skip: reopened === undefined ? 'the data does not outlive the store' : false },
      async (t) => {
        const store = await fresh(t)
        await store.refusals.add([{ workspaceId: WS, minute: M0, api: 'bulk', records: 4 }])
        const again = await (reopened as NonNullable<typeof reopened>)(t, store) // not skipped
        await again.refusals.add([{ workspaceId: WS, minute: M0, api: 'bulk', records: 1 }])
        assert.deepEqual(await again.refusals.since(WS, T0), [
          { minute: M0, api: 'bulk', records: 5 },
        ])
      },
    )
  })
}
