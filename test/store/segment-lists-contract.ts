/**
 * The contract of Store `segmentLists` (store/segment-list-repo.ts) and of `customSegments`'
 * setArchived, run by storeContract on every adapter: a list's origin kept and found (a cohort by
 * partner and id), members added and removed once each, counted, gone with their user, values
 * matched to users (text, number, column; at most two per value), expiry archiving once, the
 * import jobs claimed once under a lease (in order per segment, a run-out lease taken over),
 * retried, finished, called back, the users imported in a day, old jobs pruned, workspaces
 * apart, jobs outliving the store, and memberships that merges move and their undos put back.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { batchChanges } from '../helpers/batches.js'
import type {
  CustomSegmentRow,
  ImportJobRow,
  MembershipChange,
  SegmentListRow,
  Store,
  UserRow,
} from '../../src/store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

const user = (id: string, attributes: Record<string, unknown>, ws = WS): UserRow => ({
  workspaceId: ws,
  id,
  customerId: `cust-${id}`,
  attributes,
  createdAt: T0,
  updatedAt: T0,
})

const segment = (id: string, o: Partial<CustomSegmentRow> = {}): CustomSegmentRow => ({
  workspaceId: WS,
  id,
  name: `list ${id}`,
  type: 'FILE',
  source: 'API',
  includedFilters: 'null',
  definitionHash: `list:${id}`,
  description: '',
  createdAt: T0,
  updatedAt: T0,
  updatedBy: null,
  archivedAt: null,
  ...o,
})

const list = (id: string, o: Partial<SegmentListRow> = {}): SegmentListRow => ({
  workspaceId: WS,
  segmentId: id,
  kind: 'file',
  partner: null,
  externalId: null,
  expiresAt: null,
  ...o,
})

const job = (id: string, segmentId: string, o: Partial<ImportJobRow> = {}): ImportJobRow => ({
  workspaceId: WS,
  id,
  segmentId,
  operation: 'add',
  attributeName: 'ID',
  attributeType: 'string',
  fileUrl: 'https://files.example.com/a.csv',
  callbackUrl: null,
  emails: '[]',
  state: 'queued',
  attempts: 0,
  nextAttemptAt: T0,
  leaseOwner: null,
  leaseUntil: null,
  createdAt: T0,
  updatedAt: T0,
  finishedAt: null,
  resultStatus: null,
  errorMessage: null,
  valuesFound: 0,
  valuesProcessed: 0,
  userCount: 0,
  unmatched: 0,
  ambiguous: 0,
  callbackAttempts: 0,
  callbackState: 'none',
  ...o,
})

const COUNTS = { valuesFound: 3, valuesProcessed: 2, userCount: 1, unmatched: 1, ambiguous: 0 }

/** A store with users u1–u4 (and u1 of OTHER) and the list segments `ids` of WS. */
async function seeded(fresh: (t: TestContext) => Promise<Store>, t: TestContext, ...ids: string[]) {
  const store = await fresh(t)
  await store.processing.commit(
    batchChanges({
      toSeq: 1,
      users: [
        user('u1', { u_em: 'a@example.com', score: 7 }),
        user('u2', { u_em: 'shared@example.com', score: 8 }),
        user('u3', { u_em: 'shared@example.com', score: 8.5 }),
        user('u4', { u_em: 'Shared@example.com' }),
        user('u1', { u_em: 'a@example.com' }, OTHER),
      ],
    }),
  )
  for (const id of ids) {
    assert.equal((await store.customSegments.create(segment(id), 1_000)).kind, 'created')
    await store.segmentLists.put(list(id))
  }
  return store
}

