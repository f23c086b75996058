/**
 * Keys never reach the log (issue 8 §5): a real Inlet process at INLET_LOG_LEVEL=debug serves
 * successes and failures of every kind that carries a secret — right and wrong Data API keys in
 * Basic auth, keys in a Test connection body, a good and a bad admin token, keys created and
 * rotated through the admin API, an address blocked for failed authentications — and stops; its
 * whole output (the start-up text and every log line on stdout, and stderr) is then searched for
 * each secret, raw, base64-encoded and as the Authorization header that carried it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { basicAuth, startServer } from '../helpers/server.js'

const WORKSPACE = 'LOGSECRETS0000000001'
const KEY = 'log-secret-data-key-0123456789'
const ADMIN_TOKEN = 'log-secret-admin-token-abcdef'
const WRONG = ['log-secret-wrong-guess-1', 'log-secret-wrong-guess-2', `${KEY}x`]

describe('secrets in log output', { timeout: 120_000 }, () => {
  it('logs no key, token or Authorization header across successes and failures', async (t) => {
    const server = await startServer(t, {
      env: {
        INLET_LOG_LEVEL: 'debug',
        INLET_WORKSPACE_ID: WORKSPACE,
        INLET_DATA_API_KEY: KEY,
        INLET_ADMIN_TOKEN: ADMIN_TOKEN,
        INLET_AUTH_FAILURES_PER_MINUTE: '5',
      },
    })
    const url = (path: string): string => `${server.baseUrl}${path}`
    const json = { 'content-type': 'application/json' }
    const post = async (path: string, headers: Record<string, string>, body: unknown) => {
      const res = await fetch(url(path), { method: 'POST', headers, body: JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
    const user = { type: 'customer', customer_id: 'logged', attributes: { a: 1 } }

    // Successes.
    assert.equal(
      (
        await post(
          `/v1/customer/${WORKSPACE}`,
          { ...json, authorization: basicAuth(WORKSPACE, KEY) },
          user,
        )
      ).status,
      200,
    )
    const tc = await post(
      '/v1/integrations/authentication',
      { ...json, 'moe-appkey': WORKSPACE },
      { app_id: WORKSPACE, app_secret: KEY, source: 'test', region: 'dc' },
    )
    assert.equal(tc.status, 200, JSON.stringify(tc.body))
    const admin = { ...json, authorization: `Bearer ${ADMIN_TOKEN}` }
    const created = await post('/inlet/v1/admin/workspaces', admin, { name: 'Logged' })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const createdKey = String(created.body['data_api_key'])
    const rotated = await post(`/inlet/v1/admin/workspaces/${WORKSPACE}/rotate-key`, admin, {
      data_api_key: 'log-secret-rotated-key-999',
      grace_seconds: 600,
    })
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body))

    // Failures: wrong keys, keys in the wrong place, bad admin tokens, then a blocked address.
    for (const wrong of WRONG) {
      const r = await post(
        `/v1/customer/${WORKSPACE}`,
        { ...json, authorization: basicAuth(WORKSPACE, wrong) },
        user,
      )
      assert.equal(r.status, 401)
    }
    assert.equal(
      (
        await post(
          '/v1/integrations/authentication',
          { ...json, 'moe-appkey': WORKSPACE },
          { app_id: WORKSPACE, app_secret: WRONG[0], source: 's', region: 'r' },
        )
      ).status,
      401,
    )
    assert.equal(
      (
        await post(
          '/inlet/v1/admin/workspaces',
          { ...json, authorization: `Bearer ${WRONG[1]}` },
          {},
        )
      ).status,
      401,
    )
    assert.equal(
      (await post(`/v1/customer/${WORKSPACE}`, { ...json, authorization: `Basic ${KEY}` }, user))
        .status,
      401,
    )
    const blocked = await post(
      `/v1/customer/${WORKSPACE}`,
      { ...json, authorization: basicAuth(WORKSPACE, 'log-secret-rotated-key-999') },
      user,
    )
    assert.equal(blocked.status, 429, `the address is blocked: ${JSON.stringify(blocked.body)}`)

    server.kill('SIGTERM')
    assert.equal((await server.waitForExit()).code, 0)
    const logLines = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
    assert.ok(logLines.length >= 3, `the server logged: ${server.stdout()}`)
    assert.ok(logLines.some((l) => l.includes('"level":"debug"') || l.includes('"level":"info"')))
    // Everything it wrote: the log lines and the start-up text, which names the workspace created
    // from INLET_DATA_API_KEY without printing that key.
    const output = [server.stdout(), server.stderr()].join('\n')
    const secrets = [KEY, ADMIN_TOKEN, createdKey, 'log-secret-rotated-key-999', ...WRONG]
    for (const secret of secrets) {
      for (const form of [
        secret,
        Buffer.from(secret).toString('base64'),
        basicAuth(WORKSPACE, secret),
      ]) {
        assert.ok(!output.includes(form), `the log holds a secret (${form.slice(0, 6)}…)`)
      }
    }
    assert.doesNotMatch(output, /log-secret/, 'no fragment of any secret either')
    assert.doesNotMatch(output, /authorization/i, 'no Authorization header is logged')
  })
})
