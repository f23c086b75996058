import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import { SMTPServer } from 'smtp-server'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ADMIN_TOKEN, admin } from '../../test/helpers/admin.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../../test/helpers/app.js'
import { GDPR } from '../../test/helpers/data-api.js'
import {
  ADMIN_BASE,
  DEMO_ALERT,
  INFORM_KEY,
  defineAlert,
  informApp,
  send,
} from '../../test/helpers/inform.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { OutboxMessageRow } from '../store/store.js'
import { FIRST_RETRY_MS } from './backoff.js'
import { SIGNATURE_TOLERANCE_SECONDS, signWebhook, verifyWebhook } from './webhook.js'
import { STOP_GRACE_MS } from './worker.js'

const SECRET = 'whsec_test_secret_0123456789'

type Received = { headers: IncomingHttpHeaders; body: string }

/** A real HTTP receiver on 127.0.0.1 answering each request with the next of `statuses` (then 200). */
async function receiver(t: TestContext, statuses: number[] = []) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = statuses.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections() // the worker's keep-alive connections
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo // a TCP listener
  return { url: `http://127.0.0.1:${port}/inlet-hook`, received }
}

/** A real receiver on 127.0.0.1 that never answers its first `held` requests, and answers the rest. */
async function holdingReceiver(t: TestContext, held: number) {
  const arrived: string[] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      arrived.push(req.url ?? '')
      if (arrived.length > held) res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo // a TCP listener
  return { url: `http://127.0.0.1:${port}/hook`, arrived }
}

async function setDelivery(app: TestApp, body: unknown) {
  const res = await admin(app, 'POST', `${ADMIN_BASE}/delivery`, body)
  assert.equal(res.statusCode, 200, res.body)
  return res.json<{ delivery: Record<string, unknown>; webhook_secret?: string }>()
}

let txn = 0
async function sendAlert(app: TestApp, userId: string, channels: Record<string, unknown>) {
  const res = await send(app, {
    alert_id: '636b77e6e2cf83277195fb60',
    user_id: userId,
    transaction_id: `TXN-${++txn}`,
    payloads: channels,
  })
  assert.equal(res.statusCode, 200, res.body)
}

const messages = async (app: TestApp): Promise<OutboxMessageRow[]> =>
  (await app.store.outbox.list(WORKSPACE_ID, {}, 100)).reverse()

