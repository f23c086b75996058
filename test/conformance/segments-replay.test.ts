/**
 * Conformance of Segments v3 against MoEngage's own published examples
 * (test/fixtures/moengage/moengage-custom-segments-openapi.yml): both request examples are
 * replayed and answered as documented; every documented response example of the `/v3` paths —
 * success and error — is produced by a request made for it, rendered (the 500s), or listed below
 * as a known difference with the reason (docs/compatibility.md says the same). A new example in a
 * newer copy of the file fails here until it is covered. The `/v2` paths (file segments,
 * archive, unarchive) are replayed by file-segments-replay.test.ts. Compared as written except: `response_id` (Inlet's request id,
 * checked for its form), segment ids (Inlet's, 24 hex digits, checked for their form), and the
 * examples' placeholders `n` and `n/m`, which are Inlet's numbers. Every `error.code` and message
 * of the family's catalogue is a string of the file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { parseDocument } from 'yaml'
import {
  ACTIVE_SEGMENT_LIMIT,
  SEGMENT_ENDPOINTS,
  SEGMENT_ERRORS,
} from '../../src/core/catalogue/segments.js'
import { AppError } from '../../src/core/errors.js'
import { segmentsEnvelope } from '../../src/families/segments/family.js'
import { failureBody } from '../../src/http/error-handler.js'
import type { CustomSegmentRow } from '../../src/store/store.js'
import {
  WORKSPACE_ID,
  appKeyRequest,
  basicAuth,
  createTestApp,
  type TestApp,
} from '../helpers/app.js'
import { assertExamplesCovered, type OpenApi } from '../helpers/replay.js'
import { aSegmentReference, anAttributeFilter, filterGroup } from '../helpers/segments.js'

const FILE = new URL('../fixtures/moengage/moengage-custom-segments-openapi.yml', import.meta.url)
const TEXT = readFileSync(FILE, 'utf8')

type Json = Record<string, unknown>

// The file's unquoted `on` (a YAML 1.1 boolean) is in enums only, never in an example.
const DOC = parseDocument(TEXT).toJS() as OpenApi

const LIST = '/v3/custom-segments'
const ONE = '/v3/custom-segments/{id}'

/** Every documented response example of the v3 paths: `METHOD /path STATUS name` → its body. */
function documentedExamples(): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [path, ops] of Object.entries(DOC.paths)) {
    if (!path.startsWith('/v3/')) continue
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, raw] of Object.entries(op.responses)) {
        const name = raw.$ref?.split('/').pop()
        const response = name === undefined ? raw : (DOC.components.responses?.[name] ?? {})
        const media = response.content?.['application/json']
        const key = `${method.toUpperCase()} ${path} ${status}`
        if (media?.example !== undefined) out.set(`${key} example`, media.example)
        for (const [n, e] of Object.entries(media?.examples ?? {})) out.set(`${key} ${n}`, e.value)
      }
    }
  }
  return out
}

const requestExample = (path: string, method: string): Json =>
  DOC.paths[path]?.[method]?.requestBody?.content?.['application/json']?.example as Json

/** The 201 and 200 examples' filters (the 200's: a value not in a list). */
const EXAMPLES = documentedExamples()
const dataOf = (key: string): Json => (EXAMPLES.get(key) as { data: Json }).data
const CREATED = dataOf(`POST ${LIST} 201 example`)
const UPDATED = dataOf(`PATCH ${ONE} 200 example`)
const LISTED = (EXAMPLES.get(`GET ${LIST} 200 example`) as { data: Json[] }).data[0] ?? {}

const at = (time: unknown): number => Date.parse(`${String(time).slice(0, 23)}Z`)

async function replayApp(t: TestContext): Promise<TestApp> {
  const app = await createTestApp(t)
  app.clock.set(at(CREATED['created_time']))
  return app
}

const request = appKeyRequest

async function created(app: TestApp, name: string, filters: unknown): Promise<string> {
  const res = await request(app, 'POST', LIST, { name, included_filters: filters })
  assert.equal(res.statusCode, 201, res.body)
  return String(res.json<{ data: Json }>().data['id'])
}

