// Cards beyond one-time sends, through the API on both stores (issue 21): an event-triggered card
// campaign gives a user its card when the processor applies the user's trigger event — once per
// user and platform, a replayed batch giving no second card, `send` refusing it — and a merge
// moves the merged user's cards to the retained user (the retained user's card of a campaign and
// platform kept).
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { WORKSPACE_ID, type TestApp } from '../../../test/helpers/app.js'
import { admin } from '../../../test/helpers/admin.js'
import { batchChanges } from '../../../test/helpers/batches.js'
import {
  CARDS_BASE,
  DEMO_CARD_CAMPAIGN,
  cardsApp,
  cardsRequest,
  fetchCards,
  sendCampaign,
} from '../../../test/helpers/cards.js'
import { EVENT, GDPR, MERGE, erasure, userOf } from '../../../test/helpers/data-api.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import type { BatchChanges } from '../../store/store.js'

const postgres = await startPostgres()

const TRIGGERED = {
  campaign_id: 'cart-reminder',
  name: 'Cart reminder',
  platforms: ['ANDROID'],
  delivery_type: 'Event Triggered',
  trigger: { event: 'Added To Cart' },
  template: {
    title: "Still want it, {{UserAttribute['First Name']}}?",
    message: 'Your cart waits',
  },
}
const CARD = 'cart-reminder_android'

type Card = {
  id: string
  meta_data: Record<string, unknown>
  template_data: { containers: { widgets: { content: string }[] }[] }
  user_activity: { is_clicked: boolean }
}

async function cardsOf(app: TestApp, uid: string): Promise<Card[]> {
  const res = await fetchCards(app, { uid })
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ data: { cards: Card[] } }>().data.cards
}

async function track(app: TestApp, customerId: string, action: string): Promise<void> {
  const res = await app.post(EVENT, {
    type: 'event',
    customer_id: customerId,
    actions: [{ action }],
  })
  assert.equal(res.statusCode, 200, res.body)
  await app.drain()
}

