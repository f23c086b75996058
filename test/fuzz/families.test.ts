/**
 * Property-based fuzzing of the families beside the Data API (endpoints.test.ts has the Data API
 * and the admin API): Segments v3 and v2, Subscription categories, Email opt-in, Bulk resubscribe,
 * Inform, Push v2 and v2.1, Live Activities start/update/end, Message Archival, File Imports'
 * trigger, status and run history (under both prefixes) and Cards (fetch, delete, activity: a
 * block of its own at the end), each with generated and mutated bodies and raw bytes, in-process
 * through `app.inject()`. Every answer must be below 500, arrive within a bound, and be JSON in
 * the envelope its family documents (moengage-other-apis.md §2.0: E2, E3, E4, E8, E9 — Push's
 * failures are a 200 `status:"Fail"` — E10, E11, E12; File Imports' answers, successes included,
 * in its pages' shape per status, spec §7.9; Cards' `{status:false, error, request_id}`); a
 * mutated Push body is signed as it stands (its `:sign` placeholder, v2.1's
 * header) so that it gets past the signature, and the Push scheduler then runs the fuzzed
 * campaigns' occurrences. After each property nothing was logged as an error, no record died, and
 * Object.prototype is untouched.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { admin } from '../helpers/admin.js'
import { START_TIME, WORKSPACE_ID, appKeyRequest, basicAuth, type TestApp } from '../helpers/app.js'
import { ADMIN_CATEGORIES, CATEGORIES, OPT_IN, RESUBSCRIBE, linkFor } from '../helpers/consent.js'
import { DEVICE, TRACK, customer } from '../helpers/data-api.js'
import {
  INFORM_AUTH,
  SANDBOX_SEND,
  SEND,
  informApp,
  send as informSend,
} from '../helpers/inform.js'
import { VIEW } from '../helpers/archival.js'
import { pushSignature } from '../../src/http/auth.js'
import { defineImport } from '../helpers/file-imports.js'
import { DEMO_CAMPAIGN, defineCampaign } from '../helpers/live-activities.js'
import { ADMIN_BASE, PUSH_KEY, V2, V2_1, toUser } from '../helpers/push.js'
import {
  CARDS_AUTH,
  DEMO_CARD_CAMPAIGN,
  cardsApp,
  cardsRequest,
  sendCampaign,
} from '../helpers/cards.js'
import { HANG_MS, RUNS, assertHealthy, check, jsonish, mutated, params } from './fuzz-kit.js'

type Method = 'POST' | 'PUT' | 'PATCH'
type Json = Record<string, unknown>

/** E10's `error.code`s (moengage-live-activities-openapi.yml). */
const LIVE_ACTIVITY_CODES = [
  'PayloadError',
  'AuthError',
  'OperationNotAllowed',
  'PayloadSizeError',
  'RateLimitError',
  'ServerError',
]

const isText = (v: unknown): boolean => typeof v === 'string'
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A failure body in one documented shape (§2.0); the success bodies are JSON objects. */
const SHAPES = {
  /** Segments v3: `{"response_id","type":"custom_segment","error":{"code","message",…}}`. */
  E2: (b: Json) =>
    isText(b['response_id']) &&
    b['type'] === 'custom_segment' &&
    isObject(b['error']) &&
    isText(b['error']['code']) &&
    isText(b['error']['message']),
  /** Segments v2, Subscription categories: `{"title","description"}`, `{"title"}`, `{"message"}`. */
  E3: (b: Json) =>
    (isText(b['title']) && (b['description'] === undefined || isText(b['description']))) ||
    (isText(b['message']) && b['title'] === undefined),
  /** Email opt-in: `{"error":{"code","message","details"?:{"target","message"}}}`. */
  E4: (b: Json) =>
    isObject(b['error']) &&
    isText(b['error']['code']) &&
    isText(b['error']['message']) &&
    (b['error']['details'] === undefined || isObject(b['error']['details'])),
  /** Inform: `{"message","err_code","status_code"}`. */
  E8: (b: Json) =>
    isText(b['message']) && isText(b['err_code']) && typeof b['status_code'] === 'number',
  /** Push: a 200 `{"status":"Fail","Error_Message","responseId","requestId":""}`. */
  E9: (b: Json) =>
    b['status'] === 'Fail' &&
    isText(b['Error_Message']) &&
    isText(b['responseId']) &&
    b['requestId'] === '',
  /** Live Activities: `{"error":{"code","message","details"?:[{code,target,message}]}}`. */
  E10: (b: Json) =>
    isObject(b['error']) &&
    LIVE_ACTIVITY_CODES.includes(String(b['error']['code'])) &&
    isText(b['error']['message']) &&
    (b['error']['details'] === undefined ||
      (Array.isArray(b['error']['details']) &&
        b['error']['details'].every(
          (d) => isObject(d) && isText(d['code']) && isText(d['target']) && isText(d['message']),
        ))),
  /** Message Archival: `{"status":false,"error_message"}` (a 401 `{"status":false,"error"}`). */
  E11: (b: Json) => b['status'] === false && (isText(b['error_message']) || isText(b['error'])),
  /** Bulk resubscribe: `{"response_id","error":{"message","err_code"}}`. */
  E12: (b: Json) =>
    isText(b['response_id']) &&
    isObject(b['error']) &&
    isText(b['error']['message']) &&
    isText(b['error']['err_code']),
  /** File Imports (spec §7.9): each status in its page's shape (fileImportShape). */
  FI: (b: Json, status: number) => fileImportShape(status, b),
} as const

