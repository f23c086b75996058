// Message Archival's POST /v1/archival/view answered from the outbox: an Inform message found by
// the fields of its system event (user, campaign, sent second, channel, platform, transaction id),
// not found when any of them differs or the message was not sent, the documented errors, the
// credentials (the Data key and MOE-APPKEY) and the 1000 RPM quota with its headers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, basicAuth, spendMinuteQuota } from '../../../test/helpers/app.js'
import { view } from '../../../test/helpers/archival.js'
import { DEVICE, TRACK, customer } from '../../../test/helpers/data-api.js'
import { DEMO_ALERT, informApp, send } from '../../../test/helpers/inform.js'

const ALERT_ID = DEMO_ALERT.alert_id
const SENT = Math.floor(START_TIME / 1000)

/** The request that finds john's SMS of the demo alert, sent at START_TIME. */
const smsView = (o: Record<string, unknown> = {}) => ({
  user_id: 'john',
  delivery_type: 'API_TRIGGERED',
  campaign_type: 'Inform SMS',
  campaign_channel: 'SMS',
  sent_epoch_time: SENT,
  campaign_id: ALERT_ID,
  event_name: 'SMS Sent',
  platform: 'SMS',
  event_id: 'TXN-1',
  ...o,
})

async function sentApp(t: Parameters<typeof informApp>[0]) {
  const app = await informApp(t)
  assert.equal((await app.post(TRACK, customer('john', {}))).statusCode, 200)
  const device = await app.post(DEVICE, {
    type: 'device',
    customer_id: 'john',
    device_id: 'john-phone',
    attributes: { platform: 'ANDROID', push_id: 'fcm-token-1' },
  })
  assert.equal(device.statusCode, 200, device.body)
  await app.drain()
  const res = await send(app, {
    alert_id: ALERT_ID,
    user_id: 'john',
    transaction_id: 'TXN-1',
    payloads: {
      SMS: { recipient: '+15550001111', personalized_attributes: { firstname: 'John' } },
      EMAIL: {
        recipient: 'john@example.com',
        personalized_attributes: { firstname: 'John', orderid: 'https://shop.test/o/1' },
      },
      PUSH: { recipient: 'fcm-token-1', personalized_attributes: { firstname: 'John' } },
    },
  })
  assert.equal(res.statusCode, 200, res.body)
  return app
}

