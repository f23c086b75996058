/**
 * What a store opened on data an older Inlet left must still read, for both adapters' upgrade
 * tests (each seeds the old schema its own way): quota counts kept before windows had lengths.
 */
import assert from 'node:assert/strict'
import type { Store } from '../../src/store/store.js'

/** The one count the old schema holds: workspace W's track_user minute at `windowStart`, 7 used. */
export const PRE_WINDOW_COUNT = { workspaceId: 'W', quota: 'track_user', used: 7 } as const

/** The count seeded as PRE_WINDOW_COUNT is read, leased against and pruned as a minute's. */
export async function assertReadAsMinute(store: Store, windowStart: number): Promise<void> {
  const key = {
    workspaceId: PRE_WINDOW_COUNT.workspaceId,
    quota: PRE_WINDOW_COUNT.quota,
    windowStart,
  }
  assert.equal(await store.quotas.used(key), PRE_WINDOW_COUNT.used)
  assert.equal(await store.quotas.used({ ...key, windowMs: 60_000 }), PRE_WINDOW_COUNT.used)
  assert.equal(await store.quotas.used({ ...key, windowMs: 3_600_000 }), 0)
  assert.deepEqual(await store.quotas.lease({ ...key, limit: 10, need: 1, want: 5 }), {
    granted: 3,
    used: 10,
  })
  assert.equal(await store.quotas.prune(windowStart + 60_000), 1, 'pruned as a minute')
}