/**
 * A File Imports answer in the shape its page gives its status (spec §7.9; http/envelopes.ts
 * fileImportsEnvelope): 400 `{"status":"fail"|"FAILURE","error_type","message"}` or
 * `{"success":false,"status_code","data"}`, 401 `{"title","description"}`, 403 and 429 E1, 404
 * `{"status":"fail","message"|"data"}`, 405 `{"status":"fail","message"}`, 413 E1, 415
 * `{"title","description"|"error_description"}`; and the 200s: the trigger's `{"status":
 * "success","message"}`, status and history's `{"status":"success","total_count","data":[…],
 * "offset","more_files"}`.
 */
function fileImportShape(status: number, b: Json): boolean {
  const e1 =
    b['status'] === 'fail' &&
    isObject(b['error']) &&
    isText(b['error']['message']) &&
    isText(b['error']['type']) &&
    isText(b['error']['request_id'])
  switch (status) {
    case 200:
      return (
        b['status'] === 'success' &&
        (isText(b['message']) ||
          (typeof b['total_count'] === 'number' &&
            Array.isArray(b['data']) &&
            typeof b['offset'] === 'number' &&
            (typeof b['more_files'] === 'boolean' || isText(b['more_files']))))
      )
    case 400:
      return (
        ((b['status'] === 'fail' || b['status'] === 'FAILURE') &&
          isText(b['error_type']) &&
          isText(b['message'])) ||
        (b['success'] === false && isText(b['status_code']) && isText(b['data']))
      )
    case 401:
      return isText(b['title']) && isText(b['description'])
    case 404:
      return b['status'] === 'fail' && (isText(b['message']) || isText(b['data']))
    case 405:
      return b['status'] === 'fail' && isText(b['message'])
    case 415:
      return isText(b['title']) && (isText(b['description']) || isText(b['error_description']))
    default:
      return e1
  }
}

type Endpoint = Readonly<{
  method: Method
  /** `:segment`, `:file`, `:link`, `:import` and `:second-import` are filled in by the seeded app. */
  url: string
  body: Json
  shape: keyof typeof SHAPES
  /**
   * The credentials: the Data API key (default), Inform's key, the Push key as Basic auth with
   * X-MOE-APPKEY (Live Activities), v2's signature in the body or v2.1's in the headers.
   */
  auth?: 'inform' | 'live' | 'push_v2' | 'push_v2_1'
}>

const SEGMENT_BODY = {
  name: 'fuzzed filter',
  included_filters: {
    filter_operator: 'and',
    filters: [
      {
        filter_type: 'user_attributes',
        name: 'plan',
        data_type: 'string',
        operator: 'in',
        value: ['gold', 'silver'],
        negate: false,
        case_sensitive: false,
      },
      {
        filter_type: 'actions',
        action_name: 'Bought',
        executed: true,
        execution: { type: 'atleast', count: 1 },
        primary_time_range: {
          type: 'inTheLast',
          value_type: 'relative_past',
          value: '7',
          period_unit: 'days',
        },
      },
    ],
  },
}

const FILE_BODY = {
  name: 'fuzzed file',
  attribute_name: 'ID',
  attribute_type: 'string',
  file_url: 'https://files.example.com/fuzz.csv',
  expiry_time: 30,
}