/** A segment row written directly (an archived one, or many to fill the active limit). */
const aRow = (id: string, more: Partial<CustomSegmentRow> = {}): CustomSegmentRow => ({
  workspaceId: WORKSPACE_ID,
  id,
  name: id,
  type: 'ELASTIC_SEARCH',
  source: 'API',
  includedFilters: JSON.stringify(filterGroup(anAttributeFilter())),
  definitionHash: id,
  description: '',
  createdAt: 0,
  updatedAt: 0,
  updatedBy: null,
  archivedAt: null,
  ...more,
})

const nested = (depth: number): Json =>
  depth === 1 ? filterGroup(anAttributeFilter()) : filterGroup(nested(depth - 1))

type Producer = (app: TestApp) => Promise<LightMyRequestResponse>

/** The body of a request whose segment exists: created first, then `then(id)`. */
const withSegment =
  (then: (app: TestApp, id: string) => Promise<LightMyRequestResponse>): Producer =>
  async (app) =>
    then(app, await created(app, 'existing', filterGroup(anAttributeFilter({ value: ['x'] }))))

const PATCH_BODY = { included_filters: filterGroup(anAttributeFilter()) }
const one = (id: string) => `${LIST}/${id}`

type Headers = Readonly<Record<string, string | undefined>>

/**
 * The errors every operation documents alike: by operation, a request of it (for GET and PATCH
 * by id, of segment `id`), with `headers` over the good ones.
 */
const OPERATIONS: Record<
  string,
  (app: TestApp, id: string, headers: Headers) => Promise<LightMyRequestResponse>
> = {
  [`GET ${LIST}`]: (app, _id, headers) => request(app, 'GET', LIST, undefined, headers),
  [`POST ${LIST}`]: (app, _id, headers) =>
    request(app, 'POST', LIST, { name: 'x', ...PATCH_BODY }, headers),
  [`GET ${ONE}`]: (app, id, headers) => request(app, 'GET', one(id), undefined, headers),
  [`PATCH ${ONE}`]: (app, id, headers) => request(app, 'PATCH', one(id), PATCH_BODY, headers),
}

/** The limit that refuses the next request of each operation, and how many it takes to get there. */
const PER_MINUTE: Record<string, number> = {
  [`GET ${LIST}`]: 50,
  [`POST ${LIST}`]: 50,
  [`GET ${ONE}`]: 100,
  [`PATCH ${ONE}`]: 50,
}

