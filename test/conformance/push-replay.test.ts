/**
 * Conformance of the Push family against MoEngage's published examples
 * (test/fixtures/moengage/moengage-push-openapi.yml, moengage-push-v2-1-openapi.yml): every
 * request example of both versions — each on a fresh workspace, as their campaign names repeat
 * — is replayed (its `{{…}}` placeholders of the workspace id and signature filled in, a
 * placeholder campaign name given a name) against a user the examples target (customer id `123`,
 * `abc@example.com`, the custom attributes they name, a device on each platform, the custom
 * segment they name) and answers the documented 200 Success with its messages recorded; every
 * documented failure and status example (200 Fail, 401, 404, 429, 500) is produced verbatim.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it, type TestContext } from 'node:test'
import { parseDocument } from 'yaml'
import { AppError } from '../../src/core/errors.js'
import { failureBody } from '../../src/http/error-handler.js'
import { pushEnvelope } from '../../src/http/envelopes.js'
import { START_TIME, WORKSPACE_ID, appKeyRequest, type TestApp } from '../helpers/app.js'
import { V2, V2_1, pushApp, pushMessages, sendPush, trackUser } from '../helpers/push.js'
import { aSegmentBody, anAttributeFilter } from '../helpers/segments.js'

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
}

const FILES = {
  v2: { file: 'moengage-push-openapi.yml', path: '/transaction/sendpush' },
  'v2.1': { file: 'moengage-push-v2-1-openapi.yml', path: '/v2.1/transaction/sendpush' },
} as const

function operationOf(version: keyof typeof FILES) {
  const { file, path } = FILES[version]
  const text = readFileSync(new URL(`../fixtures/moengage/${file}`, import.meta.url), 'utf8')
  const operation = (parseDocument(text).toJS() as OpenApi).paths[path]?.post
  assert.ok(operation !== undefined, `${file} documents POST ${path}`)
  return operation
}

const example = (
  operation: ReturnType<typeof operationOf>,
  status: string,
  name?: string,
): unknown => {
  const media = operation.responses[status]?.content?.['application/json']
  return name === undefined ? media?.example : media?.examples?.[name]?.value
}

/** A workspace with the user the examples target, on every platform, and their segment. */
async function exampleApp(t: TestContext): Promise<TestApp> {
  const app = await pushApp(t)
  const attributes = { email: 'abc@example.com', user: 'user', loyalty_tier: 'gold', plan: 'gold' }
  await trackUser(app, '123', attributes, [
    ['ANDROID', 'fcm-123'],
    ['iOS', 'apns-123'],
    ['web', 'web-123'],
  ])
  const segment = await appKeyRequest(
    app,
    'POST',
    '/v3/custom-segments',
    aSegmentBody('Android_TranV2', anAttributeFilter()),
  )
  assert.equal(segment.statusCode, 201, segment.body)
  return app
}

/** The example's body with its placeholders filled: the workspace id, a campaign name. */
function filled(value: Record<string, unknown>): Record<string, unknown> {
  const name = String(value['campaignName'])
  const body: Record<string, unknown> = {
    ...value,
    campaignName: name.startsWith('{{') ? 'Example campaign' : name,
  }
  if ('appId' in value) body['appId'] = WORKSPACE_ID
  delete body['signature'] // signed by sendPush (v2 in the body, v2.1 in headers)
  return body
}

for (const version of ['v2', 'v2.1'] as const) {
  describe(`Push ${version} replays of ${FILES[version].file}`, () => {
    const operation = operationOf(version)
    const requests = operation.requestBody.content['application/json']?.examples ?? {}

    it('answers every request example with the documented Success and records its messages', async (t) => {
      assert.equal(Object.keys(requests).length, 12)
      const success = example(operation, '200', 'Success') as Record<string, unknown>
      for (const [name, { value }] of Object.entries(requests)) {
        const app = await exampleApp(t)
        const res = await sendPush(app, filled(value), { version })
        assert.equal(res.statusCode, 200, `${name}: ${res.body}`)
        const body = res.json<Record<string, unknown>>()
        assert.deepEqual(Object.keys(body).sort(), Object.keys(success).sort(), name)
        assert.equal(body['status'], 'Success', `${name}: ${res.body}`)
        const platforms = value['targetPlatform'] as string[]
        const recorded = (await pushMessages(app)).filter((m) => m.status === 'recorded')
        assert.deepEqual(
          recorded.map((m) => [m.customerId, m.platform, m.sourceId]).sort(),
          platforms.map((p) => ['123', p, body['cid']]).sort(),
          name,
        )
      }
    })

    it('produces the documented failure and status examples verbatim', async (t) => {
      const app = await exampleApp(t)
      const base = filled(Object.values(requests)[0]?.value ?? {})
      const fail = await sendPush(app, { ...base, campaignName: undefined }, { version })
      assert.equal(fail.statusCode, 200)
      const documented = example(operation, '200', 'Failure') as Record<string, unknown>
      assert.deepEqual(fail.json(), {
        ...documented,
        responseId: fail.json<{ responseId: string }>().responseId,
      })
      const url = version === 'v2' ? V2 : V2_1
      const missing = await app.app.inject({ method: 'POST', url: `${url}x`, payload: {} })
      assert.equal(missing.statusCode, 404, missing.body)
      assert.deepEqual(missing.json(), example(operation, '404'))
      await app.store.workspaces.update(WORKSPACE_ID, { state: 'suspended', updatedAt: START_TIME })
      const unauthorized = await sendPush(app, base, { version })
      assert.equal(unauthorized.statusCode, 401)
      assert.deepEqual(unauthorized.json(), example(operation, '401'))
      const { status, body } = failureBody(
        new AppError('internal'),
        { family: 'push', endpoint: version === 'v2' ? 'push_v2' : 'push_v2_1' },
        'reference',
        { push: pushEnvelope },
      )
      assert.equal(status, 500)
      assert.deepEqual(body, example(operation, '500'))
    })

    if (version === 'v2.1') {
      it('answers its quota with the documented 429: [] and the rate-limit headers', async (t) => {
        const app = await exampleApp(t)
        await app.store.quotas.lease({
          workspaceId: WORKSPACE_ID,
          quota: 'push_send',
          windowStart: START_TIME - (START_TIME % 60_000),
          limit: 10_000,
          need: 10_000,
          want: 10_000,
        })
        const res = await sendPush(app, filled(Object.values(requests)[0]?.value ?? {}), {
          version,
        })
        assert.equal(res.statusCode, 429)
        assert.deepEqual(res.json(), example(operation, '429'))
        assert.equal(res.headers['x-envoy-ratelimited'], 'true')
        assert.equal(res.headers['x-ratelimit-remaining'], '0')
        assert.match(String(res.headers['x-ratelimit-reset']), /^\d+$/)
      })
    }
  })
}