const BROADCAST = '/v1.0/live-activity/broadcast'
/** The live activity fuzzApp starts, which the update and end bodies name. */
const SEEDED_INSTANCE = 'seeded-instance'

const SMS = {
  alert_id: '636b77e6e2cf83277195fb60',
  user_id: 'ann',
  transaction_id: 'TXN-FUZZ',
  payloads: {
    SMS: { recipient: '+15550001111', personalized_attributes: { firstname: 'Ann' } },
  },
}

/** The import fuzzApp defines, which the run-history bodies name. */
const SEEDED_IMPORT = 'Fuzzed import'

const FILE_IMPORT_ENDPOINTS = ['/v1.0/data/fileimports', '/v1/fileimports'].flatMap(
  (prefix, i): Endpoint[] => [
    // Each prefix triggers its own import: a seed body of each is a first trigger (200).
    {
      method: 'POST',
      url: `${prefix}/trigger/${i === 0 ? ':import' : ':second-import'}`,
      body: {},
      shape: 'FI',
    },
    {
      method: 'POST',
      url: `${prefix}/import/status`,
      body: {
        import_name: SEEDED_IMPORT,
        import_type: ['USERS', 'EVENTS', 'AUX_DATA'],
        date: { start_date: '01/11/2026', end_date: '01/11/2026', format: 'DD/MM/YYYY' },
        schedule_type: ['PERIODIC', 'ONETIME'],
        file_source: ['SFTP', 'S3', 'CSV'],
        schedule_status: ['SUCCESSFUL', 'FAILED', 'SCHEDULED', 'QUEUED'],
        offset: '1',
      },
      shape: 'FI',
    },
    {
      method: 'POST',
      url: `${prefix}/import/run/history`,
      body: {
        import_name: SEEDED_IMPORT,
        file_status: ['QUEUED', 'SUCCESSFUL'],
        date: {
          start_date: '2026-11-01 00:00:00',
          end_date: '2026-11-02 00:00:00',
          format: 'YYYY-MM-DD hh:mm:ss',
        },
        offset: 1,
      },
      shape: 'FI',
    },
  ],
)

