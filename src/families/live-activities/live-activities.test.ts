// Live Activities' broadcast start, update and end: each recorded in the outbox with its
// instance's change before the 200, instance dedup, the documented 403s, the 400 PayloadError
// with pydantic's detail, the 413 over 5,120 bytes, Push-key credentials with X-MOE-APPKEY, the
// quotas (429 `[]`), and the campaign definitions through the admin API.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, basicAuth, spendMinuteQuota } from '../../../test/helpers/app.js'
import { admin } from '../../../test/helpers/admin.js'
import {
  DEMO_CAMPAIGN,
  LA_BASE,
  broadcastRequest,
  changeBody,
  defineCampaign,
  liveActivityApp,
  startBody,
} from '../../../test/helpers/live-activities.js'

const ID = DEMO_CAMPAIGN.campaign_id
/** The quotas off: these tests make more starts a minute than the 5 allowed. */
const NO_QUOTAS = { INLET_RATE_LIMITS: 'off' }
const forbidden = (message: string) => ({ error: { code: 'OperationNotAllowed', message } })

describe('POST /v1.0/live-activity/broadcast/{start,update,end}', () => {
  it('starts, updates and ends an instance, each recorded in the outbox before the 200', async (t) => {
    const app = await liveActivityApp(t)
    const started = await broadcastRequest(app, 'start', startBody({ instance_id: 'match-1' }))
    assert.equal(started.statusCode, 200, started.body)
    assert.deepEqual(started.json(), { data: { instance_id: 'match-1', message: 'success' } })
    const updated = await broadcastRequest(app, 'update', changeBody({ instance_id: 'match-1' }))
    assert.equal(updated.statusCode, 200, updated.body)
    assert.deepEqual(updated.json(), { data: { instance_id: 'match-1', message: 'success' } })
    const ended = await broadcastRequest(
      app,
      'end',
      changeBody({ instance_id: 'match-1' }, { alert: { title: 'Over', body: { won: 'IND' } } }),
    )
    assert.equal(ended.statusCode, 200, ended.body)
    const messages = (await app.store.outbox.list(WORKSPACE_ID, {}, 10)).reverse()
    assert.deepEqual(
      messages.map((m) => [m.channel, m.source, m.sourceId, m.recipient, m.platform, m.status]),
      [
        ['LIVE_ACTIVITY', 'live_activity', ID, 'match-1', 'IOS', 'recorded'],
        ['LIVE_ACTIVITY', 'live_activity', ID, 'match-1', 'IOS', 'recorded'],
        ['LIVE_ACTIVITY', 'live_activity', ID, 'match-1', 'IOS', 'recorded'],
      ],
    )
    assert.deepEqual(
      messages.map((m) => [m.payload['action'], m.subject, m.body, m.customerId]),
      [
        ['start', 'Match started', 'IND vs AUS is live', null],
        ['update', 'Score', 'IND 120/3', null],
        ['end', 'Over', '{"won":"IND"}', null],
      ],
    )
    assert.deepEqual(messages[0]?.payload, {
      action: 'start',
      broadcast_live_activity_id: ID,
      campaign_name: 'Cricket final',
      instance_id: 'match-1',
      ios: startBody()['ios'],
    })
    assert.equal(messages[0]?.template, `${ID}/LIVE_ACTIVITY`)
    const instance = await app.store.liveActivities.instance(WORKSPACE_ID, 'match-1')
    assert.equal(instance?.state, 'ended')
    assert.equal(instance.changes, 3)
    // Ended: another update or end is not allowed.
    const after = await broadcastRequest(app, 'update', changeBody({ instance_id: 'match-1' }))
    assert.equal(after.statusCode, 403)
    assert.deepEqual(after.json(), forbidden('Invalid Action'))
    // The outbox listing filters by the channel.
    const listed = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/outbox?channel=LIVE_ACTIVITY',
      headers: { authorization: app.headers['authorization'] ?? '' },
    })
    assert.equal(listed.json<{ messages: unknown[] }>().messages.length, 3)
  })

  it('makes an instance id when none is given, and updates the newest active one', async (t) => {
    const app = await liveActivityApp(t)
    const started = await broadcastRequest(app, 'start', startBody())
    const id = started.json<{ data: { instance_id: string } }>().data.instance_id
    assert.match(id, new RegExp(`^${START_TIME}-[0-9a-f]{8}$`))
    app.clock.advance(1_000)
    const second = await broadcastRequest(app, 'start', startBody({ instance_id: 'second' }))
    assert.equal(second.statusCode, 200)
    const updated = await broadcastRequest(app, 'update', changeBody())
    assert.deepEqual(updated.json(), { data: { instance_id: 'second', message: 'success' } })
  })

  it('answers the documented 403s', async (t) => {
    const app = await liveActivityApp(t, {
      campaigns: [DEMO_CAMPAIGN, { campaign_id: 'p12-campaign', name: 'Old', ios_auth: 'p12' }],
      env: NO_QUOTAS,
    })
    const missing = await broadcastRequest(
      app,
      'start',
      startBody({ broadcast_live_activity_id: 'no-such' }),
    )
    assert.equal(missing.statusCode, 403)
    assert.deepEqual(missing.json(), forbidden('Campaign not found for no-such'))
    const p12 = await broadcastRequest(
      app,
      'start',
      startBody({ broadcast_live_activity_id: 'p12-campaign' }),
    )
    assert.deepEqual(
      p12.json(),
      forbidden('Only IOS token auth is allowed, please upload .p8 file'),
    )
    const first = await broadcastRequest(app, 'start', startBody({ instance_id: 'dup' }))
    assert.equal(first.statusCode, 200)
    const again = await broadcastRequest(app, 'start', startBody({ instance_id: 'dup' }))
    assert.deepEqual(again.json(), forbidden('Duplicate Request, please use different instance_id'))
    const update = changeBody({ instance_id: 'dup' })
    assert.equal((await broadcastRequest(app, 'update', update)).statusCode, 200)
    const repeated = await broadcastRequest(app, 'update', update)
    assert.deepEqual(
      repeated.json(),
      forbidden('Duplicate Request, please use different instance_id'),
    )
    const unknown = await broadcastRequest(app, 'end', changeBody({ instance_id: 'never' }))
    assert.deepEqual(unknown.json(), forbidden('Invalid Action'))
    // Dismissal: a start with a past date; an instance whose date has passed.
    const now = Math.floor(START_TIME / 1000)
    const past = await broadcastRequest(app, 'start', startBody({}, { dismissal_date: now - 1 }))
    assert.deepEqual(past.json(), forbidden('Dismissal date is already passed'))
    const soon = startBody({ instance_id: 'soon' }, { dismissal_date: now + 60 })
    assert.equal((await broadcastRequest(app, 'start', soon)).statusCode, 200)
    app.clock.advance(61_000)
    const late = await broadcastRequest(app, 'update', changeBody({ instance_id: 'soon' }))
    assert.deepEqual(late.json(), forbidden('Dismissal date is already passed'))
    // Nothing of the refusals was recorded: two starts and an update.
    assert.equal((await app.store.outbox.list(WORKSPACE_ID, {}, 100)).length, 3)
  })

  it('ends an instance at once on an update whose dismissal date is past', async (t) => {
    const app = await liveActivityApp(t)
    await broadcastRequest(app, 'start', startBody({ instance_id: 'm' }))
    const now = Math.floor(START_TIME / 1000)
    const res = await broadcastRequest(
      app,
      'update',
      changeBody({ instance_id: 'm' }, { dismissal_date: now - 5 }),
    )
    assert.equal(res.statusCode, 200)
    assert.equal((await app.store.liveActivities.instance(WORKSPACE_ID, 'm'))?.state, 'ended')
  })

  it('refuses a start past max_instances, until one ends', async (t) => {
    const app = await liveActivityApp(t, { campaigns: [{ ...DEMO_CAMPAIGN, max_instances: 2 }] })
    for (const id of ['a', 'b']) {
      app.clock.advance(12_000)
      const res = await broadcastRequest(app, 'start', startBody({ instance_id: id }))
      assert.equal(res.statusCode, 200, res.body)
    }
    app.clock.advance(12_000)
    const third = await broadcastRequest(app, 'start', startBody({ instance_id: 'c' }))
    assert.deepEqual(third.json(), forbidden('Max Instances Limit Reached'))
    await broadcastRequest(app, 'end', changeBody({ instance_id: 'a' }))
    app.clock.advance(12_000)
    const now = await broadcastRequest(app, 'start', startBody({ instance_id: 'c' }))
    assert.equal(now.statusCode, 200, now.body)
  })

  it('answers a body the schema refuses with PayloadError and pydantic’s detail', async (t) => {
    const app = await liveActivityApp(t, { env: NO_QUOTAS })
    const cases: [Record<string, unknown>, string, string, string][] = [
      [
        startBody({}, { alert: { title: 'x', body: 'y', metrics: 1 } }),
        'extra_forbidden',
        'ios.alert.metrics',
        'Extra inputs are not permitted',
      ],
      [{ ios: startBody()['ios'] }, 'missing', 'broadcast_live_activity_id', 'Field required'],
      [startBody({ ios: undefined }), 'missing', 'ios', 'Field required'],
      [startBody({ ios: 'x' }), 'dict_type', 'ios', 'Input should be a valid dictionary'],
      [
        startBody({}, { attribute_type: 7 }),
        'string_type',
        'ios.attribute_type',
        'Input should be a valid string',
      ],
      [
        startBody({}, { content_state: undefined }),
        'missing',
        'ios.content_state',
        'Field required',
      ],
      [startBody({}, { alert: { title: 'x' } }), 'missing', 'ios.alert.body', 'Field required'],
      [
        startBody({}, { alert: { title: 'x', body: 3 } }),
        'union_type',
        'ios.alert.body',
        'Input should be a valid string or dictionary',
      ],
      [
        startBody({}, { dismissal_date: 'soon' }),
        'int_type',
        'ios.dismissal_date',
        'Input should be a valid integer',
      ],
      [
        startBody({}, { stale_date: 1 }),
        'extra_forbidden',
        'ios.stale_date',
        'Extra inputs are not permitted',
      ],
      [startBody({ extra: true }), 'extra_forbidden', 'extra', 'Extra inputs are not permitted'],
      [
        startBody({}, { attribute_type: 'OtherAttributes' }),
        'literal_error',
        'ios.attribute_type',
        "Input should be 'LiveActivityAttributes', the campaign's attribute type",
      ],
    ]
    for (const [body, code, target, message] of cases) {
      const res = await broadcastRequest(app, 'start', body)
      assert.equal(res.statusCode, 400, `${target}: ${res.body}`)
      assert.deepEqual(res.json(), {
        error: {
          code: 'PayloadError',
          message: 'Mandatory fields are missing or invalid',
          details: [{ code, target, message }],
        },
      })
    }
    const attributes = await broadcastRequest(app, 'update', startBody())
    assert.equal(attributes.statusCode, 400, 'an update has no attribute_type')
    for (const raw of ['[]', '{', '']) {
      const res = await broadcastRequest(app, 'start', raw)
      assert.equal(res.statusCode, 400, raw)
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'PayloadError')
    }
    const get = await app.app.inject({ method: 'GET', url: '/v1.0/live-activity/broadcast/start' })
    assert.equal(get.statusCode, 405)
  })

  it('refuses an ios payload over 5,120 bytes with the documented 413', async (t) => {
    const app = await liveActivityApp(t)
    const big = startBody({}, { content_state: { text: 'x'.repeat(5_000) } })
    const res = await broadcastRequest(app, 'start', big)
    assert.equal(res.statusCode, 413)
    assert.deepEqual(res.json(), {
      error: {
        code: 'PayloadSizeError',
        message: 'Payload size exceeded for IOS. Max size is 5120 bytes',
      },
    })
    const fits = startBody({}, { content_state: { text: 'x'.repeat(4_700) } })
    assert.equal((await broadcastRequest(app, 'start', fits)).statusCode, 200)
  })

  it('takes the Push key and X-MOE-APPKEY; the documented 401s otherwise', async (t) => {
    const app = await liveActivityApp(t)
    const auth = (message: string) => ({ error: { code: 'AuthError', message } })
    for (const [headers, message] of [
      [{ authorization: undefined }, 'Authorization header or X-MOE-APPKEY is missing'],
      [{ 'x-moe-appkey': undefined }, 'Authorization header or X-MOE-APPKEY is missing'],
      [{ 'x-moe-appkey': 'OTHER' }, 'Invalid App Key'],
      [{ authorization: basicAuth('OTHER', 'x') }, 'Invalid App Key'],
      [{ authorization: basicAuth(WORKSPACE_ID, 'not-the-push-key') }, 'Invalid Data Key'],
      [{ authorization: app.headers['authorization'] }, 'Invalid Data Key'],
    ] as const) {
      const res = await broadcastRequest(app, 'start', startBody(), headers)
      assert.equal(res.statusCode, 401, JSON.stringify(headers))
      assert.deepEqual(res.json(), auth(message), JSON.stringify(headers))
    }
  })

  it('counts 5 starts a minute per workspace and 5 changes a minute per activity: 429 []', async (t) => {
    const app = await liveActivityApp(t)
    for (let i = 0; i < 5; i++) {
      const res = await broadcastRequest(app, 'start', startBody({ instance_id: `i${i}` }))
      assert.equal(res.statusCode, 200, res.body)
    }
    const sixth = await broadcastRequest(app, 'start', startBody({ instance_id: 'i5' }))
    assert.equal(sixth.statusCode, 429)
    assert.deepEqual(sixth.json(), [])
    for (let i = 0; i < 5; i++) {
      const res = await broadcastRequest(
        app,
        'update',
        changeBody({ instance_id: `i${i}` }, { content_state: { n: i } }),
      )
      assert.equal(res.statusCode, 200, res.body)
    }
    const limited = await broadcastRequest(app, 'end', changeBody({ instance_id: 'i0' }))
    assert.equal(limited.statusCode, 429)
    assert.deepEqual(limited.json(), [])
    app.clock.advance(60_000)
    assert.equal(
      (await broadcastRequest(app, 'end', changeBody({ instance_id: 'i0' }))).statusCode,
      200,
    )
    const spent = await liveActivityApp(t)
    await spendMinuteQuota(spent, 'live_activity_change', 500)
    const workspace = await broadcastRequest(spent, 'update', changeBody())
    assert.equal(workspace.statusCode, 429)
  })
})

