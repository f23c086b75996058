/**
 * Conformance against MoEngage's own published files for the two endpoints served outside the
 * openapi-replay table: the GDPR / CCPA OpenAPI (test/fixtures/moengage/moengage-gdpr-ccpa-openapi.yml,
 * spec §7.12) — its request example answers the documented 200 shape, and every error it
 * documents is produced by Inlet's catalogue as the `gdpr` family answers, or is a known
 * difference — and the Data OpenAPI's `GET /installInfo` curl samples (spec §7.10), replayed.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import { WORKSPACE_ID, createTestApp } from '../helpers/app.js'
import { catalogueProduces } from '../helpers/catalogue.js'

const FIXTURES = new URL('../fixtures/moengage/', import.meta.url)

type Error_ = { type: string; message: string }
type Schema = { properties?: { error?: { properties?: Record<string, { example?: unknown }> } } }
type GdprOpenApi = {
  paths: Record<
    string,
    {
      post: {
        requestBody: {
          content: { 'application/json': { examples: Record<string, { value: unknown }> } }
        }
        responses: Record<
          string,
          {
            content?: {
              'application/json'?: {
                example?: unknown
                examples?: Record<string, { value: { error?: Error_ } }>
                schema?: { $ref?: string }
              }
            }
          }
        >
      }
    }
  >
  components: { schemas: Record<string, Schema> }
}

const gdpr = parseDocument(
  readFileSync(new URL('moengage-gdpr-ccpa-openapi.yml', FIXTURES), 'utf8'),
).toJS() as GdprOpenApi
const operation = gdpr.paths['/opengdpr_requests/{appId}']?.post
if (operation === undefined) throw new Error('the GDPR file has no /opengdpr_requests/{appId}')

/** Documented, and why Inlet does not answer it (docs/compatibility.md §7.12). */
const KNOWN_DIFFERENCES: Record<string, string> = {
  '429 Rate Limits Exceeded: Rate limits for customers exceeded. Please Try After Some Time':
    'the spec gives GDPR requests no quota, so Inlet counts none and never answers 429 here',
}

/** Every documented error: the response examples, and the schema examples of the others. */
function documentedErrors(): [string, Error_][] {
  const out: [string, Error_][] = []
  for (const [status, response] of Object.entries(operation!.responses)) {
    if (status === '200') continue
    const media = response.content?.['application/json']
    for (const example of Object.values(media?.examples ?? {})) {
      if (example.value.error !== undefined) out.push([status, example.value.error])
    }
    const ref = media?.schema?.$ref?.split('/').pop()
    const props = ref === undefined ? undefined : gdpr.components.schemas[ref]?.properties?.error
    const type = props?.properties?.['type']?.example
    const message = props?.properties?.['message']?.example
    if (Object.keys(media?.examples ?? {}).length === 0 && typeof type === 'string') {
      // Schema examples carry trailing spaces the wire examples never have.
      out.push([status, { type: type.trim(), message: String(message).trim() }])
    }
  }
  return out
}

describe('MoEngage GDPR / CCPA OpenAPI (spec §7.12)', () => {
  it('the published request example answers the documented 200 shape, with a UUID', async (t) => {
    const app = await createTestApp(t)
    const examples = operation.requestBody.content['application/json'].examples
    const [example] = Object.values(examples)
    assert.ok(example)
    const res = await app.post(`/v1/opengdpr_requests/${WORKSPACE_ID}`, example.value)
    assert.equal(res.statusCode, 200, res.body)
    const documented = operation.responses['200']?.content?.['application/json']?.example as Record<
      string,
      unknown
    >
    const got = res.json<Record<string, unknown>>()
    assert.deepEqual(Object.keys(got).sort(), Object.keys(documented).sort())
    assert.equal(got['status'], documented['status'])
    assert.equal(got['message'], documented['message'])
    assert.match(
      String(got['request_id']),
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
    await app.drain()
  })

  const seen = new Set<string>()
  for (const [status, error] of documentedErrors()) {
    const key = `${status} ${error.type}: ${error.message}`
    seen.add(key)
    it(`${key} is in Inlet's catalogue or a known difference`, () => {
      if (key in KNOWN_DIFFERENCES) {
        assert.equal(
          catalogueProduces('gdpr', Number(status), error),
          false,
          `${key} is now produced`,
        )
      } else {
        assert.ok(catalogueProduces('gdpr', Number(status), error), `Inlet never answers ${key}`)
      }
    })
  }
  it('every known difference is still in the published file', () => {
    assert.deepEqual(
      Object.keys(KNOWN_DIFFERENCES).filter((k) => !seen.has(k)),
      [],
    )
  })
})

type DataOpenApi = {
  paths: Record<string, { get?: { 'x-code-samples'?: { label: string; source: string }[] } }>
}

describe('MoEngage Data OpenAPI: GET /installInfo (spec §7.10)', () => {
  const data = parseDocument(
    readFileSync(new URL('moengage-data-openapi.yml', FIXTURES), 'utf8'),
  ).toJS() as DataOpenApi
  const samples = data.paths['/installInfo']?.get?.['x-code-samples'] ?? []
  it('has its two curl samples', () => {
    assert.deepEqual(
      samples.map((s) => s.label),
      ['Android', 'iOS'],
    )
  })
  for (const sample of samples) {
    it(`the ${sample.label} curl sample is answered 200 with the generic success body`, async (t) => {
      const app = await createTestApp(t)
      const ws = await app.store.workspaces.get(WORKSPACE_ID)
      await app.store.workspaces.update(WORKSPACE_ID, {
        settings: { ...ws?.settings, attributionKey: '<ENTER_ATTRIBUTION_KEY_HERE>' },
        updatedAt: app.clock.now(),
      })
      const url = /'(https:[^']+)'/.exec(sample.source)?.[1]
      assert.ok(url, sample.source)
      // The sample's placeholders stand for values; only the workspace id must be a real one.
      const query = encodeURI(
        url.slice(url.indexOf('?')).replace('<ENTER_Workspace_ID_HERE>', WORKSPACE_ID),
      )
      const res = await app.app.inject({ method: 'GET', url: `/v1/installInfo${query}` })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(Object.keys(res.json()).sort(), ['message', 'request_id', 'status'])
    })
  }
})
