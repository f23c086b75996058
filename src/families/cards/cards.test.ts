// Cards: a card campaign sent through the admin API fills its audience's inboxes (each card an
// outbox message and a `Card Sent` event), fetch answers the cards with incremental sync and
// paging, delete marks them deleted (reported by the next fetch), activity changes them; the
// documented errors, the credentials, the quota, GDPR suppression and erasure.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, spendMinuteQuota, type TestApp } from '../../../test/helpers/app.js'
import { admin } from '../../../test/helpers/admin.js'
import {
  CARDS_AUTH,
  CARDS_BASE,
  DEMO_CARD_CAMPAIGN,
  cardsApp,
  cardsRequest,
  deleteCards,
  fetchCards,
  sendCampaign,
} from '../../../test/helpers/cards.js'
import { DEVICE, GDPR } from '../../../test/helpers/data-api.js'

const CID = DEMO_CARD_CAMPAIGN.campaign_id

type Card = {
  id: string
  platform: string
  updated_at: number
  template_data: { containers: { widgets: { type: string; content: string }[] }[] }
  user_activity: { is_clicked: boolean; show_count: Record<string, number> }
}
type Fetched = {
  status: boolean
  request_id: string
  data: { cards: Card[]; deleted_card_ids: string[] }
}

async function fetched(app: TestApp, body: unknown, query = ''): Promise<Fetched['data']> {
  const res = await fetchCards(app, body, query)
  assert.equal(res.statusCode, 200, res.body)
  return res.json<Fetched>().data
}

const nowSeconds = (app: TestApp): number => Math.floor(app.clock.now() / 1000)

async function eventsOf(app: TestApp, customerId: string): Promise<string[]> {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  if (user === undefined) return []
  return (await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 50)).map((e) => e.name)
}

