/**
 * Conformance: User Identity Resolution (spec §6.2) — users created and found by identifiers
 * instead of customer_id, profiles that share an identifier merged into the one the retention
 * rules choose (with every event of both), different IDs never merged, Bulk and events by
 * `user_identifiers`, the Merge API disabled, nothing of it when the flag is off, and profiles
 * written before the flag was switched on indexed by the switch.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSequentialIds } from '../../src/core/ids.js'
import { createWorkspaces } from '../../src/workspaces/workspaces.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../helpers/app.js'
import {
  BULK,
  EVENT,
  MERGE,
  TRACK,
  assertRefusal,
  customer,
  missing,
  requestIdOf,
} from '../helpers/data-api.js'

async function withIdentityResolution(app: TestApp, extra: Record<string, unknown> = {}) {
  await app.store.workspaces.update(WORKSPACE_ID, {
    settings: { identityResolution: true, ...extra },
    updatedAt: app.clock.now(),
  })
}

/** Every user of the workspace that still has attributes, with its events' names. */
async function profiles(app: TestApp) {
  await app.drain()
  const ids: string[] = []
  for (let i = 1; i <= 40; i++) ids.push(`00000000000000000000${String(i).padStart(4, '0')}`)
  const users = await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: [], ids })
  const out = []
  for (const u of users.filter((u) => Object.keys(u.attributes).length > 0)) {
    const events = await app.store.profiles.eventsOfUser(WORKSPACE_ID, u.id, 100)
    out.push({ user: u, events: events.map((e) => e.name).sort() })
  }
  return out
}

/** Track User with `identifier` and `attributes`, then an event of `action` by the identifier. */
async function createWithEvent(
  app: TestApp,
  identifier: Record<string, string>,
  attributes: Record<string, unknown>,
  action: string,
): Promise<void> {
  const created = await app.post(TRACK, {
    type: 'customer',
    attributes: { ...identifier, ...attributes },
  })
  assert.equal(created.statusCode, 200, created.body)
  const event = await app.post(EVENT, {
    type: 'event',
    user_identifiers: identifier,
    actions: [{ action }],
  })
  assert.equal(event.statusCode, 200, event.body)
}

