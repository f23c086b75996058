// Consent honoured by Inform (families/inform/consent.ts): each rule, set up through the API that
// sets it in real use, makes the message `suppressed` with its reason — recorded, never sent, no
// system event — while the request still answers 200 and the other channels go out.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, type TestApp } from '../../../test/helpers/app.js'
import { CATEGORIES, OPT_IN, consent } from '../../../test/helpers/consent.js'
import { DEVICE, GDPR, TRACK, customer } from '../../../test/helpers/data-api.js'
import { DEMO_ALERT, defineAlert, informApp, send } from '../../../test/helpers/inform.js'
import { ADMIN_BASE } from '../../../test/helpers/inform.js'
import { admin } from '../../../test/helpers/admin.js'

const EMAIL = 'ann@example.com'
const PHONE = '+15550001234'
const TOKEN = 'ios-token-1'

/** An app where `ann` exists (email, mobile, an iOS device) with `attributes` on top. */
async function withAnn(
  t: Parameters<typeof informApp>[0],
  attributes: Record<string, unknown> = {},
) {
  const app = await informApp(t)
  const res = await app.post(TRACK, customer('ann', { email: EMAIL, mobile: PHONE, ...attributes }))
  assert.equal(res.statusCode, 200, res.body)
  const device = await app.post(DEVICE, {
    type: 'device',
    customer_id: 'ann',
    device_id: 'ann-phone',
    attributes: { platform: 'iOS', push_id: TOKEN },
  })
  assert.equal(device.statusCode, 200, device.body)
  await app.drain()
  return app
}

let transactions = 0

/** Sends the demo alert to ann on `channels`; the status and reason of each message, by channel. */
async function sendToAnn(
  app: TestApp,
  channels: readonly ('SMS' | 'EMAIL' | 'PUSH')[],
): Promise<Record<string, [string, string | null]>> {
  const recipients = { SMS: PHONE, EMAIL, PUSH: TOKEN }
  const res = await send(app, {
    alert_id: DEMO_ALERT.alert_id,
    user_id: 'ann',
    transaction_id: `consent-${++transactions}`,
    payloads: Object.fromEntries(channels.map((c) => [c, { recipient: recipients[c] }])),
  })
  assert.equal(res.statusCode, 200, res.body)
  const messages = await app.store.outbox.list(WORKSPACE_ID, {}, channels.length)
  const answer = res.json<Record<string, { err_code: string; message: string }>>()
  for (const m of messages) {
    const entry = answer[m.channel]
    assert.equal(entry?.err_code, m.status === 'suppressed' ? 'SUPPRESSED' : 'SUCCESS')
    if (m.status === 'suppressed') assert.equal(entry?.message, m.reason)
  }
  return Object.fromEntries(messages.map((m) => [m.channel, [m.status, m.reason]]))
}

/** The names of ann's events once applied. */
async function eventsOfAnn(app: TestApp): Promise<string[]> {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['ann'], ids: [] })
  if (user === undefined) return []
  return (await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 50))
    .map((e) => e.name)
    .sort()
}

