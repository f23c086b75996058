/**
 * The segments family end to end in-process: create, list, get and update with MoEngage's
 * envelope and strings; the uniqueness of names and definitions, the active-segment limit,
 * references (cycles 412, limits 413), forbidden updates, auth, methods and quotas.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { ACTIVE_SEGMENT_LIMIT } from '../../core/catalogue/segments.js'
import {
  WORKSPACE_ID,
  appKeyRequest,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/app.js'
import {
  aSegmentBody,
  aSegmentReference,
  anActionFilter,
  anAttributeFilter,
  filterGroup,
  type Json,
} from '../../../test/helpers/segments.js'

const SEGMENTS = '/v3/custom-segments'

type Answer = { response_id: string; type: string; data: Json & Json[] }
type Failure = { response_id: string; type: string; error: Json }

async function create(app: TestApp, body: unknown): Promise<Json> {
  const res = await appKeyRequest(app, 'POST', SEGMENTS, body)
  assert.equal(res.statusCode, 201, res.body)
  return res.json<Answer>().data
}

/** `res` is the E2 failure `status` with `code` (and `message`, when given). */
function assertFailure(
  res: { statusCode: number; body: string; json<T>(): T },
  status: number,
  code: string,
  message?: string,
): Json {
  assert.equal(res.statusCode, status, res.body)
  const body = res.json<Failure>()
  assert.equal(body.type, 'custom_segment')
  assert.match(body.response_id, /^[A-Za-z]{8}$/)
  assert.equal(body.error['code'], code)
  if (message !== undefined) assert.equal(body.error['message'], message)
  return body.error
}

const nested = (depth: number): Json =>
  depth === 1 ? filterGroup(anAttributeFilter()) : filterGroup(nested(depth - 1))

async function segmentsApp(t: TestContext): Promise<TestApp> {
  return createTestApp(t)
}

