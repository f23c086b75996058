// The dashboard's Push sends and live-activity campaigns: each send with its schedule, audience,
// platforms, next occurrence, state and messages so far (a `soon` send done at once, a periodic
// one scheduled, then due, then on to its next occurrence once the scheduler ran it); each
// live-activity campaign with its instances and their state (active, ended, or dismissed once
// its dismissal time passed); the outbox of each by source; only the session's workspace.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, START_TIME, WORKSPACE_ID } from '../../../../test/helpers/app.js'
import { dashboardGet, signIn } from '../../../../test/helpers/dashboard.js'
import {
  DEMO_CAMPAIGN,
  PUSH_KEY as LA_KEY,
  broadcastRequest,
  changeBody,
  startBody,
} from '../../../../test/helpers/live-activities.js'
import { admin } from '../../../../test/helpers/admin.js'
import { ADMIN_BASE, pushApp, sendPush, toUser, trackUser } from '../../../../test/helpers/push.js'
import { basicAuth } from '../../../../test/helpers/app.js'
import { defineCampaign } from '../../../../test/helpers/live-activities.js'
import type { sendView } from './campaigns.js'

type Send = ReturnType<typeof sendView>
type Instance = { instance_id: string; state: string; dismissal_at: string | null; changes: number }
type Campaign = { campaign_id: string; name: string; instances: Instance[] }
type Message = { source: string; source_id: string; recipient: string }

const HOUR = 3_600_000
const WS = `/w/${WORKSPACE_ID}`

describe("the dashboard's campaigns", () => {
  it('lists Push sends with schedule, audience, next occurrence, state and messages', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    await trackUser(app, 'bob', {}, [['ANDROID', 'fcm-bob']])
    const soon = await sendPush(app, toUser(['ann', 'bob'], { targetPlatform: ['ANDROID'] }))
    const cid = soon.json<{ cid: string }>().cid
    app.clock.advance(1_000)
    const periodic = await sendPush(
      app,
      toUser('ann', {
        campaignName: 'Daily digest',
        targetPlatform: ['ANDROID'],
        campaignDelivery: {
          type: 'periodic',
          date: '11/01/2026',
          time: '11:00 AM',
          timezone: 'UTC',
          repeatAfter: '1',
          endDate: '11/02/2026',
        },
      }),
    )
    assert.equal(periodic.json<{ status: string }>().status, 'Success', periodic.body)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const sends = async () =>
      (await dashboardGet<{ sends: Send[]; more: boolean }>(app, session, `${WS}/push-sends`)).sends
    const [digest, shipped] = await sends()
    assert.deepEqual(digest && { ...digest, id: 'ID', campaign_id: 'CID', request_id: 'REQ' }, {
      id: 'ID',
      campaign_id: 'CID',
      campaign_name: 'Daily digest',
      request_id: 'REQ',
      platforms: ['ANDROID'],
      audience: {
        type: 'User',
        segment: null,
        attribute: 'USER_ATTRIBUTE_UNIQUE_ID',
        values: ['ann'],
      },
      schedule: {
        type: 'periodic',
        date: '2026-11-01',
        time: '11:00',
        timezone: 'UTC',
        repeat_after_days: 1,
        end_date: '2026-11-02',
      },
      state: 'scheduled',
      next_at: '2026-11-01T11:00:00.000Z',
      occurrence: 1,
      messages: 0,
      created_at: new Date(START_TIME + 1_000).toISOString(),
      updated_at: new Date(START_TIME + 1_000).toISOString(),
    })
    assert.deepEqual(
      shipped && [shipped.campaign_id, shipped.schedule.type, shipped.state, shipped.next_at],
      [cid, 'soon', 'done', null],
    )
    assert.equal(shipped?.messages, 2)
    assert.deepEqual(shipped?.audience.values, ['ann', 'bob'])

    app.clock.set(START_TIME + HOUR + 1)
    assert.equal((await sends())[0]?.state, 'due')
    await app.pushScheduler.runOnce()
    const [ran] = await sends()
    assert.deepEqual(ran && [ran.state, ran.occurrence, ran.messages, ran.next_at], [
      'scheduled',
      2,
      1,
      '2026-11-02T11:00:00.000Z',
    ])
    // Its messages: the outbox by source.
    const outbox = await dashboardGet<{ messages: Message[] }>(
      app,
      session,
      `${WS}/outbox?source=push&source_id=${ran?.campaign_id}`,
    )
    assert.deepEqual(
      outbox.messages.map((m) => [m.source_id, m.recipient]),
      [[ran?.campaign_id, 'fcm-ann']],
    )
  })

  it('lists live-activity campaigns with their instances and states', async (t) => {
    const app = await pushApp(t)
    await admin(app, 'POST', `${ADMIN_BASE}/keys/push/rotate`, { api_key: LA_KEY })
    await defineCampaign(app, DEMO_CAMPAIGN)
    await defineCampaign(app, { campaign_id: 'quiet', name: 'Quiet' })
    const auth = { authorization: basicAuth(WORKSPACE_ID, LA_KEY) }
    const now = Math.floor(START_TIME / 1000)
    for (const [id, dismissal] of [
      ['a', null],
      ['b', now + 60],
      ['c', null],
    ] as const) {
      app.clock.advance(1_000)
      const ios = dismissal === null ? {} : { dismissal_date: dismissal }
      const res = await broadcastRequest(app, 'start', startBody({ instance_id: id }, ios), auth)
      assert.equal(res.statusCode, 200, res.body)
    }
    const ended = await broadcastRequest(app, 'end', changeBody({ instance_id: 'c' }), auth)
    assert.equal(ended.statusCode, 200, ended.body)
    app.clock.advance(2 * 60_000)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    const { campaigns } = await dashboardGet<{ campaigns: Campaign[] }>(
      app,
      session,
      `${WS}/live-activities`,
    )
    assert.deepEqual(
      campaigns.map((c) => [
        c.campaign_id,
        c.name,
        c.instances.map((i) => [i.instance_id, i.state]),
      ]),
      [
        [
          DEMO_CAMPAIGN.campaign_id,
          DEMO_CAMPAIGN.name,
          [
            ['c', 'ended'],
            ['b', 'dismissed'],
            ['a', 'active'],
          ],
        ],
        ['quiet', 'Quiet', []],
      ],
    )
    const outbox = await dashboardGet<{ messages: Message[] }>(
      app,
      session,
      `${WS}/outbox?source=live_activity&source_id=${DEMO_CAMPAIGN.campaign_id}`,
    )
    assert.equal(outbox.messages.length, 4)
  })

  it('answers only for the session’s workspace', async (t) => {
    const app = await pushApp(t)
    const session = await signIn(app, WORKSPACE_ID, API_KEY)
    for (const path of ['push-sends', 'live-activities']) {
      const res = await app.app.inject({
        method: 'GET',
        url: `/dashboard/api/w/ANOTHERWORKSPACE/${path}`,
        headers: { cookie: session.cookie },
      })
      assert.equal(res.statusCode, 404, res.body)
      const signedOut = await app.app.inject({
        method: 'GET',
        url: `/dashboard/api${WS}/${path}`,
      })
      assert.equal(signedOut.statusCode, 401, signedOut.body)
    }
  })
})