export function segmentListsContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopened: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('segment lists', () => {
    it('keeps a list and finds a cohort by partner and id, in its workspace only', async (t) => {
      const store = await seeded(fresh, t, 's1')
      const cohort = list('s2', { kind: 'cohort', partner: 'p', externalId: 'c1', expiresAt: 5 })
      await store.customSegments.create(segment('s2', { type: 'COHORT' }), 1_000)
      await store.segmentLists.put(cohort)
      assert.deepEqual(await store.segmentLists.get(WS, 's2'), cohort)
      assert.deepEqual(await store.segmentLists.cohort(WS, 'p', 'c1'), cohort)
      assert.equal(await store.segmentLists.cohort(WS, 'p', 'c2'), undefined)
      assert.equal(await store.segmentLists.cohort(OTHER, 'p', 'c1'), undefined)
      assert.equal(await store.segmentLists.get(OTHER, 's1'), undefined)
      assert.deepEqual(await store.segmentLists.list(WS), [list('s1'), cohort])
      await assert.rejects(store.segmentLists.put({ ...cohort, segmentId: 's1' }))
    })

    it('adds and removes members once each, counted, and empties a list', async (t) => {
      const store = await seeded(fresh, t, 's1', 's2')
      const lists = store.segmentLists
      assert.equal(await lists.addMembers(WS, 's1', ['u1', 'u2'], T0), 2)
      assert.equal(await lists.addMembers(WS, 's1', ['u2', 'u3'], T0), 1)
      assert.equal(await lists.addMembers(WS, 's2', ['u1'], T0), 1)
      assert.equal(await lists.addMembers(WS, 's2', [], T0), 0)
      assert.equal(await lists.memberCount(WS, 's1'), 3)
      assert.deepEqual(await lists.membershipsOf(WS, 'u1'), ['s1', 's2'])
      assert.equal(await lists.removeMembers(WS, 's1', ['u1', 'u4']), 1)
      assert.equal(await lists.removeMembers(WS, 's1', []), 0)
      assert.equal(await lists.memberCount(WS, 's1'), 2)
      await lists.clearMembers(WS, 's1')
      assert.equal(await lists.memberCount(WS, 's1'), 0)
      assert.equal(await lists.memberCount(WS, 's2'), 1)
      assert.deepEqual(await lists.membershipsOf(OTHER, 'u1'), [])
    })

    it('forgets a member whose user row goes', async (t) => {
      const store = await seeded(fresh, t, 's1')
      await store.segmentLists.addMembers(WS, 's1', ['u1', 'u2'], T0)
      await store.processing.commit(
        batchChanges({ fromSeq: 1, toSeq: 2, deletedUsers: [{ workspaceId: WS, userId: 'u1' }] }),
      )
      assert.deepEqual(await store.segmentLists.membershipsOf(WS, 'u1'), [])
      assert.equal(await store.segmentLists.memberCount(WS, 's1'), 1)
    })

    describe('memberships moved by merges', () => {
      const change = (
        kind: MembershipChange['kind'],
        mergeId: number,
        from: string,
        to: string,
      ): MembershipChange => ({
        kind,
        workspaceId: WS,
        mergeId,
        fromUserId: from,
        toUserId: to,
        at: T0 + 5,
      })
      let seq = 1
      const commit = (store: Store, o: Parameters<typeof batchChanges>[0]) =>
        store.processing.commit(batchChanges({ fromSeq: seq, toSeq: ++seq, ...o }))
      const memberships = async (store: Store) =>
        Object.fromEntries(
          await Promise.all(
            ['u1', 'u2', 'u3'].map(
              async (u) => [u, await store.segmentLists.membershipsOf(WS, u)] as const,
            ),
          ),
        )

      it('a carry moves the merged user’s lists to the retained one; its undo puts back exactly them', async (t) => {
        seq = 1
        const store = await seeded(fresh, t, 's1', 's2', 's3')
        const lists = store.segmentLists
        await lists.addMembers(WS, 's1', ['u1'], T0)
        await lists.addMembers(WS, 's2', ['u1', 'u2'], T0)
        await lists.addMembers(WS, 's3', ['u2'], T0)
        await commit(store, { membershipChanges: [change('carry', 64, 'u1', 'u2')] })
        assert.deepEqual(await memberships(store), { u1: [], u2: ['s1', 's2', 's3'], u3: [] })
        assert.equal(await lists.memberCount(WS, 's2'), 1)
        await commit(store, { membershipChanges: [change('uncarry', 64, 'u2', 'u1')] })
        // u2 keeps s2 (a member before the merge) and s3; u1 has its two lists again.
        assert.deepEqual(await memberships(store), { u1: ['s1', 's2'], u2: ['s2', 's3'], u3: [] })
        // The record went with the undo: a second undo changes nothing.
        await commit(store, { membershipChanges: [change('uncarry', 64, 'u2', 'u1')] })
        assert.deepEqual(await memberships(store), { u1: ['s1', 's2'], u2: ['s2', 's3'], u3: [] })
      })

      it('carries in batch order: a chain of merges, and nothing to a user that is gone', async (t) => {
        seq = 1
        const store = await seeded(fresh, t, 's1', 's2')
        await store.segmentLists.addMembers(WS, 's1', ['u1'], T0)
        await store.segmentLists.addMembers(WS, 's2', ['u2'], T0)
        await commit(store, {
          membershipChanges: [change('carry', 64, 'u1', 'u2'), change('carry', 128, 'u2', 'u3')],
        })
        assert.deepEqual(await memberships(store), { u1: [], u2: [], u3: ['s1', 's2'] })
        // A carry to a user deleted in the same batch moves nothing: u2 keeps its row.
        await store.segmentLists.addMembers(WS, 's1', ['u2'], T0)
        await commit(store, {
          deletedUsers: [{ workspaceId: WS, userId: 'u3' }],
          membershipChanges: [change('carry', 192, 'u2', 'u3')],
        })
        assert.deepEqual(await memberships(store), { u1: [], u2: ['s1'], u3: [] })
        // The first merge's undo: u1 is back in s1, and u2 leaves s1, which that merge gave it.
        await commit(store, { membershipChanges: [change('uncarry', 64, 'u2', 'u1')] })
        assert.deepEqual(await memberships(store), { u1: ['s1'], u2: [], u3: [] })
      })

      it('an erased merge and a replaced list forget what was moved', async (t) => {
        seq = 1
        const store = await seeded(fresh, t, 's1', 's2')
        await store.segmentLists.addMembers(WS, 's1', ['u1'], T0)
        await store.segmentLists.addMembers(WS, 's2', ['u3'], T0)
        await commit(store, {
          membershipChanges: [change('carry', 64, 'u1', 'u2'), change('carry', 128, 'u3', 'u2')],
        })
        assert.deepEqual(await memberships(store), { u1: [], u2: ['s1', 's2'], u3: [] })
        await commit(store, { deletedMerges: [{ workspaceId: WS, id: 64 }] })
        await store.segmentLists.clearMembers(WS, 's2')
        await commit(store, {
          membershipChanges: [
            change('uncarry', 64, 'u2', 'u1'),
            change('uncarry', 128, 'u2', 'u3'),
          ],
        })
        // Neither undo has a record left: u2 stays in s1, and s2 stays empty.
        assert.deepEqual(await memberships(store), { u1: [], u2: ['s1'], u3: [] })
      })
    })

    it('matches values to users: text exactly, numbers by value, columns, two at most', async (t) => {
      const store = await seeded(fresh, t)
      const byValue = (m: { value: string; userId: string }[]) =>
        m.map((x) => `${x.value}=${x.userId}`).sort()
      const email = { kind: 'attribute', key: 'u_em' } as const
      assert.deepEqual(
        byValue(
          await store.segmentLists.match(WS, email, 'string', [
            'a@example.com',
            'shared@example.com',
            'nobody@example.com',
          ]),
        ),
        ['a@example.com=u1', 'shared@example.com=u2', 'shared@example.com=u3'],
      )
      const score = { kind: 'attribute', key: 'score' } as const
      assert.deepEqual(
        byValue(await store.segmentLists.match(WS, score, 'double', ['7.0', '8.5', '9'])),
        ['7.0=u1', '8.5=u3'],
      )
      assert.deepEqual(
        byValue(await store.segmentLists.match(WS, score, 'string', ['7'])),
        [], // a number is not the text '7'
      )
      const customerId = { kind: 'column', column: 'customer_id' } as const
      assert.deepEqual(
        byValue(await store.segmentLists.match(WS, customerId, 'string', ['cust-u4', 'cust-u9'])),
        ['cust-u4=u4'],
      )
      assert.deepEqual(await store.segmentLists.match(WS, customerId, 'string', []), [])
      assert.deepEqual(
        byValue(await store.segmentLists.match(OTHER, email, 'string', ['shared@example.com'])),
        [],
      )
    })

    it('archives a list once its expiry passed, once', async (t) => {
      const store = await seeded(fresh, t)
      await store.customSegments.create(segment('s1'), 1_000)
      await store.segmentLists.put(list('s1', { expiresAt: T0 + 10 }))
      assert.equal(await store.segmentLists.archiveExpired(T0 + 9), 0)
      assert.equal(await store.segmentLists.archiveExpired(T0 + 10), 1)
      assert.equal((await store.customSegments.get(WS, 's1'))?.archivedAt, T0 + 10)
      assert.equal((await store.segmentLists.get(WS, 's1'))?.expiresAt, null)
      const back = await store.customSegments.setArchived(WS, 's1', null, 1_000)
      assert.equal(back.kind, 'updated')
      assert.equal(await store.segmentLists.archiveExpired(T0 + 20), 0)
      assert.equal((await store.customSegments.get(WS, 's1'))?.archivedAt, null)
    })

    it('archives and unarchives within the active limit', async (t) => {
      const store = await seeded(fresh, t, 's1', 's2')
      const archived = await store.customSegments.setArchived(WS, 's1', T0 + 1, 2)
      assert.deepEqual(archived, {
        kind: 'updated',
        row: { ...segment('s1'), archivedAt: T0 + 1 },
      })
      const again = await store.customSegments.setArchived(WS, 's1', T0 + 2, 2)
      assert.equal(again.kind === 'updated' ? again.row.archivedAt : 0, T0 + 1) // keeps its time
      await store.customSegments.create(segment('s3'), 2)
      assert.deepEqual(await store.customSegments.setArchived(WS, 's1', null, 2), {
        kind: 'limit',
        active: 2,
      })
      assert.deepEqual(await store.customSegments.setArchived(OTHER, 's1', null, 2), {
        kind: 'not_found',
      })
      assert.equal((await store.customSegments.setArchived(WS, 's1', null, 3)).kind, 'updated')
      assert.equal((await store.customSegments.get(WS, 's1'))?.archivedAt, null)
    })

    it('claims a due job once, oldest first, one at a time per segment', async (t) => {
      const store = await seeded(fresh, t, 's1', 's2')
      const lists = store.segmentLists
      await lists.enqueue(job('j2', 's1', { createdAt: T0 + 2 }))
      await lists.enqueue(job('j1', 's1', { createdAt: T0 + 1 }))
      await lists.enqueue(job('j3', 's2', { createdAt: T0 + 3, nextAttemptAt: T0 + 50 }))
      await lists.enqueue(job('j4', 's1', { workspaceId: OTHER, createdAt: T0 + 4 }))
      const first = await lists.claim('a', T0 + 10, T0 + 100)
      assert.deepEqual(
        [first?.id, first?.state, first?.attempts, first?.leaseOwner],
        ['j1', 'running', 1, 'a'],
      )
      // j2 waits for j1 (same segment); j3 is not due; OTHER's j4 is free.
      const second = await lists.claim('b', T0 + 10, T0 + 100)
      assert.deepEqual([second?.workspaceId, second?.id], [OTHER, 'j4'])
      assert.equal(await lists.claim('b', T0 + 10, T0 + 100), undefined)
      assert.equal(await lists.renew(WS, 'j1', 'b', T0 + 200), false)
      assert.equal(await lists.renew(WS, 'j1', 'a', T0 + 200), true)
      // a lease that ran out is taken over
      const taken = await lists.claim('c', T0 + 200, T0 + 300)
      assert.deepEqual([taken?.id, taken?.leaseOwner, taken?.attempts], ['j1', 'c', 2])
      await lists.finish(WS, 'j1', 'a', { status: 201, ...COUNTS }, T0 + 201) // not a's any more
      assert.equal((await lists.job(WS, 'j1'))?.state, 'running')
      await lists.finish(WS, 'j1', 'c', { status: 201, ...COUNTS }, T0 + 201)
      const done = await lists.job(WS, 'j1')
      assert.deepEqual(
        [done?.state, done?.resultStatus, done?.userCount, done?.unmatched, done?.leaseOwner],
        ['done', 201, 1, 1, null],
      )
      // j2 is next for s1 (oldest first), then s2's j3, due since T0 + 50
      assert.equal((await lists.claim('c', T0 + 201, T0 + 300))?.id, 'j2')
      assert.equal((await lists.claim('d', T0 + 201, T0 + 300))?.id, 'j3')
    })

    it('never hands one job to two concurrent claimers', async (t) => {
      const store = await seeded(fresh, t, 's1')
      await store.segmentLists.enqueue(job('j1', 's1'))
      const claims = await Promise.all(
        ['a', 'b', 'c', 'd'].map((o) => store.segmentLists.claim(o, T0 + 1, T0 + 100)),
      )
      assert.equal(claims.filter((c) => c !== undefined).length, 1)
    })

    it('retries, then finishes a failure and posts its callback until it is sent', async (t) => {
      const store = await seeded(fresh, t, 's1')
      const lists = store.segmentLists
      await lists.enqueue(job('j1', 's1', { callbackUrl: 'https://cb.example.com/' }))
      await lists.claim('a', T0, T0 + 100)
      await lists.retry(WS, 'j1', 'a', T0 + 50, T0 + 1)
      const waiting = await lists.job(WS, 'j1')
      assert.deepEqual(
        [waiting?.state, waiting?.nextAttemptAt, waiting?.leaseOwner],
        ['queued', T0 + 50, null],
      )
      assert.equal(await lists.claim('a', T0 + 49, T0 + 100), undefined)
      assert.equal((await lists.claim('a', T0 + 50, T0 + 100))?.attempts, 2)
      await lists.finish(
        WS,
        'j1',
        'a',
        { status: 400, errorMessage: 'File download failed.', ...COUNTS },
        T0 + 60,
      )
      const failed = await lists.job(WS, 'j1')
      assert.deepEqual(
        [failed?.state, failed?.callbackState, failed?.resultStatus, failed?.errorMessage],
        ['callback', 'pending', 400, 'File download failed.'],
      )
      const callback = await lists.claim('b', T0 + 60, T0 + 100)
      assert.deepEqual([callback?.state, callback?.attempts], ['callback', 2])
      await lists.callbackResult(
        WS,
        'j1',
        'b',
        { state: 'pending', nextAttemptAt: T0 + 70 },
        T0 + 61,
      )
      assert.equal(await lists.claim('b', T0 + 69, T0 + 100), undefined)
      await lists.claim('b', T0 + 70, T0 + 100)
      await lists.callbackResult(WS, 'j1', 'b', { state: 'sent' }, T0 + 71)
      const sent = await lists.job(WS, 'j1')
      assert.deepEqual(
        [sent?.state, sent?.callbackState, sent?.callbackAttempts],
        ['done', 'sent', 2],
      )
      assert.equal(await lists.claim('b', T0 + 1_000, T0 + 2_000), undefined)
    })

    it('answers the latest job of each segment and the users imported since a time', async (t) => {
      const store = await seeded(fresh, t, 's1', 's2')
      const lists = store.segmentLists
      const finished = { state: 'done', resultStatus: 201 } as const
      await lists.enqueue(job('j1', 's1', { ...finished, finishedAt: T0, userCount: 5 }))
      await lists.enqueue(
        job('j2', 's1', { ...finished, createdAt: T0 + 1, finishedAt: T0 + 10, userCount: 7 }),
      )
      await lists.enqueue(
        job('j3', 's2', {
          ...finished,
          operation: 'remove',
          finishedAt: T0 + 10,
          userCount: 100,
        }),
      )
      await lists.enqueue(
        job('j4', 's2', {
          ...finished,
          operation: 'cohort_add',
          createdAt: T0 + 2,
          finishedAt: T0 + 10,
          userCount: 100,
        }),
      )
      assert.deepEqual(
        (await lists.latestJobs(WS)).map((j) => j.id),
        ['j2', 'j4'],
      )
      assert.equal(await lists.usersImported(WS, T0), 12)
      assert.equal(await lists.usersImported(WS, T0 + 5), 7)
      assert.equal(await lists.usersImported(OTHER, T0), 0)
    })

    it('prunes finished jobs before a time, keeping each segment’s latest and unfinished ones', async (t) => {
      const store = await seeded(fresh, t, 's1', 's2')
      const lists = store.segmentLists
      const done = { state: 'done', resultStatus: 201 } as const
      await lists.enqueue(job('j1', 's1', { ...done, finishedAt: T0 }))
      await lists.enqueue(job('j2', 's1', { ...done, createdAt: T0 + 1, finishedAt: T0 + 10 }))
      await lists.enqueue(job('j3', 's1', { createdAt: T0 + 2 })) // queued: never pruned
      await lists.enqueue(job('j4', 's2', { ...done, finishedAt: T0 })) // s2's latest
      await lists.enqueue(job('j0', 's2', { state: 'callback', createdAt: T0 - 1 }))
      assert.equal(await lists.pruneJobs(T0 + 5), 1)
      assert.equal(await lists.job(WS, 'j1'), undefined)
      assert.equal((await lists.job(WS, 'j2'))?.id, 'j2')
      assert.equal(await lists.pruneJobs(T0 + 20), 1)
      assert.equal(await lists.job(WS, 'j2'), undefined)
      assert.deepEqual(
        (await lists.latestJobs(WS)).map((j) => j.id),
        ['j3', 'j4'],
      )
      assert.equal((await lists.job(WS, 'j0'))?.state, 'callback')
      assert.equal(await lists.pruneJobs(T0 + 20), 0)
    })

    it(
      'keeps lists, members and jobs when the store is reopened',
      { skip: reopened === undefined ? 'the data does not outlive the store' : false },
      async (t) => {
        const store = await seeded(fresh, t, 's1')
        await store.segmentLists.addMembers(WS, 's1', ['u1'], T0)
        await store.segmentLists.enqueue(job('j1', 's1'))
        await store.segmentLists.claim('a', T0, T0 + 100)
        const again = await reopened?.(t, store)
        assert.deepEqual(await again?.segmentLists.get(WS, 's1'), list('s1'))
        assert.equal(await again?.segmentLists.memberCount(WS, 's1'), 1)
        const resumed = await again?.segmentLists.claim('b', T0 + 100, T0 + 200)
        assert.deepEqual([resumed?.id, resumed?.leaseOwner], ['j1', 'b'])
      },
    )
  })
}