describe('Segments v3: create, list, get', () => {
  it('creates a segment: 201, the envelope, a description, MoEngage’s times', async (t) => {
    const app = await segmentsApp(t)
    const body = aSegmentBody('gold buyers', anAttributeFilter(), anActionFilter())
    const res = await appKeyRequest(app, 'POST', SEGMENTS, body)
    assert.equal(res.statusCode, 201, res.body)
    const answer = res.json<Answer>()
    assert.equal(answer.type, 'custom_segment')
    assert.equal(answer.response_id, res.headers['x-request-id'] ?? answer.response_id)
    const data = answer.data
    assert.match(String(data['id']), /^[0-9a-f]{24}$/)
    assert.deepEqual(
      { ...data, id: '' },
      {
        name: 'gold buyers',
        id: '',
        created_time: '2026-11-01T10:00:00.000000',
        updated_time: '2026-11-01T10:00:00.000000',
        type: 'ELASTIC_SEARCH',
        source: 'API',
        description:
          'plan  is gold  (case insensitive) AND Has executed Purchased atleast 3 times in the last 30 days',
        included_filters: body['included_filters'],
      },
    )
  })

  it('lists segments oldest first, by exact name, and gets one as a list of one', async (t) => {
    const app = await segmentsApp(t)
    const a = await create(app, aSegmentBody('a', anAttributeFilter()))
    app.clock.advance(1_000)
    const b = await create(app, aSegmentBody('b', anActionFilter()))
    const item = (d: Json) => ({
      name: d['name'],
      id: d['id'],
      created_time: d['created_time'],
      type: 'ELASTIC_SEARCH',
      source: 'API',
    })
    const list = await appKeyRequest(app, 'GET', SEGMENTS)
    assert.equal(list.statusCode, 200, list.body)
    assert.deepEqual(list.json<Answer>().data, [item(a), item(b)])
    const named = await appKeyRequest(app, 'GET', `${SEGMENTS}?name=b`)
    assert.deepEqual(named.json<Answer>().data, [item(b)])
    const none = await appKeyRequest(app, 'GET', `${SEGMENTS}?name=B`)
    assert.deepEqual(none.json<Answer>().data, [])
    const one = await appKeyRequest(app, 'GET', `${SEGMENTS}/${String(a['id'])}`)
    assert.equal(one.statusCode, 200)
    assert.deepEqual(one.json<Answer>().data, [item(a)])
    assertFailure(
      await appKeyRequest(app, 'GET', `${SEGMENTS}/nosuchsegment`),
      404,
      'Entity Not Found',
      'Custom segment not found with the given id: nosuchsegment',
    )
  })

  it('refuses a request not formed as documented (400 Invalid request)', async (t) => {
    const app = await segmentsApp(t)
    const format =
      'Invalid request format. Please check the documentation to ensure that the request has been formed correctly.'
    for (const body of [
      { included_filters: filterGroup(anAttributeFilter()) },
      { name: 'x' },
      { name: 7, included_filters: filterGroup(anAttributeFilter()) },
      '{"name":',
      '[]',
    ]) {
      assertFailure(
        await appKeyRequest(app, 'POST', SEGMENTS, body),
        400,
        'Invalid request',
        format,
      )
    }
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('x', anAttributeFilter()), {
        'content-type': 'text/plain',
      }),
      400,
      'Invalid request',
    )
    assertFailure(
      await appKeyRequest(app, 'GET', `${SEGMENTS}?name=a&name=b`),
      400,
      'Invalid request',
    )
  })

  it('refuses a name with HTML, only whitespace or too long, and filters that do not parse', async (t) => {
    const app = await segmentsApp(t)
    const message =
      "Invalid request. Please ensure that the filters are correct and the custom-segment name doesn't contain HTML characters/only whitespaces."
    for (const name of ['<b>vip</b>', '   ', '', 'x'.repeat(256)]) {
      const error = assertFailure(
        await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody(name, anAttributeFilter())),
        400,
        'Invalid Request',
        message,
      )
      assert.deepEqual(Object.keys(error), ['code', 'message'])
    }
    const error = assertFailure(
      await appKeyRequest(
        app,
        'POST',
        SEGMENTS,
        aSegmentBody('x', anAttributeFilter({ data_type: 'bool', operator: 'contains' })),
      ),
      400,
      'Invalid Request',
      message,
    )
    assert.equal(error['attribute'], 'included_filters.filters[0].operator')
    assert.match(String(error['detail']), /for data_type 'bool'/)
    // What was refused was not kept.
    assert.deepEqual((await appKeyRequest(app, 'GET', SEGMENTS)).json<Answer>().data, [])
  })

  it('keeps names and definitions unique: 409 naming the holder of the filters', async (t) => {
    const app = await segmentsApp(t)
    const first = await create(app, aSegmentBody('names', anAttributeFilter({ name: 'Name' })))
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('names', anActionFilter())),
      409,
      'Resource not created',
      'Another custom-segment already exists with the same name: names. Please change the custom-segment name.',
    )
    // The same filters spelt otherwise: `u_n` is what `Name` reads, defaults written out.
    const same = aSegmentBody(
      'other',
      anAttributeFilter({ name: 'u_n', negate: false, case_sensitive: false }),
    )
    const error = assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, same),
      409,
      'Resource not created',
      'Another custom-segment already exists containing the given filters: names. Please reuse the same or update the filters',
    )
    assert.equal(error['existing_cs_name'], 'names')
    assert.equal(error['existing_cs_id'], first['id'])
  })

  it('refuses a segment past the active limit: 429 with actual_count and limit', async (t) => {
    const app = await segmentsApp(t)
    for (let i = 0; i < ACTIVE_SEGMENT_LIMIT; i++) {
      await app.store.customSegments.create(
        {
          workspaceId: WORKSPACE_ID,
          id: `seg${i}`,
          name: `seg ${i}`,
          type: 'ELASTIC_SEARCH',
          source: 'API',
          includedFilters: '{}',
          definitionHash: `h${i}`,
          description: '',
          createdAt: 0,
          updatedAt: 0,
          updatedBy: null,
          archivedAt: null,
        },
        ACTIVE_SEGMENT_LIMIT,
      )
    }
    const res = await appKeyRequest(
      app,
      'POST',
      SEGMENTS,
      aSegmentBody('one more', anActionFilter()),
    )
    assert.equal(res.statusCode, 429, res.body)
    assert.deepEqual(res.json<Failure>().error, {
      code: 'Too Many Requests',
      message: 'Total active segments limit breached. Request rejected!',
      actual_count: 1001,
      limit: 1000,
    })
  })
})

