/**
 * Conformance of the Inform family against MoEngage's published examples
 * (test/fixtures/moengage/moengage-inform-openapi.yml): every request example is replayed against
 * alerts defined for it and answers the documented 200 (`message` "Successfully Received", a
 * `request_id`, one entry per channel) with its messages in the outbox; every documented error
 * example (400, 401, 409, 429, 500) is produced verbatim, the 500 through the error handler; and
 * every documented string of the Inform catalogue is a string of the file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import { INFORM_ENDPOINTS, INFORM_ERRORS } from '../../src/core/catalogue/inform.js'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { informEnvelope } from '../../src/http/envelopes.js'
import { START_TIME, WORKSPACE_ID, basicAuth } from '../helpers/app.js'
import { DEMO_ALERT, informApp, send } from '../helpers/inform.js'

const FILE = readFileSync(
  new URL('../fixtures/moengage/moengage-inform-openapi.yml', import.meta.url),
  'utf8',
)

type Media = { example?: unknown; examples?: Record<string, { value: Record<string, unknown> }> }
type OpenApi = {
  paths: Record<
    string,
    {
      post: {
        requestBody: { content: Record<string, Media> }
        responses: Record<string, { content?: Record<string, Media> }>
      }
    }
  >
  components: { schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> }
}

const doc = parseDocument(FILE).toJS() as OpenApi
const operation = doc.paths['/alerts/send']?.post
assert.ok(operation !== undefined, 'the file documents POST /alerts/send')
const requests = operation.requestBody.content['application/json']?.examples ?? {}
const errorExample = (status: string): unknown =>
  operation.responses[status]?.content?.['application/json']?.example

/** The live-activity example's alert: PUSH only. */
const LIVE_ACTIVITY_ALERT = {
  alert_id: '696737255def18872642f9d2',
  reference_name: 'Live Activity Only Test',
  channels: { PUSH: { title: 'Order {{orderid|default("")}}', message: 'On its way' } },
}

describe('Inform replays of moengage-inform-openapi.yml', () => {
  it('answers every request example with the documented 200 and records its messages', async (t) => {
    assert.deepEqual(Object.keys(requests).sort(), [
      'liveActivity',
      'multiChannelWithPersonalization',
      'multichannelWithoutPersonalization',
      'singleChannelWithPersonalization',
      'singleChannelWithoutPersonalization',
    ])
    const app = await informApp(t, { alerts: [DEMO_ALERT, LIVE_ACTIVITY_ALERT] })
    const success =
      doc.components.schemas['InformSuccessResponse']?.properties?.['message']?.example
    assert.equal(success, 'Successfully Received')
    for (const [name, { value }] of Object.entries(requests)) {
      // Three examples share one transaction id: each is replayed outside the others' window.
      app.clock.advance(5 * 60_000)
      const res = await send(app, value)
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`)
      const body = res.json<Record<string, unknown>>()
      const channels = Object.keys(value['payloads'] as object).sort()
      assert.deepEqual(
        Object.keys(body).sort(),
        ['message', 'request_id', ...channels].sort(),
        name,
      )
      assert.equal(body['message'], success, name)
      for (const channel of channels) {
        assert.deepEqual(
          body[channel],
          { message: 'Successfully Received', err_code: 'SUCCESS', status_code: 200 },
          `${name} ${channel}`,
        )
      }
      const recorded = await app.store.outbox.list(WORKSPACE_ID, {}, channels.length)
      assert.deepEqual(
        recorded.map((m) => [m.channel, m.requestId, m.transactionId, m.status]).sort(),
        channels.map((c) => [c, body['request_id'], value['transaction_id'], 'recorded']),
        name,
      )
    }
    const [personalized] = await app.store.outbox
      .list(WORKSPACE_ID, { since: START_TIME }, 100)
      .then((rows) =>
        rows.filter(
          (m) => m.transactionId === 'YOUR_TRANSACTION_ID_VAL_HERE' && m.channel === 'SMS',
        ),
      )
    assert.equal(
      personalized?.body,
      'Hi YOUR_firstname_ATTRIBUTE_VAL_HERE, order YOUR_orderid_ATTRIBUTE_VAL_HERE arrives YOUR_deliverydate_ATTRIBUTE_VAL_HERE.',
    )
    const [live] = await app.store.outbox.list(WORKSPACE_ID, { channel: 'PUSH' }, 1)
    // Live Activities are not in this slice: their attributes are recorded as sent.
    assert.deepEqual(live?.payload['live_activity_attributes'], {
      la_type: 'start',
      attribute_info: { order_id: 'ORD_554433' },
      content_state: { delivery_status: 'Out for delivery', eta_minutes: 12 },
    })
  })

  it('produces every documented error example verbatim', async (t) => {
    const app = await informApp(t)
    const base = requests['singleChannelWithoutPersonalization']?.value ?? {}
    const invalid = await send(app, {
      ...base,
      alert_id: '000000000000000000000000',
      alert_reference_name: undefined,
    })
    assert.equal(invalid.statusCode, 400)
    assert.deepEqual(invalid.json(), errorExample('400'))
    const unauthorized = await send(app, base, {
      authorization: basicAuth(WORKSPACE_ID, 'not-the-inform-key'),
    })
    assert.equal(unauthorized.statusCode, 401)
    assert.deepEqual(unauthorized.json(), errorExample('401'))
    assert.equal((await send(app, base)).statusCode, 200)
    const duplicate = await send(app, base)
    assert.equal(duplicate.statusCode, 409)
    assert.deepEqual(duplicate.json(), errorExample('409'))
    // A quota spent by another process of the store, before this one has taken a lease.
    const spent = await informApp(t)
    await spent.store.quotas.lease({
      workspaceId: WORKSPACE_ID,
      quota: 'inform_send',
      windowStart: START_TIME - (START_TIME % 60_000),
      limit: 10_000,
      need: 1,
      want: 10_000,
    })
    const limited = await send(spent, base)
    assert.equal(limited.statusCode, 429)
    assert.deepEqual(limited.json(), errorExample('429'))
    const { status, body } = failureBody(
      new AppError('internal'),
      { family: 'inform', endpoint: 'inform' },
      'quUXnIin',
      { inform: informEnvelope },
    )
    assert.equal(status, 500)
    assert.deepEqual(body, errorExample('500'))
  })

  it('documents every string of the Inform catalogue that is not Inlet’s own', () => {
    const strings = [
      ...Object.values(INFORM_ERRORS),
      ...Object.values(INFORM_ENDPOINTS.inform),
    ].flatMap((w) => [w.type, w.message])
    // Inlet's own: the field problems' detail, and the Data API's body messages kept under Inform.
    const own = new Set<string | undefined>([
      '{detail}',
      // moengage-other-apis.md §2.8 quotes it from the docs' pitfalls; the OpenAPI file does not.
      'Live Alert Request received on Sandbox API endpoint',
    ])
    const missing = strings.filter(
      (s) =>
        !own.has(s) &&
        s !== undefined &&
        !FILE.includes(`"${s}"`) &&
        !FILE.includes(`\`${s}\``) &&
        !FILE.includes(s),
    )
    assert.deepEqual(missing, [])
  })
})
