/**
 * Conformance of the consent family against MoEngage's own published examples
 * (test/fixtures/moengage/moengage-subscription-categories-openapi.yml and
 * moengage-email-subscription-openapi.yml): every request example is replayed and gets the
 * documented success body; every documented response example — success and error — is either
 * produced verbatim by a request made for it, or listed below as a known difference with the
 * reason (docs/compatibility.md says the same). A new example in a newer copy of a file fails
 * here until it is covered. Bulk resubscribe's `response_id` is Inlet's request id: checked for
 * its form, not its value.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { parseDocument } from 'yaml'
import { failureBody } from '../../src/http/error-handler.js'
import { AppError } from '../../src/core/errors.js'
import { consentEnvelope } from '../../src/families/consent/family.js'
import { admin } from '../helpers/admin.js'
import { WORKSPACE_ID, basicAuth, type TestApp } from '../helpers/app.js'
import {
  CATEGORIES,
  OPT_IN,
  RESUBSCRIBE,
  consent,
  consentApp,
  linkFor,
  pageUrl,
} from '../helpers/consent.js'

const FIXTURES = new URL('../fixtures/moengage/', import.meta.url)

type Media = { example?: unknown; examples?: Record<string, { value?: unknown }> }
type Response = { $ref?: string; content?: Record<string, Media> }
type Operation = {
  requestBody?: { content?: Record<string, Media> }
  responses: Record<string, Response>
}
type OpenApi = {
  paths: Record<string, Record<string, Operation>>
  components: {
    responses?: Record<string, Response>
    schemas?: Record<string, { example?: unknown }>
  }
}

const load = (name: string): OpenApi =>
  parseDocument(readFileSync(new URL(name, FIXTURES), 'utf8')).toJS() as OpenApi

/** Each file with the URL prefix its `servers` entry adds to its paths. */
const FILES: [OpenApi, string][] = [
  [load('moengage-subscription-categories-openapi.yml'), '/v1'],
  [load('moengage-email-subscription-openapi.yml'), ''],
]

/** Every documented response example: `METHOD /path STATUS name` → its body. */
function documentedExamples(): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [doc, prefix] of FILES) {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, raw] of Object.entries(op.responses)) {
          const name = raw.$ref?.split('/').pop()
          const response = name === undefined ? raw : (doc.components.responses?.[name] ?? {})
          const media = response.content?.['application/json']
          const key = `${method.toUpperCase()} ${prefix}${path} ${status}`
          if (media?.example !== undefined) out.set(`${key} example`, media.example)
          for (const [n, e] of Object.entries(media?.examples ?? {}))
            out.set(`${key} ${n}`, e.value)
          if (media?.example === undefined && media?.examples === undefined) {
            out.set(`${key} (no body)`, undefined)
          }
        }
      }
    }
  }
  return out
}

/** The request example of `METHOD /path` (the requestBody's, else its schema's). */
function requestExample(doc: OpenApi, path: string, method: string, schema?: string): unknown {
  const media = doc.paths[path]?.[method]?.requestBody?.content?.['application/json']
  return (
    media?.example ?? (schema === undefined ? undefined : doc.components.schemas?.[schema]?.example)
  )
}

const [CATS_DOC, EMAIL_DOC] = FILES.map(([doc]) => doc) as [OpenApi, OpenApi]

/** The GET example's categories, in order; "Playlist Updates" is the one the user turned off. */
const PAGE_CATEGORIES = Object.keys(
  (documentedExamples().get(`GET ${CATEGORIES} 200 example`) as { categories: object }).categories,
)
const REQUEST_CATEGORIES = [
  'Promotional',
  'Transactional',
  'Special Offers',
  'Product Updates',
  'New arrivals',
  'Recommendations',
  'Newsletter',
  'category_1',
  'category_2',
]
const USERS = {
  'john@example.com': { email: 'john@example.com' },
  'mike@example.com': { email: 'mike@example.com' },
  'doe@example.com': { email: 'doe@example.com' },
  ID_uid: { email: 'john@example.com' },
}