const PRODUCERS: Record<string, Producer> = {
  [`GET ${LIST} 200 example`]: async (app) => {
    app.clock.set(at(LISTED['created_time']))
    await created(app, String(LISTED['name']), filterGroup(anAttributeFilter()))
    return request(app, 'GET', LIST)
  },
  [`GET ${ONE} 200 example`]: async (app) => {
    app.clock.set(at(LISTED['created_time']))
    const id = await created(app, String(LISTED['name']), filterGroup(anAttributeFilter()))
    return request(app, 'GET', one(id))
  },
  [`GET ${LIST} 400 invalidFormat`]: (app) => request(app, 'GET', `${LIST}?name=a&name=b`),
  [`POST ${LIST} 201 example`]: (app) =>
    request(app, 'POST', LIST, {
      name: CREATED['name'],
      included_filters: CREATED['included_filters'],
    }),
  [`POST ${LIST} 400 invalidFormat`]: (app) => request(app, 'POST', LIST, PATCH_BODY),
  [`POST ${LIST} 400 invalidName`]: (app) =>
    request(app, 'POST', LIST, { name: '<b>vip</b>', ...PATCH_BODY }),
  [`POST ${LIST} 409 nameExists`]: async (app) => {
    await created(app, 'api_test_8', filterGroup(anAttributeFilter()))
    return request(app, 'POST', LIST, {
      name: 'api_test_8',
      included_filters: filterGroup(anAttributeFilter({ value: ['y'] })),
    })
  },
  [`POST ${LIST} 409 filterExists`]: async (app) => {
    await created(app, 'api_test_multiple_cs2_re', PATCH_BODY.included_filters)
    return request(app, 'POST', LIST, { name: 'another', ...PATCH_BODY })
  },
  [`POST ${LIST} 413 tooManyNestingLevels`]: (app) =>
    request(app, 'POST', LIST, { name: 'deep', included_filters: nested(6) }),
  [`POST ${LIST} 413 tooManySegments`]: async (app) => {
    const id = await created(app, 'a', PATCH_BODY.included_filters)
    const refs = Array.from({ length: 11 }, () => aSegmentReference(id))
    return request(app, 'POST', LIST, { name: 'many', included_filters: filterGroup(...refs) })
  },
  [`POST ${LIST} 413 queryLengthExceeded`]: (app) =>
    request(app, 'POST', LIST, {
      name: 'long',
      included_filters: filterGroup(
        ...Array.from({ length: 101 }, (_, i) => anAttributeFilter({ value: [`v${i}`] })),
      ),
    }),
  [`POST ${LIST} 429 activeSegmentLimit`]: async (app) => {
    for (let i = 0; i < ACTIVE_SEGMENT_LIMIT; i++) {
      await app.store.customSegments.create(aRow(`seg${i}`), ACTIVE_SEGMENT_LIMIT)
    }
    return request(app, 'POST', LIST, { name: 'one more', ...PATCH_BODY })
  },
  [`PATCH ${ONE} 200 example`]: async (app) => {
    app.clock.set(at(UPDATED['created_time']))
    const id = await created(app, 'before', filterGroup(anAttributeFilter()))
    app.clock.set(at(UPDATED['updated_time']))
    return request(app, 'PATCH', one(id), {
      name: UPDATED['name'],
      included_filters: UPDATED['included_filters'],
    })
  },
  [`PATCH ${ONE} 400 invalidFormat`]: withSegment((app, id) =>
    request(app, 'PATCH', one(id), { name: 'no filters' }),
  ),
  [`PATCH ${ONE} 400 invalidName`]: withSegment((app, id) =>
    request(app, 'PATCH', one(id), { name: '   ', ...PATCH_BODY }),
  ),
  [`PATCH ${ONE} 403 example`]: async (app) => {
    await app.store.customSegments.create(aRow('archived', { archivedAt: 1 }), ACTIVE_SEGMENT_LIMIT)
    return request(app, 'PATCH', one('archived'), PATCH_BODY)
  },
  [`PATCH ${ONE} 404 example`]: (app) =>
    request(app, 'PATCH', one('638a051185b6b50a018cacc'), PATCH_BODY),
  [`PATCH ${ONE} 409 nameExists`]: withSegment(async (app, id) => {
    await created(app, 'api_test_8', filterGroup(anAttributeFilter({ value: ['y'] })))
    return request(app, 'PATCH', one(id), { name: 'api_test_8', ...PATCH_BODY })
  }),
  [`PATCH ${ONE} 409 filterExists`]: withSegment(async (app, id) => {
    await created(app, 'api_test_multiple_cs2_re', PATCH_BODY.included_filters)
    return request(app, 'PATCH', one(id), PATCH_BODY)
  }),
  [`PATCH ${ONE} 412 example`]: withSegment(async (app, id) => {
    const other = await created(app, 'other', filterGroup(aSegmentReference(id)))
    return request(app, 'PATCH', one(id), {
      included_filters: filterGroup(aSegmentReference(other)),
    })
  }),
  [`PATCH ${ONE} 413 tooManyNestingLevels`]: withSegment((app, id) =>
    request(app, 'PATCH', one(id), { included_filters: nested(6) }),
  ),
  [`PATCH ${ONE} 413 tooManySegments`]: withSegment(async (app, id) => {
    const other = await created(app, 'other', filterGroup(anAttributeFilter({ value: ['z'] })))
    const refs = Array.from({ length: 11 }, () => aSegmentReference(other))
    return request(app, 'PATCH', one(id), { included_filters: filterGroup(...refs) })
  }),
  [`PATCH ${ONE} 413 queryLengthExceeded`]: withSegment((app, id) =>
    request(app, 'PATCH', one(id), {
      included_filters: filterGroup(
        ...Array.from({ length: 101 }, (_, i) => anAttributeFilter({ value: [`v${i}`] })),
      ),
    }),
  ),
}

