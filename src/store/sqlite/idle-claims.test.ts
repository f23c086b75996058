// The request thread's pollers (the delivery worker, the Push scheduler, the file-import runner,
// the segment-list tick) claim work in write transactions on store.db. With nothing to claim they
// must not take the write lock: better-sqlite3 is synchronous, so waiting for another writer's
// commit (the processor's, in its own thread) would stop the request thread for that long.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { sqliteStoreOnDisk } from '../../../test/helpers/sqlite.js'

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0)

test('claims with nothing to claim answer at once while another connection writes', async (t) => {
  const { dir, store } = sqliteStoreOnDisk(t, 'inlet-idle-claims-', 'os')
  // Another writer holds store.db's write lock, as the processor does while it commits.
  const other = new Database(join(dir, 'store.db'))
  other.pragma('busy_timeout = 0')
  other.exec('BEGIN IMMEDIATE')
  t.after(() => {
    if (other.inTransaction) other.exec('ROLLBACK')
    other.close()
  })

  assert.deepEqual(await store.outbox.claimDue(NOW, 60_000, 10), [])
  assert.deepEqual(await store.push.claimDueRuns(NOW, 60_000, 10), [])
  assert.deepEqual(
    await store.fileImports.claimRuns(NOW, 60_000, 10, { maxClaims: 3, statusMsg: 'too many' }),
    { claimed: [], exhausted: [] },
  )
  assert.equal(await store.segmentLists.archiveExpired(NOW), 0)
  assert.equal(await store.segmentLists.claim('owner-1', NOW, NOW + 60_000), undefined)

  // Once the other writer is done, the store writes as before.
  other.exec('ROLLBACK')
  assert.equal(await store.segmentLists.archiveExpired(NOW), 0)
})
