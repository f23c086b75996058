/**
 * The Push API end to end on the real process (`inlet serve`): a Push key set through the admin
 * API, a user and its Android and iOS devices tracked through the Data API, then a `User` campaign
 * through v2 (signed in the body) and an `All Users` campaign through v2.1 (signed in headers),
 * each answered `Success` with its messages already in the outbox (`GET /inlet/v1/outbox`), the
 * title and message rendered onto each device of the user.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { startServer, waitForNoLag } from '../helpers/server.js'

const ADMIN_TOKEN = 'push-e2e-admin-token'
const PUSH_KEY = 'push-e2e-push-key-01'

const sign = (ws: string, campaign: string): string =>
  createHash('sha256').update(`${ws}|${campaign}|${PUSH_KEY}`).digest('hex')

type Message = { customer_id?: string; user_id: string; platform: string; recipient: string }

describe('the Push API on a real server', () => {
  it('records a User and an All Users campaign in the outbox before answering', async (t) => {
    const server = await startServer(t, { env: { INLET_ADMIN_TOKEN: ADMIN_TOKEN } })
    const ws = server.workspaceId
    const key = await fetch(`${server.baseUrl}/inlet/v1/admin/workspaces/${ws}/keys/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: PUSH_KEY }),
    })
    assert.equal(key.status, 200, await key.text())
    const user = await server.post(`/v1/customer/${ws}`, {
      type: 'customer',
      customer_id: 'john',
      attributes: { first_name: 'John' },
    })
    assert.equal(user.status, 200)
    for (const [id, platform] of [
      ['john-android', 'ANDROID'],
      ['john-iphone', 'iOS'],
    ] as const) {
      const device = await server.post(`/v1/device/${ws}`, {
        type: 'device',
        customer_id: 'john',
        device_id: id,
        attributes: { platform, push_id: `token-${id}` },
      })
      assert.equal(device.status, 200)
    }
    await waitForNoLag(server)

    const payload = {
      ANDROID: { title: 'Shipped', message: "Hi {{UserAttribute['First Name']}}" },
      IOS: { title: 'Shipped', message: "Hi {{UserAttribute['First Name']}}" },
    }
    const v2 = await fetch(`${server.baseUrl}/v2/transaction/sendpush`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        appId: ws,
        campaignName: 'Order shipped',
        signature: sign(ws, 'Order shipped'),
        requestType: 'push',
        targetPlatform: ['ANDROID', 'IOS'],
        targetAudience: 'User',
        targetUserAttributes: {
          attribute: 'USER_ATTRIBUTE_UNIQUE_ID',
          comparisonParameter: 'is',
          attributeValue: 'john',
        },
        payload,
        campaignDelivery: { type: 'soon' },
      }),
    })
    const answer = (await v2.json()) as Record<string, string>
    assert.equal(answer['status'], 'Success', JSON.stringify(answer))
    const listed = await server.get('/inlet/v1/outbox?channel=PUSH&user_id=john')
    const messages = (listed.body as { messages: (Message & { body: string })[] }).messages
    assert.deepEqual(messages.map((m) => [m.platform, m.recipient, m.body]).sort(), [
      ['ANDROID', 'token-john-android', 'Hi John'],
      ['IOS', 'token-john-iphone', 'Hi John'],
    ])

    const v21 = await fetch(`${server.baseUrl}/v2.1/transaction/sendpush`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-moe-appkey': ws,
        'x-moe-pushapi-signature': sign(ws, 'Everyone: winter sale'),
        'x-moe-query-type': 'all users',
      },
      body: JSON.stringify({
        campaignName: 'Everyone: winter sale',
        targetPlatform: ['IOS'],
        targetAudience: 'All Users',
        payload: { IOS: { title: 'Sale', message: 'Winter sale' } },
        campaignDelivery: { type: 'soon' },
      }),
    })
    const second = (await v21.json()) as Record<string, string>
    assert.equal(second['status'], 'Success', JSON.stringify(second))
    const all = await server.get('/inlet/v1/outbox?channel=PUSH&user_id=john&limit=10')
    assert.equal((all.body as { messages: Message[] }).messages.length, 3)
  })
})
