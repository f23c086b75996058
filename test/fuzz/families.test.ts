/**
 * Property-based fuzzing of the families beside the Data API (endpoints.test.ts has the Data API
 * and the admin API): Segments v3 and v2, Subscription categories, Email opt-in, Bulk resubscribe
 * and Inform, each with generated and mutated bodies and raw bytes, in-process through
 * `app.inject()`. Every answer must be below 500, arrive within a bound, and be JSON in the
 * envelope its family documents (moengage-other-apis.md §2.0: E2, E3, E4, E8, E12); after each
 * property nothing was logged as an error, no record died, and Object.prototype is untouched.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { admin } from '../helpers/admin.js'
import { WORKSPACE_ID, appKeyRequest, type TestApp } from '../helpers/app.js'
import { ADMIN_CATEGORIES, CATEGORIES, OPT_IN, RESUBSCRIBE, linkFor } from '../helpers/consent.js'
import { TRACK, customer } from '../helpers/data-api.js'
import { INFORM_AUTH, SANDBOX_SEND, SEND, informApp } from '../helpers/inform.js'
import { HANG_MS, RUNS, assertHealthy, check, jsonish, mutated, params } from './fuzz-kit.js'

type Method = 'POST' | 'PUT' | 'PATCH'
type Json = Record<string, unknown>

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
  /** Bulk resubscribe: `{"response_id","error":{"message","err_code"}}`. */
  E12: (b: Json) =>
    isText(b['response_id']) &&
    isObject(b['error']) &&
    isText(b['error']['message']) &&
    isText(b['error']['err_code']),
} as const

type Endpoint = Readonly<{
  method: Method
  /** `:segment`, `:file` and `:link` are filled in by the seeded app. */
  url: string
  body: Json
  shape: keyof typeof SHAPES
  /** Inform's own credentials instead of the Data API key. */
  inform?: boolean
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

const SMS = {
  alert_id: '636b77e6e2cf83277195fb60',
  user_id: 'ann',
  transaction_id: 'TXN-FUZZ',
  payloads: {
    SMS: { recipient: '+15550001111', personalized_attributes: { firstname: 'Ann' } },
  },
}

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
  { method: 'POST', url: SEND, body: SMS, shape: 'E8', inform: true },
  {
    method: 'POST',
    url: SANDBOX_SEND,
    body: { ...SMS, alert_id: '636b77e6e2cf83277195fb61' },
    shape: 'E8',
    inform: true,
  },
]

/** The app with the Inform alert, a category, users, a filter segment and a file segment. */
type FuzzApp = TestApp & Readonly<{ url: (url: string) => string; fill: (body: Json) => Json }>

async function fuzzApp(t: TestContext): Promise<FuzzApp> {
  const app = await informApp(t, { env: { INLET_RATE_LIMITS: 'off' } })
  const category = await admin(app, 'POST', ADMIN_CATEGORIES, { name: 'Promotional' })
  assert.equal(category.statusCode, 200, category.body)
  for (const id of ['ann', 'bob']) {
    const res = await app.post(TRACK, customer(id, { email: `${id}@example.com` }))
    assert.equal(res.statusCode, 200, res.body)
  }
  await app.drain()
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
  return {
    ...app,
    url: (url) => url.replace(':segment', segment).replace(':link', query),
    fill: (body) => (body['cs_id'] === ':file' ? { ...body, cs_id: fileId } : body),
  }
}

function headersFor(app: TestApp, e: Endpoint): Record<string, string> {
  return {
    'content-type': 'application/json',
    'moe-appkey': WORKSPACE_ID,
    authorization: e.inform === true ? INFORM_AUTH : (app.headers['authorization'] ?? ''),
  }
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
  if (res.statusCode >= 400) assert.ok(SHAPES[e.shape](body), `not ${e.shape}: ${info}`)
}

async function send(app: FuzzApp, e: Endpoint, payload: string | Buffer): Promise<void> {
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
        headers: headersFor(app, e),
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

describe('fuzzing the other families', { timeout: 300_000 }, () => {
  it('every seed body, sent as is, is accepted', async (t) => {
    const app = await fuzzApp(t)
    for (const e of ENDPOINTS) {
      const res = await app.app.inject({
        method: e.method,
        url: app.url(e.url),
        headers: headersFor(app, e),
        payload: JSON.stringify(app.fill(e.body)),
      })
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${e.method} ${e.url}: ${res.body}`)
    }
  })

  for (const e of ENDPOINTS) {
    it(`${e.method} ${e.url}: mutated and generated bodies`, async (t) => {
      const app = await fuzzApp(t)
      await check(
        fc.asyncProperty(fc.oneof(mutated(app.fill(e.body)), jsonish), async (body) => {
          await send(app, e, JSON.stringify(body) ?? 'null')
        }),
        params(),
      )
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
