/**
 * The consent family end to end in-process: link tokens and plain ids, the preference page's GET
 * and PUT, the bulk update, Email opt-in's rules (all-false is OPTED_OUT, one invalid category
 * fails everything, email_id updates every user with it), Bulk resubscribe, the three envelopes,
 * auth, methods and quotas.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admin } from '../../../test/helpers/admin.js'
import { WORKSPACE_ID, basicAuth } from '../../../test/helpers/app.js'
import {
  ADMIN_CATEGORIES,
  CATEGORIES,
  OPT_IN,
  RESUBSCRIBE,
  consent,
  consentApp,
  linkFor,
  pageUrl,
} from '../../../test/helpers/consent.js'
import { userOf } from '../../../test/helpers/data-api.js'

const USERS = {
  ann: { email: 'ann@example.com' },
  bob: { email: 'Shared@Example.com' },
  cy: { email: 'shared@example.com' },
}
const CATS = ['Promotional', 'Newsletter', 'Product Updates']
const DAY = 86_400_000

async function subscriptionsOf(app: Awaited<ReturnType<typeof consentApp>>, customerId: string) {
  const user = await userOf(app, customerId)
  return app.store.consent.subscriptionsOf(WORKSPACE_ID, [user.id])
}

describe('Subscription categories: the preference page', () => {
  it('shows every active category, subscribed by default, then as the user chose', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    await admin(app, 'POST', ADMIN_CATEGORIES, { name: 'Retired', active: false })
    const link = await linkFor(app, 'ann')
    const first = await consent(app, 'GET', pageUrl(link))
    assert.equal(first.statusCode, 200, first.body)
    assert.deepEqual(first.json(), {
      categories: { Promotional: true, Newsletter: true, 'Product Updates': true },
    })
    const put = await consent(app, 'PUT', pageUrl(link), {
      categories: { Promotional: false, Newsletter: true },
      unsubscribe_all: false,
    })
    assert.equal(put.statusCode, 200, put.body)
    assert.deepEqual(put.json(), { message: 'Success' })
    const after = await consent(app, 'GET', pageUrl(link))
    assert.deepEqual(after.json(), {
      categories: { Promotional: false, Newsletter: true, 'Product Updates': true },
    })
  })

  it('unsubscribe_all wins over the categories, and is undone by a later update', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const link = await linkFor(app, 'ann')
    await consent(app, 'PUT', pageUrl(link), {
      categories: { Promotional: true },
      unsubscribe_all: true,
    })
    assert.deepEqual((await consent(app, 'GET', pageUrl(link))).json(), {
      categories: { Promotional: false, Newsletter: false, 'Product Updates': false },
    })
    await consent(app, 'PUT', pageUrl(link), { categories: {}, unsubscribe_all: false })
    assert.deepEqual((await consent(app, 'GET', pageUrl(link))).json(), {
      categories: { Promotional: true, Newsletter: true, 'Product Updates': true },
    })
  })

  it('refuses a token that was altered, of another kind or another workspace, and plain ids unless allowed', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const link = await linkFor(app, 'ann')
    const ann = await userOf(app, 'ann')
    const altered = `${link.user_id.slice(0, -2)}${link.user_id.endsWith('A') ? 'B' : 'A'}A`
    for (const bad of [
      { user_id: altered, cid: link.cid },
      { user_id: link.cid, cid: link.cid },
      { user_id: link.user_id, cid: link.user_id },
      { user_id: 'ann', cid: 'campaign-1' },
      { user_id: ann.id, cid: link.cid },
    ]) {
      const res = await consent(app, 'GET', pageUrl(bad))
      assert.equal(res.statusCode, 400, JSON.stringify(bad))
      assert.deepEqual(res.json(), { message: 'Invalid Params Received' })
    }
    for (const query of ['', `?user_id=${link.user_id}`, `?cid=${link.cid}`]) {
      const res = await consent(app, 'GET', `${CATEGORIES}${query}`)
      assert.deepEqual([res.statusCode, res.json()], [400, { message: 'Invalid Params Received' }])
    }
    const setting = await admin(app, 'POST', `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`, {
      settings: { plainLinkIds: true },
    })
    assert.equal(setting.statusCode, 200, setting.body)
    for (const plain of [
      { user_id: 'ann', cid: 'campaign-1' },
      { user_id: ann.id, cid: 'x' },
      link,
    ]) {
      const res = await consent(app, 'GET', pageUrl(plain))
      assert.equal(res.statusCode, 200, JSON.stringify(plain))
    }
    // A token is still checked when plain ids are allowed.
    const res = await consent(app, 'GET', pageUrl({ user_id: altered, cid: 'x' }))
    assert.equal(res.statusCode, 400)
  })

  it('refuses a link token from the moment it expires: INLET_LINK_TOKEN_TTL_DAYS, or the days asked for', async (t) => {
    const app = await consentApp(t, {
      categories: CATS,
      users: USERS,
      env: { INLET_LINK_TOKEN_TTL_DAYS: '2' },
    })
    const issued = await admin(
      app,
      'POST',
      `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-links`,
      { customer_id: 'ann', cid: 'spring' },
    )
    const link = issued.json<{ user_id: string; cid: string; expires_at: string }>()
    const expiresAt = Date.parse(link.expires_at)
    assert.equal(expiresAt, Math.ceil((app.clock.now() + 2 * DAY) / 1000) * 1000)
    const longer = await admin(
      app,
      'POST',
      `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-links`,
      { customer_id: 'ann', cid: 'spring', expires_in_days: 30 },
    )
    const kept = longer.json<{ user_id: string; cid: string; expires_at: string }>()
    assert.equal(Date.parse(kept.expires_at), Math.ceil((app.clock.now() + 30 * DAY) / 1000) * 1000)
    assert.equal((await consent(app, 'GET', pageUrl(link))).statusCode, 200)
    app.clock.advance(expiresAt - app.clock.now() - 1)
    assert.equal((await consent(app, 'GET', pageUrl(link))).statusCode, 200)
    app.clock.advance(1)
    for (const method of ['GET', 'PUT'] as const) {
      const res = await consent(
        app,
        method,
        pageUrl(link),
        method === 'PUT' ? { categories: {}, unsubscribe_all: true } : undefined,
      )
      assert.deepEqual([res.statusCode, res.json()], [400, { message: 'Invalid Params Received' }])
    }
    // One of the two expired is enough to refuse the link.
    const mixed = { user_id: kept.user_id, cid: link.cid }
    assert.equal((await consent(app, 'GET', pageUrl(mixed))).statusCode, 400)
    assert.equal((await consent(app, 'GET', pageUrl(kept))).statusCode, 200)
    assert.deepEqual(await subscriptionsOf(app, 'ann'), { statuses: [], preferences: [] })
    for (const bad of [0, 3651, 1.5, '7']) {
      const res = await admin(
        app,
        'POST',
        `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-links`,
        { customer_id: 'ann', cid: 'spring', expires_in_days: bad },
      )
      assert.equal(res.statusCode, 400, String(bad))
    }
  })

  it('refuses an unknown or inactive category, and writes nothing', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    await admin(app, 'POST', ADMIN_CATEGORIES, { name: 'Retired', active: false })
    const link = await linkFor(app, 'ann')
    const res = await consent(app, 'PUT', pageUrl(link), {
      categories: { Promotional: false, Retired: true, Nope: false },
      unsubscribe_all: false,
    })
    assert.equal(res.statusCode, 400)
    assert.deepEqual(res.json(), {
      title: 'Invalid Field Value',
      description:
        'Categories Retired, Nope are either invalid or not active in the Workspace. Please check the categories in the request.',
    })
    assert.deepEqual(await subscriptionsOf(app, 'ann'), { statuses: [], preferences: [] })
  })

  it('answers the documented body errors of PUT', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const url = pageUrl(await linkFor(app, 'ann'))
    const cases: [unknown, number, unknown][] = [
      [
        { unsubscribe_all: false },
        400,
        { title: 'Categories Required', description: 'Categories Preferences Required' },
      ],
      [
        { categories: {} },
        400,
        {
          title: 'Invalid Field Value',
          description: 'unsubscribe_all - Field is required but value is None',
        },
      ],
      [
        { categories: { Promotional: 'yes' }, unsubscribe_all: false },
        400,
        {
          title: 'Invalid Field Value',
          description:
            "Wrong data type was used for <Promotional> - Value must be of type (<class 'bool'>,), passed type: <class 'str'> : yes.",
        },
      ],
      [
        { categories: {}, unsubscribe_all: false, extra: 1 },
        400,
        { title: 'Invalid Field Value', description: 'Extra key passed in the request' },
      ],
    ]
    for (const [body, status, answer] of cases) {
      const res = await consent(app, 'PUT', url, body)
      assert.deepEqual([res.statusCode, res.json()], [status, answer], JSON.stringify(body))
    }
  })
})

describe('Subscription categories: bulk update', () => {
  it('updates up to 50 users by customer_id in one request', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const res = await consent(app, 'POST', CATEGORIES, {
      channel: 'EMAIL',
      user_preferences: [
        { customer_id: 'ann', categories: { Promotional: false }, unsubscribe_all: false },
        { customer_id: 'bob', categories: { Newsletter: true }, unsubscribe_all: true },
      ],
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json(), { message: 'Your request has been processed' })
    const ann = await subscriptionsOf(app, 'ann')
    assert.deepEqual(
      ann.preferences.map((p) => [p.category, p.subscribed]),
      [['Promotional', false]],
    )
    const bob = await subscriptionsOf(app, 'bob')
    assert.equal(bob.statuses[0]?.unsubscribedAll, true)
  })

  it('fails whole for an unknown user, an unknown category or more than 50 entries', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const entry = (id: string, categories: Record<string, boolean> = { Promotional: false }) => ({
      customer_id: id,
      categories,
      unsubscribe_all: false,
    })
    const cases: [unknown, unknown][] = [
      [
        { channel: 'email', user_preferences: [entry('ann'), entry('zed'), entry('zoe')] },
        {
          title: 'User Not Found',
          description:
            'No users found with the provided customer_id zed, zoe. Please check the same.',
        },
      ],
      [
        { channel: 'email', user_preferences: [entry('ann'), entry('bob', { Nope: true })] },
        {
          title: 'Invalid Field Value',
          description:
            'Categories Nope are either invalid or not active in the Workspace. Please check the categories in the request.',
        },
      ],
      [
        {
          channel: 'email',
          user_preferences: Array.from({ length: 51 }, (_, i) => entry(`u${i}`)),
        },
        { title: 'Payload Limit Exceeded', description: 'Payload limit is set to 50' },
      ],
      [
        { channel: 'email', user_preferences: [{ customer_id: 'ann', unsubscribe_all: false }] },
        { title: 'Categories Required', description: 'Categories Preferences Required' },
      ],
      [
        { channel: 'sms', user_preferences: [entry('ann')] },
        {
          title: 'Invalid Field Value',
          description:
            "Channel can only be ['email'] (case-insensitive). Please provide the correct channel.",
        },
      ],
      [
        { channel: 'email', user_preferences: [entry('ann'), entry('ann')] },
        { title: 'Invalid Field Value', description: 'customer_id ann is given twice' },
      ],
    ]
    for (const [body, answer] of cases) {
      const res = await consent(app, 'POST', CATEGORIES, body)
      assert.deepEqual([res.statusCode, res.json()], [400, answer])
    }
    assert.deepEqual(await subscriptionsOf(app, 'ann'), { statuses: [], preferences: [] })
  })
})

describe('Email opt-in management', () => {
  const prefs = (p: Record<string, unknown>) => ({
    user_preferences: { opt_in_status: 'double_opted_in', channel: 'Email', ...p },
  })

  it('sets the status of the user with the customer_id (any case), and its categories', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const res = await consent(
      app,
      'PUT',
      OPT_IN,
      prefs({ customer_id: 'ann', categories: { Promotional: true, Newsletter: false } }),
    )
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json(), { message: 'Your request has been processed successfully' })
    const ann = await subscriptionsOf(app, 'ann')
    assert.equal(ann.statuses[0]?.optInStatus, 'DOUBLE_OPTED_IN')
    assert.equal(ann.preferences.length, 2)
  })

  it('makes the status OPTED_OUT when every category sent is false', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    await consent(
      app,
      'PUT',
      OPT_IN,
      prefs({ customer_id: 'ann', categories: { Promotional: false, Newsletter: false } }),
    )
    assert.equal((await subscriptionsOf(app, 'ann')).statuses[0]?.optInStatus, 'OPTED_OUT')
  })

  it('updates every user with the email_id, which wins over customer_id', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const res = await consent(
      app,
      'PUT',
      OPT_IN,
      prefs({
        customer_id: 'ann',
        email_id: 'SHARED@example.com',
        opt_in_status: 'OPT_IN_PENDING',
      }),
    )
    assert.equal(res.statusCode, 200, res.body)
    for (const id of ['bob', 'cy']) {
      assert.equal((await subscriptionsOf(app, id)).statuses[0]?.optInStatus, 'OPT_IN_PENDING')
    }
    assert.deepEqual((await subscriptionsOf(app, 'ann')).statuses, [])
  })

  it('fails whole when one category is invalid, and tells all-invalid and none-defined apart', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const detail = async (categories: Record<string, boolean>) => {
      const res = await consent(app, 'PUT', OPT_IN, prefs({ customer_id: 'ann', categories }))
      assert.equal(res.statusCode, 400)
      return res.json<{ error: { details: { message: string } } }>().error.details.message
    }
    assert.equal(
      await detail({ Promotional: true, A: true, B: false }),
      'Categories A, B are either invalid or not active in the Workspace. Please check the categories in the request.',
    )
    assert.equal(
      await detail({ A: true }),
      'All provided categories are either invalid or not active in the Workspace. Please check the categories in the request.',
    )
    assert.deepEqual(await subscriptionsOf(app, 'ann'), { statuses: [], preferences: [] })
    const bare = await consentApp(t, { users: USERS })
    const res = await consent(
      bare,
      'PUT',
      OPT_IN,
      prefs({ customer_id: 'ann', categories: { A: true } }),
    )
    assert.match(
      res.json<{ error: { details: { message: string } } }>().error.details.message,
      /^There are no active categories found/,
    )
  })

  it('answers its documented 400s with one details object', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const cases: [unknown, unknown][] = [
      [
        prefs({ customer_id: false }),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid.',
          details: {
            target: 'customer_id',
            message:
              "Wrong data type was used for <customer_id> - Value must be of type (<class 'str'>,), passed type: <class 'bool'> : False.",
          },
        },
      ],
      [
        prefs({ customer_id: 'ann', opt_in_status: 'maybe' }),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid',
          details: {
            target: 'opt_in_status',
            message:
              "Opt-In status can only be 'DOUBLE_OPTED_IN' or 'OPTED_OUT' or 'OPT_IN_PENDING' (case-insensitive). Please provide the correct value.",
          },
        },
      ],
      [
        prefs({}),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid',
          details: {
            target: 'customer_id or email_id',
            message:
              'Either customer_id or email_id is mandatory. Please provide at least one of them.',
          },
        },
      ],
      [
        prefs({ customer_id: 'nobody' }),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid',
          details: {
            target: 'customer_id or email_id',
            message:
              'No users found with the provided customer_id or email_id. Please check the same.',
          },
        },
      ],
      [
        prefs({ customerid: 'ann' }),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid',
          details: { target: "['customerid']", message: 'Extra key passed in the request' },
        },
      ],
      [
        prefs({ customer_id: 'ann', channel: 'sms' }),
        {
          code: '400 Bad Request',
          message: 'Request Data is invalid',
          details: {
            target: 'channel',
            message:
              "Channel can only be ['email'] (case-insensitive). Please provide the correct channel.",
          },
        },
      ],
    ]
    for (const [body, error] of cases) {
      const res = await consent(app, 'PUT', OPT_IN, body)
      assert.deepEqual([res.statusCode, res.json()], [400, { error }], JSON.stringify(body))
    }
  })
})

describe('Bulk resubscribe', () => {
  const body = (p: Record<string, unknown> = {}) => ({
    recipients: ['shared@example.com', 'nobody@example.com'],
    esp: 'SENDGRID',
    request_id: 'req-1',
    ...p,
  })

  it('clears unsubscribe-all for every user with a listed email, and answers 202', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    await consent(app, 'POST', CATEGORIES, {
      channel: 'email',
      user_preferences: ['ann', 'bob', 'cy'].map((id) => ({
        customer_id: id,
        categories: {},
        unsubscribe_all: true,
      })),
    })
    const res = await consent(app, 'POST', RESUBSCRIBE, body())
    assert.equal(res.statusCode, 202, res.body)
    const answer = res.json<{ message: string; response_id: string }>()
    assert.equal(answer.message, 'The request is submitted successfully.')
    assert.match(answer.response_id, /^[A-Za-z]{8}$/)
    for (const [id, unsubscribed] of [
      ['ann', true],
      ['bob', false],
      ['cy', false],
    ] as const) {
      assert.equal((await subscriptionsOf(app, id)).statuses[0]?.unsubscribedAll, unsubscribed, id)
    }
  })

  it('limits itself to the customer_id when one is given', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    await consent(app, 'POST', RESUBSCRIBE, body({ customer_id: 'cy' }))
    assert.deepEqual((await subscriptionsOf(app, 'bob')).statuses, [])
    assert.equal((await subscriptionsOf(app, 'cy')).statuses[0]?.unsubscribedAll, false)
  })

  it('answers its documented errors in its envelope', async (t) => {
    const app = await consentApp(t, { users: USERS })
    const cases: [unknown, number, string, string][] = [
      [
        { esp: 'SENDGRID', request_id: 'r' },
        400,
        'BadRequest',
        'Request_Body is mandatory. Kindly add request_body and the desired fields in the API payload.',
      ],
      [
        body({ request_id: undefined }),
        400,
        'InvalidFieldValue',
        'request_id - Field is required but value is None',
      ],
      [
        body({ recipients: Array.from({ length: 101 }, (_, i) => `u${i}@example.com`) }),
        400,
        'BadRequest',
        'Payload limit is set to 100',
      ],
      [
        body({ recipients: ['not-an-email'] }),
        400,
        'InvalidInput',
        "Please provide input in a valid email address format (example@domain.com) as part of 'Recipients'.",
      ],
      [
        body({ recipients: [] }),
        400,
        'InvalidInput',
        "Add at least one email address as part of the 'Recipients'",
      ],
      [body({ update_esp: true }), 400, 'InvalidSettings', 'Valid email settings not present'],
    ]
    for (const [payload, status, code, message] of cases) {
      const res = await consent(app, 'POST', RESUBSCRIBE, payload)
      const answer = res.json<{ response_id: string; error: unknown }>()
      assert.equal(res.statusCode, status, JSON.stringify(payload))
      assert.deepEqual(answer.error, { message, err_code: code })
      assert.match(answer.response_id, /^[A-Za-z]{8}$/)
    }
    const get = await consent(app, 'GET', RESUBSCRIBE)
    assert.equal(get.statusCode, 405)
    assert.equal(get.json<{ error: { err_code: string } }>().error.err_code, 'MethodNotAllowed')
    const noType = await consent(app, 'POST', RESUBSCRIBE, body(), { 'content-type': undefined })
    assert.equal(noType.statusCode, 415)
    assert.equal(noType.json<{ error: { err_code: string } }>().error.err_code, 'HeaderMissing')
  })
})

describe('consent authentication, methods and quotas', () => {
  it('requires Basic auth with the Data key and MOE-APPKEY, answered in each page’s shape', async (t) => {
    const app = await consentApp(t, { categories: CATS, users: USERS })
    const url = pageUrl(await linkFor(app, 'ann'))
    const noAuth = await consent(app, 'GET', url, undefined, { authorization: undefined })
    assert.deepEqual(
      [noAuth.statusCode, noAuth.json()],
      [401, { title: 'Authentication required', description: 'No identity information found.' }],
    )
    const noAppKey = await consent(app, 'GET', url, undefined, { 'moe-appkey': undefined })
    assert.deepEqual(
      [noAppKey.statusCode, noAppKey.json()],
      [401, { title: 'Header required', description: 'MOE-APPKEY missing in Header' }],
    )
    const otherAppKey = await consent(app, 'GET', url, undefined, { 'moe-appkey': 'OTHER' })
    assert.deepEqual(
      [otherAppKey.statusCode, otherAppKey.json()],
      [400, { title: 'Internal App Key', description: 'Valid App-Key required to process' }],
    )
    const wrongKey = await consent(
      app,
      'PUT',
      OPT_IN,
      {},
      {
        authorization: basicAuth(WORKSPACE_ID, 'wrong'),
      },
    )
    assert.deepEqual(
      [wrongKey.statusCode, wrongKey.json()],
      [
        401,
        {
          error: {
            code: '401 Unauthorized',
            message: 'Authentication failed',
            details: {
              target: 'Data key',
              message: 'Data API key is wrong. Please provide correct Data API Key as password.',
            },
          },
        },
      ],
    )
    const deleted = await consent(app, 'DELETE', CATEGORIES)
    assert.equal(deleted.statusCode, 405)
    assert.equal(deleted.json<{ title: string }>().title, 'Method Not Allowed')
  })

  it('counts 10 resubscribes a minute; the 11th is a 429 in its envelope, the opt-in 429 has no body', async (t) => {
    const app = await consentApp(t, { users: USERS })
    const payload = { recipients: ['ann@example.com'], esp: 'SENDGRID', request_id: 'r' }
    for (let i = 0; i < 10; i++) {
      assert.equal((await consent(app, 'POST', RESUBSCRIBE, payload)).statusCode, 202)
    }
    const refused = await consent(app, 'POST', RESUBSCRIBE, payload)
    assert.equal(refused.statusCode, 429)
    assert.deepEqual(refused.json<{ error: unknown }>().error, {
      message: 'Rate limit exceeded',
      err_code: 'TooManyRequests',
    })
    app.clock.advance(60_000)
    assert.equal((await consent(app, 'POST', RESUBSCRIBE, payload)).statusCode, 202)
  })
})