const ENDPOINTS: readonly Endpoint[] = [
  { method: 'POST', url: '/v3/custom-segments', body: SEGMENT_BODY, shape: 'E2' },
  {
    method: 'PATCH',
    url: '/v3/custom-segments/:segment',
    body: {
      included_filters: {
        filter_operator: 'or',
        filters: [{ ...SEGMENT_BODY.included_filters.filters[0], value: ['bronze'] }],
      },
    },
    shape: 'E2',
  },
  { method: 'POST', url: '/v2/custom-segments/file-segment', body: FILE_BODY, shape: 'E3' },
  ...['add-users', 'remove-users', 'replace'].map((op): Endpoint => ({
    method: 'PUT',
    url: `/v2/custom-segments/file-segment/${op}`,
    body: { ...FILE_BODY, expiry_time: undefined, name: 'seeded file', cs_id: ':file' },
    shape: 'E3',
  })),
  ...['archive', 'unarchive'].map((op): Endpoint => ({
    method: 'PATCH',
    url: `/v2/custom-segments/${op}`,
    body: { name: 'seeded filter' },
    shape: 'E3',
  })),
  {
    method: 'POST',
    url: CATEGORIES,
    body: {
      channel: 'EMAIL',
      user_preferences: [
        { customer_id: 'ann', categories: { Promotional: false }, unsubscribe_all: false },
      ],
    },
    shape: 'E3',
  },
  {
    method: 'PUT',
    url: `${CATEGORIES}?:link`,
    body: { categories: { Promotional: true }, unsubscribe_all: false },
    shape: 'E3',
  },
  {
    method: 'PUT',
    url: OPT_IN,
    body: {
      user_preferences: {
        customer_id: 'ann',
        opt_in_status: 'double_opted_in',
        channel: 'Email',
        categories: { Promotional: true },
      },
    },
    shape: 'E4',
  },
  {
    method: 'POST',
    url: RESUBSCRIBE,
    body: { recipients: ['ann@example.com'], esp: 'SENDGRID', request_id: 'req-fuzz' },
    shape: 'E12',
  },
  { method: 'POST', url: SEND, body: SMS, shape: 'E8', auth: 'inform' },
  {
    method: 'POST',
    url: SANDBOX_SEND,
    body: { ...SMS, alert_id: '636b77e6e2cf83277195fb61' },
    shape: 'E8',
    auth: 'inform',
  },
  {
    method: 'POST',
    url: V2,
    body: { ...toUser(['ann', 'bob']), appId: WORKSPACE_ID, signature: ':sign' },
    shape: 'E9',
    auth: 'push_v2',
  },
  {
    method: 'POST',
    url: V2_1,
    body: toUser('ann', {
      campaignName: 'Fuzzed periodic #n',
      targetAudience: 'All Users',
      targetUserAttributes: undefined,
      campaignDelivery: {
        type: 'periodic',
        date: '11/02/2026',
        time: '11:00 AM',
        timezone: 'Asia/Kolkata',
        repeatAfter: '1',
        endDate: '11/04/2026',
      },
    }),
    shape: 'E9',
    auth: 'push_v2_1',
  },
  {
    method: 'POST',
    url: `${BROADCAST}/start`,
    body: {
      broadcast_live_activity_id: DEMO_CAMPAIGN.campaign_id,
      instance_id: 'fuzzed-instance',
      ios: {
        dismissal_date: Math.floor(START_TIME / 1000) + 3_600,
        attribute_type: DEMO_CAMPAIGN.attribute_type,
        attribute_info: { match: 'IND vs AUS' },
        content_state: { score: '0/0' },
        alert: { title: 'Match started', body: 'IND vs AUS is live', sound: 'default' },
      },
    },
    shape: 'E10',
    auth: 'live',
  },
  ...(['update', 'end'] as const).map((action): Endpoint => ({
    method: 'POST',
    url: `${BROADCAST}/${action}`,
    body: {
      broadcast_live_activity_id: DEMO_CAMPAIGN.campaign_id,
      instance_id: SEEDED_INSTANCE,
      ios: {
        stale_date: Math.floor(START_TIME / 1000) + 600,
        content_state: { score: action === 'end' ? '250/7' : '120/3' },
        alert: { title: 'Score', subtitle: 'Over 20', body: { text: 'IND 120/3' } },
      },
    },
    shape: 'E10',
    auth: 'live',
  })),
  {
    method: 'POST',
    url: VIEW,
    body: {
      user_id: 'ann',
      delivery_type: 'API_TRIGGERED',
      campaign_type: 'Inform SMS',
      campaign_channel: 'SMS',
      sent_epoch_time: Math.floor(START_TIME / 1000),
      campaign_id: SMS.alert_id,
      event_name: 'SMS Sent',
      platform: 'SMS',
      event_id: 'TXN-SEEDED',
    },
    shape: 'E11',
  },
  ...FILE_IMPORT_ENDPOINTS,
]

/**
 * The app with the Inform alert and an SMS sent, a category, users with devices, a filter segment,
 * a file segment, a Push key, a live-activity campaign and one of its activities started.
 */
type FuzzApp = TestApp & Readonly<{ url: (url: string) => string; fill: (body: Json) => Json }>

