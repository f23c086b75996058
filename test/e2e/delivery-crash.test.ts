/**
 * A SIGKILL during delivery neither loses nor doubles a message (docs/outbox.md "What is
 * guaranteed"): a real `inlet serve` in webhook mode delivers 20 recorded messages to a real
 * receiver on 127.0.0.1 that holds its answers; the process is SIGKILLed while attempts are in
 * flight (the receiver has them, Inlet has not recorded them sent). After a restart on the same
 * data directory every message is delivered — at least once, each attempt under the message's
 * idempotency key — so the receiver, counting by key, has each message exactly once, and the
 * outbox says `sent` for all; the only repeats are of attempts that were in flight at the kill.
 */
import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, it } from 'node:test'
import { startServer, type RunningServer } from '../helpers/server.js'

const ADMIN_TOKEN = 'delivery-crash-admin-token'
const INFORM_KEY = 'delivery-crash-inform-key'
const MESSAGES = 20
const ENV = { INLET_ADMIN_TOKEN: ADMIN_TOKEN, INLET_DELIVERY_LEASE_SECONDS: '2' }

type Message = { id: string; status: string; attempts: number }

async function adminPost(server: RunningServer, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(
    `${server.baseUrl}/inlet/v1/admin/workspaces/${server.workspaceId}${path}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  )
  const text = await res.text()
  assert.equal(res.status, 200, text)
  return JSON.parse(text)
}

async function outbox(server: RunningServer): Promise<Message[]> {
  const res = await server.get('/inlet/v1/outbox?limit=500')
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return (res.body as { messages: Message[] }).messages // the listing's shape
}

describe('SIGKILL during delivery', { timeout: 180_000 }, () => {
  it('delivers every message after a restart, each key counted once by the receiver', async (t) => {
    // The receiver: records every request's idempotency key on arrival; holds its answers while
    // `holding`, so attempts stay in flight until the kill.
    const keys: string[] = []
    const held: ServerResponse[] = []
    let holding = true
    const receiver = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        keys.push(String(req.headers['idempotency-key']))
        if (holding) held.push(res)
        else res.end('ok')
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    t.after(() => {
      receiver.closeAllConnections()
      return new Promise<void>((resolve) => receiver.close(() => resolve()))
    })
    const { port } = receiver.address() as AddressInfo // a TCP listener

    const server = await startServer(t, { env: ENV })
    await adminPost(server, '/keys/inform', { api_key: INFORM_KEY })
    await adminPost(server, '/inform-alerts', {
      alert_id: 'crash-alert',
      reference_name: 'Crash',
      channels: { SMS: { body: 'Code {{code}}' } },
    })
    // Nothing is due while the mode is record: the sends below are recorded first, all of them.
    const inform = `Basic ${Buffer.from(`${server.workspaceId}:${INFORM_KEY}`).toString('base64')}`
    await adminPost(server, '/delivery', {
      mode: 'webhook',
      webhook: { url: `http://127.0.0.1:${port}/hook`, secret: 'crash-test-secret-0123456789' },
    })
    for (let i = 0; i < MESSAGES; i++) {
      const res = await fetch(`${server.baseUrl}/v1.0/alerts/send`, {
        method: 'POST',
        headers: {
          authorization: inform,
          'moe-appkey': server.workspaceId,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          alert_id: 'crash-alert',
          user_id: `user-${i}`,
          transaction_id: `TXN-${i}`,
          payloads: {
            SMS: {
              recipient: `+1555000${String(i).padStart(4, '0')}`,
              personalized_attributes: { code: String(i) },
            },
          },
        }),
      })
      assert.equal(res.status, 200, await res.text())
    }

    // Attempts in flight: the receiver has them, their answers are held. Then the kill.
    const deadline = Date.now() + 30_000
    while (keys.length < 5) {
      assert.ok(Date.now() < deadline, `only ${keys.length} attempts arrived`)
      await delay(20)
    }
    server.kill('SIGKILL')
    assert.deepEqual(await server.waitForExit(), { code: null, signal: 'SIGKILL' })
    const inFlight = new Set(keys)
    holding = false
    for (const res of held) res.end('ok') // to a process that is gone

    const started = Date.now()
    const again = await startServer(t, {
      dataDir: server.dataDir,
      env: ENV,
      credentials: { workspaceId: server.workspaceId, apiKey: server.apiKey },
    })
    // The lease (2 s) runs out, the in-flight attempts are made again; the rest go at once.
    let messages: Message[]
    const until = Date.now() + 60_000
    for (;;) {
      messages = await outbox(again)
      if (messages.length === MESSAGES && messages.every((m) => m.status === 'sent')) break
      assert.ok(Date.now() < until, `not all sent: ${JSON.stringify(messages)}`)
      await delay(100)
    }
    t.diagnostic(`all sent ${Date.now() - started} ms after the restart began`)
    const ids = new Set(messages.map((m) => m.id))
    assert.equal(ids.size, MESSAGES)
    const received = new Set(keys)
    assert.deepEqual([...received].sort(), [...ids].sort(), 'none lost: every key received')
    // At least once: a key arrives twice only when its first attempt was claimed before the kill
    // (the message then shows two attempts), never three times.
    const counts = new Map<string, number>()
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1)
    for (const m of messages) {
      const n = counts.get(m.id) ?? 0
      assert.ok(
        n === 1 || (n === 2 && m.attempts === 2),
        `${m.id}: ${n} arrivals, ${m.attempts} attempts`,
      )
      assert.ok(m.attempts <= 2, `${m.id}: ${m.attempts} attempts`)
      if (inFlight.has(m.id)) assert.equal(m.attempts, 2, `${m.id} was in flight: attempted again`)
    }
    assert.ok(keys.length > MESSAGES, 'the in-flight attempts were made again')
  })
})
