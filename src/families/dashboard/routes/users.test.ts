// The profile's identity links are the ones Identity Resolution stored (store browse
// .identityLinks), not values read off the attributes; its subscription preferences are the
// consent family's rows against the workspace's categories; its last seen time is the later of
// the last_seen attribute and the newest event.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, createTestApp, type TestApp } from '../../../../test/helpers/app.js'
import { dashboardGet, signIn } from '../../../../test/helpers/dashboard.js'
import { admin } from '../../../../test/helpers/admin.js'
import { ADMIN_CATEGORIES, OPT_IN, consent, consentApp } from '../../../../test/helpers/consent.js'
import { userOf } from '../../../../test/helpers/data-api.js'

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