describe('live-activity campaigns through the admin API', () => {
  it('creates, replaces as a new version, reads, lists and removes a campaign', async (t) => {
    const app = await liveActivityApp(t, { campaigns: [] })
    const created = await admin(app, 'POST', `${LA_BASE}/live-activities`, { name: 'Election' })
    assert.equal(created.statusCode, 200, created.body)
    const campaign = created.json<{ campaign: Record<string, unknown> }>().campaign
    assert.match(String(campaign['campaign_id']), /^[0-9a-f]{24}$/)
    assert.deepEqual(
      { ...campaign, campaign_id: 'x' },
      {
        campaign_id: 'x',
        name: 'Election',
        version: 1,
        attribute_type: null,
        ios_auth: 'p8',
        max_instances: 10,
        created_at: new Date(START_TIME).toISOString(),
        updated_at: new Date(START_TIME).toISOString(),
      },
    )
    await defineCampaign(app, {
      campaign_id: campaign['campaign_id'],
      name: 'Election 2',
      max_instances: 3,
    })
    const read = await admin(
      app,
      'GET',
      `${LA_BASE}/live-activities/${String(campaign['campaign_id'])}`,
    )
    assert.equal(
      read.json<{ campaign: { version: number; max_instances: number } }>().campaign.version,
      2,
    )
    const listed = await admin(app, 'GET', `${LA_BASE}/live-activities`)
    assert.equal(listed.json<{ campaigns: unknown[] }>().campaigns.length, 1)
    for (const [body, attribute] of [
      [{ name: 'Election 2' }, 'name'],
      [{ name: 'x', ios_auth: 'p10' }, 'ios_auth'],
      [{ name: 'x', max_instances: 0 }, 'max_instances'],
      [{ name: 'x', colour: 'red' }, 'colour'],
      [{}, 'name'],
      [{ name: 'x', campaign_id: 'has space' }, 'campaign_id'],
    ] as const) {
      const res = await admin(app, 'POST', `${LA_BASE}/live-activities`, body)
      assert.equal(res.statusCode, 400, `${attribute}: ${res.body}`)
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, attribute)
    }
    const missing = await admin(app, 'GET', `${LA_BASE}/live-activities/nope`)
    assert.equal(missing.statusCode, 404)
    const removed = await admin(app, 'POST', `${LA_BASE}/live-activities/remove`, {
      campaign_id: campaign['campaign_id'],
    })
    assert.deepEqual(removed.json(), { status: 'success', removed: true })
  })
})
