/**
 * Unit tests of http/envelopes.ts: each of the eleven error-envelope shapes of
 * moengage-other-apis.md §2.0 formats a failure as that page shows it (and E12, Bulk resubscribe's,
 * and Email opt-in's form of E4); the Data API's is the spec's own §4.2 example
 * (test/helpers/spec-examples.ts).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ENVELOPE_SHAPES,
  byEndpoint,
  codeEnvelope,
  errCodeEnvelope,
  optInEnvelope,
  dataEnvelope,
  detailedEnvelope,
  archivalEnvelope,
  falseStatusEnvelope,
  hyphenEnvelope,
  informEnvelope,
  liveActivityEnvelope,
  pushEnvelope,
  resourceEnvelope,
  titleEnvelope,
  v5Envelope,
  type Envelope,
  type Failure,
} from './envelopes.js'
import { EXAMPLES } from '../../test/helpers/spec-examples.js'

const field: Failure = {
  status: 400,
  type: 'MissingAttributeError',
  message: 'customer_id is not found in the payload',
  attribute: 'customer_id',
  requestId: 'ZbPXtKFL',
}
const plain: Failure = { status: 401, type: 'Auth', message: 'Invalid key', requestId: 'kXwpDESb' }
/** A failure of the given status, type and message (request id `r`). */
const failure = (status: number, type: string, message: string, extra: Partial<Failure> = {}) =>
  ({ status, type, message, requestId: 'r', ...extra }) satisfies Failure

