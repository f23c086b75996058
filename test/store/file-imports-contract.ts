/**
 * The contract of Store `fileImports` (store/file-import-repo.ts), run by storeContract on every
 * adapter: definitions put, replaced and listed by workspace, a second import with a taken name a
 * conflict; a trigger writing its runs only outside the five minutes (and nothing for an unknown
 * import); a scheduled occurrence queued once (a second enqueue of the same occurrence writes
 * nothing); open runs claimed once while their lease runs and again after it, each claim counted
 * as it is made, and a run claimed the cap's number of times ended FAILED by the next claim
 * instead (its last claimer fenced out), while one claimed fewer times still finishes; a save
 * under a stale claim refused; runs listed newest first, pruned when finished and old, and
 * removed with their import; rows as they were after a reopen.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  StoreConflictError,
  type FileImportRow,
  type FileImportRunRow,
  type Store,
} from '../../src/store/store.js'

const T0 = Date.parse('2026-12-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'
const GAP = 5 * 60_000
const LEASE = 60_000
const CAP = { maxClaims: 3, statusMsg: 'claimed 3 times without finishing' }

const definition = (o: Partial<FileImportRow> = {}): FileImportRow => ({
  workspaceId: WS,
  importId: 'imp-1',
  name: 'Nightly users',
  version: 1,
  definition: { source: 'https://example.com/users.csv', type: 'users', format: 'csv' },
  scheduleType: 'PERIODIC',
  nextRunAt: T0,
  lastTriggeredAt: null,
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

const run = (runId: string, o: Partial<FileImportRunRow> = {}): FileImportRunRow => ({
  workspaceId: WS,
  runId,
  importId: 'imp-1',
  fileName: 'users.csv',
  origin: 'api',
  state: 'QUEUED',
  statusMsg: '',
  scheduledAt: T0,
  startedAt: null,
  completedAt: null,
  leaseUntil: null,
  claims: 0,
  fileSize: null,
  totalRows: 0,
  accepted: 0,
  rejected: 0,
  checkpoint: {},
  rejects: {},
  updatedAt: T0,
  ...o,
})

export function fileImportsContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopen: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('file imports and their runs (store/file-import-repo.ts)', () => {
    it('puts, replaces, lists and removes definitions; a taken name is a conflict', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      await repo.putImport(definition({ importId: 'imp-2', name: 'Events', createdAt: T0 + 1 }))
      await repo.putImport(definition({ workspaceId: OTHER }))
      await assert.rejects(
        repo.putImport(definition({ importId: 'imp-3', name: 'Events' })),
        StoreConflictError,
      )
      await repo.putImport(definition({ version: 2, name: 'Renamed', nextRunAt: null }))
      const listed = await repo.imports(WS)
      assert.deepEqual(
        listed.map((r) => [r.importId, r.name, r.version, r.nextRunAt]),
        [
          ['imp-1', 'Renamed', 2, null],
          ['imp-2', 'Events', 1, T0],
        ],
      )
      assert.deepEqual(listed[1]?.definition, definition().definition)
      assert.equal((await repo.import(OTHER, 'imp-1'))?.name, 'Nightly users')
      await repo.trigger(WS, 'imp-2', T0, GAP, [run('r-1', { importId: 'imp-2' })])
      assert.equal(await repo.removeImport(WS, 'imp-2'), true)
      assert.equal(await repo.removeImport(WS, 'imp-2'), false)
      assert.equal(await repo.run(WS, 'r-1'), undefined)
      assert.equal(await repo.import(WS, 'imp-2'), undefined)
    })

    it('triggers at most once per gap, and not an unknown import', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      assert.equal(await repo.trigger(WS, 'nope', T0, GAP, [run('r-0')]), 'missing')
      assert.equal(await repo.trigger(WS, 'imp-1', T0, GAP, [run('r-1'), run('r-2')]), 'triggered')
      assert.equal(await repo.trigger(WS, 'imp-1', T0 + GAP - 1, GAP, [run('r-3')]), 'recent')
      assert.equal(await repo.trigger(WS, 'imp-1', T0 + GAP, GAP, [run('r-4')]), 'triggered')
      assert.deepEqual((await repo.runs(WS, 'imp-1', 10)).map((r) => r.runId).sort(), [
        'r-1',
        'r-2',
        'r-4',
      ])
      assert.equal(await repo.run(WS, 'r-0'), undefined)
      assert.equal((await repo.import(WS, 'imp-1'))?.lastTriggeredAt, T0 + GAP)
    })

    it('queues a scheduled occurrence once', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      await repo.putImport(definition({ importId: 'later', name: 'Later', nextRunAt: T0 + 10 }))
      await repo.putImport(definition({ importId: 'once', name: 'Once', nextRunAt: null }))
      assert.deepEqual(
        (await repo.dueImports(T0, 10)).map((r) => r.importId),
        ['imp-1'],
      )
      const next = T0 + 86_400_000
      assert.equal(await repo.enqueueScheduled(WS, 'imp-1', T0, next, [run('s-1')]), true)
      assert.equal(await repo.enqueueScheduled(WS, 'imp-1', T0, next, [run('s-2')]), false)
      assert.equal((await repo.import(WS, 'imp-1'))?.nextRunAt, next)
      assert.deepEqual(
        (await repo.runs(WS, 'imp-1', 10)).map((r) => r.runId),
        ['s-1'],
      )
      assert.deepEqual(
        (await repo.dueImports(T0 + 10, 10)).map((r) => r.importId),
        ['later'],
      )
    })

    it('claims open runs once per lease, fences stale saves, prunes old finished runs', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      await repo.trigger(WS, 'imp-1', T0, GAP, [
        run('a', { scheduledAt: T0 }),
        run('b', { scheduledAt: T0 + 1 }),
      ])
      const first = (await repo.claimRuns(T0 + 5, LEASE, 1, CAP)).claimed
      assert.deepEqual(
        first.map((r) => [r.runId, r.state, r.claims, r.startedAt, r.leaseUntil]),
        [['a', 'PROCESSING', 1, T0 + 5, T0 + 5 + LEASE]],
      )
      assert.deepEqual(
        (await repo.claimRuns(T0 + 6, LEASE, 5, CAP)).claimed.map((r) => r.runId),
        ['b'],
      )
      assert.deepEqual(await repo.claimRuns(T0 + 7, LEASE, 5, CAP), { claimed: [], exhausted: [] })
      const claimed = first[0]
      assert.ok(claimed !== undefined)
      // Its lease runs out: another process claims it again (claims 2, start time kept).
      const again = (await repo.claimRuns(T0 + 5 + LEASE, LEASE, 1, CAP)).claimed
      assert.deepEqual(
        again.map((r) => [r.runId, r.claims, r.startedAt]),
        [['a', 2, T0 + 5]],
      )
      // The first claimer's save is refused; the second's is taken.
      assert.equal(await repo.saveRun({ ...claimed, accepted: 99 }), false)
      const current = again[0]
      assert.ok(current !== undefined)
      const done: FileImportRunRow = {
        ...current,
        state: 'SUCCESSFUL',
        leaseUntil: null,
        completedAt: T0 + LEASE + 10,
        totalRows: 3,
        accepted: 2,
        rejected: 1,
        checkpoint: { rows: 3, done: true },
        rejects: { sample: [{ row: 2, line: 3, reason: 'customer_id is empty or missing' }] },
      }
      assert.equal(await repo.saveRun(done), true)
      assert.deepEqual(await repo.run(WS, 'a'), done)
      assert.deepEqual(
        (await repo.claimRuns(T0 + 10 * LEASE, LEASE, 5, CAP)).claimed.map((r) => r.runId),
        ['b'],
      )
      assert.deepEqual(
        (await repo.recentRuns(WS, 10)).map((r) => r.runId),
        ['b', 'a'],
      )
      // Pruning removes only finished runs older than the bound.
      assert.equal(await repo.pruneRuns(T0 + 2), 1)
      assert.deepEqual(
        (await repo.runs(WS, 'imp-1', 10)).map((r) => r.runId),
        ['b'],
      )
    })

    it('counts each claim as it is made: a run claimed the most times is ended, not claimed', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      await repo.trigger(WS, 'imp-1', T0, GAP, [
        run('looping', { scheduledAt: T0 }),
        run('healthy', { scheduledAt: T0 + 1 }),
      ])
      // Each claimer of 'looping' dies before writing anything (SIGKILL, out of memory): its
      // claim alone counts. 'healthy' is claimed once and finishes.
      let at = T0 + 10
      const [firstHealthy] = (await repo.claimRuns(at, LEASE, 5, CAP)).claimed.filter(
        (r) => r.runId === 'healthy',
      )
      assert.ok(firstHealthy !== undefined)
      assert.equal(
        await repo.saveRun({ ...firstHealthy, state: 'SUCCESSFUL', leaseUntil: null }),
        true,
      )
      let last: FileImportRunRow | undefined
      for (let claim = 2; claim <= CAP.maxClaims; claim++) {
        at += LEASE
        const got = await repo.claimRuns(at, LEASE, 5, CAP)
        assert.deepEqual(got.exhausted, [])
        assert.deepEqual(
          got.claimed.map((r) => [r.runId, r.claims, r.state, r.startedAt]),
          [['looping', claim, 'PROCESSING', T0 + 10]],
        )
        last = got.claimed[0]
      }
      assert.ok(last !== undefined)
      // Within the last claim's lease nothing happens to it.
      assert.deepEqual(await repo.claimRuns(at + LEASE - 1, LEASE, 5, CAP), {
        claimed: [],
        exhausted: [],
      })
      // Once it runs out, the next claim ends the run FAILED instead of claiming it again.
      at += LEASE
      const capped = await repo.claimRuns(at, LEASE, 5, CAP)
      assert.deepEqual(capped.claimed, [])
      const ended: FileImportRunRow = {
        ...last,
        state: 'FAILED',
        statusMsg: CAP.statusMsg,
        completedAt: at,
        leaseUntil: null,
        claims: CAP.maxClaims + 1,
        updatedAt: at,
      }
      assert.deepEqual(capped.exhausted, [ended])
      assert.deepEqual(await repo.run(WS, 'looping'), ended)
      // The last claimer, had it woken, is fenced out; and the run is claimed no more.
      assert.equal(await repo.saveRun({ ...last, accepted: 7 }), false)
      assert.deepEqual(await repo.claimRuns(at + 10 * LEASE, LEASE, 5, CAP), {
        claimed: [],
        exhausted: [],
      })
      assert.equal((await repo.run(WS, 'healthy'))?.claims, 1)
    })

    it('lets a run finish that was claimed fewer times than the cap', async (t) => {
      const store = await fresh(t)
      const repo = store.fileImports
      await repo.putImport(definition())
      await repo.trigger(WS, 'imp-1', T0, GAP, [run('resumed')])
      let at = T0
      let claimed: FileImportRunRow | undefined
      for (let claim = 1; claim < CAP.maxClaims; claim++) {
        at += LEASE
        ;[claimed] = (await repo.claimRuns(at, LEASE, 1, CAP)).claimed
      }
      assert.equal(claimed?.claims, CAP.maxClaims - 1)
      assert.ok(claimed !== undefined)
      const done = { ...claimed, state: 'SUCCESSFUL', leaseUntil: null, completedAt: at }
      assert.equal(await repo.saveRun(done), true)
      assert.deepEqual(await repo.claimRuns(at + 10 * LEASE, LEASE, 5, CAP), {
        claimed: [],
        exhausted: [],
      })
      assert.deepEqual(await repo.run(WS, 'resumed'), done)
    })

    if (reopen !== undefined) {
      it('keeps definitions and runs across a reopen', async (t) => {
        const store = await fresh(t)
        await store.fileImports.putImport(definition())
        await store.fileImports.trigger(WS, 'imp-1', T0, GAP, [run('r-1')])
        const again = await reopen(t, store)
        assert.equal((await again.fileImports.import(WS, 'imp-1'))?.lastTriggeredAt, T0)
        assert.deepEqual(await again.fileImports.run(WS, 'r-1'), run('r-1'))
      })
    }
  })
}