async function replayApp(t: TestContext): Promise<TestApp> {
  return consentApp(t, {
    categories: [...new Set([...PAGE_CATEGORIES, ...REQUEST_CATEGORIES])],
    users: USERS,
  })
}

type Producer = (app: TestApp) => Promise<LightMyRequestResponse>

const json = (res: LightMyRequestResponse): unknown => (res.body === '' ? undefined : res.json())

const optIn = (prefs: Record<string, unknown>) => ({
  user_preferences: { opt_in_status: 'DOUBLE_OPTED_IN', channel: 'email', ...prefs },
})
const resubscribe = (p: Record<string, unknown> = {}) => ({
  recipients: ['john@example.com'],
  esp: 'SENDGRID',
  request_id: '636b77e6e2cf83277195fb60',
  ...p,
})
const page = async (app: TestApp): Promise<string> => pageUrl(await linkFor(app, 'ID_uid'))

/** Requests that produce each documented example, by `METHOD /path STATUS name`. */
const PRODUCERS: Record<string, Producer> = {
  [`GET ${CATEGORIES} 200 example`]: async (app) => {
    const url = await page(app)
    await consent(app, 'PUT', url, {
      categories: { 'Playlist Updates': false },
      unsubscribe_all: false,
    })
    // The example lists the page's categories only: the replay's others are made inactive.
    for (const name of REQUEST_CATEGORIES.filter((n) => !PAGE_CATEGORIES.includes(n))) {
      await admin(
        app,
        'POST',
        `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-categories`,
        {
          name,
          active: false,
        },
      )
    }
    return consent(app, 'GET', url)
  },
  [`GET ${CATEGORIES} 400 example`]: (app) => consent(app, 'GET', CATEGORIES),
  [`PUT ${CATEGORIES} 200 example`]: async (app) =>
    consent(
      app,
      'PUT',
      await page(app),
      requestExample(
        CATS_DOC,
        '/category-subscription/user-preferences',
        'put',
        'UpdatePreferencesRequest',
      ),
    ),
  [`PUT ${CATEGORIES} 400 example`]: async (app) =>
    consent(
      app,
      'PUT',
      await page(app),
      { categories: {}, unsubscribe_all: false },
      { 'moe-appkey': 'OTHER' },
    ),
  [`POST ${CATEGORIES} 200 example`]: (app) =>
    consent(
      app,
      'POST',
      CATEGORIES,
      requestExample(
        CATS_DOC,
        '/category-subscription/user-preferences',
        'post',
        'BulkUpdatePreferencesRequest',
      ),
    ),
  [`POST ${CATEGORIES} 400 categories_required`]: (app) =>
    consent(app, 'POST', CATEGORIES, {
      channel: 'email',
      user_preferences: [{ customer_id: 'ID_uid', unsubscribe_all: false }],
    }),
  [`POST ${CATEGORIES} 400 payload_limit`]: (app) =>
    consent(app, 'POST', CATEGORIES, {
      channel: 'email',
      user_preferences: Array.from({ length: 51 }, (_, i) => ({
        customer_id: `u${i}`,
        categories: {},
        unsubscribe_all: false,
      })),
    }),
  [`PUT ${OPT_IN} 200 example`]: (app) =>
    consent(
      app,
      'PUT',
      OPT_IN,
      requestExample(EMAIL_DOC, '/v1.0/opt-in-management/user-preferences', 'put'),
    ),
  [`PUT ${OPT_IN} 400 invalidDataType`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: false })),
  [`PUT ${OPT_IN} 400 invalidOptInStatus`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: 'ID_uid', opt_in_status: 'SUBSCRIBED' })),
  [`PUT ${OPT_IN} 400 missingIdOrEmail`]: (app) => consent(app, 'PUT', OPT_IN, optIn({})),
  [`PUT ${OPT_IN} 400 userNotFound`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ email_id: 'nobody@example.com' })),
  [`PUT ${OPT_IN} 400 invalidCategory`]: (app) =>
    consent(
      app,
      'PUT',
      OPT_IN,
      optIn({
        customer_id: 'ID_uid',
        categories: { category_1: true, A: true, B: false, C: true },
      }),
    ),
  [`PUT ${OPT_IN} 400 extraKey`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customerid: 'ID_uid' })),
  [`PUT ${OPT_IN} 400 invalidChannel`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: 'ID_uid', channel: 'push' })),
  [`PUT ${OPT_IN} 400 allCategoriesInvalid`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: 'ID_uid', categories: { A: true } })),
  [`PUT ${OPT_IN} 401 missingAuthHeader`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: 'ID_uid' }), { authorization: undefined }),
  [`PUT ${OPT_IN} 401 wrongDataKey`]: (app) =>
    consent(app, 'PUT', OPT_IN, optIn({ customer_id: 'ID_uid' }), {
      authorization: basicAuth(WORKSPACE_ID, 'not-the-key'),
    }),
  [`POST ${RESUBSCRIBE} 202 example`]: (app) => consent(app, 'POST', RESUBSCRIBE, resubscribe()),
  [`POST ${RESUBSCRIBE} 400 missingRecipients`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe({ recipients: undefined })),
  [`POST ${RESUBSCRIBE} 400 missingRequestId`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe({ request_id: undefined })),
  [`POST ${RESUBSCRIBE} 400 tooManyRecipients`]: (app) =>
    consent(
      app,
      'POST',
      RESUBSCRIBE,
      resubscribe({ recipients: Array.from({ length: 101 }, (_, i) => `u${i}@example.com`) }),
    ),
  [`POST ${RESUBSCRIBE} 400 invalidRecipientFormat`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe({ recipients: ['john@'] })),
  [`POST ${RESUBSCRIBE} 400 emptyRecipients`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe({ recipients: [] })),
  // The file's own request example asks for update_esp, which Inlet cannot do.
  [`POST ${RESUBSCRIBE} 400 invalidEspSettings`]: (app) =>
    consent(
      app,
      'POST',
      RESUBSCRIBE,
      requestExample(EMAIL_DOC, '/emails/v1.0/bulk-resubscribe', 'post'),
    ),
  [`POST ${RESUBSCRIBE} 401 headerMismatch`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe(), { 'moe-appkey': 'OTHER' }),
  [`POST ${RESUBSCRIBE} 401 missingPassword`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe(), {
      authorization: basicAuth(WORKSPACE_ID, ''),
    }),
  [`POST ${RESUBSCRIBE} 405 example`]: (app) => consent(app, 'GET', RESUBSCRIBE),
  [`POST ${RESUBSCRIBE} 415 example`]: (app) =>
    consent(app, 'POST', RESUBSCRIBE, resubscribe(), { 'content-type': undefined }),
}

