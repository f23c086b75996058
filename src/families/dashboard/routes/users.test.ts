// The profile's identity links are the ones Identity Resolution stored (store browse
// .identityLinks), not values read off the attributes; its subscription preferences are the
// consent family's rows against the workspace's categories; its last seen time is the later of
// the last_seen attribute and the newest event; its merges can be undone from it; its Cards inbox
// lists the cards card campaigns sent, with their state.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, createTestApp, type TestApp } from '../../../../test/helpers/app.js'
import { dashboardGet, signIn } from '../../../../test/helpers/dashboard.js'
import { admin } from '../../../../test/helpers/admin.js'
import { ADMIN_CATEGORIES, OPT_IN, consent, consentApp } from '../../../../test/helpers/consent.js'
import { MERGE, TRACK, customer, userOf } from '../../../../test/helpers/data-api.js'
import {
  DEMO_CARD_CAMPAIGN,
  cardsRequest,
  cardsApp,
  deleteCards,
  sendCampaign,
} from '../../../../test/helpers/cards.js'

type Profile = {
  identities: { type: string; value: string }[]
  identity_resolution: boolean
  identity_links: { name: string; value: string }[]
  last_seen: string | null
}

async function profileOf(app: TestApp, email: string): Promise<Profile> {
  await app.drain()
  const session = await signIn(app, WORKSPACE_ID, API_KEY)
  const ws = `/w/${WORKSPACE_ID}`
  const found = await dashboardGet<{ users: { id: string }[] }>(
    app,
    session,
    `${ws}/users?by=email&q=${encodeURIComponent(email)}`,
  )
  const id = found.users[0]?.id
  assert.ok(id !== undefined, `a user with ${email}`)
  return dashboardGet<Profile>(app, session, `${ws}/users/${id}`)
}

describe("the dashboard's profile: identity links", () => {
  it('shows the links Identity Resolution stored', async (t) => {
    const app = await createTestApp(t)
    await app.store.workspaces.update(WORKSPACE_ID, {
      settings: { identityResolution: true },
      updatedAt: app.clock.now(),
    })
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      attributes: { u_em: 'ada@example.com', u_mb: '+4470001', plan: 'gold' },
    })
    assert.equal(res.statusCode, 200, res.body)
    const profile = await profileOf(app, 'ada@example.com')
    assert.equal(profile.identity_resolution, true)
    assert.deepEqual(profile.identity_links, [
      { name: 'u_em', value: 'ada@example.com' },
      { name: 'u_mb', value: '+4470001' },
    ])
    assert.deepEqual(
      profile.identities.map((i) => i.type),
      ['id'],
    )
  })

  it('shows none without Identity Resolution, whatever the attributes hold', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: 'ada',
      attributes: { email: 'ada@example.com', mobile: '+4470001' },
    })
    assert.equal(res.statusCode, 200, res.body)
    const profile = await profileOf(app, 'ada@example.com')
    assert.equal(profile.identity_resolution, false)
    assert.deepEqual(profile.identity_links, [])
    assert.deepEqual(profile.identities, [
      { type: 'id', value: profile.identities[0]?.value },
      { type: 'customer_id', value: 'ada' },
    ])
  })
})

describe("the dashboard's profile: subscription preferences", () => {
  it("shows the user's opt-in, unsubscribe-all and each category against the workspace's", async (t) => {
    const app = await consentApp(t, {
      categories: ['Promotional', 'Newsletter', 'Retired'],
      users: { ann: { email: 'ann@example.com' } },
    })
    await admin(app, 'POST', ADMIN_CATEGORIES, { name: 'Retired', active: false })
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const ann = await userOf(app, 'ann')
    const path = `/w/${WORKSPACE_ID}/users/${ann.id}/subscriptions`
    const before = await dashboardGet<{ channels: object; categories: unknown[] }>(
      app,
      session,
      path,
    )
    assert.deepEqual(before.channels, {})
    await consent(app, 'PUT', OPT_IN, {
      user_preferences: {
        customer_id: 'ann',
        categories: { Newsletter: false },
        opt_in_status: 'OPT_IN_PENDING',
        channel: 'email',
      },
    })
    const after = await dashboardGet<{
      channels: Record<string, { opt_in_status: string; categories: object }>
      categories: unknown[]
    }>(app, session, path)
    // Every category sent is false: OPTED_OUT whatever was sent.
    assert.equal(after.channels['email']?.opt_in_status, 'OPTED_OUT')
    assert.deepEqual(after.channels['email']?.categories, { Newsletter: false })
    // Oldest first, then by name (the test clock stands still).
    assert.deepEqual(after.categories, [
      { name: 'Newsletter', description: '', active: true, chosen: false, subscribed: false },
      { name: 'Promotional', description: '', active: true, chosen: null, subscribed: true },
      { name: 'Retired', description: '', active: false, chosen: null, subscribed: true },
    ])
  })
})

