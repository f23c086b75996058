/**
 * Conformance of Message Archival against MoEngage's published examples
 * (test/fixtures/moengage/moengage-message-archival-openapi.yml): every request example is
 * replayed against an outbox holding the message it describes and answers 200 in the documented
 * shape — the 200 example's message (push, Android) field for field, besides what the outbox
 * cannot know (the documented differences below); the documented 400 and 401 are produced
 * verbatim and the 500 through the error handler; and every documented string of the catalogue
 * is a string of the file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import { ARCHIVAL_ENDPOINTS, ARCHIVAL_ERRORS } from '../../src/core/catalogue/archival.js'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { archivalEnvelope } from '../../src/http/envelopes.js'
import type { NewOutboxMessage } from '../../src/store/store.js'
import { WORKSPACE_ID, basicAuth, createTestApp } from '../helpers/app.js'
import { view } from '../helpers/archival.js'
import { assertExamplesCovered, type OpenApi } from '../helpers/replay.js'

const FILE = readFileSync(
  new URL('../fixtures/moengage/moengage-message-archival-openapi.yml', import.meta.url),
  'utf8',
)
const doc = parseDocument(FILE).toJS() as OpenApi & {
  components: { responses: Record<string, { content: Record<string, { example: unknown }> }> }
}
const operation = doc.paths['/archival/view']?.['post']
assert.ok(operation !== undefined, 'the file documents POST /archival/view')
const requests = operation.requestBody?.content?.['application/json']?.examples ?? {}
const responseExample = (name: string): unknown =>
  doc.components.responses[name]?.content['application/json']?.example

type Details = Record<string, unknown>
type Archived = { message_details: Details; message_content: Details; file_info: Details }

/** The message each request example describes, as a sender would have recorded it. */
function messageFor(request: Record<string, unknown>, i: number): NewOutboxMessage {
  const channel = String(request['campaign_channel'])
  const platform = String(request['platform'])
  const android = platform === 'ANDROID'
  return {
    // The 200 example's message for the Android push; made-up ids for the others.
    id: android
      ? '66560c2d2880326031c474a6'
      : `6656000000000000000000${String(i).padStart(2, '0')}`,
    workspaceId: WORKSPACE_ID,
    channel,
    source: 'push',
    sourceId: String(request['campaign_id']),
    customerId: String(request['user_id']),
    recipient: android
      ? 'cZug38RqRd2-cF30bd2vda:APA91bGEG-OHMiWV3eHd_ohLs8V-yTgDJuQXNV32jO13or-R118OAC65MXdSx5ozYsIiL-RFan_iflQ62XVX7T2BiNqqQQfKd3FitlpbLR7nVBdkFF1yv_s8pqZux-HfThn-ojhpBIWd'
      : `recipient-${i}`,
    platform: channel === 'PUSH' ? platform : null,
    subject: 'expiry in 1 hour',
    body: 'expiry in 1 hour',
    payload: {},
    template: 'stylizedbasic',
    templateVersion: 1,
    transactionId: typeof request['event_id'] === 'string' ? request['event_id'] : null,
    requestId: `request${i}`,
    status: 'recorded',
    reason: null,
    attempts: 0,
    createdAt: Number(request['sent_epoch_time']) * 1000,
    dueAt: null,
  }
}

describe('Message Archival replays of moengage-message-archival-openapi.yml', () => {
  it('answers every request example from the outbox, in the documented 200 shape', async (t) => {
    const app = await createTestApp(t)
    const examples = Object.entries(requests).map(
      ([name, { value }]) => [name, value as Record<string, unknown>] as const,
    )
    const recorded = await app.store.outbox.record(
      WORKSPACE_ID,
      examples.map(([, value], i) => messageFor(value, i)),
    )
    assert.equal(recorded.duplicate, false)
    const success = responseExample('Success200') as { status: boolean; data: Archived }
    const keys = (o: object): string[] => Object.keys(o).sort()
    for (const [name, value] of examples) {
      const res = await view(app, value)
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`)
      const body = res.json<{ status: boolean; data: Archived }>()
      assert.equal(body.status, true, name)
      // The documented shape, key for key, at each level.
      assert.deepEqual(keys(body.data), keys(success.data), name)
      for (const part of ['message_details', 'message_content', 'file_info'] as const) {
        assert.deepEqual(keys(body.data[part]), keys(success.data[part]), `${name} ${part}`)
      }
      assert.equal(body.data.message_details['platform'], String(value['platform']).toLowerCase())
    }
    // The 200 example's own message, field for field.
    const android = await view(app, requests['pushAndroidExample']?.value)
    const data = android.json<{ data: Archived }>().data
    const documented = success.data
    for (const field of [
      'message_type',
      'message_id',
      'channel',
      'platform',
      'delivery_type',
      'message_to',
      'moe_event_id',
      'service',
    ]) {
      assert.deepEqual(
        data.message_details[field],
        documented.message_details[field],
        `message_details.${field}`,
      )
    }
    // Known differences: the example's sent_time is in IST, Inlet's in UTC (the same instant);
    // its template_info names MoEngage's template, Inlet's the outbox's; its file name's second
    // part is the user's segment, Inlet's the user id.
    assert.equal(documented.message_details['sent_time'], 'Tue, 28 May 2024 22:24:22 IST')
    assert.equal(data.message_details['sent_time'], 'Tue, 28 May 2024 16:54:22 UTC')
    assert.equal(
      documented.file_info['file_name'],
      '66560c2d2880326031c474a6_pramodseg_1716915262_push_android.json',
    )
    assert.equal(
      data.file_info['file_name'],
      '66560c2d2880326031c474a6_USER_ID_123_1716915262_push_android.json',
    )
    assert.equal(data.message_content['title'], documented.message_content['title'])
    assert.equal(data.message_content['message'], documented.message_content['message'])
    assertExamplesCovered(
      Object.keys(requests),
      examples.map(([name]) => name),
    )
  })

  it('produces every documented error example verbatim', async (t) => {
    const app = await createTestApp(t)
    const base = requests['smsExample']?.value as Record<string, unknown>
    const unsupported = await view(app, { ...base, event_name: 'Email Clicked' })
    assert.equal(unsupported.statusCode, 400)
    assert.deepEqual(unsupported.json(), responseExample('Error400'))
    const unauthorized = await view(app, base, {
      authorization: basicAuth(WORKSPACE_ID, 'not-the-data-key'),
    })
    assert.equal(unauthorized.statusCode, 401)
    assert.deepEqual(unauthorized.json(), responseExample('Error401'))
    const { status, body } = failureBody(
      new AppError('internal'),
      { family: 'archival', endpoint: 'archival' },
      'BiaFuAzn-aefa0b0e-2c88-4106-8d07-0f0c53513e48',
      { archival: archivalEnvelope },
    )
    assert.equal(status, 500)
    assert.deepEqual(body, responseExample('Error500'))
  })

  it('documents every string of the Archival catalogue that is not Inlet’s own', () => {
    const strings = [
      ...Object.values(ARCHIVAL_ERRORS),
      ...Object.values(ARCHIVAL_ENDPOINTS.archival),
    ].flatMap((w) => [w.message])
    const own = new Set<string | undefined>([
      '{detail}',
      'No message was sent to this user with these details',
      'Rate limit exceeded: at most 1000 requests a minute', // the 429 has no documented body
    ])
    const missing = strings.filter((s) => s !== undefined && !own.has(s) && !FILE.includes(s))
    assert.deepEqual(missing, [])
  })
})