describe('delivery: webhook', () => {
  it('POSTs each message signed, with its idempotency key, and records it sent', async (t) => {
    const app = await informApp(t)
    const hook = await receiver(t)
    const set = await setDelivery(app, {
      mode: 'webhook',
      webhook: { url: hook.url, secret: SECRET },
    })
    assert.deepEqual(set.delivery, {
      mode: 'webhook',
      webhook: { url: hook.url, secret_set: true },
    })
    assert.equal(set.webhook_secret, undefined, 'a secret given is never echoed')
    await sendAlert(app, 'ann', {
      SMS: { recipient: '+15550001' },
      EMAIL: { recipient: 'ann@shop.test' },
    })
    const recorded = await messages(app)
    assert.deepEqual(
      recorded.map((m) => [m.channel, m.status, m.dueAt, m.attempts]),
      [
        ['SMS', 'recorded', app.clock.now(), 0],
        ['EMAIL', 'recorded', app.clock.now(), 0],
      ],
    )
    const lastRev = await app.store.outbox.lastRev(WORKSPACE_ID)
    app.clock.advance(1_000)
    assert.equal(await app.delivery.runOnce(), 2)
    assert.equal(hook.received.length, 2)
    for (const r of hook.received) {
      const body = JSON.parse(r.body) as Record<string, unknown>
      const message = recorded.find((m) => m.id === body['id'])
      assert.ok(message !== undefined, 'the body is the message')
      assert.equal(r.headers['idempotency-key'], message.id)
      assert.equal(r.headers['inlet-message-id'], message.id)
      assert.equal(r.headers['content-type'], 'application/json')
      const timestamp = Number(r.headers['inlet-timestamp'])
      assert.equal(timestamp, Math.floor(app.clock.now() / 1000))
      assert.equal(r.headers['inlet-signature'], signWebhook(SECRET, timestamp, r.body))
      const headers = {
        signature: r.headers['inlet-signature'],
        timestamp: String(timestamp),
      }
      assert.equal(verifyWebhook(SECRET, headers, r.body, timestamp + 10), true)
      assert.equal(verifyWebhook('another-secret-000000', headers, r.body, timestamp), false)
      assert.equal(verifyWebhook(SECRET, headers, `${r.body} `, timestamp), false, 'altered')
      assert.equal(
        verifyWebhook(SECRET, headers, r.body, timestamp + SIGNATURE_TOLERANCE_SECONDS + 1),
        false,
        'a replay after the tolerance',
      )
      assert.deepEqual(
        [body['channel'], body['recipient'], body['body'], body['attempt'], body['user_id']],
        [message.channel, message.recipient, message.body, 1, 'ann'],
      )
    }
    const tail = await app.store.outbox.after(WORKSPACE_ID, lastRev, 10)
    assert.deepEqual(
      tail.map((m) => [m.channel, m.status, m.attempts, m.dueAt, m.updatedAt]),
      [
        ['SMS', 'sent', 1, null, app.clock.now()],
        ['EMAIL', 'sent', 1, null, app.clock.now()],
      ],
      'the status changes are on the tail',
    )
    assert.equal(await app.delivery.runOnce(), 0, 'nothing left')
  })

  it('retries 5xx and timeouts with backoff, fails on a 4xx and after the last attempt', async (t) => {
    const app = await informApp(t, { env: { INLET_DELIVERY_MAX_ATTEMPTS: '3' } })
    const hook = await receiver(t, [503, 200, 410, 500, 502, 503])
    await setDelivery(app, { mode: 'webhook', webhook: { url: hook.url, secret: SECRET } })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    await app.delivery.runOnce()
    let [m] = await messages(app)
    assert.deepEqual(
      [m?.status, m?.attempts, m?.reason],
      ['recorded', 1, 'webhook answered HTTP 503 (attempt 1 of 3)'],
    )
    const wait = (m?.dueAt ?? 0) - app.clock.now()
    assert.ok(wait >= FIRST_RETRY_MS / 2 && wait <= FIRST_RETRY_MS, `backoff ${wait}`)
    assert.equal(await app.delivery.runOnce(), 0, 'not before its time')
    app.clock.advance(wait)
    assert.equal(await app.delivery.runOnce(), 1)
    ;[m] = await messages(app)
    assert.deepEqual([m?.status, m?.attempts, m?.reason], ['sent', 2, null])

    await sendAlert(app, 'bob', { SMS: { recipient: '+15550002' } })
    await app.delivery.runOnce()
    let gone = (await messages(app)).at(-1)
    assert.deepEqual(
      [gone?.status, gone?.attempts, gone?.reason, gone?.dueAt],
      ['failed', 1, 'webhook answered HTTP 410 (attempt 1 of 3)', null],
    )

    await sendAlert(app, 'cid', { SMS: { recipient: '+15550003' } })
    for (let i = 0; i < 3; i++) {
      assert.equal(await app.delivery.runOnce(), 1)
      app.clock.advance(3_600_000)
    }
    gone = (await messages(app)).at(-1)
    assert.deepEqual(
      [gone?.status, gone?.attempts, gone?.reason],
      ['failed', 3, 'webhook answered HTTP 503 (attempt 3 of 3, the last)'],
    )
    assert.equal(hook.received.length, 6)
  })

  it('retries a receiver that is not there', async (t) => {
    const app = await informApp(t)
    // A port nothing listens on: a closed server's.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    await setDelivery(app, {
      mode: 'webhook',
      webhook: { url: `http://127.0.0.1:${port}/`, secret: SECRET },
    })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    await app.delivery.runOnce()
    const [m] = await messages(app)
    assert.equal(m?.status, 'recorded')
    assert.match(m?.reason ?? '', /^webhook: fetch failed: .*ECONNREFUSED.* \(attempt 1 of 10\)$/)
    assert.ok((m?.dueAt ?? 0) > app.clock.now())
  })

  it('stops within its budget: an attempt in flight is aborted and tried again later', async (t) => {
    const app = await informApp(t)
    // A receiver that reads the request and never answers.
    const { url, arrived } = await holdingReceiver(t, Number.POSITIVE_INFINITY)
    await setDelivery(app, { mode: 'webhook', webhook: { url, secret: SECRET } })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    app.delivery.start()
    while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const started = performance.now()
    await app.delivery.stop(200)
    const took = performance.now() - started
    assert.ok(took >= 150 && took < 200 + STOP_GRACE_MS + 500, `stop took ${took} ms`)
    const [m] = await messages(app)
    assert.deepEqual(
      [m?.status, m?.attempts, m?.reason],
      ['recorded', 1, 'webhook: Inlet is shutting down (attempt 1 of 10)'],
    )
    assert.ok((m?.dueAt ?? 0) > app.clock.now(), 'tried again later')
  })

  it('keeps delivering while one attempt hangs: a slow receiver holds one slot, not the queue', async (t) => {
    const app = await informApp(t)
    // A receiver that never answers the first request, and answers every later one.
    const { url, arrived } = await holdingReceiver(t, 1)
    await setDelivery(app, { mode: 'webhook', webhook: { url, secret: SECRET } })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    app.delivery.start()
    t.after(() => app.delivery.stop(100))
    const until = Date.now() + 10_000
    while (arrived.length === 0) {
      assert.ok(Date.now() < until, 'the first attempt never arrived')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    // Ann's attempt hangs; Bob's and Cy's, recorded after it started, are delivered meanwhile.
    await sendAlert(app, 'bob', { SMS: { recipient: '+15550002' } })
    await sendAlert(app, 'cy', { SMS: { recipient: '+15550003' } })
    for (;;) {
      const byUser = new Map((await messages(app)).map((m) => [m.customerId, m.status]))
      if (byUser.get('bob') === 'sent' && byUser.get('cy') === 'sent') {
        assert.equal(byUser.get('ann'), 'recorded', "ann's attempt is still in flight")
        break
      }
      assert.ok(
        Date.now() < until,
        `not delivered past the hung attempt: ${JSON.stringify([...byUser])}`,
      )
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal(arrived.length, 3)
  })

  it('keeps a retry across a restart: another process on the store makes it when due', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-delivery-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const fileStore = () => createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    // One server secret for both processes, as INLET_SECRET_KEY or the data directory's file.
    const env = {
      INLET_ADMIN_TOKEN: ADMIN_TOKEN,
      INLET_SECRET_KEY: 'delivery-test-server-secret-0123456789abcdef',
    }
    const first = await createTestApp(t, env, { store: fileStore() })
    const key = await admin(first, 'POST', `${ADMIN_BASE}/keys/inform`, { api_key: INFORM_KEY })
    assert.equal(key.statusCode, 200, key.body)
    await defineAlert(first, DEMO_ALERT)
    const hook = await receiver(t, [503])
    await setDelivery(first, { mode: 'webhook', webhook: { url: hook.url, secret: SECRET } })
    await sendAlert(first, 'ann', { SMS: { recipient: '+15550001' } })
    assert.equal(await first.delivery.runOnce(), 1)
    const [failedOnce] = await messages(first)
    assert.deepEqual([failedOnce?.status, failedOnce?.attempts], ['recorded', 1])
    await first.app.close()

    const second = await createTestApp(t, env, { store: fileStore() })
    assert.equal(await second.delivery.runOnce(), 0, 'not due yet')
    second.clock.advance((failedOnce?.dueAt ?? 0) - second.clock.now())
    assert.equal(await second.delivery.runOnce(), 1)
    const [delivered] = await messages(second)
    assert.deepEqual([delivered?.status, delivered?.attempts], ['sent', 2])
    assert.deepEqual(
      hook.received.map((r) => r.headers['idempotency-key']),
      [failedOnce?.id, failedOnce?.id],
      'the same key on both attempts',
    )
  })

  it('generates a secret when none is given, answers it once and keeps it', async (t) => {
    const app = await informApp(t)
    const first = await setDelivery(app, {
      mode: 'webhook',
      webhook: { url: 'https://hooks.test/a' },
    })
    assert.match(first.webhook_secret ?? '', /^whsec_[A-Za-z0-9_-]{43}$/)
    const again = await setDelivery(app, {
      mode: 'webhook',
      webhook: { url: 'https://hooks.test/b' },
    })
    assert.equal(again.webhook_secret, undefined, 'kept, not answered again')
    const read = await admin(app, 'GET', `${ADMIN_BASE}/delivery`)
    assert.deepEqual(read.json(), {
      status: 'success',
      workspace_id: WORKSPACE_ID,
      delivery: { mode: 'webhook', webhook: { url: 'https://hooks.test/b', secret_set: true } },
    })
    assert.doesNotMatch(read.body, /whsec_/)
    const workspace = await admin(app, 'GET', `/inlet/v1/admin/workspaces/${WORKSPACE_ID}`)
    assert.doesNotMatch(workspace.body, /sealed|whsec_/, 'the workspace view shows no secret')
  })

  it('refuses a delivery body that is not one, naming the field', async (t) => {
    const app = await informApp(t)
    const cases: [unknown, string][] = [
      [{ mode: 'pigeon' }, 'mode'],
      [{ mode: 'webhook' }, 'webhook'],
      [{ mode: 'webhook', webhook: { url: 'ftp://x' } }, 'webhook.url'],
      [{ mode: 'webhook', webhook: { url: 'https://x.test', secret: 'short' } }, 'webhook.secret'],
      [{ mode: 'webhook', webhook: { url: 'https://x.test', extra: 1 } }, 'webhook.extra'],
      [{ mode: 'smtp', smtp: { port: 25 } }, 'smtp.host'],
      [{ mode: 'smtp', smtp: { host: 'mx', port: 70000 } }, 'smtp.port'],
      [{ mode: 'smtp', smtp: { host: 'mx', from: 'nobody' } }, 'smtp.from'],
      [{ mode: 'record', webhook: {} }, 'webhook'],
      [{ mode: 'record', colour: 'red' }, 'colour'],
    ]
    for (const [body, attribute] of cases) {
      const res = await admin(app, 'POST', `${ADMIN_BASE}/delivery`, body)
      assert.equal(res.statusCode, 400, JSON.stringify(body))
      assert.equal(res.json<{ error: { attribute: string } }>().error.attribute, attribute)
    }
    const unknown = await admin(app, 'GET', '/inlet/v1/admin/workspaces/NOSUCHWS/delivery')
    assert.equal(unknown.statusCode, 404)
  })

  it('delivers nothing in record mode, and keeps what was due when the mode turns to record', async (t) => {
    const app = await informApp(t)
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    assert.equal((await messages(app))[0]?.dueAt, null)
    assert.equal(await app.delivery.runOnce(), 0)
    await setDelivery(app, {
      mode: 'webhook',
      webhook: { url: 'http://127.0.0.1:9/', secret: SECRET },
    })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    await setDelivery(app, { mode: 'record' })
    assert.equal(await app.delivery.runOnce(), 1)
    const kept = (await messages(app)).at(-1)
    assert.deepEqual(
      [kept?.status, kept?.dueAt, kept?.reason],
      ['recorded', null, "not delivered: the workspace's delivery mode is now record"],
    )
  })

  it("redacts an erased user's messages and never delivers the pending ones", async (t) => {
    const app = await informApp(t)
    const hook = await receiver(t)
    await setDelivery(app, { mode: 'webhook', webhook: { url: hook.url, secret: SECRET } })
    await sendAlert(app, 'erin', { SMS: { recipient: '+15550007' } })
    await app.delivery.runOnce()
    await sendAlert(app, 'erin', { EMAIL: { recipient: 'erin@shop.test' } })
    await sendAlert(app, 'ann', { SMS: { recipient: '+15550001' } })
    await app.drain() // the system events make erin a user
    const res = await app.post(GDPR, {
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'ID', identity_value: 'erin' }],
      api_version: '1.0',
    })
    assert.equal(res.statusCode, 200, res.body)
    const requestId = res.json<{ request_id: string }>().request_id
    await app.drain()
    assert.equal(await app.delivery.runOnce(), 1, "only ann's message")
    assert.equal(hook.received.length, 2)
    assert.doesNotMatch(hook.received[1]?.body ?? '', /erin/)
    const [sent, pending, other] = await messages(app)
    for (const m of [sent, pending]) {
      assert.deepEqual(
        [m?.recipient, m?.subject, m?.body, m?.payload, m?.customerId],
        ['', null, '', { erased_by_gdpr_request: requestId }, 'erin'],
      )
    }
    assert.deepEqual([sent?.status, sent?.channel, sent?.attempts], ['sent', 'SMS', 1])
    assert.deepEqual(
      [pending?.status, pending?.channel, pending?.reason],
      ['suppressed', 'EMAIL', `erased by GDPR request ${requestId} before delivery (spec §7.12)`],
    )
    assert.equal(other?.status, 'sent')
    const listed = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/outbox?user_id=erin',
      headers: app.headers,
    })
    assert.deepEqual(
      listed
        .json<{ messages: { erased_by_gdpr_request: string }[] }>()
        .messages.map((m) => m.erased_by_gdpr_request),
      [requestId, requestId],
    )
    // The erasure's report counts them.
    const report = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/gdpr/${requestId}`,
      headers: app.headers,
    })
    assert.equal(report.statusCode, 200, report.body)
    assert.equal(report.json<{ erased: { outbox_messages: number } }>().erased.outbox_messages, 2)
  })
})

describe('delivery: smtp', () => {
  /** A real SMTP server on 127.0.0.1 (smtp-server), refusing RCPT for `refuse@…` with 550. */
  async function smtpSink(t: TestContext) {
    const mails: { from: string; to: string[]; raw: string }[] = []
    const logins: string[] = []
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username ?? ''}:${auth.password ?? ''}`)
        callback(null, { user: auth.username })
      },
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('refuse@')) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })
          return callback(err)
        }
        callback()
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.server.address() as AddressInfo // a TCP listener
    return { port, mails, logins }
  }

  it('hands EMAIL messages to the SMTP server with the Message-ID of their key', async (t) => {
    const app = await informApp(t)
    const sink = await smtpSink(t)
    const set = await setDelivery(app, {
      mode: 'smtp',
      smtp: { host: '127.0.0.1', port: sink.port, secure: false, user: 'inlet', password: 'pw-1' },
    })
    assert.deepEqual(set.delivery, {
      mode: 'smtp',
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        user: 'inlet',
        password_set: true,
        from: 'inlet@localhost',
      },
    })
    await sendAlert(app, 'ann', {
      SMS: { recipient: '+15550001', personalized_attributes: { firstname: 'Ann' } },
      EMAIL: { recipient: 'ann@shop.test', personalized_attributes: { firstname: 'Ann' } },
    })
    const [sms, email] = await messages(app)
    assert.equal(sms?.dueAt, null, 'SMTP delivers e-mail only: the SMS stays recorded')
    assert.equal(await app.delivery.runOnce(), 1)
    assert.equal(sink.mails.length, 1, JSON.stringify(await messages(app)))
    assert.deepEqual(sink.logins, ['inlet:pw-1'], 'the password opened from its seal')
    const mail = sink.mails[0]!
    assert.equal(mail.from, 'orders@shop.test', "the alert's sender")
    assert.deepEqual(mail.to, ['ann@shop.test'])
    assert.match(mail.raw, new RegExp(`^Message-ID: <${email!.id}@inlet>\\r?$`, 'mi'))
    assert.match(mail.raw, new RegExp(`^Idempotency-Key: ${email!.id}\\r?$`, 'mi'))
    assert.match(mail.raw, /^Subject: Your order \r?$/m)
    assert.match(mail.raw, /^From: Shop <orders@shop\.test>\r?$/m)
    assert.match(mail.raw, /<p>Hi Ann<\/p>/)
    const [, delivered] = await messages(app)
    assert.deepEqual([delivered?.status, delivered?.attempts], ['sent', 1])
  })

  it('fails a message the server refuses for good (5xx)', async (t) => {
    const app = await informApp(t)
    const sink = await smtpSink(t)
    await setDelivery(app, { mode: 'smtp', smtp: { host: '127.0.0.1', port: sink.port } })
    await sendAlert(app, 'ann', { EMAIL: { recipient: 'refuse@shop.test' } })
    await app.delivery.runOnce()
    const [m] = await messages(app)
    assert.equal(m?.status, 'failed')
    assert.match(m?.reason ?? '', /^smtp: .*550.*\(attempt 1 of 10\)$/)
    assert.equal(sink.mails.length, 0)
  })
})
