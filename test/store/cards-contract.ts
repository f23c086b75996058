/**
 * The contract of Store `cards` (store/card-repo.ts), run by storeContract on every adapter:
 * campaigns per workspace, replaced in place, a name held by another refused; cards delivered
 * with their outbox messages in one transaction, a card sent again replacing the user's (its
 * createdAt and activity kept, its deletion undone); deletions (each card once), fetches counted
 * per identifier without changing updatedAt, activity; the user of a device; a removed user's
 * cards removed by the batch that removes the user, and counted for an erasure; a batch's
 * event-triggered cards written only where the user has none of the id (a replay writes nothing
 * twice); a merge's carry moving the merged user's cards, the retained user's of an id kept; the
 * campaign revision bumped by every write; every row as it was written after the store is reopened.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  type CardCampaignRow,
  type CardRow,
  type NewOutboxMessage,
  type Store,
} from '../../src/store/store.js'
import { batchChanges } from '../helpers/batches.js'
import { campaignTableCase } from './campaign-table-case.js'
import { contractUser as user, OTHER, outboxMessage, T0, WS } from './fixtures.js'

const U1 = '00000000000000000000000a'
const U2 = '00000000000000000000000b'

const campaign = (id: string, o: Partial<CardCampaignRow> = {}): CardCampaignRow => ({
  workspaceId: WS,
  campaignId: id,
  name: `Campaign ${id}`,
  version: 1,
  definition: { platforms: ['ANDROID'], pinned: false },
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

/** A card row of the contract's user (the other tests of cards take it too). */
export const card = (id: string, o: Partial<CardRow> = {}): CardRow => ({
  workspaceId: WS,
  userId: U1,
  cardId: id,
  campaignId: 'c1',
  platform: 'android',
  category: 'General',
  content: { id, meta_data: { cid: 'c1' } },
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
  clicked: false,
  firstSeen: null,
  firstDelivered: null,
  showCounts: {},
  seenCount: 0,
  ...o,
})

const message = (id: string): NewOutboxMessage =>
  outboxMessage({
    id: `msg-${id}`,
    channel: 'CARDS',
    source: 'cards',
    sourceId: 'c1',
    customerId: 'alice',
    recipient: 'alice',
    platform: 'ANDROID',
    subject: 'Title',
    body: 'Body',
    payload: { card_id: id },
    template: 'cards/c1/ANDROID',
  })

