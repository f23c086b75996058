// Inform's POST /v1.0/alerts/send: messages rendered and recorded in the outbox before the 200,
// one channel entry per enabled channel, the 5-minute transaction_id rule, the sandbox, Inform's
// credentials and E8 errors, the 10K RPM quota, senders, and the system events of the loop.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, basicAuth, type TestApp } from '../../../test/helpers/app.js'
import { API_KEY } from '../../../test/helpers/app.js'
import { TRACK, customer } from '../../../test/helpers/data-api.js'
import {
  DEMO_ALERT,
  SANDBOX_SEND,
  defineAlert,
  informApp,
  send,
} from '../../../test/helpers/inform.js'
import { anActionFilter, filterGroup } from '../../../test/helpers/segments.js'
import { prepareSegment } from '../../segments/resolve.js'
import type { OutboxMessageRow } from '../../store/store.js'

const ALERT_ID = DEMO_ALERT.alert_id

/** The outbox of the seeded workspace, oldest first. */
async function outbox(app: TestApp): Promise<OutboxMessageRow[]> {
  return (await app.store.outbox.list(WORKSPACE_ID, {}, 100)).reverse()
}

const sms = (o: Record<string, unknown> = {}) => ({
  alert_id: ALERT_ID,
  user_id: 'john',
  transaction_id: 'TXN-1',
  payloads: {
    SMS: {
      recipient: '+15550001111',
      personalized_attributes: { firstname: 'John', orderid: 'ORD_1' },
    },
  },
  ...o,
})

