/**
 * Issue acceptance on the real process: `inlet serve` on a fresh data directory prints a workspace's
 * credentials; with them Track User, Create Event, Track Device and a Bulk Import of all three
 * element kinds answer the §4.1 success envelope, and Get User reads the users back within one
 * second. Also: `INLET_WORKSPACE_ID` + `INLET_DATA_API_KEY` create exactly that workspace, unknown
 * routes answer a JSON 404, and `GET /healthz` serves without credentials.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startServer, waitForNoLag, type ApiResponse } from '../helpers/server.js'

const ACCEPTED = 'Your request has been accepted and will be processed soon.'

/** The §4.1 success envelope with an 8-letter request id; returns the id. */
function assertAccepted(res: ApiResponse, what: string): string {
  assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`)
  const body = res.body as Record<string, unknown> // checked just below
  assert.deepEqual(Object.keys(body).sort(), ['message', 'request_id', 'status'], what)
  assert.equal(body['status'], 'success', what)
  assert.equal(body['message'], ACCEPTED, what)
  assert.match(String(body['request_id']), /^[A-Za-z]{8}$/, what)
  return String(body['request_id'])
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('inlet serve (acceptance)', { timeout: 180_000 }, () => {
  it('accepts all four ingest endpoints with the printed credentials and Get User reads them back within 1 s', async (t) => {
    const server = await startServer(t)
    assert.match(server.workspaceId, /^[A-Z0-9]{20}$/)
    assert.match(server.apiKey, /^\S{8,}$/)
    assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    const ws = server.workspaceId

    const user = assertAccepted(
      await server.post(`/v1/customer/${ws}`, {
        type: 'customer',
        customer_id: 'ada',
        attributes: { first_name: 'Ada', points: 20, plan: 'gold' },
      }),
      'Track User',
    )
    const event = assertAccepted(
      await server.post(`/v1/event/${ws}`, {
        type: 'event',
        customer_id: 'ada',
        actions: [{ action: 'Added to Cart', attributes: { sku: 'A1' }, platform: 'web' }],
      }),
      'Create Event',
    )
    const device = assertAccepted(
      await server.post(`/v1/device/${ws}`, {
        type: 'device',
        customer_id: 'ada',
        device_id: 'ada-phone',
        attributes: { platform: 'ANDROID', push_id: 'push-ada' },
      }),
      'Track Device',
    )
    const bulk = assertAccepted(
      await server.post(`/v1/transition/${ws}`, {
        type: 'transition',
        elements: [
          {
            type: 'customer',
            customer_id: 'grace',
            attributes: { email: 'grace@example.com', level: 3 },
          },
          {
            type: 'event',
            customer_id: 'grace',
            actions: [{ action: 'Signed Up', attributes: { source: 'bulk' } }],
          },
          {
            type: 'device',
            customer_id: 'grace',
            device_id: 'grace-phone',
            attributes: { platform: 'iOS', push_id: 'push-grace' },
          },
          {
            type: 'event',
            customer_id: 'linus',
            actions: [{ action: 'Opened App' }],
          },
        ],
      }),
      'Bulk Import',
    )
    const lastAck = Date.now()

    // Get User, polled: every attribute sent must be readable within one second of the last 200.
    let users = new Map<string, Record<string, unknown>>()
    const wanted = (): boolean =>
      users.get('ada')?.['first_name'] === 'Ada' &&
      users.get('ada')?.['points'] === 20 &&
      users.get('ada')?.['plan'] === 'gold' &&
      users.get('grace')?.['email'] === 'grace@example.com' &&
      users.get('grace')?.['level'] === 3 &&
      users.has('linus')
    for (;;) {
      users = await server.getUsers(['ada', 'grace', 'linus'])
      if (wanted() || Date.now() - lastAck > 5_000) break
      await delay(20)
    }
    const tookMs = Date.now() - lastAck
    assert.ok(wanted(), `Get User found ${JSON.stringify([...users])}`)
    assert.ok(tookMs <= 1_000, `Get User found the users ${tookMs} ms after the last 200`)

    // Get User's own envelope (spec §7.6), with one identifier that matches nobody.
    const res = await server.post(`/v1/customers/export?app_id=${ws}`, {
      data: {
        identifiers: [
          { identifier_type: 'customer_id', identifier: 'ada' },
          { identifier_type: 'customer_id', identifier: 'nobody' },
        ],
      },
    })
    assert.equal(res.status, 200)
    const exported = res.body as {
      status: string
      type: string
      data: { users_not_found: unknown[]; users: { user_attributes: Record<string, unknown> }[] }
    } // the §7.6 shape, asserted field by field
    assert.equal(exported.status, 'success')
    assert.equal(exported.type, 'export_users')
    assert.deepEqual(exported.data.users_not_found, [
      { identifier_type: 'customer_id', identifier: 'nobody' },
    ])
    assert.equal(exported.data.users.length, 1)
    assert.equal(exported.data.users[0]?.user_attributes['customer_id'], 'ada')
    assert.equal(typeof exported.data.users[0]?.user_attributes['id'], 'string')

    // Every record of every request was applied, none skipped: the device found its user.
    await waitForNoLag(server)
    const expected: [string, string, number][] = [
      ['Track User', user, 1],
      ['Create Event', event, 1],
      ['Track Device', device, 1],
      ['Bulk Import', bulk, 4],
    ]
    for (const [what, requestId, records] of expected) {
      const report = await server.inspect(requestId)
      assert.deepEqual(
        report.summary,
        { pending: 0, applied: records, skipped: 0, dead: 0 },
        `${what}: ${JSON.stringify(report.records)}`,
      )
      assert.equal(report.records.length, records, what)
    }
    const bulkReport = await server.inspect(bulk)
    assert.deepEqual(
      bulkReport.records.map((r) => [r.index, r.kind, r.customer_id]),
      [
        [0, 'customer', 'grace'],
        [1, 'event', 'grace'],
        [2, 'device', 'grace'],
        [3, 'event', 'linus'],
      ],
    )
  })

  it('creates exactly the workspace named by INLET_WORKSPACE_ID and INLET_DATA_API_KEY', async (t) => {
    const id = 'EXISTINGMOENGAGEAPP1'
    const key = 'existing-integration-key-42'
    const env = { INLET_WORKSPACE_ID: id, INLET_DATA_API_KEY: key }
    const server = await startServer(t, { env })
    assert.equal(server.workspaceId, id, 'the workspace is the one from the environment')
    // The key from the environment is never printed: the output says where it came from.
    assert.match(
      server.stdout(),
      new RegExp(`Created workspace ${id}; it uses the Data API key given in INLET_DATA_API_KEY`),
    )
    assert.ok(!server.stdout().includes(key), `the key is not printed:\n${server.stdout()}`)
    assertAccepted(
      await server.post(`/v1/customer/${id}`, {
        type: 'customer',
        customer_id: 'kept',
        attributes: { first_name: 'Kept' },
      }),
      'Track User with the environment credentials',
    )
    const wrongKey = await fetch(`${server.baseUrl}/v1/customer/${id}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:not-the-key-123`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'customer', customer_id: 'x', attributes: {} }),
    })
    assert.equal(wrongKey.status, 401)

    // A second start on the same data directory keeps the workspace and creates nothing.
    server.kill('SIGTERM')
    assert.equal((await server.waitForExit()).code, 0)
    const again = await startServer(t, { dataDir: server.dataDir, env })
    assert.doesNotMatch(again.stdout(), /Created a workspace/)
    await waitForNoLag(again)
    const users = await again.getUsers(['kept'])
    assert.equal(users.get('kept')?.['first_name'], 'Kept')
  })

  it('answers unknown routes with a JSON 404 and serves GET /healthz without credentials', async (t) => {
    const server = await startServer(t)
    for (const [method, path] of [
      ['GET', '/no/such/route'],
      ['POST', '/v1/nothing-here'],
    ] as const) {
      const res = await fetch(`${server.baseUrl}${path}`, { method })
      assert.equal(res.status, 404, `${method} ${path}`)
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
      const body = (await res.json()) as { status?: unknown; error?: Record<string, unknown> }
      assert.equal(body.status, 'fail')
      assert.equal(typeof body.error?.['message'], 'string')
      assert.equal(typeof body.error?.['type'], 'string')
    }

    const health = await fetch(`${server.baseUrl}/healthz`)
    assert.equal(health.status, 200)
    assert.match(health.headers.get('content-type') ?? '', /^application\/json/)
    const body = (await health.json()) as { status: string; lag: { records: number } }
    assert.equal(body.status, 'ok')
    assert.equal(typeof body.lag.records, 'number')
  })
})