/** The shared 401s of Subscription categories, answered alike by its three operations. */
for (const method of ['GET', 'PUT', 'POST'] as const) {
  PRODUCERS[`${method} ${CATEGORIES} 401 auth_required`] = async (app) =>
    consent(
      app,
      method,
      method === 'POST' ? CATEGORIES : await page(app),
      method === 'GET' ? undefined : {},
      {
        authorization: undefined,
      },
    )
  PRODUCERS[`${method} ${CATEGORIES} 401 missing_header`] = async (app) =>
    consent(
      app,
      method,
      method === 'POST' ? CATEGORIES : await page(app),
      method === 'GET' ? undefined : {},
      {
        'moe-appkey': undefined,
      },
    )
  // "the APP SECRET key not being set": a workspace whose Data API key was removed.
  PRODUCERS[`${method} ${CATEGORIES} 409 example`] = async (app) => {
    const url = method === 'POST' ? CATEGORIES : await page(app)
    const removed = await admin(
      app,
      'POST',
      `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/remove-key`,
    )
    assert.equal(removed.statusCode, 200, removed.body)
    return consent(app, method, url, method === 'GET' ? undefined : {})
  }
  // 100 a minute: the 101st request is refused.
  PRODUCERS[`${method} ${CATEGORIES} 429 example`] = async (app) => {
    const url = method === 'POST' ? CATEGORIES : await page(app)
    const body = method === 'GET' ? undefined : {}
    for (let i = 0; i < 100; i++) await consent(app, method, url, body)
    return consent(app, method, url, body)
  }
}
PRODUCERS[`PUT ${OPT_IN} 429 (no body)`] = async (app) => {
  for (let i = 0; i < 1_000; i++) await consent(app, 'PUT', OPT_IN, {})
  return consent(app, 'PUT', OPT_IN, {})
}
PRODUCERS[`POST ${RESUBSCRIBE} 429 example`] = async (app) => {
  for (let i = 0; i < 10; i++) await consent(app, 'POST', RESUBSCRIBE, {})
  return consent(app, 'POST', RESUBSCRIBE, {})
}