describe('Segments v3: update', () => {
  it('replaces the filters and the name, keeps created_time, records updated_time', async (t) => {
    const app = await segmentsApp(t)
    const made = await create(app, aSegmentBody('before', anAttributeFilter()))
    app.clock.advance(61_000)
    const filters = filterGroup(anActionFilter({ executed: false }))
    const res = await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${String(made['id'])}`, {
      name: 'after',
      included_filters: filters,
      updated_by: 'admin@example.com',
    })
    assert.equal(res.statusCode, 200, res.body)
    const data = res.json<Answer>().data
    assert.equal(data['name'], 'after')
    assert.equal(data['created_time'], made['created_time'])
    assert.equal(data['updated_time'], '2026-11-01T10:01:01.000000')
    assert.deepEqual(data['included_filters'], filters)
    assert.equal(
      data['description'],
      'Has not executed Purchased atleast 3 times in the last 30 days',
    )
    // Without a name the name is kept; the segment's own filters are no conflict.
    const again = await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${String(made['id'])}`, {
      included_filters: filters,
    })
    assert.equal(again.statusCode, 200, again.body)
    assert.equal(again.json<Answer>().data['name'], 'after')
  })

  it('answers 404 for an unknown id and 409 for another segment’s name or filters', async (t) => {
    const app = await segmentsApp(t)
    const a = await create(app, aSegmentBody('a', anAttributeFilter()))
    const b = await create(app, aSegmentBody('b', anActionFilter()))
    assertFailure(
      await appKeyRequest(app, 'PATCH', `${SEGMENTS}/nosuch`, {
        included_filters: filterGroup(anAttributeFilter()),
      }),
      404,
      'Entity Not Found',
      'Custom segment not found with the given id: nosuch',
    )
    const url = `${SEGMENTS}/${String(a['id'])}`
    assertFailure(
      await appKeyRequest(app, 'PATCH', url, {
        name: 'b',
        included_filters: filterGroup(anAttributeFilter()),
      }),
      409,
      'Resource not created',
    )
    const error = assertFailure(
      await appKeyRequest(app, 'PATCH', url, { included_filters: filterGroup(anActionFilter()) }),
      409,
      'Resource not created',
    )
    assert.equal(error['existing_cs_id'], b['id'])
    assertFailure(
      await appKeyRequest(app, 'PATCH', url, {
        included_filters: filterGroup(anActionFilter()),
        updated_by: 'not an email',
      }),
      400,
      'Invalid request',
    )
  })

  it('refuses a reference that comes back to the segment (412)', async (t) => {
    const app = await segmentsApp(t)
    const a = await create(app, aSegmentBody('a', anAttributeFilter()))
    const b = await create(app, aSegmentBody('b', aSegmentReference(String(a['id']))))
    const c = await create(app, aSegmentBody('c', aSegmentReference(String(b['id']))))
    assertFailure(
      await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${String(a['id'])}`, {
        included_filters: filterGroup(aSegmentReference(String(c['id']))),
      }),
      412,
      'Cyclic Entity',
      'Circular reference detected in the custom segment definition.',
    )
    assertFailure(
      await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${String(a['id'])}`, {
        included_filters: filterGroup(aSegmentReference(String(a['id']))),
      }),
      412,
      'Cyclic Entity',
    )
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('d', aSegmentReference('nosuch'))),
      404,
      'Entity Not Found',
      'Custom segment not found with the given id: nosuch',
    )
  })

  it('refuses to update an archived segment or one not made through the API (403)', async (t) => {
    const app = await segmentsApp(t)
    const base = {
      workspaceId: WORKSPACE_ID,
      type: 'ELASTIC_SEARCH',
      source: 'API',
      includedFilters: JSON.stringify(filterGroup(anAttributeFilter())),
      description: '',
      createdAt: 0,
      updatedAt: 0,
      updatedBy: null,
      archivedAt: null,
    }
    for (const row of [
      { ...base, id: 'archived', name: 'archived', definitionHash: 'h1', archivedAt: 1 },
      { ...base, id: 'file', name: 'file', definitionHash: 'h2', type: 'FILE', source: 'FILE' },
    ]) {
      await app.store.customSegments.create(row, ACTIVE_SEGMENT_LIMIT)
      assertFailure(
        await appKeyRequest(app, 'PATCH', `${SEGMENTS}/${row.id}`, {
          included_filters: filterGroup(anActionFilter()),
        }),
        403,
        'Forbidden operation',
        "Update isn't supported for file-segments, internally created custom-segments, custom-segments imported from Analyze and archived custom-segments.",
      )
    }
  })
})