describe('Inform honours consent', () => {
  it('sends to a user who has consented to everything, with its system events', async (t) => {
    const app = await withAnn(t)
    assert.deepEqual(await sendToAnn(app, ['SMS', 'EMAIL', 'PUSH']), {
      SMS: ['recorded', null],
      EMAIL: ['recorded', null],
      PUSH: ['recorded', null],
    })
    assert.deepEqual(await eventsOfAnn(app), ['Email Sent', 'Notification Sent iOS', 'SMS Sent'])
    const [push] = await app.store.outbox.list(WORKSPACE_ID, { channel: 'PUSH' }, 1)
    assert.equal(push?.platform, 'iOS')
  })

  for (const [attribute, reason] of [
    ['moe_unsubscribe', 'unsubscribed from all email (moe_unsubscribe or unsubscribe-all)'],
    ['moe_spam', 'marked email as spam (moe_spam)'],
    ['moe_hard_bounce', 'email address hard-bounced (moe_hard_bounce)'],
  ] as const) {
    it(`suppresses e-mail to a user whose ${attribute} is true`, async (t) => {
      const app = await withAnn(t, { [attribute]: true })
      assert.deepEqual(await sendToAnn(app, ['EMAIL', 'SMS']), {
        EMAIL: ['suppressed', reason],
        SMS: ['recorded', null],
      })
      assert.deepEqual(await eventsOfAnn(app), ['SMS Sent'], 'no Email Sent')
    })
  }

  it('suppresses SMS to a user whose moe_sms_subscription is false', async (t) => {
    const app = await withAnn(t, { moe_sms_subscription: false })
    assert.deepEqual(await sendToAnn(app, ['SMS', 'EMAIL']), {
      SMS: ['suppressed', 'opted out of SMS (moe_sms_subscription is false)'],
      EMAIL: ['recorded', null],
    })
  })

  it('suppresses e-mail to a user unsubscribed from all categories', async (t) => {
    const app = await withAnn(t)
    const res = await consent(app, 'POST', CATEGORIES, {
      channel: 'email',
      user_preferences: [{ customer_id: 'ann', categories: {}, unsubscribe_all: true }],
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(await sendToAnn(app, ['EMAIL']), {
      EMAIL: ['suppressed', 'unsubscribed from all email (moe_unsubscribe or unsubscribe-all)'],
    })
  })

  it('suppresses e-mail to a user whose opt-in status is OPTED_OUT', async (t) => {
    const app = await withAnn(t)
    const res = await consent(app, 'PUT', OPT_IN, {
      user_preferences: { customer_id: 'ann', opt_in_status: 'OPTED_OUT', channel: 'email' },
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(await sendToAnn(app, ['EMAIL']), {
      EMAIL: ['suppressed', 'email opt-in status is OPTED_OUT'],
    })
  })

  it("suppresses e-mail of an alert's subscription category the user left, and only that", async (t) => {
    const app = await withAnn(t)
    for (const name of ['Orders', 'News']) {
      const res = await admin(app, 'POST', `${ADMIN_BASE}/subscription-categories`, { name })
      assert.equal(res.statusCode, 200, res.body)
    }
    const res = await consent(app, 'POST', CATEGORIES, {
      channel: 'email',
      user_preferences: [
        { customer_id: 'ann', categories: { Orders: false }, unsubscribe_all: false },
      ],
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(await sendToAnn(app, ['EMAIL']), { EMAIL: ['recorded', null] }, 'no category')
    await defineAlert(app, { ...DEMO_ALERT, subscription_category: 'News' })
    assert.deepEqual(await sendToAnn(app, ['EMAIL']), { EMAIL: ['recorded', null] }, 'News kept')
    await defineAlert(app, { ...DEMO_ALERT, subscription_category: 'Orders' })
    assert.deepEqual(await sendToAnn(app, ['EMAIL', 'SMS']), {
      EMAIL: ['suppressed', "unsubscribed from the subscription category 'Orders'"],
      SMS: ['recorded', null],
    })
  })

  it('suppresses push to a token whose device was blocked by Device Opt-out', async (t) => {
    const app = await withAnn(t)
    const res = await app.post(`/v1/devices/manage?app_id=${WORKSPACE_ID}`, {
      user_identifier_type: 'customer_id',
      user_identifier_value: 'ann',
      action_type: 'block',
      device_identifiers: [{ push_id: TOKEN }],
    })
    assert.equal(res.statusCode, 200, res.body)
    await app.drain()
    assert.deepEqual(await sendToAnn(app, ['PUSH', 'SMS']), {
      PUSH: ['suppressed', "push is blocked on this token's device (Device Opt-out)"],
      SMS: ['recorded', null],
    })
    assert.deepEqual(await eventsOfAnn(app), ['SMS Sent'])
  })

  it('suppresses messages to a recipient or a user erased by a GDPR request', async (t) => {
    const app = await withAnn(t)
    const erase = async (type: string, value: string) => {
      const res = await app.post(GDPR, {
        request_type: 'erasure',
        submitted_time: '2026-11-01T10:00:00Z',
        identities: [{ identity_type: type, identity_value: value }],
        api_version: '1.0',
      })
      assert.equal(res.statusCode, 200, res.body)
      await app.drain()
    }
    await erase('email', EMAIL)
    const res = await send(app, {
      alert_id: DEMO_ALERT.alert_id,
      transaction_id: 'gdpr-1',
      payloads: { EMAIL: { recipient: 'ANN@example.com' }, SMS: { recipient: PHONE } },
    })
    assert.equal(res.statusCode, 200, res.body)
    const statuses = async () =>
      Object.fromEntries(
        (await app.store.outbox.list(WORKSPACE_ID, {}, 2)).map((m) => [
          m.channel,
          [m.status, m.reason],
        ]),
      )
    // The erasure suppressed every identity ann had: her mobile number too.
    const erased = (type: string) =>
      `GDPR: the recipient (${type}) was erased by a GDPR request and is on the workspace's suppression list`
    assert.deepEqual(await statuses(), {
      EMAIL: ['suppressed', erased('email')],
      SMS: ['suppressed', erased('mobile')],
    })
    await erase('ID', 'bob')
    const again = await send(app, {
      alert_id: DEMO_ALERT.alert_id,
      user_id: 'bob',
      transaction_id: 'gdpr-2',
      payloads: { SMS: { recipient: '+15559999999' }, PUSH: { recipient: 'bob-token' } },
    })
    assert.equal(again.statusCode, 200, again.body)
    const reason =
      "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list"
    assert.deepEqual(await statuses(), {
      SMS: ['suppressed', reason],
      PUSH: ['suppressed', reason],
    })
  })
})