/** The documented 500s: the `internal` answer of each endpoint group, rendered by its envelope. */
const INTERNAL: Record<string, 'categories' | 'optin' | 'resubscribe'> = {
  [`GET ${CATEGORIES} 500 example`]: 'categories',
  [`PUT ${CATEGORIES} 500 example`]: 'categories',
  [`POST ${CATEGORIES} 500 example`]: 'categories',
  [`PUT ${OPT_IN} 500 example`]: 'optin',
  [`POST ${RESUBSCRIBE} 500 example`]: 'resubscribe',
}

/** Documented examples Inlet does not produce, and why (docs/compatibility.md). */
const KNOWN_DIFFERENCES: Record<string, string> = {
  [`PUT ${OPT_IN} 400 customerIdMandatory`]:
    'Inlet always finds users by email_id ("unsubscribe on email" is a MoEngage workspace option)',
  [`PUT ${OPT_IN} 400 noActiveCategories`]:
    'produced (consent_no_active_categories) on a workspace without categories: see its own test',
  [`PUT ${OPT_IN} 400 sentryCheckFailed`]: "MoEngage's internal check; Inlet has none",
  [`PUT ${OPT_IN} 403 example`]: 'the feature is always on in Inlet',
}

/** The body compared: Bulk resubscribe's response_id is Inlet's request id (its form checked). */
function comparable(body: unknown, ours = false): unknown {
  if (typeof body !== 'object' || body === null || !('response_id' in body)) return body
  if (ours) assert.match(String(body.response_id), /^[A-Za-z]{8,10}$/)
  return { ...body, response_id: '<id>' }
}

describe('consent: MoEngage’s published examples', () => {
  const examples = documentedExamples()

  it('covers every documented example: produced, rendered, or a known difference', () => {
    const covered = new Set([
      ...Object.keys(PRODUCERS),
      ...Object.keys(INTERNAL),
      ...Object.keys(KNOWN_DIFFERENCES),
    ])
    assert.deepEqual([...examples.keys()].filter((k) => !covered.has(k)).sort(), [])
    assert.deepEqual([...covered].filter((k) => !examples.has(k)).sort(), [])
  })

  for (const [key, produce] of Object.entries(PRODUCERS)) {
    it(`produces ${key}`, async (t) => {
      const app = await replayApp(t)
      const res = await produce(app)
      const status = Number(key.split(' ')[2])
      assert.equal(res.statusCode, status, res.body)
      assert.deepEqual(comparable(json(res), true), comparable(examples.get(key)))
    })
  }

  it('renders each group’s documented 500 for an unexpected error', () => {
    for (const [key, endpoint] of Object.entries(INTERNAL)) {
      const { status, body } = failureBody(
        new AppError('internal'),
        { family: 'consent', endpoint },
        'quUXnIinLK',
        { consent: consentEnvelope },
      )
      assert.equal(status, 500)
      assert.deepEqual(comparable(body, true), comparable(examples.get(key)), key)
    }
  })

  it('produces the no-active-categories example on a workspace without categories', async (t) => {
    const app = await consentApp(t, { users: USERS })
    const res = await consent(
      app,
      'PUT',
      OPT_IN,
      optIn({ customer_id: 'ID_uid', categories: { A: true } }),
    )
    assert.equal(res.statusCode, 400)
    assert.deepEqual(res.json(), examples.get(`PUT ${OPT_IN} 400 noActiveCategories`))
  })
})
