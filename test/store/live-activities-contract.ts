/**
 * The contract of Store `liveActivities` (store/live-activity-repo.ts), run by storeContract on
 * every adapter: campaigns per workspace, replaced in place, a name held by another refused;
 * instances written with their outbox message in one transaction — a start refused when its id is
 * taken or its campaign has as many active instances as allowed (dismissed and ended ones not
 * counted), and, when two race, one of them; an update or end only while the row is as read —
 * nothing recorded on a refusal; every row as it was written after the store is reopened.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  type LiveActivityCampaignRow,
  type LiveActivityInstanceRow,
  type LiveActivityWrite,
  type NewOutboxMessage,
  type Store,
} from '../../src/store/store.js'
import { campaignTableCase } from './campaign-table-case.js'
import { OTHER, outboxMessage, T0, WS } from './fixtures.js'

const campaign = (
  id: string,
  o: Partial<LiveActivityCampaignRow> = {},
): LiveActivityCampaignRow => ({
  workspaceId: WS,
  campaignId: id,
  name: `Campaign ${id}`,
  version: 1,
  definition: { attribute_type: null, ios_auth: 'p8', max_instances: 2 },
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

const instance = (
  id: string,
  o: Partial<LiveActivityInstanceRow> = {},
): LiveActivityInstanceRow => ({
  workspaceId: WS,
  instanceId: id,
  campaignId: 'c1',
  state: 'active',
  startedAt: T0,
  updatedAt: T0,
  dismissalAt: null,
  lastRequest: `start-${id}`,
  changes: 1,
  ...o,
})

const message = (id: string, o: Partial<NewOutboxMessage> = {}): NewOutboxMessage =>
  outboxMessage({
    id: `msg-${id}`,
    channel: 'LIVE_ACTIVITY',
    source: 'live_activity',
    sourceId: 'c1',
    customerId: null,
    recipient: id,
    platform: 'IOS',
    subject: 'Title',
    body: 'Body',
    payload: { action: 'start', instance_id: id },
    template: 'c1/LIVE_ACTIVITY',
    ...o,
  })

const start = (id: string, o: Partial<LiveActivityInstanceRow> = {}): LiveActivityWrite => ({
  instance: instance(id, o),
  expectedChanges: null,
  maxActive: 2,
  message: message(id),
})

export function liveActivitiesContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopen: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('live activities (store/live-activity-repo.ts)', () => {
    campaignTableCase(fresh, (store) => store.liveActivities, campaign)

    it('writes an instance with its message; refuses a taken id and a full campaign', async (t) => {
      const store = await fresh(t)
      const la = store.liveActivities
      const first = await la.write(start('i1'))
      assert.equal(first.written, true)
      assert.ok(first.written)
      assert.equal(first.message.recipient, 'i1')
      assert.ok(first.message.seq > 0)
      assert.deepEqual(await la.instance(WS, 'i1'), instance('i1'))
      assert.deepEqual(await la.write(start('i1', { campaignId: 'c2' })), {
        written: false,
        reason: 'taken',
      })
      // Another workspace's id space is its own.
      assert.equal(
        (
          await la.write({
            ...start('i1', { workspaceId: OTHER }),
            message: message('o', { workspaceId: OTHER }),
          })
        ).written,
        true,
      )
      assert.equal((await la.write(start('i2', { startedAt: T0 + 1 }))).written, true)
      assert.deepEqual(await la.write(start('i3', { startedAt: T0 + 2 })), {
        written: false,
        reason: 'full',
      })
      // Ended and dismissed instances do not count.
      assert.equal(
        (await la.write({ ...start('i4', { startedAt: T0 + 10 }), maxActive: 3 })).written,
        true,
      )
      await la.write({
        instance: instance('i1', {
          state: 'ended',
          changes: 2,
          updatedAt: T0 + 3,
          lastRequest: 'end',
        }),
        expectedChanges: 1,
        maxActive: 0,
        message: message('i1-end'),
      })
      await la.write({
        instance: instance('i2', { startedAt: T0 + 1, dismissalAt: T0 + 20, changes: 2 }),
        expectedChanges: 1,
        maxActive: 0,
        message: message('i2-update'),
      })
      assert.deepEqual(await la.write(start('i5', { startedAt: T0 + 15 })), {
        written: false,
        reason: 'full',
      })
      assert.equal((await la.write(start('i5', { startedAt: T0 + 21 }))).written, true)
      assert.deepEqual(
        (await la.instances(WS, 'c1', 10)).map((i) => [i.instanceId, i.state]),
        [
          ['i5', 'active'],
          ['i4', 'active'],
          ['i2', 'active'],
          ['i1', 'ended'],
        ],
      )
      // Every write that was refused recorded nothing: i1, i1 (OTHER), i2, i4, two changes, i5.
      assert.equal((await store.outbox.list(WS, {}, 100)).length, 6)
    })

    it('changes an instance only while it is as read', async (t) => {
      const store = await fresh(t)
      const la = store.liveActivities
      await la.write(start('i1'))
      const update = (expected: number, changes: number): LiveActivityWrite => ({
        instance: instance('i1', {
          changes,
          lastRequest: `update-${changes}`,
          updatedAt: T0 + changes,
        }),
        expectedChanges: expected,
        maxActive: 0,
        message: message(`i1-${changes}`),
      })
      assert.equal((await la.write(update(1, 2))).written, true)
      assert.deepEqual(await la.write(update(1, 2)), { written: false, reason: 'changed' })
      assert.deepEqual(await la.write({ ...update(1, 2), instance: instance('nope') }), {
        written: false,
        reason: 'changed',
      })
      assert.equal((await la.instance(WS, 'i1'))?.lastRequest, 'update-2')
      assert.equal((await store.outbox.list(WS, {}, 100)).length, 2)
    })

    it('lets one of two racing starts past the bound', async (t) => {
      const store = await fresh(t)
      const la = store.liveActivities
      await la.write(start('i0'))
      const results = await Promise.all([la.write(start('ia')), la.write(start('ib'))])
      assert.deepEqual(results.map((r) => r.written).sort(), [false, true])
    })

    it('keeps campaigns and instances when reopened', { skip: reopen === undefined }, async (t) => {
      if (reopen === undefined) return
      const store = await fresh(t)
      await store.liveActivities.putCampaign(campaign('c1'))
      await store.liveActivities.write(start('i1', { dismissalAt: T0 + 99 }))
      const again = await reopen(t, store)
      assert.deepEqual(await again.liveActivities.campaigns(WS), [campaign('c1')])
      assert.deepEqual(
        await again.liveActivities.instance(WS, 'i1'),
        instance('i1', { dismissalAt: T0 + 99 }),
      )
      assert.equal((await again.outbox.list(WS, {}, 10)).length, 1)
    })
  })
}
