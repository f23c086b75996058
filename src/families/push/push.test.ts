// Push's POST /v2/transaction/sendpush and /v2.1/…: the campaign's audience (User, Custom
// Segment, All Users) expanded per target platform onto the users' devices, each message rendered
// and recorded in the outbox before the 200, the campaign name rules, the documented 200 Fail
// answers, the system events of the loop, and the 10K RPM quota of each version.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, appKeyRequest, type TestApp } from '../../../test/helpers/app.js'
import { GDPR } from '../../../test/helpers/data-api.js'
import { aSegmentBody, anAttributeFilter } from '../../../test/helpers/segments.js'
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

  it('answers v2.1 with the workspace and signature in headers, X-MOE-Query-Type mirroring the audience', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    const ok = await sendPush(app, toUser('ann', { targetPlatform: ['ANDROID'] }), {
      version: 'v2.1',
    })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal(ok.json<{ status: string }>().status, 'Success')
    const wrong = await sendPush(app, toUser('ann', { campaignName: 'Another one' }), {
      version: 'v2.1',
      headers: { 'x-moe-query-type': 'all users' },
    })
    assert.deepEqual(wrong.json(), {
      status: 'Fail',
      Error_Message:
        "Error parsing parameters: X-MOE-Query-Type 'all users' does not mirror targetAudience 'User'",
      responseId: wrong.json<{ responseId: string }>().responseId,
      requestId: '',
    })
    assert.equal((await pushMessages(app)).length, 1)
  })

  it('answers each documented failure with 200 status Fail and records nothing', async (t) => {
    const app = await pushApp(t)
    const fail = async (body: Record<string, unknown> | string, raw = false) => {
      const res = await sendPush(app, body, { raw })
      assert.equal(res.statusCode, 200, res.body)
      const answer = res.json<Record<string, string>>()
      assert.equal(answer['status'], 'Fail')
      assert.equal(answer['requestId'], '')
      return answer['Error_Message']
    }
    assert.equal(await fail(toUser('ann', { requestType: 'email' })), 'Invalid Request Type')
    assert.equal(
      await fail({ ...toUser('ann'), appId: undefined, signature: 'x' }, true),
      'appId not present',
    )
    assert.equal(
      await fail({ ...toUser('ann'), appId: 'NOSUCHAPP', signature: 'x' }, true),
      'Invalid appId',
    )
    assert.equal(await fail({ ...toUser('ann'), appId: WORKSPACE_ID }, true), 'Signature missing')
    assert.equal(
      await fail({ ...toUser('ann'), appId: WORKSPACE_ID, signature: 'f'.repeat(64) }, true),
      'Signature not verified',
    )
    assert.equal(
      await fail(
        { ...toUser('ann'), campaignName: undefined, appId: WORKSPACE_ID, signature: 'x' },
        true,
      ),
      'Campaign Name not found',
    )
    assert.equal(
      await fail(toUser('ann', { campaignName: 'Shop' })),
      'Campaign Name too short (must be >= 5 chars)',
    )
    assert.equal(
      await fail(toUser('ann', { targetPlatform: 'ANDROID' })),
      'Key not of Type List or Value not allowed: targetPlatform should be a non-empty list of ANDROID, IOS, WEB',
    )
    assert.equal(
      await fail(toUser('ann', { targetAudience: 'Everyone' })),
      'Key not of Type List or Value not allowed: targetAudience should be All Users, Custom Segment or User',
    )
    assert.equal(
      await fail(toUser('ann', { payload: { ANDROID: { title: 'only a title' } } })),
      'Error parsing parameters: payload.ANDROID.message is required (a string)',
    )
    assert.equal(
      await fail(
        toUser('ann', {
          payload: {
            ANDROID: { title: '{{ oops', message: 'm' },
            IOS: { title: 't', message: 'm' },
          },
        }),
      ).then((m) =>
        m?.startsWith('Error parsing parameters: payload.ANDROID.title does not compile'),
      ),
      true,
    )
    assert.equal(
      await fail(
        toUser('ann', {
          campaignDelivery: { type: 'later', date: '13/40/2026', time: '10:00 AM' },
        }),
      ),
      'Error parsing parameters: campaignDelivery.date should be a date MM/DD/YYYY',
    )
    assert.equal(
      await fail(
        toUser('ann', {
          campaignDelivery: { type: 'later', date: '10/01/2026', time: '10:00 AM' },
        }),
      ),
      'Error parsing parameters: campaignDelivery date and time are in the past',
    )
    assert.equal(
      await fail({
        ...toUser('x'),
        targetAudience: 'Custom Segment',
        customSegmentName: 'Nope',
        targetUserAttributes: undefined,
      }),
      'Custom Segment not found: Nope',
    )
    assert.equal(await fail('{"appId":', true), 'Error parsing parameters')
    assert.deepEqual(await pushMessages(app), [])
  })

  it('uses an All Users or Custom Segment name once, and groups User requests under one cid', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    const first = await sendPush(app, toUser('ann'))
    const again = await sendPush(app, toUser('ann'))
    assert.equal(first.json<{ cid: string }>().cid, again.json<{ cid: string }>().cid)
    const all = { ...toUser('x'), targetAudience: 'All Users', targetUserAttributes: undefined }
    const everyone = await sendPush(app, { ...all, campaignName: 'Everyone 1' })
    assert.equal(everyone.json<{ status: string }>().status, 'Success')
    const twice = await sendPush(app, { ...all, campaignName: 'Everyone 1' })
    assert.equal(twice.json<{ Error_Message: string }>().Error_Message, 'Duplicate campaign name')
    const reused = await sendPush(app, { ...all, campaignName: 'Order shipped' })
    assert.equal(reused.json<{ Error_Message: string }>().Error_Message, 'Duplicate campaign name')
  })

  it('sends to All Users and to a Custom Segment’s members, each device of each platform', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', { plan: 'gold' }, [['ANDROID', 'fcm-ann']])
    await trackUser(app, 'bob', { plan: 'free' }, [
      ['web', 'web-bob'],
      ['iOS', 'apns-bob'],
    ])
    await trackUser(app, 'cid', { plan: 'gold' }, [])
    const segment = await appKeyRequest(
      app,
      'POST',
      '/v3/custom-segments',
      aSegmentBody('Gold users', anAttributeFilter()),
    )
    assert.equal(segment.statusCode, 201, segment.body)
    const web = {
      title: 'Sale',
      message: 'Hi',
      redirectURL: 'https://shop.test',
      iconURL: 'https://shop.test/i.png',
    }
    const campaign = {
      ...toUser('x'),
      targetUserAttributes: undefined,
      targetPlatform: ['ANDROID', 'WEB'],
      payload: { ANDROID: { title: 'Sale', message: 'Hi' }, WEB: web },
    }
    const res = await sendPush(app, {
      ...campaign,
      campaignName: 'Gold sale',
      targetAudience: 'Custom Segment',
      customSegmentName: 'Gold users',
    })
    assert.equal(res.json<{ status: string }>().status, 'Success', res.body)
    const platforms = async () =>
      (await pushMessages(app)).map((m) => [m.customerId, m.platform, m.recipient, m.status])
    assert.deepEqual((await platforms()).sort(), [
      ['ann', 'ANDROID', 'fcm-ann', 'recorded'],
      ['ann', 'WEB', '', 'suppressed'],
      ['cid', 'ANDROID', '', 'suppressed'],
      ['cid', 'WEB', '', 'suppressed'],
    ])
    const [none] = (await pushMessages(app)).filter((m) => m.customerId === 'cid')
    assert.equal(none?.reason, 'the user has no ANDROID device with a push token')
    const before = (await pushMessages(app)).length
    const all = await sendPush(app, {
      ...campaign,
      campaignName: 'Everyone sale',
      targetAudience: 'All Users',
    })
    assert.equal(all.json<{ status: string }>().status, 'Success', all.body)
    const sent = (await pushMessages(app)).slice(before)
    assert.deepEqual(sent.map((m) => [m.customerId, m.platform, m.recipient, m.status]).sort(), [
      ['ann', 'ANDROID', 'fcm-ann', 'recorded'],
      ['ann', 'WEB', '', 'suppressed'],
      ['bob', 'ANDROID', '', 'suppressed'],
      ['bob', 'WEB', 'web-bob', 'recorded'],
      ['cid', 'ANDROID', '', 'suppressed'],
      ['cid', 'WEB', '', 'suppressed'],
    ])
    assert.deepEqual(await eventsOf(app, 'bob'), ['Notification Received Web'])
  })

  it('suppresses push on a device blocked by Device Opt-out', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [
      ['ANDROID', 'fcm-1'],
      ['ANDROID', 'fcm-2'],
    ])
    const res = await app.post(`/v1/devices/manage?app_id=${WORKSPACE_ID}`, {
      user_identifier_type: 'customer_id',
      user_identifier_value: 'ann',
      action_type: 'block',
      device_identifiers: [{ push_id: 'fcm-1' }],
    })
    assert.equal(res.statusCode, 200, res.body)
    await app.drain()
    await sendPush(app, toUser('ann', { targetPlatform: ['ANDROID'] }))
    assert.deepEqual(
      (await summary(app)).map((m) => [m.to, m.status, m.reason]),
      [
        ['fcm-1', 'suppressed', "push is blocked on this token's device (Device Opt-out)"],
        ['fcm-2', 'recorded', null],
      ],
    )
    assert.deepEqual(await eventsOf(app, 'ann'), ['Notification Received Android'])
  })

  it('suppresses push to a user who opted out of push (push_preference false)', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', { push_preference: false }, [['iOS', 'apns-1']])
    await sendPush(app, toUser('ann', { targetPlatform: ['IOS'] }))
    assert.deepEqual(
      (await summary(app)).map((m) => [m.status, m.reason]),
      [['suppressed', 'the user opted out of push (push_preference is false)']],
    )
    assert.deepEqual(await eventsOf(app, 'ann'), [])
  })

  it('suppresses push to a customer id erased by a GDPR request', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['iOS', 'apns-1']])
    const erase = await app.post(GDPR, {
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'ID', identity_value: 'ann' }],
      api_version: '1.0',
    })
    assert.equal(erase.statusCode, 200, erase.body)
    await app.drain()
    await sendPush(app, toUser(['ann', 'zed'], { targetPlatform: ['IOS'] }))
    assert.deepEqual(
      (await summary(app)).map((m) => [m.user, m.status, m.reason]),
      [
        [
          'ann',
          'suppressed',
          "GDPR: the user's customer_id was erased by a GDPR request and is on the workspace's suppression list",
        ],
        ['zed', 'suppressed', "no user has customer_id 'zed'"],
      ],
    )
  })

  it('records a message whose personalization fails as failed, naming what was missing', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-1']])
    await sendPush(
      app,
      toUser('ann', {
        targetPlatform: ['ANDROID'],
        payload: { ANDROID: { title: 'Hi', message: "{{UserAttribute['plan']}}" } },
      }),
    )
    const [m] = await summary(app)
    assert.equal(m?.status, 'failed')
    assert.match(String(m?.reason), /^message: personalization failed: no value for/)
  })

  it('targets by e-mail, push token and a custom attribute', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', { email: 'ann@example.com', tier: 'gold' }, [
      ['ANDROID', 'fcm-1'],
      ['ANDROID', 'fcm-2'],
    ])
    const by = (attribute: string, value: string, isCustom = false) =>
      toUser('x', {
        campaignName: `by ${attribute}`,
        targetPlatform: ['ANDROID'],
        targetUserAttributes: {
          attribute,
          comparisonParameter: 'is',
          attributeValue: value,
          isCustom,
        },
      })
    await sendPush(app, by('USER_ATTRIBUTE_USER_EMAIL', 'ANN@example.com'))
    await sendPush(app, by('PUSH_ID', 'fcm-2'))
    await sendPush(app, by('tier', 'gold', true))
    assert.deepEqual(
      (await summary(app)).map((m) => m.to),
      ['fcm-1', 'fcm-2', 'fcm-2', 'fcm-1', 'fcm-2'],
    )
  })

  it('counts 10,000 requests a minute: v2 answers Request limit exceeded, v2.1 a 429 []', async (t) => {
    const app = await pushApp(t)
    const windowStart = START_TIME - (START_TIME % 60_000)
    await app.store.quotas.lease({
      workspaceId: WORKSPACE_ID,
      quota: 'push_send',
      windowStart,
      limit: 10_000,
      need: 10_000,
      want: 10_000,
    })
    const v2 = await sendPush(app, toUser('ann'))
    assert.equal(v2.statusCode, 200)
    assert.equal(v2.json<{ Error_Message: string }>().Error_Message, 'Request limit exceeded')
    const v21 = await sendPush(app, toUser('ann'), { version: 'v2.1' })
    assert.equal(v21.statusCode, 429)
    assert.deepEqual(v21.json(), [])
    assert.equal(v21.headers['x-envoy-ratelimited'], 'true')
    assert.equal(v21.headers['x-ratelimit-remaining'], '0')
    app.clock.advance(60_000)
    assert.equal((await sendPush(app, toUser('ann'))).json<{ status: string }>().status, 'Success')
  })
})