describe('card campaigns sent into inboxes', () => {
  it('puts a rendered card per platform in each user inbox, with its message and event', async (t) => {
    const app = await cardsApp(t)
    const sent = await sendCampaign(app)
    assert.deepEqual(sent, { campaign_id: CID, version: 1, recorded: 4, suppressed: 0, failed: 0 })
    const messages = (await app.store.outbox.list(WORKSPACE_ID, { channel: 'CARDS' }, 10)).reverse()
    assert.deepEqual(
      messages.map((m) => [m.customerId, m.platform, m.status, m.subject, m.template]),
      [
        ['john', 'ANDROID', 'recorded', 'Hi John', `cards/${CID}/ANDROID`],
        ['john', 'IOS', 'recorded', 'Hi John', `cards/${CID}/IOS`],
        ['mary', 'ANDROID', 'recorded', 'Hi Mary', `cards/${CID}/ANDROID`],
        ['mary', 'IOS', 'recorded', 'Hi Mary', `cards/${CID}/IOS`],
      ],
    )
    assert.deepEqual(await eventsOf(app, 'john'), ['Card Sent', 'Card Sent'])
    const res = await fetchCards(app, { uid: 'john' })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Fetched>()
    assert.equal(body.status, true)
    assert.equal(typeof body.request_id, 'string')
    assert.deepEqual(body.data.deleted_card_ids, [])
    const [android] = body.data.cards.filter((c) => c.platform === 'android')
    assert.deepEqual(android, {
      id: `${CID}_android`,
      platform: 'android',
      category: 'Announcements',
      meta_data: {
        cid: CID,
        moe_card_id: `${CID}_android`,
        moe_campaign_name: 'Diwali offers',
        moe_delivery_type: 'One Time',
        moe_campaign_id: CID,
      },
      template_data: {
        type: 'basic',
        containers: [
          {
            id: 0,
            type: 'basic',
            style: {},
            widgets: [
              { id: 0, type: 'image', content: 'https://shop.example/diwali.png' },
              { id: 1, type: 'text', content: 'Hi John' },
              { id: 2, type: 'text', content: '20% off today' },
              {
                id: 3,
                type: 'button',
                content: 'Shop',
                actions: [
                  { type: 'deepLink', name: 'navigate', value: 'shop://offers', kvPairs: {} },
                ],
              },
            ],
            actions: [
              { type: 'screenName', name: 'navigate', value: 'Offers', kvPairs: { from: 'card' } },
            ],
          },
        ],
      },
      display_controls: {
        max_times_to_show: null,
        expire_at: null,
        expire_after_delivered: null,
        is_pin: false,
      },
      created_at: nowSeconds(app),
      updated_at: nowSeconds(app),
      user_activity: {
        is_clicked: false,
        first_seen: 0,
        first_delivered: nowSeconds(app),
        show_count: { john: 1 },
      },
    })
    const again = await fetched(app, { uid: 'john', platforms: ['android'] })
    assert.deepEqual(
      again.cards.map((c) => [c.id, c.user_activity.show_count]),
      [[`${CID}_android`, { john: 2 }]],
    )
  })

  it('finds the user by e-mail or by a device unique_id', async (t) => {
    const app = await cardsApp(t)
    const device = await app.post(DEVICE, {
      type: 'device',
      customer_id: 'mary',
      device_id: 'mary-phone',
      attributes: { platform: 'ANDROID', push_id: 'fcm-mary' },
    })
    assert.equal(device.statusCode, 200, device.body)
    await sendCampaign(app)
    assert.equal((await fetched(app, { uid: 'JOHN@shop.example' })).cards.length, 2)
    assert.equal((await fetched(app, { unique_id: 'mary-phone' })).cards.length, 2)
  })

  it('sends only what changed since the last sync, and the ids deleted since', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app)
    const first = await fetched(app, { uid: 'john' })
    const ids = first.cards.map((c) => c.id)
    app.clock.advance(5_000)
    const synced = { uid: 'john', prev_sync_card_ids: ids, last_updated_time: nowSeconds(app) }
    assert.deepEqual(await fetched(app, synced), { cards: [], deleted_card_ids: [] })
    // A click changes the card: the next sync brings it back.
    app.clock.advance(5_000)
    const click = await cardsRequest(app, 'POST', '/inlet/v1/cards/activity', {
      uid: 'john',
      card_id: `${CID}_ios`,
      clicked: true,
    })
    assert.equal(click.statusCode, 200, click.body)
    const after = await fetched(app, synced)
    assert.deepEqual(
      after.cards.map((c) => [c.id, c.user_activity.is_clicked]),
      [[`${CID}_ios`, true]],
    )
    // A delete: the next sync reports the id, and the card is gone from a full fetch.
    app.clock.advance(5_000)
    const del = await deleteCards(app, { uid: 'john', campaign_ids: [CID], platforms: ['android'] })
    assert.equal(del.statusCode, 200, del.body)
    assert.deepEqual((await fetched(app, synced)).deleted_card_ids, [`${CID}_android`])
    const full = await fetched(app, { uid: 'john' })
    assert.deepEqual(
      full.cards.map((c) => c.id),
      [`${CID}_ios`],
    )
    // A card the client never had is sent even when it is older than the last sync.
    const fresh = await fetched(app, {
      uid: 'john',
      prev_sync_card_ids: [],
      last_updated_time: nowSeconds(app),
    })
    assert.deepEqual(
      fresh.cards.map((c) => c.id),
      [`${CID}_ios`],
    )
  })

  it('takes a card seen max_times_to_show times out of the inbox, reported deleted', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app, { ...DEMO_CARD_CAMPAIGN, platforms: ['ANDROID'], max_times_to_show: 2 })
    const id = `${CID}_android`
    assert.deepEqual(
      (await fetched(app, { uid: 'john' })).cards.map((c) => c.id),
      [id],
    )
    app.clock.advance(5_000)
    const synced = { uid: 'john', prev_sync_card_ids: [id], last_updated_time: nowSeconds(app) }
    const seen = async (): Promise<void> => {
      app.clock.advance(1_000)
      const res = await cardsRequest(app, 'POST', '/inlet/v1/cards/activity', {
        uid: 'john',
        card_id: id,
        seen: true,
      })
      assert.equal(res.statusCode, 200, res.body)
    }
    await seen()
    assert.deepEqual(
      (await fetched(app, synced)).cards.map((c) => c.id),
      [id],
    )
    await seen()
    assert.deepEqual(await fetched(app, synced), { cards: [], deleted_card_ids: [id] })
    assert.deepEqual(await fetched(app, { uid: 'john' }), { cards: [], deleted_card_ids: [] })
    assert.deepEqual(
      (await fetched(app, { uid: 'mary' })).cards.map((c) => c.id),
      [id],
    )
    // Sent again, the card is back, its impressions counted anew.
    await sendCampaign(app, { ...DEMO_CARD_CAMPAIGN, platforms: ['ANDROID'], max_times_to_show: 2 })
    assert.deepEqual(
      (await fetched(app, { uid: 'john' })).cards.map((c) => c.id),
      [id],
    )
  })

  it('pages the cards with page and limit, pinned first', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app)
    app.clock.advance(1_000)
    await sendCampaign(app, {
      ...DEMO_CARD_CAMPAIGN,
      campaign_id: 'pinned-1',
      name: 'Pinned',
      pinned: true,
      platforms: ['ANDROID'],
    })
    const all = await fetched(app, { uid: 'john' })
    assert.deepEqual(
      all.cards.map((c) => c.id),
      ['pinned-1_android', `${CID}_android`, `${CID}_ios`],
    )
    const second = await fetched(app, { uid: 'john' }, '?page=2&limit=2')
    assert.deepEqual(
      second.cards.map((c) => c.id),
      [`${CID}_ios`],
    )
    assert.deepEqual((await fetched(app, { uid: 'john' }, '?page=3&limit=2')).cards, [])
    assert.deepEqual((await fetched(app, { uid: 'john' }, '?page=2')).cards, [])
    const announcements = await fetched(app, { uid: 'john', card_category: 'Nope' })
    assert.deepEqual(announcements.cards, [])
  })

  it('answers delete per platform: success, and invalid for cards the user does not have', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app)
    const res = await deleteCards(app, {
      uid: 'mary',
      campaign_ids: [CID, 'other'],
      platforms: ['android', 'WEB'],
    })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<{ status: boolean; request_id: string; data: unknown }>()
    assert.equal(body.status, true)
    assert.deepEqual(body.data, {
      android: { success: [CID], failed: [], invalid: ['other'] },
      web: { success: [], failed: [], invalid: [CID, 'other'] },
    })
    const again = await deleteCards(app, { uid: 'mary', campaign_ids: [CID] })
    assert.deepEqual(again.json<{ data: unknown }>().data, {
      android: { success: [], failed: [], invalid: [CID] },
      ios: { success: [CID], failed: [], invalid: [] },
      web: { success: [], failed: [], invalid: [CID] },
    })
    // Sending again puts the cards back.
    await sendCampaign(app)
    assert.equal((await fetched(app, { uid: 'mary' })).cards.length, 2)
  })

  it('suppresses cards to an erased user, and an erasure removes the cards a user has', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app)
    const [mary] = await app.store.profiles.findUsers(WORKSPACE_ID, {
      customerIds: ['mary'],
      ids: [],
    })
    assert.equal(await app.store.cards.countOfUsers(WORKSPACE_ID, [mary?.id ?? '']), 2)
    const erase = await app.post(GDPR, {
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'ID', identity_value: 'mary' }],
      api_version: '1.0',
    })
    assert.equal(erase.statusCode, 200, erase.body)
    await app.drain()
    const report = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/gdpr/${erase.json<{ request_id: string }>().request_id}`,
      headers: app.headers,
    })
    assert.equal(report.json<{ erased: { cards: number } }>().erased.cards, 2)
    const [john] = await app.store.profiles.findUsers(WORKSPACE_ID, {
      customerIds: ['john'],
      ids: [],
    })
    assert.equal(await app.store.cards.countOfUsers(WORKSPACE_ID, [john?.id ?? '']), 2)
    assert.equal(await app.store.cards.countOfUsers(WORKSPACE_ID, [mary?.id ?? '']), 0)
    const rows = await app.store.cards.campaigns(WORKSPACE_ID)
    assert.equal(rows.length, 1)
    const res = await fetchCards(app, { uid: 'mary' })
    assert.equal(res.statusCode, 400)
    assert.equal(res.json<{ error: string }>().error, 'User not found for this uid/ unique_id')
    const sent = await sendCampaign(app, { ...DEMO_CARD_CAMPAIGN, platforms: ['WEB'] })
    assert.deepEqual(sent, { campaign_id: CID, version: 2, recorded: 1, suppressed: 1, failed: 0 })
    const [suppressed] = await app.store.outbox.list(
      WORKSPACE_ID,
      { channel: 'CARDS', status: 'suppressed' },
      5,
    )
    assert.match(suppressed?.reason ?? '', /^GDPR: the user's customer_id was erased/)
  })

  it('records a card whose personalization fails as failed, with no card', async (t) => {
    const app = await cardsApp(t)
    const sent = await sendCampaign(app, {
      ...DEMO_CARD_CAMPAIGN,
      platforms: ['WEB'],
      audience: { type: 'all' },
      template: { title: "{{UserAttribute['City']}}", message: 'x' },
    })
    assert.deepEqual(sent, { campaign_id: CID, version: 1, recorded: 0, suppressed: 0, failed: 2 })
    assert.deepEqual((await fetched(app, { uid: 'john' })).cards, [])
  })

  it('sends to a custom segment named by the campaign, and refuses one that does not exist', async (t) => {
    const app = await cardsApp(t)
    const missing = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns`, {
      ...DEMO_CARD_CAMPAIGN,
      audience: { type: 'segment', segment: 'VIPs' },
    })
    assert.equal(missing.statusCode, 200, missing.body)
    const send = await admin(app, 'POST', `${CARDS_BASE}/card-campaigns/${CID}/send`, {})
    assert.equal(send.statusCode, 400, send.body)
    assert.match(send.body, /no custom segment is named 'VIPs'/)
  })
})