describe('POST /v1.0/alerts/send', () => {
  it('renders each channel, records it in the outbox, and answers per enabled channel', async (t) => {
    const app = await informApp(t)
    const email = {
      recipient: 'john@example.com',
      personalized_attributes: { firstname: '<John>' },
    }
    const res = await send(app, sms({ payloads: { ...sms().payloads, EMAIL: email } }))
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json<Record<string, unknown>>()
    assert.deepEqual(body, {
      message: 'Successfully Received',
      request_id: body['request_id'],
      SMS: { message: 'Successfully Received', err_code: 'SUCCESS', status_code: 200 },
      EMAIL: { message: 'Successfully Received', err_code: 'SUCCESS', status_code: 200 },
    })
    assert.match(String(body['request_id']), /^[A-Za-z]{8}$/)
    const [first, second] = await outbox(app)
    assert.deepEqual(
      {
        channel: first?.channel,
        body: first?.body,
        recipient: first?.recipient,
        status: first?.status,
        source: first?.source,
        sourceId: first?.sourceId,
        customerId: first?.customerId,
        transactionId: first?.transactionId,
        requestId: first?.requestId,
        template: first?.template,
        templateVersion: first?.templateVersion,
        sender: first?.payload['sender'],
        createdAt: first?.createdAt,
      },
      {
        channel: 'SMS',
        body: 'Hi John, order ORD_1 arrives soon.',
        recipient: '+15550001111',
        status: 'recorded',
        source: 'inform',
        sourceId: ALERT_ID,
        customerId: 'john',
        transactionId: 'TXN-1',
        requestId: body['request_id'],
        template: `${ALERT_ID}/SMS`,
        templateVersion: 1,
        sender: { name: 'SHOP' },
        createdAt: START_TIME,
      },
    )
    assert.deepEqual(
      [second?.channel, second?.subject, second?.body],
      ['EMAIL', 'Your order ', '<p>Hi &lt;John&gt;</p>'],
    )
  })

  it('finds the alert by reference name, and leaves out channels the alert has not enabled', async (t) => {
    const app = await informApp(t)
    await defineAlert(app, {
      ...DEMO_ALERT,
      channels: { ...DEMO_ALERT.channels, PUSH: { ...DEMO_ALERT.channels.PUSH, enabled: false } },
    })
    const res = await send(app, {
      alert_reference_name: 'Demo_ID',
      transaction_id: 'TXN-2',
      payloads: { PUSH: { recipient: 'token-1' }, EMAIL: { recipient: 'a@example.com' } },
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(Object.keys(res.json()).sort(), ['EMAIL', 'message', 'request_id'])
    assert.deepEqual(
      (await outbox(app)).map((m) => [m.channel, m.templateVersion]),
      [['EMAIL', 2]],
    )
    const none = await send(app, {
      alert_id: ALERT_ID,
      transaction_id: 'TXN-3',
      payloads: { PUSH: { recipient: 'token-1' } },
    })
    assert.equal(none.statusCode, 400)
    assert.deepEqual(none.json(), {
      message: 'none of the channels in payloads is enabled for this alert (enabled: SMS, EMAIL)',
      err_code: 'BAD_REQUEST',
      status_code: 120002,
    })
  })

  it('answers 409 to a transaction_id within 5 minutes of an accepted one, and records nothing', async (t) => {
    const app = await informApp(t)
    assert.equal((await send(app, sms())).statusCode, 200)
    app.clock.advance(299_999)
    const again = await send(app, sms())
    assert.equal(again.statusCode, 409)
    assert.deepEqual(again.json(), {
      message: 'Duplicate Transaction ID',
      err_code: 'DUPLICATE_REQUEST_RECEIVED',
      status_code: 120105,
    })
    assert.equal((await outbox(app)).length, 1)
    const sandbox = await send(app, sms({ alert_id: DEMO_ALERT.test_alert_id }), {}, SANDBOX_SEND)
    assert.equal(sandbox.statusCode, 200, 'the sandbox counts its own transaction ids')
    app.clock.advance(1)
    assert.equal((await send(app, sms())).statusCode, 200, '5 minutes later')
    assert.equal((await outbox(app)).length, 3)
  })

  it('lets one of concurrent requests with one transaction_id through', async (t) => {
    const app = await informApp(t)
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => send(app, sms())))
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409, 409, 409, 409])
    assert.equal((await outbox(app)).length, 1)
  })

  it('takes test alert ids on the sandbox, by path or by host, and refuses live ids there', async (t) => {
    const app = await informApp(t)
    const test = { alert_id: DEMO_ALERT.test_alert_id }
    const byPath = await send(app, sms({ ...test, transaction_id: 'S1' }), {}, SANDBOX_SEND)
    assert.equal(byPath.statusCode, 200, byPath.body)
    const byHost = await send(app, sms({ ...test, transaction_id: 'S2' }), {
      host: 'sandbox-api-01.moengage.com',
    })
    assert.equal(byHost.statusCode, 200, byHost.body)
    const byTestName = await send(
      app,
      sms({ alert_id: undefined, alert_reference_name: 'Demo_ID_test', transaction_id: 'S3' }),
      {},
      SANDBOX_SEND,
    )
    assert.equal(byTestName.statusCode, 200, byTestName.body)
    const messages = await outbox(app)
    assert.deepEqual(
      messages.map((m) => [m.source, m.sourceId]),
      [
        ['inform_test', DEMO_ALERT.test_alert_id],
        ['inform_test', DEMO_ALERT.test_alert_id],
        ['inform_test', DEMO_ALERT.test_alert_id],
      ],
    )
    const live = await send(app, sms({ transaction_id: 'S4' }), {}, SANDBOX_SEND)
    assert.equal(live.statusCode, 400)
    assert.deepEqual(live.json(), {
      message: 'Live Alert Request received on Sandbox API endpoint',
      err_code: 'BAD_REQUEST',
      status_code: 120002,
    })
    const testOnLive = await send(app, sms({ ...test, transaction_id: 'S5' }))
    assert.equal(testOnLive.json<{ message: string }>().message, 'Invalid Alert ID')
    await app.drain()
    const user = await app.getUser('john')
    assert.equal(user, undefined, 'test sends add no system events')
  })

  it('answers every credential problem with the documented 401', async (t) => {
    const app = await informApp(t)
    const unauthorized = {
      message: 'Invalid App Key or Basic Auth',
      err_code: 'UNAUTHORIZED',
      status_code: 120001,
    }
    const cases: Record<string, string | undefined>[] = [
      { authorization: undefined },
      { authorization: basicAuth(WORKSPACE_ID, API_KEY) }, // the Data key is not the Inform key
      { authorization: basicAuth(WORKSPACE_ID, 'wrong-key-123') },
      { authorization: basicAuth('NOSUCHWORKSPACE', 'test-inform-key-0001') },
      { 'moe-appkey': undefined },
      { 'moe-appkey': 'OTHERWORKSPACE' },
    ]
    for (const headers of cases) {
      const res = await send(app, sms(), headers)
      assert.equal(res.statusCode, 401, JSON.stringify(headers))
      assert.deepEqual(res.json(), unauthorized, JSON.stringify(headers))
    }
    assert.equal((await outbox(app)).length, 0)
  })

  it('answers 400 BAD_REQUEST for a payload outside the schema, naming the field', async (t) => {
    const app = await informApp(t)
    const cases: [unknown, string][] = [
      [sms({ alert_id: undefined }), 'Invalid Alert ID'],
      [sms({ alert_id: 'nope' }), 'Invalid Alert ID'],
      [
        sms({ transaction_id: undefined }),
        'transaction_id is mandatory and should be a non-empty string',
      ],
      [sms({ transaction_id: 'x'.repeat(51) }), 'transaction_id can not exceed 50 characters'],
      [sms({ user_id: 7 }), 'user_id should be a string'],
      [sms({ payloads: undefined }), 'payloads is mandatory and should be an object'],
      [
        sms({ payloads: { FAX: { recipient: '1' } } }),
        'payloads.FAX is not a channel (SMS, EMAIL, PUSH)',
      ],
      [
        sms({ payloads: { SMS: {} } }),
        'payloads.SMS.recipient is mandatory and should be a non-empty string',
      ],
      [
        sms({ payloads: { SMS: { recipient: '1', personalized_attributes: [] } } }),
        'payloads.SMS.personalized_attributes should be an object',
      ],
      [
        sms({ payloads: { SMS: { recipient: '1', sender_attributes: 'IN' } } }),
        'payloads.SMS.sender_attributes should be a list of strings',
      ],
      [
        sms({
          payloads: {
            EMAIL: { recipient: 'a@b.c', personalized_attachments: { f: 'not base64!' } },
          },
        }),
        'payloads.EMAIL.personalized_attachments.f should be Base64-encoded content',
      ],
      ['{"alert_id":', MALFORMED],
      ['[]', 'A valid JSON document is required.'],
    ]
    for (const [body, message] of cases) {
      const res = await send(app, body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      const answer = res.json<{ message: string; err_code: string; status_code: number }>()
      assert.deepEqual(
        [answer.message, answer.err_code, answer.status_code],
        [message, 'BAD_REQUEST', 120002],
        JSON.stringify(body),
      )
    }
    assert.equal((await outbox(app)).length, 0)
  })

  it('answers a 405 in its envelope for other methods', async (t) => {
    const app = await informApp(t)
    const res = await app.app.inject({ method: 'GET', url: '/v1.0/alerts/send' })
    assert.equal(res.statusCode, 405)
    assert.equal(res.headers['allow'], 'POST')
    assert.deepEqual(Object.keys(res.json()).sort(), ['err_code', 'message', 'status_code'])
  })

  it('counts 10,000 requests a minute; past them a 429 in its envelope', async (t) => {
    const app = await informApp(t)
    // Another process of the store has spent this minute's quota.
    const windowStart = START_TIME - (START_TIME % 60_000)
    await app.store.quotas.lease({
      workspaceId: WORKSPACE_ID,
      quota: 'inform_send',
      windowStart,
      limit: 10_000,
      need: 10_000,
      want: 10_000,
    })
    const refused = await send(app, sms())
    assert.equal(refused.statusCode, 429, refused.body)
    assert.deepEqual(refused.json(), {
      message: 'Too many requests',
      err_code: 'Rate Limit',
      status_code: 140110,
    })
    app.clock.advance(60_000)
    assert.equal((await send(app, sms())).statusCode, 200)
  })

  it('picks the sender by sender_attributes, else the default; with neither, the message is not sent', async (t) => {
    const app = await informApp(t, {
      alerts: [
        {
          reference_name: 'OTP',
          alert_id: 'otp',
          channels: {
            SMS: {
              body: 'Code {{code}}',
              senders: [
                { name: 'IN-SENDER', attributes: ['IN'] },
                { name: 'US-SENDER', attributes: ['US', 'CA'] },
              ],
            },
            EMAIL: {
              subject: 'Code',
              body: 'Code {{code}}',
              senders: [{ name: 'Default' }, { name: 'Special', attributes: ['VIP'] }],
            },
          },
        },
      ],
    })
    const otp = (n: number, sms: Record<string, unknown>, email: Record<string, unknown> = {}) =>
      send(app, {
        alert_id: 'otp',
        transaction_id: `T${n}`,
        payloads: {
          SMS: { recipient: '1', personalized_attributes: { code: 42 }, ...sms },
          EMAIL: { recipient: 'a@b.c', personalized_attributes: { code: 42 }, ...email },
        },
      })
    await otp(1, { sender_attributes: ['CA'] }, { sender_attributes: ['VIP'] })
    await otp(2, {}, { sender_attributes: ['nothing'] })
    const res = await otp(3, { sender_attributes: ['FR'] })
    assert.deepEqual(res.json<Record<string, unknown>>()['SMS'], {
      message: 'no sender of the alert matches sender_attributes, and it has no default sender',
      err_code: 'NOT_SENT',
      status_code: 400,
    })
    const senders = (await outbox(app)).map((m) => [
      m.channel,
      m.status,
      (m.payload['sender'] as { name: string } | null)?.name ?? null,
    ])
    assert.deepEqual(senders, [
      ['SMS', 'recorded', 'US-SENDER'],
      ['EMAIL', 'recorded', 'Special'],
      ['SMS', 'failed', null],
      ['EMAIL', 'recorded', 'Default'],
      ['SMS', 'failed', null],
      ['EMAIL', 'recorded', 'Default'],
    ])
  })

  it('records a message whose personalisation fails as failed, naming what was missing', async (t) => {
    const app = await informApp(t, {
      alerts: [
        { reference_name: 'R', alert_id: 'r', channels: { SMS: { body: 'Order {{orderid}}' } } },
      ],
    })
    const res = await send(app, {
      alert_id: 'r',
      transaction_id: 'T',
      payloads: { SMS: { recipient: '1' } },
    })
    assert.equal(res.statusCode, 200)
    const [message] = await outbox(app)
    assert.deepEqual(
      [message?.status, message?.reason, message?.body],
      ['failed', 'body: personalization failed: no value for orderid and no fallback', ''],
    )
  })

  it('falls back to the profile for a missing API attribute, and does not send MOE_NOT_SEND', async (t) => {
    const app = await informApp(t, {
      alerts: [
        {
          reference_name: 'R',
          alert_id: 'r',
          channels: {
            SMS: {
              body: `Hi {{username|default("{{UserAttribute['USER_ATTRIBUTE_USER_NAME']|default('user')}}")}}{% if UserAttribute['City'] == 'Nowhere' %}MOE_NOT_SEND{% endif %}`,
            },
          },
        },
      ],
    })
    assert.equal((await app.post(TRACK, customer('ann', { name: 'Ann B' }))).statusCode, 200)
    assert.equal((await app.post(TRACK, customer('bob', { City: 'Nowhere' }))).statusCode, 200)
    await app.drain()
    const to = (user: string, n: number) =>
      send(app, {
        alert_id: 'r',
        user_id: user,
        transaction_id: `T${n}`,
        payloads: { SMS: { recipient: '1' } },
      })
    await to('ann', 1)
    await to('nobody', 2)
    await to('bob', 3)
    assert.deepEqual(
      (await outbox(app)).map((m) => [m.body, m.status, m.reason]),
      [
        ['Hi Ann B', 'recorded', null],
        ['Hi user', 'recorded', null],
        ['Hi userMOE_NOT_SEND', 'suppressed', 'the template rendered MOE_NOT_SEND'],
      ],
    )
  })

  it('adds Email Sent and SMS Sent to the user, so a segment on them counts the sends', async (t) => {
    const app = await informApp(t)
    assert.equal((await app.post(TRACK, customer('john', { first_name: 'John' }))).statusCode, 200)
    const res = await send(app, {
      ...sms(),
      payloads: { ...sms().payloads, EMAIL: { recipient: 'john@example.com' } },
    })
    assert.equal(res.statusCode, 200)
    await app.drain()
    const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
      customerIds: ['john'],
      ids: [],
    })
    assert.ok(user !== undefined)
    const events = await app.store.profiles.eventsOfUser(WORKSPACE_ID, user.id, 10)
    const messages = await outbox(app)
    assert.deepEqual(
      events
        .map((e) => [e.name, e.attributes['campaign_channel'], e.attributes['moe_message_id']])
        .sort(),
      [
        ['Email Sent', 'EMAIL', messages[1]?.id],
        ['SMS Sent', 'SMS', messages[0]?.id],
      ],
    )
    assert.deepEqual(events[0]?.attributes['campaign_id'], ALERT_ID)
    assert.deepEqual(events[0]?.attributes['moe_transaction_id'], 'TXN-1')
    const segment = await prepareSegment(
      filterGroup(
        anActionFilter({ action_name: 'Email Sent', execution: { type: 'atleast', count: 1 } }),
      ),
      () => Promise.resolve(undefined),
    )
    assert.ok(segment.ok, JSON.stringify(segment))
    assert.equal(
      await app.store.segments.count(WORKSPACE_ID, segment.value.query, app.clock.now()),
      1,
    )
  })
})

const MALFORMED =
  'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.'