for (const [operation, send] of Object.entries(OPERATIONS)) {
  const failing = (headers: Headers) => withSegment((app, id) => send(app, id, headers))
  PRODUCERS[`${operation} 400 invalidAppKey`] = failing({ 'moe-appkey': 'OTHER' })
  PRODUCERS[`${operation} 401 secretMismatch`] = failing({
    authorization: basicAuth(WORKSPACE_ID, 'not-the-key'),
  })
  // An unknown workspace, named in MOE-APPKEY too (else MOE-APPKEY's check answers first).
  PRODUCERS[`${operation} 401 invalidAppKey`] = failing({
    authorization: basicAuth('NOSUCHWORKSPACE00001', 'k'),
    'moe-appkey': 'NOSUCHWORKSPACE00001',
  })
  const limit = PER_MINUTE[operation] ?? 0
  const rateKey = operation.startsWith('GET') ? 'example' : 'rateLimit'
  PRODUCERS[`${operation} 429 ${rateKey}`] = withSegment(async (app, id) => {
    // The segment was made first: its create is counted apart from these (unless they are creates).
    const made = operation === `POST ${LIST}` ? 1 : 0
    for (let i = made; i < limit; i++) await send(app, id, {})
    return send(app, id, {})
  })
}

/** The documented 500s: the family's `internal`, rendered by its envelope. */
const INTERNAL = Object.keys(OPERATIONS).map((op) => `${op} 500 example`)

/** Documented examples Inlet does not produce, and why (docs/compatibility.md). */
const KNOWN_DIFFERENCES: Record<string, string> = {
  [`GET ${LIST} 400 invalidName`]: 'List filters by name; it refuses no name (produced on POST)',
  [`GET ${ONE} 400 invalidFormat`]: 'Get by ID has no parameter to form wrongly (produced on POST)',
  [`GET ${ONE} 400 invalidName`]: 'Get by ID takes no name (produced on POST and PATCH)',
  [`PATCH ${ONE} 429 activeSegmentLimit`]:
    'an update never adds an active segment (produced on POST)',
}

/** The example's placeholders as Inlet fills them, by example. */
const NUMBERS: Record<string, Record<string, string>> = {
  [`POST ${LIST} 413 tooManyNestingLevels`]: { 'than n ': 'than 5 ' },
  [`PATCH ${ONE} 413 tooManyNestingLevels`]: { 'than n ': 'than 5 ' },
  [`POST ${LIST} 413 tooManySegments`]: { 'than n ': 'than 10 ' },
  [`PATCH ${ONE} 413 tooManySegments`]: { 'than n ': 'than 10 ' },
  [`GET ${LIST} 429 example`]: { 'n/m': '50/1' },
  [`POST ${LIST} 429 rateLimit`]: { 'n/m': '50/1' },
  [`GET ${ONE} 429 example`]: { 'n/m': '100/1' },
  [`PATCH ${ONE} 429 rateLimit`]: { 'n/m': '50/1' },
}

/**
 * Fields whose documented value Inlet does not give, and why: the 201 example's `updated_time`
 * is MoEngage's internal update 48 ms after the create (Inlet: the create's), and its
 * `description` names dates that are not its filters' (Inlet describes the filters: the 200
 * example's description).
 */
const OWN_VALUES: Record<string, Record<string, unknown>> = {
  [`POST ${LIST} 201 example`]: {
    updated_time: CREATED['created_time'],
    description: UPDATED['description'],
  },
}

const SEGMENT_ID = /^[0-9a-f]{24}$/

/** The body compared: response_id and segment ids checked for their form and set aside. */
function comparable(body: unknown, ours: boolean): unknown {
  if (typeof body !== 'object' || body === null) return body
  const b = body as Json
  if (ours) assert.match(String(b['response_id']), /^[A-Za-z]{8}$/)
  const data = b['data']
  const ids = (d: unknown): unknown => {
    if (typeof d !== 'object' || d === null || !('id' in d)) return d
    if (ours) assert.match(String(d.id), SEGMENT_ID)
    return { ...d, id: '<id>' }
  }
  const error = b['error'] as Json | undefined
  const existing =
    error?.['existing_cs_id'] === undefined ? error : { ...error, existing_cs_id: '<id>' }
  if (ours && existing !== error) assert.match(String(error?.['existing_cs_id']), SEGMENT_ID)
  return {
    ...b,
    response_id: '<id>',
    ...(data === undefined ? {} : { data: Array.isArray(data) ? data.map(ids) : ids(data) }),
    ...(existing === undefined ? {} : { error: existing }),
  }
}

