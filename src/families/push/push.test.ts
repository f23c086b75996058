// Push's POST /v2/transaction/sendpush and /v2.1/…: the campaign's audience (User, Custom
// Segment, All Users) expanded per target platform onto the users' devices, each message rendered
// and recorded in the outbox before the 200, the campaign name rules, the documented 200 Fail
// answers, the system events of the loop, and the 10K RPM quota of each version.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, type TestApp } from '../../../test/helpers/app.js'
import { pushApp, pushMessages, sendPush, toUser, trackUser } from '../../../test/helpers/push.js'

/** The messages' platform, recipient, status, reason and rendered text, oldest first. */
async function summary(app: TestApp) {
  return (await pushMessages(app)).map((m) => ({
    user: m.customerId,
    platform: m.platform,
    to: m.recipient,
    status: m.status,
    reason: m.reason,
    title: m.subject,
    body: m.body,
  }))
}

/** The names of the events of `customerId` (applied), oldest first. */
async function eventsOf(app: TestApp, customerId: string): Promise<string[]> {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  if (user === undefined) return []
  return (await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 50))
    .map((e) => e.name)
    .reverse()
}

describe('POST /v2/transaction/sendpush', () => {
  it('targets a user by customer id: one message per device of each platform, rendered', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', { first_name: 'Ann' }, [
      ['ANDROID', 'fcm-ann-1'],
      ['iOS', 'apns-ann-1'],
      ['ANDROID', 'fcm-ann-2'],
    ])
    const res = await sendPush(app, toUser('ann'))
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Record<string, string>>()
    assert.deepEqual(body, {
      status: 'Success',
      requestId: body['requestId'],
      responseId: body['requestId'],
      cid: body['cid'],
    })
    assert.match(String(body['cid']), /^[0-9a-f]{24}$/)
    const ann = { user: 'ann', status: 'recorded', reason: null, title: 'Shipped', body: 'Hi Ann' }
    assert.deepEqual(await summary(app), [
      { ...ann, platform: 'ANDROID', to: 'fcm-ann-1' },
      { ...ann, platform: 'ANDROID', to: 'fcm-ann-2' },
      { ...ann, platform: 'IOS', to: 'apns-ann-1' },
    ])
    const [first] = await pushMessages(app)
    assert.equal(first?.source, 'push')
    assert.equal(first?.sourceId, body['cid'])
    assert.equal(first?.requestId, body['requestId'])
    assert.equal(first?.template, `push/${body['cid']}/ANDROID`)
    assert.deepEqual(first?.payload['ANDROID'], {
      title: 'Shipped',
      message: 'Hi Ann',
    })
    assert.equal(first?.payload['campaign_name'], 'Order shipped')
    assert.deepEqual(await eventsOf(app, 'ann'), [
      'Notification Received Android',
      'Notification Received Android',
      'Notification Sent iOS',
    ])
  })
})
