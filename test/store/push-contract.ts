/**
 * The contract of Store `push` (store/push-repo.ts), run by storeContract on every adapter:
 * campaigns claimed once per name and workspace; the devices of many users in one call; sends
 * claimed when due and not held (the lease keeps a second claimer out until it is over), a step
 * written — its messages in the outbox and the send moved — only while the send is where the step
 * began (a second writer of the same step writes nothing), an occurrence's completion moving the
 * send to the next one (or to none) and letting go of it; sends as they were after a reopen.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { batchChanges } from '../helpers/batches.js'
import type { NewOutboxMessage, PushRunRow, PushRunStep, Store } from '../../src/store/store.js'
import {
  contractDevice as device,
  contractUser as user,
  OTHER,
  outboxMessage,
  T0,
  WS,
} from './fixtures.js'

const LEASE = 60_000

const run = (o: Partial<PushRunRow> = {}): PushRunRow => ({
  workspaceId: WS,
  id: 'run-1',
  campaignId: 'cid-1',
  requestId: 'REQAAAAA',
  request: { campaignName: 'Winter sale', platforms: ['ANDROID'] },
  nextAt: T0,
  occurrence: 1,
  cursor: null,
  leaseUntil: null,
  messages: 0,
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

const message = (id: string, o: Partial<NewOutboxMessage> = {}): NewOutboxMessage =>
  outboxMessage({
    id,
    channel: 'PUSH',
    source: 'push',
    sourceId: 'cid-1',
    customerId: 'ann',
    recipient: `token-${id}`,
    platform: 'ANDROID',
    subject: 'Sale',
    body: 'Hi Ann',
    payload: { campaign_name: 'Winter sale' },
    template: 'push/cid-1/ANDROID',
    ...o,
  })

const step = (o: Partial<PushRunStep> = {}): PushRunStep => ({
  workspaceId: WS,
  id: 'run-1',
  occurrence: 1,
  cursor: null,
  next: 'user-2',
  nextAt: null,
  now: T0,
  leaseUntil: T0 + LEASE,
  ...o,
})

export function pushContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopen: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('push campaigns and sends (store/push-repo.ts)', () => {
    it('claims a campaign name once per workspace, answering the holder after', async (t) => {
      const store = await fresh(t)
      const made = {
        workspaceId: WS,
        id: 'cid-1',
        name: 'Winter sale',
        audience: 'User',
        createdAt: T0,
      }
      assert.deepEqual(await store.push.claimCampaign(made), { created: true, row: made })
      const again = await store.push.claimCampaign({ ...made, id: 'cid-2', audience: 'All Users' })
      assert.deepEqual(again, { created: false, row: made })
      const other = { ...made, workspaceId: OTHER, id: 'cid-3' }
      assert.deepEqual(await store.push.claimCampaign(other), { created: true, row: other })
      assert.deepEqual(await store.push.campaign(WS, 'Winter sale'), made)
      assert.equal(await store.push.campaign(WS, 'winter sale'), undefined)
    })

    it('reads the devices of many users at once', async (t) => {
      const store = await fresh(t)
      const users = Array.from({ length: 600 }, (_, i) =>
        user(`u${String(i).padStart(4, '0')}`, `c${i}`),
      )
      const devices = [
        device('d1', 'u0000', 'ANDROID'),
        device('d2', 'u0000', 'iOS'),
        device('d3', 'u0599', 'web'),
        device('d4', 'u0300', 'ANDROID'),
      ]
      await store.processing.commit(batchChanges({ users, devices }))
      const found = await store.push.devicesOfUsers(
        WS,
        users.map((u) => u.id),
      )
      assert.deepEqual(found.map((d) => d.deviceId).sort(), ['d1', 'd2', 'd3', 'd4'])
      assert.deepEqual(
        found.find((d) => d.deviceId === 'd2'),
        devices[1],
      )
      assert.deepEqual(await store.push.devicesOfUsers(WS, ['u0300']), [devices[3]])
      assert.deepEqual(await store.push.devicesOfUsers(OTHER, ['u0000']), [])
      assert.deepEqual(await store.push.devicesOfUsers(WS, []), [])
    })

    it('claims a due send once until its lease is over; never one not due or done', async (t) => {
      const store = await fresh(t)
      await store.push.createRun(run())
      await store.push.createRun(run({ id: 'run-later', nextAt: T0 + 3_600_000 }))
      await store.push.createRun(run({ id: 'run-done', nextAt: null }))
      const claimed = await store.push.claimDueRuns(T0, LEASE, 10)
      assert.deepEqual(claimed, [run({ leaseUntil: T0 + LEASE })])
      assert.deepEqual(await store.push.claimDueRuns(T0 + LEASE - 1, LEASE, 10), [])
      const retaken = await store.push.claimDueRuns(T0 + LEASE, LEASE, 10)
      assert.deepEqual(
        retaken.map((r) => [r.id, r.leaseUntil]),
        [['run-1', T0 + 2 * LEASE]],
      )
      await store.push.release(WS, 'run-1')
      assert.deepEqual(
        (await store.push.claimDueRuns(T0, LEASE, 10)).map((r) => r.id),
        ['run-1'],
      )
    })

    it('writes a step only while the send is where it began, its messages with it', async (t) => {
      const store = await fresh(t)
      await store.push.createRun(run({ leaseUntil: T0 + LEASE }))
      assert.equal(await store.push.advance(step(), [message('m1'), message('m2')]), true)
      // The same step again (another process): nothing written.
      assert.equal(await store.push.advance(step(), [message('m3')]), false)
      assert.equal(await store.push.advance(step({ occurrence: 2 }), [message('m3')]), false)
      const moved = await store.push.run(WS, 'run-1')
      assert.deepEqual(
        [moved?.cursor, moved?.occurrence, moved?.nextAt, moved?.leaseUntil, moved?.messages],
        ['user-2', 1, T0, T0 + LEASE, 2],
      )
      const outbox = await store.outbox.list(WS, {}, 10)
      assert.deepEqual(outbox.map((m) => m.id).sort(), ['m1', 'm2'])
      assert.deepEqual(
        { ...outbox.find((m) => m.id === 'm1'), seq: 0, rev: 0 },
        { ...message('m1'), seq: 0, rev: 0, updatedAt: T0 },
      )
      // The occurrence done: on to the next one's time, the lease let go.
      const next = T0 + 86_400_000
      assert.equal(
        await store.push.advance(
          step({ cursor: 'user-2', next: null, nextAt: next, now: T0 + 5 }),
          [message('m3')],
        ),
        true,
      )
      const done = await store.push.run(WS, 'run-1')
      assert.deepEqual(
        [
          done?.cursor,
          done?.occurrence,
          done?.nextAt,
          done?.leaseUntil,
          done?.messages,
          done?.updatedAt,
        ],
        [null, 2, next, null, 3, T0 + 5],
      )
      assert.deepEqual(await store.push.claimDueRuns(next - 1, LEASE, 10), [])
      assert.equal((await store.push.claimDueRuns(next, LEASE, 10)).length, 1)
      // The last occurrence: no next time, never claimed again; a step on it writes nothing.
      assert.equal(
        await store.push.advance(step({ occurrence: 2, next: null, nextAt: null }), []),
        true,
      )
      assert.equal((await store.push.run(WS, 'run-1'))?.nextAt, null)
      assert.deepEqual(await store.push.claimDueRuns(next * 2, LEASE, 10), [])
      assert.equal(
        await store.push.advance(step({ occurrence: 3, next: null }), [message('m4')]),
        false,
      )
      assert.equal((await store.outbox.list(WS, {}, 10)).length, 3)
    })

    it('lists a workspace’s sends newest first', async (t) => {
      const store = await fresh(t)
      await store.push.createRun(run())
      await store.push.createRun(run({ id: 'run-2', createdAt: T0 + 1 }))
      await store.push.createRun(run({ id: 'run-3', workspaceId: OTHER }))
      assert.deepEqual(
        (await store.push.runs(WS, 10)).map((r) => r.id),
        ['run-2', 'run-1'],
      )
      assert.deepEqual(
        (await store.push.runs(WS, 1)).map((r) => r.id),
        ['run-2'],
      )
      assert.equal(await store.push.run(WS, 'run-3'), undefined)
    })

    if (reopen !== undefined) {
      it('keeps campaigns and sends across a reopen', async (t) => {
        const store = await fresh(t)
        const made = {
          workspaceId: WS,
          id: 'cid-1',
          name: 'Winter sale',
          audience: 'User',
          createdAt: T0,
        }
        await store.push.claimCampaign(made)
        await store.push.createRun(run({ cursor: 'user-9', leaseUntil: T0 + LEASE }))
        const again = await reopen(t, store)
        assert.deepEqual(await again.push.campaign(WS, 'Winter sale'), made)
        assert.deepEqual(
          await again.push.run(WS, 'run-1'),
          run({ cursor: 'user-9', leaseUntil: T0 + LEASE }),
        )
      })
    }
  })
}