// Each expected body is the shape of moengage-other-apis.md §2.0 for that envelope.
describe('error envelopes (moengage-other-apis.md §2.0)', () => {
  it('E1, the Data API: status fail, error with attribute only for field errors', () => {
    assert.deepEqual(dataEnvelope.format(field), { status: 400, body: EXAMPLES.failure })
    assert.deepEqual(dataEnvelope.format(plain).body, {
      status: 'fail',
      error: { message: 'Invalid key', type: 'Auth', request_id: 'kXwpDESb' },
    })
  })

  it('E2, Segments v3: response_id, the resource type, error code and message', () => {
    const out = resourceEnvelope('custom_segment').format(
      failure(429, 'RATE_LIMIT_EXCEEDED', 'API rate limit breached. Current limit: 50/1 mins', {
        requestId: 'r1',
      }),
    )
    assert.deepEqual(out, {
      status: 429,
      body: {
        response_id: 'r1',
        type: 'custom_segment',
        error: {
          code: 'RATE_LIMIT_EXCEEDED',
          message: 'API rate limit breached. Current limit: 50/1 mins',
        },
      },
    })
  })

  it('E2: the conflict and count fields from the params, the field error’s attribute and detail', () => {
    const e2 = resourceEnvelope('custom_segment')
    const conflict = e2.format(
      failure(409, 'Resource not created', 'taken', {
        requestId: 'r2',
        params: { existing_cs_name: 'vip', existing_cs_id: '63a0', other: 'x' },
      }),
    )
    assert.deepEqual(conflict.body, {
      response_id: 'r2',
      type: 'custom_segment',
      error: {
        code: 'Resource not created',
        message: 'taken',
        existing_cs_name: 'vip',
        existing_cs_id: '63a0',
      },
    })
    const counted = e2.format(
      failure(429, 'Too Many Requests', 'full', {
        requestId: 'r3',
        params: { actual_count: '1001', limit: '1000' },
      }),
    )
    assert.deepEqual(counted.body, {
      response_id: 'r3',
      type: 'custom_segment',
      error: { code: 'Too Many Requests', message: 'full', actual_count: 1001, limit: 1000 },
    })
    // A `limit` param alone (a 413's message) adds no field.
    const limited = e2.format(
      failure(413, 'Q', 'm', {
        requestId: 'r4',
        params: { limit: '5' },
        attribute: 'a',
        detail: 'd',
      }),
    )
    assert.deepEqual(limited.body, {
      response_id: 'r4',
      type: 'custom_segment',
      error: { code: 'Q', message: 'm', attribute: 'a', detail: 'd' },
    })
  })
  it('E3: title and description, code only where the entry has one', () => {
    const media = failure(415, 'Unsupported media type', 'Content type is not supported')
    assert.deepEqual(titleEnvelope.format(media).body, {
      title: 'Unsupported media type',
      description: 'Content type is not supported',
    })
    assert.deepEqual(titleEnvelope.format({ ...media, code: 429 }).body, {
      title: 'Unsupported media type',
      description: 'Content type is not supported',
      code: 429,
    })
  })

  it('E4: code, message, details naming the field, request_id', () => {
    const out = detailedEnvelope.format({ ...field, type: '400 Bad Request', code: 'MissingValue' })
    assert.deepEqual(out.body, {
      error: {
        code: '400 Bad Request',
        message: 'customer_id is not found in the payload',
        details: [
          {
            code: 'MissingValue',
            target: 'customer_id',
            message: 'customer_id is not found in the payload',
          },
        ],
        request_id: 'ZbPXtKFL',
      },
    })
    const bare = detailedEnvelope.format({ ...plain, type: '401 Authentication error' })
    assert.deepEqual(bare.body, {
      error: {
        code: '401 Authentication error',
        message: 'Invalid key',
        details: [],
        request_id: 'kXwpDESb',
      },
    })
  })

  it('E5: response_id and error with code, target, details and doc_url', () => {
    const out = v5Envelope('https://developers.moengage.com').format({
      ...field,
      type: 'VALIDATION_FAILED',
    })
    assert.deepEqual(out.body, {
      response_id: 'ZbPXtKFL',
      error: {
        code: 'VALIDATION_FAILED',
        message: 'customer_id is not found in the payload',
        target: 'customer_id',
        details: [{ target: 'customer_id', message: 'customer_id is not found in the payload' }],
        doc_url: 'https://developers.moengage.com',
      },
    })
  })

  it('E6 and E7: Catalog `error-code`, Coupons `error.code`', () => {
    const unauth = failure(
      401,
      'request-unauthenticated',
      'Your request is unauthorized. Please verify your credentials and try again.',
    )
    assert.deepEqual(hyphenEnvelope.format(unauth).body, {
      'error-code': 'request-unauthenticated',
      message: 'Your request is unauthorized. Please verify your credentials and try again.',
    })
    assert.deepEqual(codeEnvelope.format({ ...unauth, type: 'request-forbidden' }).body, {
      error: {
        code: 'request-forbidden',
        message: 'Your request is unauthorized. Please verify your credentials and try again.',
      },
    })
  })

  it('E8, Inform: message, err_code and the six-digit status_code', () => {
    const out = informEnvelope.format(
      failure(409, 'DUPLICATE_REQUEST_RECEIVED', 'Duplicate Transaction ID', { code: 120105 }),
    )
    assert.deepEqual(out, {
      status: 409,
      body: {
        message: 'Duplicate Transaction ID',
        err_code: 'DUPLICATE_REQUEST_RECEIVED',
        status_code: 120105,
      },
    })
  })

  it('E9, Push: documented failures are 200 status Fail, 401 is [], 404/500 carry a reason', () => {
    const fail = pushEnvelope.format(
      failure(400, 'Fail', 'Campaign Name not found', { requestId: 'p1' }),
    )
    assert.deepEqual(fail, {
      status: 200,
      body: {
        status: 'Fail',
        Error_Message: 'Campaign Name not found',
        responseId: 'p1',
        requestId: '',
      },
    })
    assert.deepEqual(pushEnvelope.format({ ...plain, status: 401 }), { status: 401, body: [] })
    assert.deepEqual(
      pushEnvelope.format(failure(404, 'x', 'Page not found. Please recheck the URL')),
      {
        status: 404,
        body: { code: 404, status: 'error', reason: 'Page not found. Please recheck the URL' },
      },
    )
  })

  it('E10, Live Activities: code, message and, on a 400 only, details; a 429 is []', () => {
    const out = liveActivityEnvelope.format({
      ...failure(400, 'PayloadError', 'Mandatory fields are missing or invalid', {
        attribute: 'ios.alert.metrics',
        detail: 'Extra inputs are not permitted',
      }),
      params: { detail_code: 'extra_forbidden' },
    })
    assert.deepEqual(out.body, {
      error: {
        code: 'PayloadError',
        message: 'Mandatory fields are missing or invalid',
        details: [
          {
            code: 'extra_forbidden',
            target: 'ios.alert.metrics',
            message: 'Extra inputs are not permitted',
          },
        ],
      },
    })
    assert.deepEqual(
      liveActivityEnvelope.format(failure(403, 'OperationNotAllowed', 'Invalid Action')),
      { status: 403, body: { error: { code: 'OperationNotAllowed', message: 'Invalid Action' } } },
    )
    assert.deepEqual(liveActivityEnvelope.format({ ...plain, status: 429 }), {
      status: 429,
      body: [],
    })
  })

  it('E11 as Message Archival answers: error_message, a 401 error, a 500 title', () => {
    assert.deepEqual(archivalEnvelope.format(failure(400, 'Bad Request', 'bad')), {
      status: 400,
      body: { status: false, error_message: 'bad' },
    })
    assert.deepEqual(archivalEnvelope.format(failure(401, 'x', 'Invalid data key')), {
      status: 401,
      body: { status: false, error: 'Invalid data key' },
    })
    assert.deepEqual(
      archivalEnvelope.format(failure(500, 'Server Error', 'oops', { requestId: 'r5' })),
      { status: 500, body: { title: 'Server Error', description: 'oops', code: 'r5' } },
    )
  })

  it('E11: status false with `error` and request_id (Cards) or `error_message` (Archival)', () => {
    const f = failure(401, 'x', 'Invalid data key', { requestId: 'c1' })
    assert.deepEqual(falseStatusEnvelope('error').format(f).body, {
      status: false,
      error: 'Invalid data key',
      request_id: 'c1',
    })
    assert.deepEqual(falseStatusEnvelope('error_message').format(f).body, {
      status: false,
      error_message: 'Invalid data key',
    })
  })

  it('E3 without a title is the bare {"message"} (Subscription categories GET 400)', () => {
    const f = failure(400, '', 'Invalid Params Received')
    assert.deepEqual(titleEnvelope.format(f), {
      status: 400,
      body: { message: 'Invalid Params Received' },
    })
  })

  it('E4 as Email opt-in answers: one details object of attribute and detail, no body for a 429', () => {
    const f = failure(400, '400 Bad Request', 'Request Data is invalid', {
      attribute: 'channel',
      detail: 'Channel can only be email',
    })
    assert.deepEqual(optInEnvelope.format(f).body, {
      error: {
        code: '400 Bad Request',
        message: 'Request Data is invalid',
        details: { target: 'channel', message: 'Channel can only be email' },
      },
    })
    assert.deepEqual(optInEnvelope.format(failure(500, '500 Internal Server Error', 'x')).body, {
      error: { code: '500 Internal Server Error', message: 'x' },
    })
    assert.deepEqual(optInEnvelope.format(failure(429, 'x', '')), { status: 429, body: undefined })
  })

  it('E12, Bulk resubscribe: response_id and error {message, err_code}', () => {
    const f = failure(400, 'BadRequest', 'Payload limit is set to 100', { requestId: 'ofVaFGNZ' })
    assert.deepEqual(errCodeEnvelope.format(f).body, {
      response_id: 'ofVaFGNZ',
      error: { message: 'Payload limit is set to 100', err_code: 'BadRequest' },
    })
  })

  it('byEndpoint answers with the envelope of the endpoint that answered, else the fallback', () => {
    const env = byEndpoint(titleEnvelope, { resubscribe: errCodeEnvelope })
    const f = failure(429, 'T', 'M')
    assert.deepEqual(env.format(f).body, { title: 'T', description: 'M' })
    assert.deepEqual(env.format({ ...f, endpoint: 'other' }).body, { title: 'T', description: 'M' })
    assert.deepEqual(env.format({ ...f, endpoint: 'resubscribe' }).body, {
      response_id: 'r',
      error: { message: 'M', err_code: 'T' },
    })
    assert.equal(env.shape, 'E3')
  })

  it('has one formatter for each of the twelve shapes', () => {
    const all: Envelope[] = [
      dataEnvelope,
      resourceEnvelope('custom_segment'),
      titleEnvelope,
      detailedEnvelope,
      v5Envelope(''),
      hyphenEnvelope,
      codeEnvelope,
      informEnvelope,
      pushEnvelope,
      liveActivityEnvelope,
      falseStatusEnvelope('error'),
      errCodeEnvelope,
    ]
    assert.deepEqual(
      all.map((e) => e.shape),
      [...ENVELOPE_SHAPES],
    )
  })
})
