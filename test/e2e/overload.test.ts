/**
 * Overload and hostile clients (issue 8 §2). In-process: past INLET_SHED_LAG_RECORDS or
 * INLET_SHED_RSS_MB, Data API requests answer 503 `overloaded` with Retry-After in the MoEngage
 * envelope, and are accepted again once the bound is met. On a real process over raw sockets:
 * slowloris (headers dribbled), a slow body, oversized headers and bodies streamed past the limit
 * (chunked, or with a huge Content-Length) are cut off — answered and their connection closed —
 * within bounds set by the configuration, long before the client would have finished. Timing
 * bounds are generous (the machine is shared); nothing here measures throughput. The RSS bound
 * under 10× the sustainable rate is shown by test/stress/overload.stress.ts.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import type { InjectOptions } from 'fastify'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../helpers/app.js'
import { startServer, type RunningServer } from '../helpers/server.js'

const user = (n: number) => JSON.stringify({ type: 'customer', customer_id: `shed-${n}` })

describe('load shedding', () => {
  it('answers 503 overloaded with Retry-After while the ingestion lag is past its bound', async (t) => {
    // The test app's processor runs only on drain(), so every accepted record adds to the lag.
    const app = await createTestApp(t, {
      INLET_SHED_LAG_RECORDS: '3',
      INLET_SHED_RETRY_AFTER_SECONDS: '7',
    })
    const url = `/v1/customer/${WORKSPACE_ID}`
    /** The lag of the shedder's last sample, which requests are judged by (GET /healthz). */
    const sampled = async (): Promise<number> => {
      const health = await app.app.inject({ method: 'GET', url: '/healthz' })
      return health.json<{ shedding: { lag_records: number } }>().shedding.lag_records
    }
    /**
     * A request judged on a fresh sample: the clock moves past the sampling interval, the first
     * request starts the sample (not awaited by it), and once /healthz shows the sample's lag —
     * `lag` records, or one more if the first request's own record was counted — the next
     * request is judged by it. No sleep: each sample below differs from the one before by more
     * than one (but the first, taken at lag 0, where nothing was sampled before: 0 either way).
     */
    const send = async (n: number, lag: number) => {
      app.clock.advance(1_000)
      await app.post(url, user(-n)) // takes the sample (and may itself be shed)
      const deadline = Date.now() + 10_000
      for (;;) {
        const seen = await sampled()
        if (seen === lag || seen === lag + 1) break
        assert.ok(Date.now() < deadline, `the sample never showed lag ${lag} (it shows ${seen})`)
        await new Promise((r) => setImmediate(r))
      }
      return app.post(url, user(n))
    }
    for (let n = 0; n < 2; n++) {
      const res = await send(n, n * 2)
      assert.equal(res.statusCode, 200, `lag ${n * 2} is within the bound: ${res.body}`)
    }
    const shed = await send(3, 4) // 4 records accepted: past the bound of 3
    assert.equal(shed.statusCode, 503, shed.body)
    assert.equal(shed.headers['retry-after'], '7')
    assert.deepEqual(shed.json(), {
      status: 'fail',
      error: {
        message: 'The server is shutting down or overloaded. Please retry.',
        type: 'Service Unavailable',
        request_id: shed.json<{ error: { request_id: string } }>().error.request_id,
      },
    })
    const health = await app.app.inject({ method: 'GET', url: '/healthz' })
    assert.equal(health.json<{ shedding: { active: boolean } }>().shedding.active, true)
    // The request inspector is shed too while overloaded: ask the log itself.
    const shedId = shed.json<{ error: { request_id: string } }>().error.request_id
    const logged = await app.store.log.recordsOfRequest(WORKSPACE_ID, shedId)
    assert.deepEqual(logged, [], 'nothing of a shed request was accepted')
    await app.drain()
    const again = await send(4, 0)
    assert.equal(again.statusCode, 200, `accepted again once the lag is back: ${again.body}`)
  })

  it('answers 503 overloaded while resident memory is past its bound; 0 turns a bound off', async (t) => {
    const tight = await createTestApp(t, { INLET_SHED_RSS_MB: '1', INLET_SHED_LAG_RECORDS: '0' })
    const res = await tight.post(`/v1/customer/${WORKSPACE_ID}`, user(1))
    assert.equal(res.statusCode, 503, 'any process is above 1 MiB')
    assert.equal(res.json<{ status: string }>().status, 'fail')
    const off = await createTestApp(t, { INLET_SHED_RSS_MB: '0', INLET_SHED_LAG_RECORDS: '0' })
    assert.equal((await off.post(`/v1/customer/${WORKSPACE_ID}`, user(2))).statusCode, 200)
  })

  it('sheds Install info, Test connection and Inlet’s own endpoints like the Data API; not /healthz or the admin API', async (t) => {
    const admin = 'overload-admin-token-1'
    const app = await createTestApp(t, {
      INLET_SHED_RSS_MB: '1', // any process is above 1 MiB: every covered request is shed
      INLET_SHED_LAG_RECORDS: '0',
      INLET_SHED_RETRY_AFTER_SECONDS: '9',
      INLET_ADMIN_TOKEN: admin,
    })
    const auth = { authorization: app.headers['authorization'] ?? '' }
    const covered: (InjectOptions & { url: string })[] = [
      {
        method: 'POST',
        url: `/v1/customer/${WORKSPACE_ID}`,
        headers: app.headers,
        payload: user(1),
      },
      {
        method: 'GET',
        url: `/v1/installInfo?appId=${WORKSPACE_ID}&appAttributionKey=k&src=appsflyer`,
      },
      {
        method: 'POST',
        url: '/v1/integrations/authentication',
        headers: { 'content-type': 'application/json', 'moe-appkey': WORKSPACE_ID },
        payload: { app_id: WORKSPACE_ID, app_secret: API_KEY, source: 's', region: 'r' },
      },
      { method: 'GET', url: '/inlet/v1/requests/abcdefgh', headers: auth },
      { method: 'GET', url: '/inlet/v1/gdpr/6f1c2d3e-0000-4000-8000-000000000000', headers: auth },
      { method: 'POST', url: '/inlet/v1/merges/1/undo', headers: auth },
    ]
    const answers: Record<string, string> = {}
    const expected: Record<string, string> = {}
    for (const request of covered) {
      const res = await app.app.inject(request)
      const key = `${request.method} ${request.url}`
      const { type } = res.json<{ error?: { type: string } }>().error ?? {}
      answers[key] = `${res.statusCode} ${type} retry-after ${res.headers['retry-after']}`
      expected[key] = '503 Service Unavailable retry-after 9'
    }
    assert.deepEqual(answers, expected)
    // What an operator needs to see and act during overload still answers.
    const health = await app.app.inject({ method: 'GET', url: '/healthz' })
    assert.equal(health.statusCode, 200, health.body)
    const list = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/admin/workspaces',
      headers: { authorization: `Bearer ${admin}` },
    })
    assert.equal(list.statusCode, 200, list.body)
  })
})

