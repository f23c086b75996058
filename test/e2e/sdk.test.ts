/**
 * The client SDK (src/client, `inlet/client`) against a real `inlet serve` over a socket, through a
 * real node:http proxy that records every exchange and injects faults: queued records leave in
 * Bulk Import bodies of at most 100 KB (a record never split, one too big refused before anything
 * is sent); 5xx answers and dropped connections are retried on the spec's policy and the records
 * are then stored once; records that finally fail reach onFailure (or make flush() reject); a
 * body refused by a strict workspace is split down to the record at fault; answers of refusal are
 * typed errors with status, type, message, attribute and request id; a steady stream against a
 * low quota meets no 429; a 429 is waited out as Retry-After says.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  AuthenticationError,
  DataApiClient,
  DeliveryError,
  NetworkError,
  RecordTooLargeError,
  ServerError,
  ValidationError,
  type ClientOptions,
  type DeliveryFailure,
} from '../../src/client/index.js'
import { BULK_BODY_LIMIT_BYTES } from '../../src/core/wire-limits.js'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js'
import { startServer, type RunningServer } from '../helpers/server.js'

const ADMIN_TOKEN = 'sdk-e2e-admin-token'
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Setup = { server: RunningServer; proxy: FaultProxy }

async function setup(t: TestContext): Promise<Setup> {
  const server = await startServer(t, { env: { INLET_ADMIN_TOKEN: ADMIN_TOKEN } })
  const proxy = await startFaultProxy(t, server.baseUrl)
  return { server, proxy }
}

function clientOf(s: Setup, options: ClientOptions = {}): DataApiClient {
  return new DataApiClient(
    { baseUrl: s.proxy.baseUrl },
    s.server.workspaceId,
    s.server.apiKey,
    options,
  )
}

async function admin(s: Setup, body: unknown): Promise<void> {
  const res = await fetch(`${s.server.baseUrl}/inlet/v1/admin/workspaces/${s.server.workspaceId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(res.status, 200, await res.text())
}

const bulkBodies = (p: FaultProxy) =>
  p.exchanges.filter((e) => e.path.startsWith('/v1/transition/'))

/** The customer ids of a Bulk body, in order. */
const idsOf = (body: string): string[] =>
  (JSON.parse(body) as { elements: { customer_id: string }[] }).elements.map((e) => e.customer_id)

/** Waits until the server has applied everything it accepted (Get User reads the profiles). */
async function usersFound(server: RunningServer, ids: readonly string[]): Promise<number> {
  for (let tries = 0; ; tries++) {
    const found = await server.getUsers(ids)
    if (found.size === ids.length || tries > 100) return found.size
    await delay(100)
  }
}