describe('POST /v1/archival/view', () => {
  it('answers the message an Inform send recorded, in the documented shape', async (t) => {
    const app = await sentApp(t)
    const [sms] = await app.store.outbox.list(WORKSPACE_ID, { channel: 'SMS' }, 1)
    assert.ok(sms !== undefined)
    const res = await view(app, smsView())
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json(), {
      status: true,
      data: {
        message_details: {
          message_type: 'alert',
          message_id: sms.id,
          channel: 'sms',
          platform: 'sms',
          delivery_type: 'API_TRIGGERED',
          sent_time: 'Sun, 01 Nov 2026 10:00:00 UTC',
          message_to: '+15550001111',
          moe_event_id: 'TXN-1',
          service: { type: 'SMS' },
          template_info: { type: 'inform', version: '1', id: `${ALERT_ID}/SMS` },
        },
        message_content: {
          title: null,
          summary: null,
          message: 'Hi John, order  arrives soon.',
          related_urls: [],
        },
        backup_content: { title: null, summary: null, message: null, related_urls: [] },
        file_info: { version: 'v2', file_name: `${sms.id}_john_${SENT}_sms_sms.json` },
      },
    })
  })

  it('finds e-mail and push by their events, with the URLs a message holds', async (t) => {
    const app = await sentApp(t)
    const email = await view(
      app,
      smsView({
        campaign_type: 'Inform Email',
        campaign_channel: 'EMAIL',
        event_name: 'Email Sent',
        platform: 'EMAIL',
        event_id: undefined,
      }),
    )
    assert.equal(email.statusCode, 200, email.body)
    const content = email.json<{ data: { message_content: Record<string, unknown> } }>().data
    assert.deepEqual(content.message_content, {
      title: 'Your order https://shop.test/o/1',
      summary: null,
      message: '<p>Hi John</p>',
      related_urls: ['https://shop.test/o/1'],
    })
    const push = await view(
      app,
      smsView({
        campaign_type: 'Inform Push',
        campaign_channel: 'PUSH',
        event_name: 'Notification Received Android',
        platform: 'ANDROID',
      }),
    )
    assert.equal(push.statusCode, 200, push.body)
    const details = push.json<{ data: { message_details: Record<string, unknown> } }>().data
    assert.equal(details.message_details['message_to'], 'fcm-token-1')
    assert.deepEqual(details.message_details['service'], { type: 'FCM' })
    // The same push looked for as an iOS one: no such message.
    const ios = await view(
      app,
      smsView({
        campaign_channel: 'PUSH',
        event_name: 'Notification Sent iOS',
        platform: 'IOS',
      }),
    )
    assert.equal(ios.statusCode, 400)
  })

  it('finds nothing when a detail differs, or the message was not sent', async (t) => {
    const app = await sentApp(t)
    const notFound = {
      status: false,
      error_message: 'No message was sent to this user with these details',
    }
    for (const changed of [
      { user_id: 'jane' },
      { campaign_id: 'another-alert' },
      { sent_epoch_time: SENT + 10 },
      { sent_epoch_time: SENT - 10 },
      { event_id: 'TXN-2' },
    ]) {
      const res = await view(app, smsView(changed))
      assert.equal(res.statusCode, 400, JSON.stringify(changed))
      assert.deepEqual(res.json(), notFound, JSON.stringify(changed))
    }
    // Within the slack of its system event's second: found.
    assert.equal((await view(app, smsView({ sent_epoch_time: SENT + 1 }))).statusCode, 200)
    // A suppressed message was never sent: john unsubscribes from SMS, a second send is suppressed.
    await app.post(TRACK, customer('john', { moe_sms_subscription: false }))
    await app.drain()
    app.clock.advance(60_000)
    const res = await send(app, {
      alert_id: ALERT_ID,
      user_id: 'john',
      transaction_id: 'TXN-3',
      payloads: { SMS: { recipient: '+15550001111' } },
    })
    assert.equal(res.json<{ SMS: { err_code: string } }>().SMS.err_code, 'SUPPRESSED')
    const suppressed = await view(app, smsView({ sent_epoch_time: SENT + 60, event_id: 'TXN-3' }))
    assert.deepEqual(suppressed.json(), notFound)
  })

  it('refuses an unsupported event with the documented 400, and names a bad field', async (t) => {
    const app = await sentApp(t)
    const event = await view(app, smsView({ event_name: 'Email Opened' }))
    assert.equal(event.statusCode, 400)
    assert.deepEqual(event.json(), {
      status: false,
      error_message:
        "This event is unsupported to view message copy. The supported events are ['Email Sent', 'SMS Sent', 'Notification Sent iOS', 'Notification Received Android', 'Notification Received Web']",
    })
    for (const [changed, detail] of [
      [{ user_id: undefined }, 'user_id is mandatory'],
      [{ user_id: 7 }, 'user_id should be a non-empty string'],
      [{ delivery_type: 'SOMETIMES' }, 'delivery_type should be one of'],
      [{ campaign_type: 'Carrier pigeon' }, 'campaign_type should be one of'],
      [{ campaign_channel: 'FAX' }, 'campaign_channel should be one of'],
      [{ campaign_channel: 'EMAIL' }, 'campaign_channel EMAIL is not the channel of SMS Sent'],
      [{ sent_epoch_time: '1716972486' }, 'sent_epoch_time should be a Unix time'],
      [{ sent_epoch_time: 1.5 }, 'sent_epoch_time should be a Unix time'],
      [{ platform: 'IOS' }, 'platform IOS is not the platform of SMS Sent'],
      [{ event_id: 12 }, 'event_id should be a string'],
    ] as const) {
      const res = await view(app, smsView(changed))
      assert.equal(res.statusCode, 400, JSON.stringify(changed))
      const body = res.json<{ status: boolean; error_message: string }>()
      assert.equal(body.status, false)
      assert.ok(body.error_message.startsWith(detail), `${JSON.stringify(changed)}: ${res.body}`)
    }
    // `sms` and `SMS` are both the enum's (its example uses the latter), and FLOWS any channel.
    assert.equal((await view(app, smsView({ campaign_type: 'SMS' }))).statusCode, 200)
    assert.equal((await view(app, smsView({ campaign_channel: 'FLOWS' }))).statusCode, 200)
    for (const body of ['[]', 'not json', '']) {
      const res = await view(app, body)
      assert.equal(res.statusCode, 400, body)
      assert.equal(res.json<{ status: boolean }>().status, false)
    }
    const get = await app.app.inject({ method: 'GET', url: '/v1/archival/view' })
    assert.equal(get.statusCode, 405)
    assert.equal(get.headers['allow'], 'POST')
  })

  it('takes the Data key and MOE-APPKEY; anything else is the documented 401', async (t) => {
    const app = await sentApp(t)
    const unauthorized = { status: false, error: 'Invalid data key' }
    for (const headers of [
      { authorization: undefined },
      { authorization: basicAuth(WORKSPACE_ID, 'not-the-key') },
      { authorization: basicAuth('OTHERWORKSPACE', 'x') },
      { 'moe-appkey': undefined },
      { 'moe-appkey': 'OTHERWORKSPACE' },
    ]) {
      const res = await view(app, smsView(), headers)
      assert.equal(res.statusCode, 401, JSON.stringify(headers))
      assert.deepEqual(res.json(), unauthorized)
    }
  })

  it('counts 1000 requests a minute per workspace, with the x-ratelimit headers', async (t) => {
    const app = await sentApp(t)
    const ok = await view(app, smsView())
    assert.equal(ok.headers['x-ratelimit-limit'], '1000; w=60')
    const spent = await sentApp(t)
    await spendMinuteQuota(spent, 'archival_view', 1_000)
    const limited = await view(spent, smsView())
    assert.equal(limited.statusCode, 429)
    assert.equal(limited.json<{ status: boolean }>().status, false)
    assert.ok(limited.headers['x-ratelimit-remaining'] !== undefined)
    spent.clock.advance(60_000)
    assert.equal((await view(spent, smsView())).statusCode, 200)
  })
})