type RawResult = { response: string; closedAfterMs: number; bytesSent: number }

/**
 * Opens a socket, sends `head` and then calls `feed` every `everyMs` (until it returns
 * undefined, the server answers or closes, or `giveUpMs` passes); resolves with what came back
 * and when the server closed the connection.
 */
function rawExchange(
  server: RunningServer,
  head: string,
  feed: (i: number) => string | Buffer | undefined,
  everyMs: number,
  giveUpMs: number,
): Promise<RawResult> {
  const { hostname, port } = new URL(server.baseUrl)
  return new Promise((resolve, reject) => {
    const started = Date.now()
    let response = ''
    let bytesSent = 0
    let timer: NodeJS.Timeout | undefined
    const socket: Socket = connect({ host: hostname, port: Number(port) })
    const giveUp = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms: ${response}`))
    }, giveUpMs)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (response += chunk))
    socket.on('error', () => undefined) // a reset is a close too
    socket.on('close', () => {
      clearTimeout(giveUp)
      clearInterval(timer)
      resolve({ response, closedAfterMs: Date.now() - started, bytesSent })
    })
    socket.on('connect', () => {
      socket.write(head)
      bytesSent += head.length
      let i = 0
      timer = setInterval(() => {
        if (socket.destroyed || socket.writableEnded) return clearInterval(timer)
        const next = feed(i++)
        if (next === undefined) return clearInterval(timer)
        if (!socket.write(next)) return // back-pressure: the server stopped reading
        bytesSent += next.length
      }, everyMs)
    })
  })
}

describe('slow and oversized clients on a real process', { timeout: 240_000 }, () => {
  const auth = basicAuth(WORKSPACE_ID, API_KEY)
  const start = (t: Parameters<typeof startServer>[0]) =>
    startServer(t, {
      env: {
        INLET_WORKSPACE_ID: WORKSPACE_ID,
        INLET_DATA_API_KEY: API_KEY,
        INLET_HEADERS_TIMEOUT_MS: '2000',
        INLET_REQUEST_TIMEOUT_MS: '4000',
        INLET_MAX_HEADER_BYTES: '8192',
      },
    })
  const path = `/v1/customer/${WORKSPACE_ID}`

  it('cuts off slowloris, a slow body, oversized headers and bodies streamed past the limit', async (t) => {
    const server = await start(t)

    // Slowloris: a header line every 300 ms, forever. Cut after the 2 s headers timeout.
    const loris = await rawExchange(
      server,
      `POST ${path} HTTP/1.1\r\nHost: x\r\n`,
      (i) => `X-Slow-${i}: a\r\n`,
      300,
      30_000,
    )
    assert.ok(loris.closedAfterMs >= 1_500, `not cut before its time: ${loris.closedAfterMs} ms`)
    assert.match(loris.response, /^HTTP\/1\.1 408/, `slowloris: ${loris.response}`)

    // A slow body: whole headers, then one byte every 300 ms of a 10 KB body. Cut after 4 s.
    const slow = await rawExchange(
      server,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
      () => ' ',
      300,
      30_000,
    )
    assert.ok(slow.bytesSent < 1_000, `cut long before the body was sent (${slow.bytesSent} B)`)
    assert.match(slow.response, /^HTTP\/1\.1 408/, `slow body: ${slow.response}`)

    // Oversized headers: one 20 KB header against the 8 KB limit. Answered 431 at once.
    const big = await rawExchange(
      server,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      () => undefined,
      100,
      30_000,
    )
    assert.match(
      big.response,
      /^HTTP\/1\.1 431/,
      `oversized headers: ${big.response.slice(0, 200)}`,
    )

    // A chunked body streamed without end past the 128 KB limit: 413 envelope, then closed.
    const chunk = Buffer.from(`4000\r\n${'a'.repeat(0x4000)}\r\n`)
    const streamed = await rawExchange(
      server,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      (i) => (i < 100_000 ? chunk : undefined), // 1.6 GB if nobody stopped it
      1,
      60_000,
    )
    assert.match(
      streamed.response,
      /^HTTP\/1\.1 413/,
      `streamed: ${streamed.response.slice(0, 300)}`,
    )
    assert.match(streamed.response, /"type":"Payload too large"/)
    assert.ok(
      streamed.bytesSent < 64 * 1024 * 1024,
      `cut off after ${streamed.bytesSent} bytes, not the whole stream`,
    )

    // A huge declared Content-Length: refused before the body is read.
    const declared = await rawExchange(
      server,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{',
      () => 'a'.repeat(1_000),
      5,
      60_000,
    )
    assert.match(
      declared.response,
      /^HTTP\/1\.1 413/,
      `declared: ${declared.response.slice(0, 300)}`,
    )
    assert.ok(declared.bytesSent < 10_000_000, `${declared.bytesSent} bytes sent before the cut`)

    t.diagnostic(
      `slow-client-figures ${JSON.stringify({
        slowlorisCutMs: loris.closedAfterMs,
        slowBodyCutMs: slow.closedAfterMs,
        streamedBytesBeforeCut: streamed.bytesSent,
        streamedCutMs: streamed.closedAfterMs,
        declaredBytesBeforeCut: declared.bytesSent,
      })}`,
    )
    // And the server is still serving.
    const ok = await server.post(path, { type: 'customer', customer_id: 'after-abuse' })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
  })
})