describe('client SDK against a real Inlet', { timeout: 240_000 }, () => {
  it('sends queued records in Bulk bodies of at most 100 KB, never splitting a record', async (t) => {
    const s = await setup(t)
    const delivered: string[] = []
    const client = clientOf(s, {
      flushIntervalMs: 60_000, // only size and flush() send here
      onDelivered: ({ requestId, records }) => {
        assert.match(requestId, /^[A-Za-z]{8}$/)
        delivered.push(...records.map((r) => String(r.customer_id)))
      },
    })
    const ids = Array.from({ length: 1200 }, (_, i) => `sdk-user-${i}`)
    // ~400 bytes a record, of varying size and with multi-byte text: about 5 bodies' worth.
    for (const [i, id] of ids.entries()) {
      await client.trackUser({
        customer_id: id,
        attributes: { note: 'é'.repeat(100 + (i % 90)), n: i },
      })
    }
    await client.trackEvent({ customer_id: 'sdk-user-0', actions: [{ action: 'Signed Up' }] })
    await client.close()

    const bodies = bulkBodies(s.proxy)
    assert.ok(bodies.length >= 5, `${bodies.length} bodies`)
    for (const body of bodies) {
      assert.ok(body.bytes <= BULK_BODY_LIMIT_BYTES, `${body.bytes} bytes`)
      assert.equal(body.status, 200)
    }
    // Every body but the last was cut by size: the next record would not have fitted.
    for (const body of bodies.slice(0, -1)) {
      assert.ok(body.bytes > BULK_BODY_LIMIT_BYTES - 800, `${body.bytes} bytes`)
    }
    const sent = bodies.flatMap((b) => idsOf(b.body))
    assert.deepEqual(sent, [...ids, 'sdk-user-0'], 'each record once, whole, in order')
    assert.deepEqual(delivered, sent)
    assert.equal(await usersFound(s.server, ids.slice(0, 40)), 40)
    // The last body is applied after the first: wait for it too before reading its user.
    assert.equal(await usersFound(s.server, ['sdk-user-1199']), 1)
    const last = await s.server.getUsers(['sdk-user-1199'])
    assert.equal(last.get('sdk-user-1199')?.['n'], 1199)

    // A record too big for any Bulk body is refused before anything is sent.
    const before = s.proxy.exchanges.length
    const late = clientOf(s)
    await assert.rejects(
      late.trackUser({
        customer_id: 'big',
        attributes: { blob: 'x'.repeat(BULK_BODY_LIMIT_BYTES) },
      }),
      (err: unknown) =>
        err instanceof RecordTooLargeError &&
        err.limit === BULK_BODY_LIMIT_BYTES &&
        /does not fit in a Bulk Import body/.test(err.message),
    )
    assert.equal(s.proxy.exchanges.length, before, 'nothing sent')

    // Without flush(), a body leaves once its oldest record has waited flushIntervalMs, and
    // none holds more than maxBatchRecords.
    const timed = clientOf(s, { flushIntervalMs: 300, maxBatchRecords: 4 })
    const queuedAt = Date.now()
    for (const id of ['timed-1', 'timed-2', 'timed-3', 'timed-4', 'timed-5', 'timed-6']) {
      await timed.trackUser({ customer_id: id })
    }
    while (bulkBodies(s.proxy).length < bodies.length + 2) {
      assert.ok(Date.now() - queuedAt < 10_000, 'sent on the interval')
      await delay(20)
    }
    const [byCount, byTime] = bulkBodies(s.proxy).slice(bodies.length)
    assert.deepEqual(idsOf(byCount?.body ?? '{}'), ['timed-1', 'timed-2', 'timed-3', 'timed-4'])
    assert.deepEqual(idsOf(byTime?.body ?? '{}'), ['timed-5', 'timed-6'])
    assert.ok(Date.now() - queuedAt >= 300, 'the last two waited for the interval')
    await Promise.all([late.close(), timed.close()])
  })

  it('retries 5xx answers and dropped connections every 2 s, then stores the records once', async (t) => {
    const s = await setup(t)
    const faults: Record<number, 'drop' | 500 | 503> = { 1: 503, 2: 'drop', 3: 500 }
    s.proxy.fault.of = (n) => {
      const f = faults[n]
      if (f === undefined) return undefined
      if (f === 'drop') return 'drop'
      return {
        status: f,
        body: {
          status: 'fail',
          error: { type: 'Server Error', message: 'injected', request_id: 'injected' },
        },
      }
    }
    const waits: number[] = []
    const client = clientOf(s, {
      random: () => 0.5, // jitter's middle: the policy's exact delay
      sleep: async (ms) => {
        waits.push(ms)
        await delay(5)
      },
    })
    await client.trackUser({ customer_id: 'retried-1', attributes: { a: 1 } })
    await client.trackUser({ customer_id: 'retried-2', attributes: { a: 2 } })
    await client.flush()
    assert.deepEqual(waits, [2000, 2000, 2000], 'spec §4.4: every 2 s')
    const bodies = bulkBodies(s.proxy)
    assert.deepEqual(
      bodies.map((b) => b.status),
      [503, 'dropped', 500, 200],
    )
    assert.ok(
      bodies.every((b) => b.body === bodies[0]?.body),
      'the same body each time',
    )
    assert.equal(await usersFound(s.server, ['retried-1', 'retried-2']), 2)
    const accepted = bodies.at(-1)
    assert.ok(accepted !== undefined)

    // Exponential, with jitter: delayMs × factor^(n−1), spread by ±jitter.
    const expWaits: number[] = []
    s.proxy.fault.of = () => ({ status: 502, body: 'Bad Gateway' })
    const failures: DeliveryFailure[] = []
    const exp = clientOf(s, {
      retry: { retries: 3, delayMs: 100, factor: 2, jitter: 0.5 },
      random: () => 0.9,
      sleep: async (ms) => {
        expWaits.push(ms)
        await delay(1)
      },
      onFailure: (f) => failures.push(f),
    })
    await exp.trackUser({ customer_id: 'never-1' })
    await exp.flush() // resolves: the records went to onFailure
    assert.deepEqual(expWaits, [140, 280, 560])
    assert.equal(failures.length, 1)
    const [failure] = failures
    assert.ok(failure?.error instanceof ServerError)
    assert.equal(failure.error.status, 502)
    assert.equal(failure.error.attempts, 4)
    assert.deepEqual(failure.records, [{ type: 'customer', customer_id: 'never-1' }])

    // Without onFailure, flush() rejects with what failed; nothing is dropped silently.
    s.proxy.fault.of = () => 'drop'
    const quiet = clientOf(s, { retry: { retries: 1, delayMs: 1 } })
    await quiet.trackUser({ customer_id: 'never-2' })
    await assert.rejects(quiet.flush(), (err: unknown) => {
      assert.ok(err instanceof DeliveryError)
      assert.equal(err.failures.length, 1)
      assert.ok(err.failures[0]?.error instanceof NetworkError)
      assert.equal(err.failures[0].error.attempts, 2)
      return true
    })
    await quiet.close() // nothing left: resolves
  })

  it('answers refusals with typed errors, and splits a refused body down to the record at fault', async (t) => {
    const s = await setup(t)
    const client = clientOf(s)
    await assert.rejects(client.sendEvent({ customer_id: 'x', actions: [] }), (err: unknown) => {
      assert.ok(err instanceof ValidationError)
      assert.equal(err.status, 400)
      assert.equal(err.type, 'MissingAttributeError')
      assert.equal(err.attribute, 'actions')
      assert.equal(err.message, 'actions can not be empty Array')
      assert.match(err.requestId ?? '', /^[A-Za-z]{8}$/)
      assert.equal(err.attempts, 1, 'validation errors are not retried')
      return true
    })
    const wrongKey = new DataApiClient({ baseUrl: s.proxy.baseUrl }, s.server.workspaceId, 'wrong')
    await assert.rejects(wrongKey.getUsers({ data: { identifiers: [] } }), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError)
      assert.equal(err.status, 401)
      assert.equal(err.type, 'Authentication required')
      return true
    })
    await assert.rejects(wrongKey.testConnection(), AuthenticationError)
    assert.equal((await client.testConnection()).status, 'success')

    // Every endpoint answers through its typed method.
    assert.equal((await client.sendUser({ customer_id: 'typed-a' })).status, 'success')
    assert.equal((await client.sendUser({ customer_id: 'typed-b' })).status, 'success')
    const event = await client.sendEvent({
      customer_id: 'typed-a',
      actions: [{ action: 'Opened' }],
    })
    assert.equal(event.status, 'success')
    assert.equal(await usersFound(s.server, ['typed-a', 'typed-b']), 2)
    const got = await client.getUsers({
      data: {
        identifiers: [
          { identifier_type: 'customer_id', identifier: 'typed-a' },
          { identifier_type: 'customer_id', identifier: 'nobody' },
        ],
      },
    })
    assert.equal(got.data.users[0]?.user_attributes['customer_id'], 'typed-a')
    assert.deepEqual(got.data.users_not_found, [
      { identifier_type: 'customer_id', identifier: 'nobody' },
    ])
    const report = await client.requestReport(event.request_id)
    assert.equal(report.records[0]?.kind, 'event')
    const device = await client.sendDevice({
      customer_id: 'typed-a',
      device_id: 'dev-1',
      attributes: { platform: 'ANDROID', push_id: 'push-1' },
    })
    assert.equal(device.status, 'success')
    const optOut = await client.deviceOptOut({
      user_identifier_type: 'customer_id',
      user_identifier_value: 'typed-a',
      action_type: 'block',
    })
    assert.equal(optOut.status, 'success')
    const merged = await client.mergeUsers({
      merge_data: [{ merged_user: 'typed-b', retained_user: 'typed-a' }],
    })
    assert.deepEqual([merged.status, merged.operation], ['success', 'created'])
    const deleted = await client.deleteUser({
      identity_type: 'customer_id',
      identity_value: 'typed-a',
    })
    assert.equal(deleted.status, 'success')
    const gdpr = await client.gdprErasure({
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'email', identity_value: 'gone@example.com' }],
      api_version: '1.0',
    })
    assert.match(gdpr.request_id, /^[0-9a-f-]{36}$/)
    assert.equal((await client.gdprStatus(gdpr.request_id)).request_type, 'erasure')
    await assert.rejects(
      client.installInfo({ src: 'partner', appAttributionKey: 'no-such-key' }),
      (err: unknown) => err instanceof AuthenticationError || err instanceof ValidationError,
    )
    await assert.rejects(client.undoMerge(999_999), (err: unknown) => {
      assert.ok(err instanceof ValidationError || (err as { status?: number }).status === 404)
      return true
    })

    // A strict workspace refuses a whole Bulk body for one bad element (spec §7.3): the client
    // splits the body until that record is alone, and reports just it.
    await admin(s, { settings: { bulkStrictElementValidation: true } })
    const failures: DeliveryFailure[] = []
    const strict = clientOf(s, { onFailure: (f) => failures.push(f) })
    const ids = Array.from({ length: 16 }, (_, i) => `strict-${i}`)
    for (const [i, id] of ids.entries()) {
      if (i === 11) await strict.trackEvent({ customer_id: id, actions: [{ action: '' }] })
      else await strict.trackUser({ customer_id: id })
    }
    await strict.close()
    assert.equal(failures.length, 1)
    const [failure] = failures
    assert.deepEqual(failure?.records, [
      { type: 'event', customer_id: 'strict-11', actions: [{ action: '' }] },
    ])
    assert.ok(failure.error instanceof ValidationError)
    assert.equal(failure.error.attribute, 'action')
    const stored = ids.filter((_, i) => i !== 11)
    assert.equal(await usersFound(s.server, stored), 15, 'the other records are stored')
  })

  it('paces a steady stream to a low quota with no 429, and waits out a 429 as Retry-After says', async (t) => {
    const s = await setup(t)
    // Quota windows are the clock's minutes (server and test share the clock): start the run
    // in one with a few seconds left, so that neither the stream nor the 429 straddles a turn.
    const left = 60_000 - (Date.now() % 60_000)
    if (left < 5_000) await delay(left + 200)
    const LIMIT = 60
    await admin(s, { limits: { bulk_users: LIMIT, track_user: 3 } })
    const delivered: string[] = []
    const client = clientOf(s, {
      flushIntervalMs: 50,
      maxBatchRecords: 7,
      onDelivered: ({ records }) => delivered.push(...records.map((r) => String(r.customer_id))),
    })
    const ids = Array.from({ length: LIMIT + 30 }, (_, i) => `paced-${i}`)
    const stream = (async () => {
      for (const id of ids) {
        await client.trackUser({ customer_id: id })
        await delay(15) // a steady stream: ~65 records a second
      }
      await client.close()
    })()

    // Meanwhile, another program spends Track User's quota behind this client's back: its
    // request meets a 429 and waits as long as Retry-After says, once.
    const other = await s.server.post(`/v1/customer/${s.server.workspaceId}`, {
      type: 'customer',
      customer_id: 'other-1',
    })
    assert.equal(other.status, 200)
    for (const n of [2, 3]) {
      const res = await s.server.post(`/v1/customer/${s.server.workspaceId}`, {
        type: 'customer',
        customer_id: `other-${n}`,
      })
      assert.equal(res.status, 200)
    }
    const started = Date.now()
    const answer = await client.sendUser({ customer_id: 'after-429' })
    assert.equal(answer.status, 'success')
    const tracks = s.proxy.exchanges.filter((e) => e.path.startsWith('/v1/customer/'))
    assert.deepEqual(
      tracks.map((e) => e.status),
      [429, 200],
    )
    const retryAfter = Number(tracks[0]?.headers['retry-after'])
    assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`)
    assert.ok(Date.now() - started >= (retryAfter - 1) * 1000, 'waited as Retry-After said')

    await stream
    const bodies = bulkBodies(s.proxy)
    assert.deepEqual(
      bodies.filter((b) => b.status !== 200).map((b) => b.status),
      [],
      'no 429 in the steady stream',
    )
    assert.deepEqual(delivered, ids, 'every record delivered, in order')
    const remaining = bodies.map((b) => Number(b.headers['x-ratelimit-remaining']))
    assert.ok(remaining.includes(0), `the quota was used to the last unit: ${remaining.join(',')}`)
  })
})
