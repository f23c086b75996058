/**
 * Conformance: the gateway errors the user-lifecycle pages document with their own strings
 * (spec §7.7 Merge Users, §7.8 Delete Users), answered over HTTP exactly — status, `type` and
 * `message` — by the endpoint that documents them (the catalogue's per-family overrides,
 * applied to a real request).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../helpers/app.js'
import { DELETE, MERGE } from '../helpers/data-api.js'

const PAIR = { merge_data: [{ merged_user: 'a1', retained_user: 'b1' }] }

type Expected = readonly [status: number, type: string, message: string]

const UNKNOWN_ID = 'UNKNOWNWORKSPACE0001'

/** `path` for a workspace that does not exist, named by both the query and the Basic user. */
const ofUnknownWorkspace = (path: string) => ({
  url: `${path}?app_id=${UNKNOWN_ID}`,
  headers: { authorization: basicAuth(UNKNOWN_ID, API_KEY) },
})

async function answers(
  app: TestApp,
  request: { url: string; headers?: Record<string, string | undefined>; payload?: string },
  [status, type, message]: Expected,
): Promise<void> {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...app.headers, ...request.headers })) {
    if (v !== undefined) headers[k] = v
  }
  const res = await app.app.inject({
    method: 'POST',
    url: request.url,
    headers,
    payload: request.payload ?? JSON.stringify(PAIR),
  })
  const error = res.json<{ status: string; error?: { type: string; message: string } }>()
  assert.deepEqual(
    [res.statusCode, error.status, error.error?.type, error.error?.message],
    [status, 'fail', type, message],
    `${request.url} ${JSON.stringify(request.headers ?? {})}`,
  )
}

describe('§7.7 Merge Users: the Merge page’s own gateway strings', () => {
  it('§7.7 auth, content, size and state errors answer the documented text', async (t) => {
    const app = await createTestApp(t)
    const cases: [Record<string, string | undefined>, string | undefined, Expected][] = [
      [
        { authorization: '' },
        undefined,
        [401, 'Authentication required', 'Authorization details are missing'],
      ],
      [
        { authorization: basicAuth('', API_KEY) },
        undefined,
        [
          401,
          'Authentication required',
          'Username (APP_KEY) is missing in the Basic Auth authorization.',
        ],
      ],
      [
        { authorization: basicAuth(WORKSPACE_ID, '') },
        undefined,
        [
          401,
          'Authentication required',
          'Password (APP_SECRET) is missing in the Basic Auth authorization.',
        ],
      ],
      [
        { authorization: 'Bearer abc' },
        undefined,
        [
          401,
          'Authentication required',
          "Invalid authorization used. MoEngage only supports 'Basic Auth' authorization.",
        ],
      ],
      [
        { authorization: basicAuth(WORKSPACE_ID, 'wrong-key') },
        undefined,
        [
          401,
          'Authentication required',
          'App Secret key mismatch. Please login to the dashboard to verify key',
        ],
      ],
      [
        { 'moe-appkey': 'SOMEONEELSE' },
        undefined,
        [
          401,
          'Authentication required',
          "MOE_APPKEY doesn't match the Username (APP_KEY) used in Basic Auth authorization.",
        ],
      ],
      [
        { 'content-type': undefined },
        undefined,
        [400, 'Missing header value', 'The Content-Type Header is required.'],
      ],
      [
        { 'content-type': 'text/plain' },
        undefined,
        [
          415,
          'MediaTypeError',
          "The header 'Content-Type' is missing. Kindly provide the header 'Content-Type' and set it as 'application/json'",
        ],
      ],
      [
        {},
        '{"merge_data": [',
        [
          400,
          'Malformed JSON',
          'Could not decode the request body. The JSON was incorrect or not   encoded as UTF-8.',
        ],
      ],
      [{}, '"a string"', [400, 'Body type is not JSON', 'A valid JSON document is required.']],
      [
        {},
        JSON.stringify({ pad: 'x'.repeat(140_000) }),
        [413, 'PayloadTooLarge', 'The payload can not exceed 128KB'],
      ],
    ]
    for (const [headers, payload, expected] of cases) {
      await answers(
        app,
        { url: MERGE, headers, ...(payload === undefined ? {} : { payload }) },
        expected,
      )
    }
    // The id in the query differs from the Basic user.
    await answers(app, { url: '/v1/customer/merge?app_id=OTHERWORKSPACE000001' }, [
      409,
      'Authentication required.',
      'App key mismatch in params and authentication.',
    ])
    // An unknown workspace named by both.
    await answers(app, ofUnknownWorkspace('/v1/customer/merge'), [
      400,
      'InvalidParams',
      'given app_id is invalid/blocked',
    ])
    await app.store.workspaces.update(WORKSPACE_ID, {
      state: 'temporarily_suspended',
      updatedAt: app.clock.now(),
    })
    await answers(app, { url: MERGE }, [
      403,
      'Account Temporarily Suspended.',
      'Account Temporarily Suspended.',
    ])
    await app.store.workspaces.update(WORKSPACE_ID, {
      state: 'active',
      keyHash: null,
      keySalt: null,
      updatedAt: app.clock.now(),
    })
    await answers(app, { url: MERGE }, [
      409,
      'Authentication required.',
      'App Secret key is not set. Please login to the dashboard to set a key.',
    ])
  })
})

describe('§7.8 Delete Users: the Delete page’s own gateway strings', () => {
  it('§7.8 401 key mismatch and 403 for an unknown workspace', async (t) => {
    const app = await createTestApp(t)
    const body = JSON.stringify({ identity_type: 'customer_id', identity_value: 'x1' })
    await answers(
      app,
      {
        url: DELETE,
        headers: { authorization: basicAuth(WORKSPACE_ID, 'wrong-key') },
        payload: body,
      },
      [
        401,
        'Authentication required',
        'App Secret key mismatch. Please login to the dashboard to verify key',
      ],
    )
    await answers(app, { ...ofUnknownWorkspace('/v1/customer/delete'), payload: body }, [
      403,
      'InvalidParams',
      'given app_id is invalid/blocked',
    ])
    await answers(app, { url: DELETE, payload: body }, [
      400,
      'Not Found',
      "User doesn't exists with customer id x1",
    ])
  })
})