describe('§6.2 Identity Resolution', () => {
  it('§6.2 create by email, then by mobile, then a record with both: one profile with every event', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app)
    await createWithEvent(app, { email: 'jo@example.com' }, { first_name: 'Jo' }, 'Viewed')
    app.clock.advance(1000)
    await createWithEvent(app, { moe_mobile: '+15550100' }, { city: 'Oslo' }, 'Bought')
    assert.equal((await profiles(app)).length, 2)

    app.clock.advance(1000)
    const both = await app.post(TRACK, {
      type: 'customer',
      attributes: { email: 'jo@example.com', moe_mobile: '+15550100', plan: 'gold' },
    })
    const report = await app.inspect(requestIdOf(both))
    assert.match(
      report.records[0]?.notes?.[0] ?? '',
      /merged user \w+ into \w+ by identity resolution/,
    )

    const [only, ...rest] = await profiles(app)
    assert.deepEqual(rest, [])
    assert.ok(only)
    // Rule 2: the profile seen (updated) last is retained — the mobile one; the email one's
    // attributes it lacked were copied.
    assert.equal(only.user.attributes['city'], 'Oslo')
    assert.equal(only.user.attributes['u_fn'], 'Jo')
    assert.equal(only.user.attributes['u_em'], 'jo@example.com')
    assert.equal(only.user.attributes['u_mb'], '+15550100')
    assert.equal(only.user.attributes['plan'], 'gold')
    assert.deepEqual(only.events, ['Bought', 'Viewed'])
  })

  it('§6.2 rule 1: the profile with a value for retainByAttribute is retained', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app, { retainByAttribute: 'vip' })
    await app.post(TRACK, { type: 'customer', attributes: { email: 'a@x.io', vip: true } })
    app.clock.advance(1000)
    await app.post(TRACK, { type: 'customer', attributes: { mobile: '+1999', vip2: 1 } })
    await app.drain()
    const [first] = await profiles(app)
    app.clock.advance(1000)
    await app.post(TRACK, { type: 'customer', attributes: { email: 'a@x.io', mobile: '+1999' } })
    const [only, ...rest] = await profiles(app)
    assert.deepEqual(rest, [])
    assert.equal(only?.user.id, first?.user.id)
  })

  it('§6.2 a customer_id joins the profile found by identifiers; different IDs never merge', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app)
    await app.post(TRACK, { type: 'customer', attributes: { email: 'k@x.io' } })
    await app.post(TRACK, customer('kay-1', { email: 'k@x.io' }))
    assert.equal((await app.getUser('kay-1'))?.['email'], 'k@x.io')
    assert.equal((await profiles(app)).length, 1)

    const res = await app.post(TRACK, customer('kay-2', { email: 'k@x.io' }))
    const report = await app.inspect(requestIdOf(res))
    assert.match(report.records[0]?.notes?.join(' ') ?? '', /different IDs are not merged/)
    assert.equal((await profiles(app)).length, 2)
  })

  it('§6.2 Bulk customers and events resolve the same way', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app)
    const res = await app.post(BULK, {
      type: 'transition',
      elements: [
        { type: 'customer', attributes: { moe_mobile: '+4711', first_name: 'Ola' } },
        {
          type: 'event',
          user_identifiers: { moe_mobile: '+4711' },
          actions: [{ action: 'AddToCart' }],
        },
      ],
    })
    assert.equal(res.statusCode, 200)
    const [only, ...rest] = await profiles(app)
    assert.deepEqual(rest, [])
    assert.deepEqual(only?.events, ['AddToCart'])
    assert.equal(only?.user.customerId, null)
  })

  it('§6.2 without customer_id an identifier is required', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app)
    const noId = missing('customer_id', 'customer_id is not found in the payload')
    for (const [url, body] of [
      [TRACK, { type: 'customer', attributes: { first_name: 'Nobody' } }],
      [
        EVENT,
        { type: 'event', user_identifiers: { unknown_key: 'x' }, actions: [{ action: 'A' }] },
      ],
    ] as const) {
      assertRefusal(await app.post(url, body), noId, url)
    }
  })

  it('§6.2 the Merge API is disabled while Identity Resolution is on', async (t) => {
    const app = await createTestApp(t)
    await withIdentityResolution(app)
    const res = await app.post(MERGE, { merge_data: [{ merged_user: 'aa', retained_user: 'bb' }] })
    assertRefusal(res, {
      type: 'InvalidParams',
      message: 'Merge API is disabled for workspaces with User Identity Resolution enabled',
    })
  })

  it('§6.2 with the flag off, identifiers are ordinary attributes and customer_id is required', async (t) => {
    const app = await createTestApp(t)
    const missing = await app.post(TRACK, { type: 'customer', attributes: { email: 'z@x.io' } })
    assert.equal(missing.statusCode, 400)
    await app.post(TRACK, customer('z1', { email: 'z@x.io' }))
    await app.post(TRACK, customer('z2', { email: 'z@x.io' }))
    assert.equal((await profiles(app)).length, 2)
  })
})

describe('§6.2 switching Identity Resolution on', () => {
  it('§6.2 profiles written before the switch are found by their identifiers afterwards', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, customer('before-1', { email: 'old@example.com', mobile: '+100200' }))
    await app.drain()
    // Through the operator's path (admin API, CLI): the switch logs a reindex of the workspace.
    await createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    }).update(WORKSPACE_ID, { settings: { identityResolution: true } })
    const res = await app.post(TRACK, {
      type: 'customer',
      attributes: { moe_mobile: '+100200', first_name: 'Found' },
    })
    assert.equal(res.statusCode, 200, res.body)
    const event = await app.post(EVENT, {
      type: 'event',
      user_identifiers: { moe_email: 'old@example.com' },
      actions: [{ action: 'Came back' }],
    })
    assert.equal(event.statusCode, 200, event.body)
    const all = await profiles(app)
    assert.equal(all.length, 1, JSON.stringify(all))
    assert.equal(all[0]?.user.customerId, 'before-1')
    assert.equal(all[0]?.user.attributes['u_fn'], 'Found')
    assert.deepEqual(all[0]?.events, ['Came back'])
  })

  it('§6.2 without the switch through the operator path, an old profile is not found (control)', async (t) => {
    const app = await createTestApp(t)
    await app.post(TRACK, customer('before-1', { mobile: '+100200' }))
    await app.drain()
    await withIdentityResolution(app) // the store directly: no reindex is logged
    await app.post(TRACK, { type: 'customer', attributes: { moe_mobile: '+100200' } })
    assert.equal((await profiles(app)).length, 2)
  })
})