describe("the dashboard's profile: last seen", () => {
  it('is the later of the last_seen attribute and the newest event, null with neither', async (t) => {
    const app = await createTestApp(t)
    const customer = (id: string, attributes: Record<string, unknown>) =>
      app.post(`/v1/customer/${WORKSPACE_ID}`, {
        type: 'customer',
        customer_id: id,
        attributes: { email: `${id}@example.com`, ...attributes },
      })
    assert.equal((await customer('bob', {})).statusCode, 200)
    assert.equal((await profileOf(app, 'bob@example.com')).last_seen, null)
    // last_seen is kept as given when the user is created (a create-only attribute).
    assert.equal((await customer('ada', { last_seen: '2026-10-01T00:00:00Z' })).statusCode, 200)
    assert.equal((await profileOf(app, 'ada@example.com')).last_seen, '2026-10-01T00:00:00.000Z')
    const event = await app.post(`/v1/event/${WORKSPACE_ID}`, {
      type: 'event',
      customer_id: 'ada',
      actions: [{ action: 'Opened', user_time: '2026-10-20T10:00:00Z' }],
    })
    assert.equal(event.statusCode, 200, event.body)
    assert.equal((await profileOf(app, 'ada@example.com')).last_seen, '2026-10-20T10:00:00.000Z')
  })
})

describe("the dashboard's profile: merges and their undo", () => {
  it('lists the merges the user took part in, and logs the undo of one, which then applies', async (t) => {
    const app = await createTestApp(t)
    for (const id of ['old', 'keep']) {
      const res = await app.post(TRACK, customer(id, { email: `${id}@example.com` }))
      assert.equal(res.statusCode, 200, res.body)
    }
    const merged = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    assert.equal(merged.statusCode, 200, merged.body)
    type Merges = {
      user: { id: string }
      merges: {
        merge_id: number
        merged_user_id: string
        merged_customer_id: string | null
        retained_customer_id: string | null
        undone_at: string | null
      }[]
    }
    const before = (await profileOf(app, 'keep@example.com')) as unknown as Merges
    assert.equal(before.merges.length, 1)
    const [merge] = before.merges
    assert.equal(merge?.undone_at, null)
    assert.equal(merge?.merged_customer_id, 'old')
    assert.equal(merge?.retained_customer_id, 'keep')
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const undo = (id: string) =>
      app.app.inject({
        method: 'POST',
        url: `/dashboard/api/w/${WORKSPACE_ID}/merges/${id}/undo`,
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      })
    const res = await undo(String(merge?.merge_id))
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json<{ status: string }>().status, 'accepted')
    const after = (await profileOf(app, 'keep@example.com')) as unknown as Merges
    assert.notEqual(after.merges[0]?.undone_at, null, 'the undo applied')
    // The merged user is back, with its own profile.
    const back = (await profileOf(app, 'old@example.com')) as unknown as Merges
    assert.equal(back.user.id, merge?.merged_user_id)
    // A merge id that is not the workspace's, or not a number: 404.
    for (const id of ['999999', 'x']) assert.equal((await undo(id)).statusCode, 404)
  })
})

describe("the dashboard's profile: the Cards inbox", () => {
  it('lists the user cards with their texts and state', async (t) => {
    const app = await cardsApp(t)
    await sendCampaign(app, { ...DEMO_CARD_CAMPAIGN, platforms: ['ANDROID', 'IOS', 'WEB'] })
    const seen = await cardsRequest(app, 'POST', '/inlet/v1/cards/activity', {
      uid: 'john',
      card_id: `${DEMO_CARD_CAMPAIGN.campaign_id}_web`,
      seen: true,
    })
    assert.equal(seen.statusCode, 200, seen.body)
    await sendCampaign(app, {
      ...DEMO_CARD_CAMPAIGN,
      platforms: ['ANDROID', 'IOS', 'WEB'],
      max_times_to_show: 1,
    })
    // Sent again, the impressions start anew: the web card is seen once more.
    const again = await cardsRequest(app, 'POST', '/inlet/v1/cards/activity', {
      uid: 'john',
      card_id: `${DEMO_CARD_CAMPAIGN.campaign_id}_web`,
      seen: true,
    })
    assert.equal(again.statusCode, 200, again.body)
    const del = await deleteCards(app, {
      uid: 'john',
      campaign_ids: [DEMO_CARD_CAMPAIGN.campaign_id],
      platforms: ['ios'],
    })
    assert.equal(del.statusCode, 200, del.body)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const [john] = await app.store.profiles.findUsers(WORKSPACE_ID, {
      customerIds: ['john'],
      ids: [],
    })
    const inbox = await dashboardGet<{
      cards: {
        card_id: string
        title: string
        message: string
        state: string
        seen_count: number
      }[]
    }>(app, session, `/w/${WORKSPACE_ID}/users/${john?.id ?? ''}/cards`)
    const id = DEMO_CARD_CAMPAIGN.campaign_id
    assert.deepEqual(
      inbox.cards.map((c) => [c.card_id, c.title, c.message, c.state, c.seen_count]).sort(),
      [
        [`${id}_android`, 'Hi John', '20% off today', 'in inbox', 0],
        [`${id}_ios`, 'Hi John', '20% off today', 'deleted', 0],
        [`${id}_web`, 'Hi John', '20% off today', 'shown out', 1],
      ],
    )
  })
})