describe('Cards errors', () => {
  it('answers the documented 400s in {status:false, error, request_id}', async (t) => {
    const app = await cardsApp(t)
    const cases: [() => ReturnType<typeof fetchCards>, string][] = [
      [
        () => fetchCards(app, { platforms: ['ANDROID'] }),
        "Required field missing. Please include either 'uid' or 'unique_id'",
      ],
      [() => fetchCards(app, { uid: 'nobody' }), 'User not found for this uid/ unique_id'],
      [() => deleteCards(app, { uid: 'john' }), "Invalid or missing 'campaign_ids' field"],
      [
        () => deleteCards(app, { uid: 'john', campaign_ids: 'x' }),
        "Invalid or missing 'campaign_ids' field",
      ],
      [
        () => deleteCards(app, { campaign_ids: ['x'] }),
        "Required field missing. Please include either 'uid' or 'unique_id'",
      ],
      [
        () => fetchCards(app, { uid: 'john', platforms: ['TV'] }),
        'platforms should be a list of ANDROID, IOS, WEB',
      ],
      [
        () => fetchCards(app, { uid: 'john', last_updated_time: 'yesterday' }),
        'last_updated_time should be a Unix time in seconds',
      ],
      [
        () => fetchCards(app, { uid: 'john', prev_sync_card_ids: [1] }),
        'prev_sync_card_ids should be a list of at most 10000 card ids',
      ],
      [
        () => fetchCards(app, { uid: 'john' }, '?page=0'),
        'page should be a number greater than zero',
      ],
      [
        () => fetchCards(app, { uid: 'john' }, '?limit=x'),
        'limit should be a number greater than zero',
      ],
      [
        () => fetchCards(app, { uid: 42 }),
        'uid should be a non-empty string of at most 1000 characters',
      ],
    ]
    for (const [request, error] of cases) {
      const res = await request()
      assert.equal(res.statusCode, 400, res.body)
      const body = res.json<Record<string, unknown>>()
      assert.deepEqual(Object.keys(body), ['status', 'error', 'request_id'])
      assert.equal(body['status'], false)
      assert.equal(body['error'], error)
    }
  })

  it('refuses bad credentials in {title, description, code}', async (t) => {
    const app = await cardsApp(t)
    const cases: [Record<string, string | undefined>, number, string, string][] = [
      [
        { authorization: undefined },
        401,
        'Authentication required',
        'APP_ID and APP_SECRET_KEY is missing in Authorization Header.',
      ],
      [
        { authorization: `Basic ${Buffer.from(`${WORKSPACE_ID}:wrong`).toString('base64')}` },
        401,
        'Authentication Failure',
        'Invalid APP_SECRET_KEY is provided',
      ],
      [
        { authorization: `Basic ${Buffer.from('NOPE:wrong').toString('base64')}` },
        401,
        'Authentication Failure',
        'Invalid APP_ID is provided',
      ],
      [
        { 'moe-appkey': undefined },
        401,
        'Authentication required',
        'MOE-APPKEY is missing in the request headers.',
      ],
    ]
    for (const [headers, status, title, description] of cases) {
      const res = await fetchCards(app, { uid: 'john' }, '', headers)
      assert.equal(res.statusCode, status, res.body)
      const body = res.json<Record<string, unknown>>()
      assert.deepEqual(body, {
        title,
        description,
        code: res.headers['x-request-id'] ?? body['code'],
      })
      assert.equal(typeof body['code'], 'string')
    }
    // The Data key is not the Cards key.
    const data = await fetchCards(app, { uid: 'john' }, '', {
      authorization: app.headers['authorization'],
    })
    assert.equal(data.statusCode, 401)
  })

  it('answers a DELETE without a body, a malformed body and another method', async (t) => {
    const app = await cardsApp(t)
    const empty = await app.app.inject({
      method: 'DELETE',
      url: '/v1/cards/delete',
      headers: {
        authorization: CARDS_AUTH,
        'moe-appkey': WORKSPACE_ID,
        'content-type': 'application/json',
      },
    })
    assert.equal(empty.statusCode, 400, empty.body)
    assert.equal(empty.json<{ status: boolean }>().status, false)
    const malformed = await deleteCards(app, '{"uid":')
    assert.equal(malformed.statusCode, 400, malformed.body)
    const get = await app.app.inject({ method: 'GET', url: '/v1/cards/fetch' })
    assert.equal(get.statusCode, 405)
    assert.equal(get.json<{ status: boolean }>().status, false)
  })

  it('answers 429 in {title, description, code} past 50,000 fetches a minute', async (t) => {
    const app = await cardsApp(t)
    await spendMinuteQuota(app, 'cards_fetch', 50_000)
    const res = await fetchCards(app, { uid: 'john' })
    assert.equal(res.statusCode, 429, res.body)
    const body = res.json<Record<string, unknown>>()
    assert.equal(body['title'], 'Request limit reached')
    assert.equal(body['description'], 'This API call has exceeded the rate limit')
    assert.match(String(res.headers['x-ratelimit-limit']), /^50000\b/)
    const del = await deleteCards(app, { uid: 'john', campaign_ids: ['x'] })
    assert.equal(del.statusCode, 200, del.body)
  })
})