describe('Segments v3: limits', () => {
  it('answers 413 past the nesting, reference and filter limits, with Inlet’s numbers', async (t) => {
    const app = await segmentsApp(t)
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, { name: 'deep', included_filters: nested(6) }),
      413,
      'Query has too many nesting levels',
      'The query has more than 5 levels of nesting. Please reduce the segment nesting.',
    )
    assert.equal(
      (await appKeyRequest(app, 'POST', SEGMENTS, { name: 'ok', included_filters: nested(5) }))
        .statusCode,
      201,
    )
    const a = await create(app, aSegmentBody('a', anActionFilter()))
    const refs = Array.from({ length: 11 }, () => aSegmentReference(String(a['id'])))
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('many', ...refs)),
      413,
      'Too many segments in a query',
      'The query has more than 10 custom segments. Please reduce the custom segments.',
    )
    const filters = Array.from({ length: 101 }, (_, i) => anAttributeFilter({ value: [`v${i}`] }))
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('long', ...filters)),
      413,
      'Query length limit exceeded',
      'The query is too large to execute. Please reduce the filters.',
    )
  })
})

describe('Segments v3: auth, methods, quotas', () => {
  it('answers authentication failures with MoEngage’s strings', async (t) => {
    const app = await segmentsApp(t)
    const body = aSegmentBody('x', anAttributeFilter())
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, body, { authorization: undefined }),
      401,
      'Authentication required',
      'Invalid APP_KEY used in Authentication Header',
    )
    assertFailure(
      await appKeyRequest(app, 'GET', SEGMENTS, undefined, {
        authorization: basicAuth('NOSUCHWORKSPACE', 'k'),
        'moe-appkey': 'NOSUCHWORKSPACE',
      }),
      401,
      'Authentication required',
      'Invalid APP_KEY used in Authentication Header',
    )
    assertFailure(
      await appKeyRequest(app, 'POST', SEGMENTS, body, {
        authorization: basicAuth(WORKSPACE_ID, 'wrong'),
      }),
      401,
      'Authentication required',
      'APP_SECRET key mismatch. Please login to the dashboard to verify key',
    )
    for (const appKey of [undefined, 'OTHERWORKSPACE']) {
      assertFailure(
        await appKeyRequest(app, 'GET', SEGMENTS, undefined, { 'moe-appkey': appKey }),
        400,
        'Request Error',
        'MoEngage Client not found. Please check values for headers - MOE-APPKEY or MOE-DBNAME',
      )
    }
  })

  it('answers other methods with a JSON 405 in the family’s envelope', async (t) => {
    const app = await segmentsApp(t)
    for (const [method, url] of [
      ['DELETE', SEGMENTS],
      ['PUT', `${SEGMENTS}/x`],
      ['POST', `${SEGMENTS}/x/users`],
      ['PATCH', `${SEGMENTS}/x/count`],
    ] as const) {
      const res = await appKeyRequest(app, method, url)
      assertFailure(res, 405, 'Method Not Allowed')
    }
  })

  it('counts List and Create per minute, hour and day; Get by ID apart', async (t) => {
    const app = await segmentsApp(t)
    for (let i = 0; i < 50; i++) {
      assert.equal((await appKeyRequest(app, 'GET', SEGMENTS)).statusCode, 200)
    }
    assertFailure(
      await appKeyRequest(app, 'GET', SEGMENTS),
      429,
      'Too Many Requests',
      'API rate limit breached. Current limit: 50/1 mins',
    )
    // Create has its own count; Get by ID too.
    assert.equal(
      (await appKeyRequest(app, 'POST', SEGMENTS, aSegmentBody('a', anAttributeFilter())))
        .statusCode,
      201,
    )
    assert.equal((await appKeyRequest(app, 'GET', `${SEGMENTS}/x`)).statusCode, 404)
    // The hour's 200: three more minutes of 50, then the fourth minute's first is refused.
    for (let minute = 1; minute <= 3; minute++) {
      app.clock.advance(60_000)
      for (let i = 0; i < 50; i++) await appKeyRequest(app, 'GET', SEGMENTS)
    }
    app.clock.advance(60_000)
    assertFailure(
      await appKeyRequest(app, 'GET', SEGMENTS),
      429,
      'Too Many Requests',
      'API rate limit breached. Current limit: 200/60 mins',
    )
  })
})