async function fuzzApp(t: TestContext): Promise<FuzzApp> {
  const app = await informApp(t, { env: { INLET_RATE_LIMITS: 'off' } })
  const category = await admin(app, 'POST', ADMIN_CATEGORIES, { name: 'Promotional' })
  assert.equal(category.statusCode, 200, category.body)
  for (const id of ['ann', 'bob']) {
    const res = await app.post(TRACK, customer(id, { email: `${id}@example.com` }))
    assert.equal(res.statusCode, 200, res.body)
  }
  for (const [id, platform] of [
    ['ann', 'ANDROID'],
    ['ann', 'iOS'],
    ['bob', 'ANDROID'],
  ] as const) {
    const res = await app.post(DEVICE, {
      type: 'device',
      customer_id: id,
      device_id: `${id}-${platform}`,
      attributes: { platform, push_id: `token-${id}-${platform}` },
    })
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
  const pushKey = await admin(app, 'POST', `${ADMIN_BASE}/keys/push`, { api_key: PUSH_KEY })
  assert.equal(pushKey.statusCode, 200, pushKey.body)
  await defineCampaign(app, DEMO_CAMPAIGN)
  const started = await app.app.inject({
    method: 'POST',
    url: `${BROADCAST}/start`,
    headers: headersFor(app, { auth: 'live' }),
    payload: {
      broadcast_live_activity_id: DEMO_CAMPAIGN.campaign_id,
      instance_id: SEEDED_INSTANCE,
      ios: {
        attribute_type: DEMO_CAMPAIGN.attribute_type,
        attribute_info: {},
        content_state: { score: '0/0' },
        alert: { title: 'Started', body: 'Live' },
      },
    },
  })
  assert.equal(started.statusCode, 200, started.body)
  const sms = await informSend(app, { ...SMS, transaction_id: 'TXN-SEEDED' })
  assert.equal(sms.statusCode, 200, sms.body)
  const link = await linkFor(app, 'ann')
  const made = await appKeyRequest(app, 'POST', '/v3/custom-segments', {
    ...SEGMENT_BODY,
    name: 'seeded filter',
    included_filters: {
      filter_operator: 'or',
      filters: [{ ...SEGMENT_BODY.included_filters.filters[0], value: ['seeded'] }],
    },
  })
  assert.equal(made.statusCode, 201, made.body)
  const segment = made.json<{ data: { id: string } }>().data.id
  const file = await appKeyRequest(app, 'POST', '/v2/custom-segments/file-segment', {
    ...FILE_BODY,
    name: 'seeded file',
  })
  assert.equal(file.statusCode, 202, file.body)
  const fileId = file.json<{ cs_id: string }>().cs_id
  const query = `user_id=${encodeURIComponent(link.user_id)}&cid=${encodeURIComponent(link.cid)}`
  const imports = []
  for (const name of [SEEDED_IMPORT, 'Second fuzzed import']) {
    imports.push(
      await defineImport(app, {
        name,
        source: 'https://files.example.com/fuzz-import.csv',
        type: 'users',
        schedule: { type: 'PERIODIC', interval_minutes: 60 },
      }),
    )
  }
  const [importId = '', secondImportId = ''] = imports
  return {
    ...app,
    url: (url) =>
      url
        .replace(':segment', segment)
        .replace(':link', query)
        .replace(':second-import', secondImportId)
        .replace(':import', importId),
    fill: (body) => (body['cs_id'] === ':file' ? { ...body, cs_id: fileId } : body),
  }
}

/** A string field of `body` (a fuzzed body may be anything), or ''. */
function textOf(body: unknown, field: string): string {
  const value = isObject(body) ? body[field] : undefined
  return typeof value === 'string' ? value : ''
}

/** The request's headers; v2.1's signature from the body's own campaign name, as sent. */
function headersFor(
  app: TestApp,
  e: Pick<Endpoint, 'auth'>,
  body?: unknown,
): Record<string, string> {
  const json = { 'content-type': 'application/json' }
  switch (e.auth) {
    case 'inform':
      return { ...json, 'moe-appkey': WORKSPACE_ID, authorization: INFORM_AUTH }
    case 'live':
      return {
        ...json,
        'x-moe-appkey': WORKSPACE_ID,
        authorization: basicAuth(WORKSPACE_ID, PUSH_KEY),
      }
    case 'push_v2':
      return json
    case 'push_v2_1':
      return {
        ...json,
        'x-moe-appkey': WORKSPACE_ID,
        'x-moe-pushapi-signature': pushSignature(
          WORKSPACE_ID,
          textOf(body, 'campaignName'),
          PUSH_KEY,
        ),
        'x-moe-query-type': textOf(body, 'targetAudience').toLowerCase(),
      }
    default:
      return {
        ...json,
        'moe-appkey': WORKSPACE_ID,
        authorization: app.headers['authorization'] ?? '',
      }
  }
}

/** Sends so far: what makes each `#n` campaign name (an All Users one must be new) unique. */
let sends = 0

/**
 * `body` as sent: a `#n` in its campaign name numbered, then v2's `:sign` placeholder replaced by
 * the signature of its appId and campaignName as they now stand.
 */
function prepared(body: unknown): unknown {
  if (!isObject(body)) return body
  sends++
  const name = body['campaignName']
  const named =
    typeof name === 'string' && name.includes('#n')
      ? { ...body, campaignName: name.replace('#n', `#${sends}`) }
      : body
  if (named['signature'] !== ':sign') return named
  const signature = pushSignature(textOf(named, 'appId'), textOf(named, 'campaignName'), PUSH_KEY)
  return { ...named, signature }
}

/** Inputs fuzzed in this file. */
let fuzzed = 0

function assertAnswer(res: LightMyRequestResponse, e: Endpoint, what: string): void {
  const info = `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`
  assert.ok(res.statusCode < 500, `5xx: ${info}`)
  assert.match(String(res.headers['content-type']), /application\/json/, `not JSON: ${info}`)
  let body: unknown
  try {
    body = JSON.parse(res.body)
  } catch {
    assert.fail(`body is not JSON: ${info}`)
  }
  assert.ok(isObject(body), `not a JSON object: ${info}`)
  if (e.shape === 'E9') {
    // Push answers every documented failure with a 200 (moengage-other-apis.md §2.8).
    assert.equal(res.statusCode, 200, `not 200: ${info}`)
    const ok =
      body['status'] === 'Success' &&
      isText(body['requestId']) &&
      isText(body['responseId']) &&
      isText(body['cid'])
    assert.ok(ok || SHAPES.E9(body), `neither Success nor E9: ${info}`)
    return
  }
  if (res.statusCode >= 400 || e.shape === 'FI') {
    const shape: (b: Json, status: number) => boolean = SHAPES[e.shape]
    assert.ok(shape(body, res.statusCode), `not ${e.shape}: ${info}`)
  }
}

async function send(
  app: FuzzApp,
  e: Endpoint,
  payload: string | Buffer,
  parsed?: unknown,
): Promise<void> {
  fuzzed++
  const shown = typeof payload === 'string' ? payload : payload.toString('hex')
  const what = `${e.method} ${e.url} ${shown.slice(0, 200)}`
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: ${what}`)), HANG_MS)
  })
  try {
    const res = await Promise.race([
      app.app.inject({
        method: e.method,
        url: app.url(e.url),
        headers: headersFor(app, e, parsed),
        payload,
      }),
      hang,
    ])
    assertAnswer(res, e, what)
  } finally {
    clearTimeout(timer)
  }
}

/** Bytes no JSON encoder makes: random bytes, deep nesting, duplicate keys, odd literals. */
const rawBody = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'))
    .map(([n, open]) => open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n)),
  fc.constantFrom(
    '{"name":"a","name":"b","included_filters":{"filter_operator":"and","filters":[]}}',
    '{"__proto__":{"polluted":1},"name":"p"}',
    '{"user_preferences":{"customer_id":"ann","customer_id":"bob"}}',
    '{"alert_id":"636b77e6e2cf83277195fb60","payloads":{"SMS":{"recipient":1e400}}}',
    '{"recipients":["\\ud800"]}',
    '\ufeff{"name":"bom"}',
    '{"name":"x"} trailing',
    'null',
    '[]',
    '"string"',
    '1e999999',
    '',
  ),
)

/** The fuzzed Push campaigns' later and periodic occurrences, over the next few days. */
async function runSchedules(app: TestApp): Promise<void> {
  for (let hours = 0; hours <= 5 * 24; hours += 6) {
    app.clock.set(START_TIME + hours * 3_600_000)
    await app.pushScheduler.runOnce()
  }
}

describe('fuzzing the other families', { timeout: 300_000 }, () => {
  it('every seed body, sent as is, is accepted', async (t) => {
    const app = await fuzzApp(t)
    for (const e of ENDPOINTS) {
      const body = prepared(app.fill(e.body))
      const res = await app.app.inject({
        method: e.method,
        url: app.url(e.url),
        headers: headersFor(app, e, body),
        payload: JSON.stringify(body),
      })
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${e.method} ${e.url}: ${res.body}`)
      // Push's failures are 200s too.
      if (e.shape === 'E9') assert.equal(res.json<Json>()['status'], 'Success', res.body)
    }
  })

  for (const e of ENDPOINTS) {
    it(`${e.method} ${e.url}: mutated and generated bodies`, async (t) => {
      const app = await fuzzApp(t)
      await check(
        fc.asyncProperty(fc.oneof(mutated(app.fill(e.body)), jsonish), async (fuzzedBody) => {
          const body = prepared(fuzzedBody)
          await send(app, e, JSON.stringify(body) ?? 'null', body)
        }),
        params(),
      )
      if (e.shape === 'E9') await runSchedules(app)
      await assertHealthy(t, app)
    })
  }

  it('every endpoint: raw bodies', async (t) => {
    const app = await fuzzApp(t)
    await check(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), rawBody, async (e, payload) => {
        await send(app, e, payload)
      }),
      params(RUNS * 2),
    )
    await assertHealthy(t, app)
  })

  it('prints how many inputs were fuzzed', (t) => {
    t.diagnostic(`fuzz-figures {"inputs":${fuzzed}}`)
    assert.ok(fuzzed > 0)
  })
})

