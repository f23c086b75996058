// The admin API's consent routes: subscription categories listed, created, changed and removed
// with their input checked; link ids issued for an existing user of the workspace only.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admin, adminApp } from '../../../test/helpers/admin.js'
import { WORKSPACE_ID } from '../../../test/helpers/app.js'
import { TRACK, customer } from '../../../test/helpers/data-api.js'

const BASE = `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`

type Category = { name: string; description: string; active: boolean }

describe('admin API: subscription categories and links', () => {
  it('creates, changes, lists and removes categories', async (t) => {
    const app = await adminApp(t)
    const created = await admin(app, 'POST', `${BASE}/subscription-categories`, {
      name: 'Promotional',
      description: 'Offers',
    })
    assert.equal(created.statusCode, 200, created.body)
    assert.deepEqual(
      (({ name, description, active }: Category) => ({ name, description, active }))(
        created.json<{ category: Category }>().category,
      ),
      { name: 'Promotional', description: 'Offers', active: true },
    )
    await admin(app, 'POST', `${BASE}/subscription-categories`, {
      name: 'Promotional',
      active: false,
    })
    const listed = await admin(app, 'GET', `${BASE}/subscription-categories`)
    const [only] = listed.json<{ categories: Category[] }>().categories
    assert.deepEqual([only?.description, only?.active], ['Offers', false], 'description kept')
    const removed = await admin(app, 'POST', `${BASE}/subscription-categories/remove`, {
      name: 'Promotional',
    })
    assert.deepEqual(removed.json(), { status: 'success', removed: true })
    const none = await admin(app, 'GET', `${BASE}/subscription-categories`)
    assert.deepEqual(none.json<{ categories: unknown[] }>().categories, [])
  })

  it('refuses bad input (400) and an unknown workspace (404)', async (t) => {
    const app = await adminApp(t)
    for (const body of [
      {},
      { name: '' },
      { name: ' padded' },
      { name: 'x'.repeat(101) },
      { name: 'tab\there' },
      { name: 'A', active: 'yes' },
      { name: 'A', description: 5 },
      { name: 'A', colour: 'red' },
    ]) {
      const res = await admin(app, 'POST', `${BASE}/subscription-categories`, body)
      assert.equal(res.statusCode, 400, JSON.stringify(body))
      assert.equal(res.json<{ error: { type: string } }>().error.type, 'ValueError')
    }
    const unknown = await admin(
      app,
      'GET',
      '/inlet/v1/admin/workspaces/NOPE/subscription-categories',
    )
    assert.equal(unknown.statusCode, 404)
    const extra = await admin(app, 'POST', `${BASE}/subscription-categories/remove`, {
      name: 'A',
      x: 1,
    })
    assert.equal(extra.statusCode, 400)
  })

  it('issues link ids for an existing user only, by customer_id or internal id', async (t) => {
    const app = await adminApp(t)
    await app.post(TRACK, customer('ann'))
    await app.drain()
    const link = await admin(app, 'POST', `${BASE}/subscription-links`, {
      customer_id: 'ann',
      cid: 'spring',
    })
    assert.equal(link.statusCode, 200, link.body)
    const issued = link.json<{ user: { id: string }; user_id: string; cid: string }>()
    assert.match(issued.user_id, /^it2\./)
    assert.match(issued.cid, /^it2\./)
    const byId = await admin(app, 'POST', `${BASE}/subscription-links`, {
      user_id: issued.user.id,
      cid: 'spring',
    })
    assert.equal(byId.json<{ user_id: string }>().user_id, issued.user_id)
    for (const body of [
      { customer_id: 'nobody', cid: 'c' },
      { customer_id: 'ann' },
      { customer_id: 'ann', user_id: issued.user.id, cid: 'c' },
      { cid: 'c' },
    ]) {
      const res = await admin(app, 'POST', `${BASE}/subscription-links`, body)
      assert.equal(res.statusCode, 400, JSON.stringify(body))
    }
  })
})