describe('card campaigns through the admin API', () => {
  it('creates, replaces, reads, lists and removes a campaign', async (t) => {
    const app = await cardsApp(t)
    const base = `${CARDS_BASE}/card-campaigns`
    const created = await admin(app, 'POST', base, DEMO_CARD_CAMPAIGN)
    assert.equal(created.statusCode, 200, created.body)
    const view = created.json<{ campaign: Record<string, unknown> }>().campaign
    assert.deepEqual(
      [view['campaign_id'], view['version'], view['delivery_type'], view['pinned']],
      [CID, 1, 'One Time', false],
    )
    const replaced = await admin(app, 'POST', base, { ...DEMO_CARD_CAMPAIGN, pinned: true })
    assert.equal(replaced.json<{ campaign: { version: number } }>().campaign.version, 2)
    const got = await admin(app, 'GET', `${base}/${CID}`)
    assert.equal(got.json<{ campaign: { pinned: boolean } }>().campaign.pinned, true)
    const listed = await admin(app, 'GET', base)
    assert.equal(listed.json<{ campaigns: unknown[] }>().campaigns.length, 1)
    const removed = await admin(app, 'POST', `${base}/remove`, { campaign_id: CID })
    assert.deepEqual(removed.json(), { status: 'success', removed: true })
    const gone = await admin(app, 'GET', `${base}/${CID}`)
    assert.equal(gone.statusCode, 404)
    const send = await admin(app, 'POST', `${base}/${CID}/send`, {})
    assert.equal(send.statusCode, 404)
  })

  it('refuses a definition with a bad field, naming it', async (t) => {
    const app = await cardsApp(t)
    const base = `${CARDS_BASE}/card-campaigns`
    const cases: [Record<string, unknown>, string][] = [
      [{ ...DEMO_CARD_CAMPAIGN, platforms: ['TV'] }, 'platforms[0]'],
      [{ ...DEMO_CARD_CAMPAIGN, audience: { type: 'users' } }, 'audience.customer_ids'],
      [{ ...DEMO_CARD_CAMPAIGN, template: { title: '{{', message: 'x' } }, 'template.title'],
      [{ ...DEMO_CARD_CAMPAIGN, template: undefined }, 'template'],
      [{ ...DEMO_CARD_CAMPAIGN, pinned: 'yes' }, 'pinned'],
      [{ ...DEMO_CARD_CAMPAIGN, expire_at: -1 }, 'expire_at'],
      [{ ...DEMO_CARD_CAMPAIGN, colour: 'red' }, 'colour'],
      [{ ...DEMO_CARD_CAMPAIGN, delivery_type: 'Event Triggered' }, 'trigger'],
      [{ ...DEMO_CARD_CAMPAIGN, trigger: { event: 'Added To Cart' } }, 'trigger'],
      [
        { ...DEMO_CARD_CAMPAIGN, delivery_type: 'Event Triggered', trigger: { event: '' } },
        'trigger.event',
      ],
      [
        {
          ...DEMO_CARD_CAMPAIGN,
          delivery_type: 'Event Triggered',
          trigger: { event: 'Added To Cart' },
          audience: { type: 'segment', segment: 'Buyers' },
        },
        'audience.type',
      ],
    ]
    for (const [body, attribute] of cases) {
      const res = await admin(app, 'POST', base, body)
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, attribute)
    }
  })
})