async function define(app: TestApp, campaign: Record<string, unknown>): Promise<void> {
  const res = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns`, campaign)
  assert.equal(res.statusCode, 200, res.body)
}

/** The campaign's CARDS messages, oldest first: [customer id, status]. */
async function messagesOf(app: TestApp, campaignId: string): Promise<[string | null, string][]> {
  const rows = await app.store.outbox.list(WORKSPACE_ID, { channel: 'CARDS' }, 50)
  return rows
    .filter((m) => m.sourceId === campaignId)
    .reverse()
    .map((m) => [m.customerId, m.status])
}

async function eventNames(app: TestApp, customerId: string): Promise<string[]> {
  await app.drain()
  const user = await userOf(app, customerId)
  return (await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 50)).map((e) => e.name)
}

for (const kind of ['SQLite', 'PostgreSQL'] as const) {
  const skip = kind === 'PostgreSQL' && postgres === undefined ? 'no PostgreSQL' : false
  const appOf = async (t: TestContext): Promise<TestApp> =>
    kind === 'SQLite' || postgres === undefined
      ? cardsApp(t)
      : cardsApp(
          t,
          {},
          await createPostgresStore({
            expandRow: expandBulkRow,
            url: await postgres.freshUrl(),
            durability: 'os',
            maxConnections: 4,
          }),
        )

  describe(`event-triggered card campaigns (${kind})`, { skip }, () => {
    it('gives a user the card when the trigger event is applied, once', async (t) => {
      const app = await appOf(t)
      // Before the campaign exists the event sends nothing; defining it is seen by the next batch.
      await track(app, 'john', 'Added To Cart')
      await define(app, TRIGGERED)
      const send = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns/cart-reminder/send`, {})
      assert.equal(send.statusCode, 400, send.body)
      assert.match(send.body, /delivery_type/)
      await track(app, 'john', 'Viewed Page')
      assert.deepEqual(await cardsOf(app, 'john'), [])
      await track(app, 'john', 'Added To Cart')
      const [card, ...more] = await cardsOf(app, 'john')
      assert.deepEqual(more, [])
      assert.equal(card?.id, CARD)
      assert.equal(card.meta_data['moe_delivery_type'], 'Event Triggered')
      assert.deepEqual(
        card.template_data.containers[0]?.widgets.map((w) => w.content),
        ['Still want it, John?', 'Your cart waits'],
      )
      assert.deepEqual(await messagesOf(app, 'cart-reminder'), [['john', 'recorded']])
      // The card's `Card Sent` event follows it through the log.
      assert.deepEqual(
        (await eventNames(app, 'john')).filter((n) => n === 'Card Sent'),
        ['Card Sent'],
      )
      // A second trigger: the user has the card (deleted or not), so no second one.
      const del = await cardsRequest(app, 'DELETE', '/v1/cards/delete', {
        uid: 'john',
        campaign_ids: ['cart-reminder'],
      })
      assert.equal(del.statusCode, 200, del.body)
      await track(app, 'john', 'Added To Cart')
      assert.deepEqual(await cardsOf(app, 'john'), [])
      assert.deepEqual(await messagesOf(app, 'cart-reminder'), [['john', 'recorded']])
      assert.deepEqual(await cardsOf(app, 'mary'), [])
      // Removed, it triggers no more.
      const removed = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns/remove`, {
        campaign_id: 'cart-reminder',
      })
      assert.equal(removed.statusCode, 200, removed.body)
      await track(app, 'mary', 'Added To Cart')
      assert.deepEqual(await cardsOf(app, 'mary'), [])
    })

    it('sends only to a users audience, renders failures as failed, and skips erased users', async (t) => {
      const app = await appOf(t)
      await define(app, { ...TRIGGERED, audience: { type: 'users', customer_ids: ['mary'] } })
      await define(app, {
        ...TRIGGERED,
        campaign_id: 'city',
        name: 'City',
        template: { title: "{{UserAttribute['City']}}", message: 'x' },
      })
      await track(app, 'john', 'Added To Cart')
      await track(app, 'mary', 'Added To Cart')
      assert.deepEqual(await cardsOf(app, 'john'), [])
      assert.deepEqual(
        (await cardsOf(app, 'mary')).map((c) => c.id),
        [CARD],
      )
      assert.deepEqual(await messagesOf(app, 'city'), [
        ['john', 'failed'],
        ['mary', 'failed'],
      ])
      assert.deepEqual(await messagesOf(app, 'cart-reminder'), [['mary', 'recorded']])
      const erase = await app.post(GDPR, erasure('ID', 'mary'))
      assert.equal(erase.statusCode, 200, erase.body)
      await app.drain()
      // mary's events are refused from now on: no card, no message.
      await track(app, 'mary', 'Added To Cart')
      assert.equal((await app.store.outbox.list(WORKSPACE_ID, { channel: 'CARDS' }, 50)).length, 3)
    })

    it('gives no second card when a batch whose cards were written is applied again', async (t) => {
      const app = await appOf(t)
      await define(app, TRIGGERED)
      // The first commit writes the batch's cards (and their messages) but not the batch, as if
      // the process died between the two: the batch is read and applied again.
      const processing = app.store.processing
      const commit = processing.commit.bind(processing)
      let lost = false
      processing.commit = async (changes: BatchChanges) => {
        if (lost || (changes.cardSends ?? []).length === 0) return commit(changes)
        lost = true
        const { fromSeq, cardSends } = changes
        await commit(batchChanges({ fromSeq, toSeq: fromSeq, ...(cardSends ? { cardSends } : {}) }))
        throw new Error('the process died before the batch was committed')
      }
      const res = await app.post(EVENT, {
        type: 'event',
        customer_id: 'john',
        actions: [{ action: 'Added To Cart' }],
      })
      assert.equal(res.statusCode, 200, res.body)
      await assert.rejects(app.drain(), /the process died/)
      assert.equal(lost, true)
      await app.drain()
      assert.deepEqual(
        (await cardsOf(app, 'john')).map((c) => c.id),
        [CARD],
      )
      assert.deepEqual(await messagesOf(app, 'cart-reminder'), [['john', 'recorded']])
      const john = await userOf(app, 'john')
      assert.equal(await app.store.cards.countOfUsers(WORKSPACE_ID, [john.id]), 1)
    })
  })

  describe(`a merge moves cards (${kind})`, { skip }, () => {
    it("gives the merged user's cards to the retained user, whose own card of a campaign wins", async (t) => {
      const app = await appOf(t)
      const CID = DEMO_CARD_CAMPAIGN.campaign_id
      await sendCampaign(app) // john and mary, Android and iOS
      await sendCampaign(app, {
        ...DEMO_CARD_CAMPAIGN,
        campaign_id: 'mary-only',
        name: 'Mary only',
        platforms: ['ANDROID'],
        audience: { type: 'users', customer_ids: ['mary'] },
      })
      for (const card_id of [`${CID}_android`, 'mary-only_android']) {
        const click = await cardsRequest(app, 'POST', '/inlet/v1/cards/activity', {
          uid: 'mary',
          card_id,
          clicked: true,
        })
        assert.equal(click.statusCode, 200, click.body)
      }
      const mary = await userOf(app, 'mary')
      app.clock.advance(10_000)
      const merged = await app.post(MERGE, {
        merge_data: [{ merged_user: 'mary', retained_user: 'john' }],
      })
      assert.equal(merged.statusCode, 200, merged.body)
      await app.drain()
      const cards = await cardsOf(app, 'john')
      assert.deepEqual(cards.map((c) => [c.id, c.user_activity.is_clicked]).sort(), [
        [`${CID}_android`, false],
        [`${CID}_ios`, false],
        ['mary-only_android', true],
      ])
      assert.equal(await app.store.cards.countOfUsers(WORKSPACE_ID, [mary.id]), 0)
      // Moved, the card is a change for the retained user's next sync.
      const since = Math.floor(app.clock.now() / 1000) - 5
      const res = await fetchCards(app, {
        uid: 'john',
        prev_sync_card_ids: [`${CID}_android`, `${CID}_ios`],
        last_updated_time: since,
      })
      assert.deepEqual(
        res.json<{ data: { cards: Card[] } }>().data.cards.map((c) => c.id),
        ['mary-only_android'],
      )
    })
  })
}