/** The documented body with Inlet's numbers and values where listed above. */
function expected(key: string): unknown {
  let text = JSON.stringify(EXAMPLES.get(key))
  for (const [from, to] of Object.entries(NUMBERS[key] ?? {})) text = text.replace(from, to)
  const body = JSON.parse(text) as Json
  const own = OWN_VALUES[key]
  return own === undefined ? body : { ...body, data: { ...(body['data'] as Json), ...own } }
}

describe('Segments v3: MoEngage’s published examples', () => {
  it('covers every documented example: produced, rendered, or a known difference', () => {
    assertExamplesCovered(
      EXAMPLES.keys(),
      Object.keys(PRODUCERS),
      INTERNAL,
      Object.keys(KNOWN_DIFFERENCES),
    )
  })

  for (const [key, produce] of Object.entries(PRODUCERS)) {
    it(`produces ${key}`, async (t) => {
      const app = await replayApp(t)
      const res = await produce(app)
      assert.equal(res.statusCode, Number(key.split(' ')[2]), res.body)
      assert.deepEqual(comparable(res.json(), true), comparable(expected(key), false))
    })
  }

  it('renders each operation’s documented 500 for an unexpected error', () => {
    for (const key of INTERNAL) {
      const { status, body } = failureBody(
        new AppError('internal'),
        { family: 'segments', endpoint: 'custom_segments' },
        'HKWwUkvM',
        { segments: segmentsEnvelope },
      )
      assert.equal(status, 500)
      assert.deepEqual(body, EXAMPLES.get(key), key)
    }
  })

  it('answers both request examples as documented', async (t) => {
    const app = await replayApp(t)
    const create = await request(app, 'POST', LIST, requestExample(LIST, 'post'))
    assert.equal(create.statusCode, 201, create.body)
    const made = create.json<{ data: Json }>().data
    assert.equal(made['name'], 'segment_example_name')
    assert.equal(made['description'], 'Name  is Chandan or Kumar  (case insensitive)')
    const update = await request(
      app,
      'PATCH',
      one(String(made['id'])),
      requestExample(ONE, 'patch'),
    )
    assert.equal(update.statusCode, 200, update.body)
    assert.equal(update.json<{ data: Json }>().data['name'], 'segment_example_name_updated')
  })

  it('has every error code and message of the catalogue as a string of the file', () => {
    // Entries whose strings come from elsewhere, each with where (file-segments-replay.test.ts
    // checks the Cohort Sync file's).
    const elsewhere: Readonly<Record<string, string>> = {
      segment_file_id_not_found: "Inlet's wording: the page documents the name's 404 only",
      segment_cohort_invalid: 'Cohort Sync: moengage-cohort-audience-openapi.yml',
      segment_cohort_not_owned: "Inlet's wording, Cohort Sync's type",
    }
    const entries = [
      ...Object.entries(SEGMENT_ERRORS)
        .filter(([code]) => !Object.hasOwn(elsewhere, code))
        .map(([, e]) => e),
      ...Object.values(SEGMENT_ENDPOINTS.custom_segments),
      // v2's own strings; its 413, 405 (Inlet's words) and bare-title 500 aside.
      ...Object.entries(SEGMENT_ENDPOINTS.file_segments)
        .filter(([code]) => !['payload_too_large', 'method_not_allowed', 'internal'].includes(code))
        .map(([, e]) => e),
    ]
    const missing: string[] = []
    for (const e of entries) {
      for (const text of [e.type, e.message]) {
        if (text === undefined) continue
        // A `{placeholder}` stands for the file's `n`, `n/m` or `<id>`: anything.
        const pattern = text
          .split(/\{\w+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.+?')
        if (!new RegExp(`"${pattern}"`).test(TEXT)) missing.push(text)
      }
    }
    assert.deepEqual(missing, [])
  })
})