export function cardsContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopen: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('cards (store/card-repo.ts)', () => {
    campaignTableCase(fresh, (store) => store.cards, campaign)

    it('delivers cards with their messages; a card sent again replaces the user one', async (t) => {
      const store = await fresh(t)
      const cards = store.cards
      const stored = await cards.deliver(
        [card('c1_android'), card('c1_ios', { platform: 'ios', updatedAt: T0 + 1 })],
        [message('c1_android'), message('c1_ios'), { ...message('x'), status: 'suppressed' }],
      )
      assert.equal(stored.length, 3)
      assert.deepEqual(await cards.ofUser(WS, U1), [
        card('c1_ios', { platform: 'ios', updatedAt: T0 + 1 }),
        card('c1_android'),
      ])
      assert.deepEqual(await cards.ofUser(OTHER, U1), [])
      assert.deepEqual(await cards.ofUser(WS, U2), [])
      // The user's activity, then a deletion, then the same card sent again.
      assert.equal(
        await cards.recordActivity(WS, U1, 'c1_android', { clicked: true }, T0 + 2),
        true,
      )
      assert.deepEqual(await cards.remove(WS, U1, ['c1_android', 'nope'], T0 + 3), ['c1_android'])
      assert.deepEqual(await cards.remove(WS, U1, ['c1_android'], T0 + 4), [])
      assert.equal(await cards.recordActivity(WS, U1, 'c1_ios', { seen: true }, T0 + 4), true)
      const deleted = (await cards.ofUser(WS, U1)).find((c) => c.cardId === 'c1_android')
      assert.deepEqual(
        [deleted?.deletedAt, deleted?.updatedAt, deleted?.clicked, deleted?.firstSeen],
        [T0 + 3, T0 + 3, true, T0 + 2],
      )
      const again = card('c1_android', {
        content: { id: 'c1_android', v: 2 },
        createdAt: T0 + 5,
        updatedAt: T0 + 5,
      })
      await cards.deliver([again], [message('again')])
      assert.deepEqual((await cards.ofUser(WS, U1))[0], {
        ...again,
        createdAt: T0,
        clicked: true,
        firstSeen: T0 + 2,
      })
      assert.equal((await store.outbox.list(WS, {}, 10)).length, 4)
      // Sent again, a card's impressions are counted anew (max_times_to_show).
      assert.equal((await cards.ofUser(WS, U1)).find((c) => c.cardId === 'c1_ios')?.seenCount, 1)
      await cards.deliver([card('c1_ios', { platform: 'ios', updatedAt: T0 + 6 })], [])
      assert.equal((await cards.ofUser(WS, U1)).find((c) => c.cardId === 'c1_ios')?.seenCount, 0)
    })

    it('counts fetches per identifier without changing updatedAt; records activity', async (t) => {
      const store = await fresh(t)
      const cards = store.cards
      await cards.deliver([card('a'), card('b')], [])
      await cards.recordFetch(WS, U1, ['a', 'b', 'nope'], 'alice', T0 + 10)
      await cards.recordFetch(WS, U1, ['a'], 'alice', T0 + 20)
      await cards.recordFetch(WS, U1, ['a'], 'device-1', T0 + 30)
      const [a, b] = await cards.ofUser(WS, U1)
      assert.deepEqual(
        [a?.cardId, a?.showCounts, a?.firstDelivered, a?.updatedAt],
        ['a', { alice: 2, 'device-1': 1 }, T0 + 10, T0],
      )
      assert.deepEqual([b?.showCounts, b?.firstDelivered], [{ alice: 1 }, T0 + 10])
      assert.equal(await cards.recordActivity(WS, U1, 'b', { seen: true }, T0 + 40), true)
      assert.equal(await cards.recordActivity(WS, U1, 'b', { clicked: true }, T0 + 50), true)
      assert.equal(await cards.recordActivity(WS, U2, 'b', { seen: true }, T0 + 50), false)
      assert.equal(await cards.recordActivity(WS, U1, 'b', { seen: true }, T0 + 60), true)
      const seen = (await cards.ofUser(WS, U1))[0]
      assert.deepEqual(
        [seen?.cardId, seen?.clicked, seen?.firstSeen, seen?.updatedAt, seen?.seenCount],
        ['b', true, T0 + 40, T0 + 60, 2],
      )
    })

    it("writes a batch's event-triggered cards only where the user has none of the id", async (t) => {
      const store = await fresh(t)
      const failed = { ...message('f1'), status: 'failed' as const, reason: 'no City' }
      const first = await store.processing.commit(
        batchChanges({
          cardSends: [{ card: card('t_android'), message: message('t1') }, { message: failed }],
        }),
      )
      assert.deepEqual(
        first.cardMessages.map((m) => [m.id, m.status]),
        [
          ['msg-t1', 'recorded'],
          ['msg-f1', 'failed'],
        ],
      )
      await store.cards.remove(WS, U1, ['t_android'], T0 + 1)
      // Applied again (a replay, or the next trigger): the card is there (deleted), so nothing.
      // Another user's is new.
      const again = await store.processing.commit(
        batchChanges({
          cardSends: [
            { card: card('t_android', { updatedAt: T0 + 2 }), message: message('t2') },
            { card: card('t_android', { userId: U2 }), message: message('t3') },
            // The same card twice in one batch: the first is written.
            { card: card('t_android', { userId: U2, updatedAt: T0 + 3 }), message: message('t4') },
          ],
        }),
      )
      assert.deepEqual(
        again.cardMessages.map((m) => m.id),
        ['msg-t3'],
      )
      const [kept] = await store.cards.ofUser(WS, U1)
      assert.deepEqual(
        [kept?.cardId, kept?.deletedAt, kept?.updatedAt],
        ['t_android', T0 + 1, T0 + 1],
      )
      assert.deepEqual(
        (await store.cards.ofUser(WS, U2)).map((c) => c.updatedAt),
        [T0],
      )
      assert.deepEqual((await store.outbox.list(WS, {}, 10)).map((m) => m.id).sort(), [
        'msg-f1',
        'msg-t1',
        'msg-t3',
      ])
    })

    it("moves a merged user's cards to the retained user, whose own card of an id wins", async (t) => {
      const store = await fresh(t)
      await store.processing.commit(batchChanges({ users: [user(U1, 'john'), user(U2, 'mary')] }))
      await store.cards.deliver(
        [
          card('a', { userId: U1 }),
          card('a', { userId: U2, clicked: true, content: { id: 'a', v: 'mary' } }),
          card('b', { userId: U2, clicked: true, seenCount: 3, showCounts: { mary: 2 } }),
        ],
        [],
      )
      const carry = (from: string, to: string, kind: 'carry' | 'uncarry' = 'carry') => ({
        kind,
        workspaceId: WS,
        mergeId: 64,
        fromUserId: from,
        toUserId: to,
        at: T0 + 9,
      })
      await store.processing.commit(batchChanges({ membershipChanges: [carry(U2, U1)] }))
      assert.deepEqual(await store.cards.ofUser(WS, U1), [
        card('b', {
          userId: U1,
          clicked: true,
          seenCount: 3,
          showCounts: { mary: 2 },
          updatedAt: T0 + 9,
        }),
        card('a', { userId: U1 }),
      ])
      assert.deepEqual(await store.cards.ofUser(WS, U2), [])
      // An undo leaves them with the retained user; a user that is not there gets nothing.
      await store.processing.commit(
        batchChanges({ membershipChanges: [carry(U1, U2, 'uncarry'), carry(U1, 'nobody')] }),
      )
      assert.equal((await store.cards.ofUser(WS, U1)).length, 2)
    })

    it('bumps the revision of a workspace’s campaigns at every write', async (t) => {
      const store = await fresh(t)
      const cards = store.cards
      assert.deepEqual(await cards.campaignRevs([WS, OTHER]), new Map())
      await cards.putCampaign(campaign('c1'))
      const one = (await cards.campaignRevs([WS, OTHER])).get(WS) ?? 0
      await cards.putCampaign(campaign('c1', { version: 2 }))
      await cards.putCampaign(campaign('c2'))
      await cards.putCampaign(campaign('c9', { workspaceId: OTHER }))
      assert.equal(await cards.removeCampaign(WS, 'c1'), true)
      const revs = await cards.campaignRevs([WS, OTHER, WS])
      assert.equal(revs.get(WS), one + 3)
      assert.equal(typeof revs.get(OTHER), 'number')
      assert.equal(revs.size, 2)
      // A removal of nothing changes nothing.
      await cards.removeCampaign(WS, 'c1')
      assert.equal((await cards.campaignRevs([WS])).get(WS), one + 3)
    })

    it("finds a device's user, and removes a removed user's cards with the user", async (t) => {
      const store = await fresh(t)
      await store.processing.commit(
        batchChanges({
          users: [user(U1, 'alice'), user(U2, 'bob')],
          devices: [
            {
              workspaceId: WS,
              deviceId: 'phone-1',
              userId: U2,
              platform: 'ANDROID',
              pushId: null,
              attributes: {},
              createdAt: T0,
              updatedAt: T0,
            },
          ],
        }),
      )
      assert.equal(await store.cards.userOfDevice(WS, 'phone-1'), U2)
      assert.equal(await store.cards.userOfDevice(OTHER, 'phone-1'), undefined)
      assert.equal(await store.cards.userOfDevice(WS, 'phone-2'), undefined)
      await store.cards.deliver([card('a'), card('b'), card('a', { userId: U2 })], [])
      assert.equal(await store.cards.countOfUsers(WS, [U1, U2]), 3)
      assert.equal(await store.cards.countOfUsers(OTHER, [U1, U2]), 0)
      await store.processing.commit(
        batchChanges({ deletedUsers: [{ workspaceId: WS, userId: U1 }] }),
      )
      assert.deepEqual(await store.cards.ofUser(WS, U1), [])
      assert.equal((await store.cards.ofUser(WS, U2)).length, 1)
    })

    it('keeps campaigns and cards when reopened', { skip: reopen === undefined }, async (t) => {
      if (reopen === undefined) return
      const store = await fresh(t)
      await store.cards.putCampaign(campaign('c1'))
      const delivered = card('a', { deletedAt: T0 + 1, clicked: true, firstSeen: T0 })
      await store.cards.deliver([delivered], [message('a')])
      const again = await reopen(t, store)
      assert.deepEqual(await again.cards.campaigns(WS), [campaign('c1')])
      assert.deepEqual(await again.cards.ofUser(WS, U1), [delivered])
      assert.equal((await again.outbox.list(WS, {}, 10)).length, 1)
    })
  })
}
