/**
 * Graceful shutdown on the real process: on SIGTERM Inlet stops accepting, lets the requests it is
 * serving finish with their 200, exits 0, and every record it acknowledged is applied after a
 * restart; SIGINT does the same. "In flight" is made exact with `Expect: 100-continue`: the server
 * has the request (headers read, gateway passed) when the client sees the 100, and its body is
 * sent only after the server has logged that it is shutting down.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { describe, it } from 'node:test'
import {
  assertProbesApplied,
  probes,
  restartAfterExit,
  sendAll,
  startServer,
  type RunningServer,
} from '../helpers/server.js'

/** Generous: the default INLET_SHUTDOWN_TIMEOUT_MS is 10 s, and the machine may be busy. */
const EXIT_TIMEOUT_MS = 20_000

/** How a process that shut down gracefully exits. */
const STOPPED = { code: 0, signal: null } as const

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitForOutput(server: RunningServer, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!pattern.test(server.stdout())) {
    if (Date.now() > deadline) {
      throw new Error(`never printed ${String(pattern)}\n${server.stdout()}\n${server.stderr()}`)
    }
    await delay(10)
  }
}

/**
 * POSTs `body` with `Expect: 100-continue`; `onContinue` runs when the server has taken the
 * request, and the body follows once the promise it returns resolves.
 */
function postAfterContinue(
  server: RunningServer,
  path: string,
  body: unknown,
  onContinue: () => Promise<void>,
): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(`${server.baseUrl}${path}`, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: server.authorization,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        expect: '100-continue',
      },
    })
    req.on('continue', () => {
      onContinue().then(
        () => req.end(payload),
        (err: unknown) => {
          req.destroy()
          reject(err instanceof Error ? err : new Error(String(err)))
        },
      )
    })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown })
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      })
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

describe('graceful shutdown', { timeout: 240_000 }, () => {
  it('finishes a request in flight at SIGTERM with its 200, exits 0, and applies it after a restart', async (t) => {
    const server = await startServer(t)
    const ws = server.workspaceId
    const answer = await postAfterContinue(
      server,
      `/v1/customer/${ws}`,
      { type: 'customer', customer_id: 'in-flight', attributes: { counter: 7 } },
      async () => {
        server.kill('SIGTERM')
        await waitForOutput(server, /"msg":"shutting down"/)
      },
    )
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.equal((answer.body as { status?: unknown }).status, 'success')

    const again = await restartAfterExit(t, server, STOPPED, EXIT_TIMEOUT_MS)
    assert.match(server.stdout(), /"msg":"inlet stopped"/)
    const requestId = String((answer.body as { request_id?: unknown }).request_id)
    await assertProbesApplied(again, [
      {
        probe: {
          kind: 'user',
          customerId: 'in-flight',
          counter: 7,
          path: `/v1/customer/${ws}`,
          body: {},
        },
        status: 200,
        requestId,
      },
    ])
  })

  it('answers a burst cut by SIGTERM with 200s or clean refusals, and applies every 200', async (t) => {
    const server = await startServer(t)
    const list = probes(server.workspaceId, 'term', { users: 120, events: 60 })
    let signalled = false
    const sent = await sendAll(server, list, (_settled, s) => {
      if (s.status === 200 && !signalled) {
        signalled = true
        server.kill('SIGTERM')
      }
    })
    for (const s of sent) {
      // 503: arrived after shutdown began; 'error': connection refused or closed while idle.
      assert.ok(
        s.status === 200 || s.status === 503 || s.status === 'error',
        `${s.probe.customerId}: ${s.status}`,
      )
    }
    assert.ok(sent.some((s) => s.status === 200))
    const again = await restartAfterExit(t, server, STOPPED, EXIT_TIMEOUT_MS)
    await assertProbesApplied(again, sent)
  })

  it('stops cleanly on SIGINT and keeps what it acknowledged', async (t) => {
    const server = await startServer(t)
    const list = probes(server.workspaceId, 'int', { users: 20, events: 10 })
    const sent = await sendAll(server, list)
    assert.ok(sent.every((s) => s.status === 200))
    server.kill('SIGINT')
    const again = await restartAfterExit(t, server, STOPPED, EXIT_TIMEOUT_MS)
    assert.match(server.stdout(), /"signal":"SIGINT"/)
    assert.match(server.stdout(), /"msg":"inlet stopped"/)
    await assertProbesApplied(again, sent)
  })
})