// Cards (moengage-cards-openapi.yml): fetch, delete and Inlet's activity with the Cards
// credentials, over inboxes a card campaign filled. Every answer is below 500, JSON, and either
// `{status:true, request_id, …}` or the documented failure `{status:false, error, request_id}`.
describe('fuzzing Cards', { timeout: 300_000 }, () => {
  const CARD = `${DEMO_CARD_CAMPAIGN.campaign_id}_android`
  const CARD_ENDPOINTS: readonly Readonly<{
    method: 'POST' | 'DELETE'
    url: string
    body: Json
  }>[] = [
    {
      method: 'POST',
      url: '/v1/cards/fetch?page=1&limit=5',
      body: {
        uid: 'john',
        platforms: ['ANDROID', 'ios'],
        card_category: 'Announcements',
        prev_sync_card_ids: [CARD],
        last_updated_time: Math.floor(START_TIME / 1000),
      },
    },
    {
      method: 'DELETE',
      url: '/v1/cards/delete',
      body: { uid: 'john', campaign_ids: [DEMO_CARD_CAMPAIGN.campaign_id], platforms: ['android'] },
    },
    {
      method: 'POST',
      url: '/inlet/v1/cards/activity',
      body: { unique_id: 'john-phone', card_id: CARD, clicked: true, seen: true },
    },
  ]

  async function cardsFuzzApp(t: TestContext): Promise<TestApp> {
    const app = await cardsApp(t, { INLET_RATE_LIMITS: 'off' })
    const device = await app.post(DEVICE, {
      type: 'device',
      customer_id: 'john',
      device_id: 'john-phone',
      attributes: { platform: 'ANDROID', push_id: 'token-john-phone' },
    })
    assert.equal(device.statusCode, 200, device.body)
    await sendCampaign(app, { ...DEMO_CARD_CAMPAIGN, max_times_to_show: 3 })
    return app
  }

  async function sendCards(
    app: TestApp,
    e: (typeof CARD_ENDPOINTS)[number],
    payload: string | Buffer,
  ): Promise<void> {
    fuzzed++
    const shown = typeof payload === 'string' ? payload : payload.toString('hex')
    const info = (res: LightMyRequestResponse) =>
      `${e.method} ${e.url} ${shown.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${HANG_MS} ms: ${e.url}`)),
        HANG_MS,
      )
    })
    try {
      const headers = {
        authorization: CARDS_AUTH,
        'moe-appkey': WORKSPACE_ID,
        'content-type': 'application/json',
      }
      const request = app.app.inject({ method: e.method, url: e.url, headers, payload })
      const res = await Promise.race([request, hang])
      assert.ok(res.statusCode < 500, `5xx: ${info(res)}`)
      assert.match(String(res.headers['content-type']), /application\/json/, info(res))
      const body: unknown = JSON.parse(res.body)
      assert.ok(isObject(body), `not a JSON object: ${info(res)}`)
      const ok =
        res.statusCode === 200
          ? body['status'] === true && isText(body['request_id'])
          : body['status'] === false && isText(body['error']) && isText(body['request_id'])
      assert.ok(ok, `not Cards' envelope: ${info(res)}`)
    } finally {
      clearTimeout(timer)
    }
  }

  it('every seed body, sent as is, is accepted', async (t) => {
    const app = await cardsFuzzApp(t)
    for (const e of CARD_ENDPOINTS) {
      const res = await cardsRequest(app, e.method, e.url, JSON.stringify(e.body))
      assert.equal(res.statusCode, 200, `${e.method} ${e.url}: ${res.body}`)
    }
  })

  for (const e of CARD_ENDPOINTS) {
    it(`${e.method} ${e.url}: mutated and generated bodies, and raw bytes`, async (t) => {
      const app = await cardsFuzzApp(t)
      await check(
        fc.asyncProperty(fc.oneof(mutated(e.body), jsonish), async (body) => {
          await sendCards(app, e, JSON.stringify(body) ?? 'null')
        }),
        params(),
      )
      await check(
        fc.asyncProperty(rawBody, async (payload) => {
          await sendCards(app, e, payload)
        }),
        params(),
      )
      await assertHealthy(t, app)
    })
  }
})
