/**
 * The raw ingest path against Fastify's routes, over real sockets: two Inlets on their own SQLite
 * directories, one with INLET_RAW_INGEST on and one with it off, are sent the same requests, and
 * every answer must be the same — status, each header in order, body (request ids, dates and
 * quota reset times aside) — while the raw path answers exactly the requests of its shape. Then
 * the records each logged and the refusals each counted must match too.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { createServer, type Server } from 'node:http'
import { systemClock } from '../../core/clock.js'
import { loadConfig } from '../../core/config.js'
import { createIdGenerator } from '../../core/ids.js'
import { createMemoryLogger } from '../../core/log.js'
import { createGovernance } from '../../governance/governance.js'
import { createAuthFailureLimiter } from '../../http/auth-failures.js'
import { createLoadShedder } from '../../http/load-shedding.js'
import type { RefusalCounter } from '../../http/refusals.js'
import type { Ingest } from '../../ingest/accept.js'
import { startInlet, type Inlet } from '../../server/server.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { createWorkspaces } from '../../workspaces/workspaces.js'
import { createRawIngest } from './raw-ingest.js'

const WORKSPACE = 'RAWINGESTWORKSPACE01'
const KEY = 'raw-ingest-data-key-1'
const AUTH = `Basic ${Buffer.from(`${WORKSPACE}:${KEY}`).toString('base64')}`
const JSON_TYPE = 'application/json'

type Sent = Readonly<{
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Omit the Authorization and Content-Type headers this test adds by default. */
  bare?: boolean
}>

type Answer = Readonly<{ status: number; headers: string[]; body: string }>

async function startPair(t: TestContext, env: Record<string, string> = {}) {
  const start = async (raw: 'on' | 'off'): Promise<Inlet> => {
    const dir = mkdtempSync(join(tmpdir(), `inlet-raw-${raw}-`))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const config = loadConfig({
      INLET_DATA_DIR: dir,
      PORT: '0',
      INLET_WORKSPACE_ID: WORKSPACE,
      INLET_DATA_API_KEY: KEY,
      INLET_PROCESSOR: 'off',
      INLET_LOG_LEVEL: 'silent',
      INLET_RAW_INGEST: raw,
      ...env,
    })
    const inlet = await startInlet(config, { log: createMemoryLogger() })
    t.after(() => inlet.close())
    return inlet
  }
  return { raw: await start('on'), fastify: await start('off') }
}

function send(inlet: Inlet, sent: Sent): Promise<Answer> {
  const url = new URL(sent.path, inlet.url)
  const body = sent.body ?? ''
  const headers: Record<string, string | number> = sent.bare
    ? {}
    : { authorization: AUTH, 'content-type': JSON_TYPE }
  Object.assign(headers, sent.headers)
  if (sent.method !== 'GET' && headers['content-length'] === undefined) {
    headers['content-length'] = Buffer.byteLength(body)
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: sent.method ?? 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(sent.method === 'GET' ? undefined : body)
  })
}

/** An answer with what differs between two servers by nature (ids, dates, reset times) masked. */
function masked(answer: Answer): Answer {
  const headers = answer.headers.map((value, i) => {
    const name = (answer.headers[i - 1] ?? '').toLowerCase()
    if (i % 2 === 0) return value
    if (name === 'date' || name === 'x-ratelimit-reset' || name === 'retry-after') return '*'
    return value
  })
  const body = answer.body.replace(/"request_id":"[^"]*"/g, '"request_id":"*"')
  return { status: answer.status, headers, body }
}

/** Sends `sent` to both, asserts the same answer, and whether the raw path answered it. */
async function both(
  pair: Readonly<{ raw: Inlet; fastify: Inlet }>,
  sent: Sent,
  rawAnswers: boolean,
): Promise<Answer> {
  const stats = pair.raw.app.rawRoutes
  const before = { ...stats }
  const viaRaw = await send(pair.raw, sent)
  const viaFastify = await send(pair.fastify, sent)
  const label = `${sent.method ?? 'POST'} ${sent.path} ${String(sent.body ?? '').slice(0, 60)}`
  assert.deepEqual(masked(viaRaw), masked(viaFastify), label)
  assert.equal(stats.offered - before.offered, 1, label)
  assert.equal(stats.passed - before.passed, rawAnswers ? 0 : 1, `${label}: answered by raw`)
  return viaRaw
}

const event = (customer: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    type: 'event',
    customer_id: customer,
    actions: [{ action: 'Viewed', attributes: { page: 'home' } }],
    ...extra,
  })

describe('raw ingest path', () => {
  it('answers as Fastify does, request by request, and logs the same records', async (t) => {
    const pair = await startPair(t)
    const ev = `/v1/event/${WORKSPACE}`
    const cases: [Sent, boolean][] = [
      // Accepted, on each of the three endpoints.
      [{ path: ev, body: event('u-1') }, true],
      [
        {
          path: `/v1/customer/${WORKSPACE}`,
          body: JSON.stringify({ type: 'customer', customer_id: 'u-1', attributes: { a: 1 } }),
        },
        true,
      ],
      [
        {
          path: `/v1/device/${WORKSPACE}`,
          body: JSON.stringify({
            type: 'device',
            customer_id: 'u-1',
            device_id: 'd-1',
            attributes: { platform: 'ANDROID' },
          }),
        },
        true,
      ],
      [{ path: ev, body: event('u-2'), headers: { 'moe-appkey': WORKSPACE } }, true],
      [{ path: ev, body: event('u-2'), headers: { 'content-type': 'application/json; charset=utf-8' } }, true],
      // The body's own failures (json-body.ts), then validation (with the quota's headers).
      [{ path: ev, body: '{"type":"event",' }, true],
      [{ path: ev, body: '[1, 2]' }, true],
      [{ path: ev, body: '   ' }, true],
      [{ path: ev, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }, true],
      [{ path: ev, body: `${'['.repeat(300)}${']'.repeat(300)}` }, true],
      [{ path: ev, body: event('u-\\u0000') }, true],
      [{ path: ev, body: event(undefined) }, true],
      [{ path: ev, body: event(42) }, true],
      // Counted as its three records (quotas.ts recordsOfBody).
      [
        {
          path: ev,
          body: JSON.stringify({
            type: 'event',
            customer_id: 'u-6',
            actions: [{ action: 'A' }, {}, { action: 'C' }],
          }),
        },
        true,
      ],
      [{ path: ev, body: JSON.stringify({ type: 'customer', customer_id: 'u-3' }) }, true],
      [{ path: `/v1/customer/${WORKSPACE}`, body: JSON.stringify({ type: 'customer' }) }, true],
      [{ path: `/v1/device/${WORKSPACE}`, body: JSON.stringify({ type: 'device' }) }, true],
      // Everything the gateway refuses goes to Fastify with its body unread.
      [{ path: ev, body: event('u-4'), headers: { authorization: 'Basic d3Jvbmc6a2V5' } }, false],
      [{ path: ev, body: event('u-4'), bare: true, headers: { 'content-type': JSON_TYPE } }, false],
      [
        {
          path: ev,
          body: event('u-4'),
          headers: {
            authorization: `Basic ${Buffer.from(`${WORKSPACE}:not-the-key`).toString('base64')}`,
          },
        },
        false,
      ],
      [{ path: ev, body: event('u-4'), headers: { 'content-type': 'text/plain' } }, false],
      [{ path: ev, body: event('u-4'), headers: { 'moe-appkey': 'SOMEONEELSE' } }, false],
      [{ path: '/v1/event/OTHERWORKSPACE00001', body: event('u-4') }, false],
      // Shapes the raw path leaves to Fastify.
      [{ path: `${ev}?app_id=${WORKSPACE}`, body: event('u-5') }, false],
      [{ path: `${ev}/`, body: event('u-5') }, false],
      [{ path: ev, body: event('u-5'), headers: { 'idempotency-key': 'key-0001' } }, false],
      [{ path: ev, body: 'x'.repeat(200 * 1024) }, false],
      [{ path: ev, body: '', headers: { 'content-length': '0' } }, false],
      [{ path: ev, method: 'GET' }, false],
      [{ path: `/v1/transition/${WORKSPACE}`, body: JSON.stringify({ type: 'transition', elements: [] }) }, false],
      [{ path: '/v1/event/%52AW', body: event('u-5') }, false],
    ]
    const accepted: string[] = []
    for (const [sent, raw] of cases) {
      const answer = await both(pair, sent, raw)
      if (answer.status === 200) {
        accepted.push((JSON.parse(answer.body) as { request_id: string }).request_id)
      }
    }
    assert.equal(accepted.length, 7, 'the accepted requests: five by the raw path, two by Fastify')

    // What each logged: the same records, in the same order, but for the request ids.
    const logged = async (inlet: Inlet) => {
      await inlet.ingest.flushed()
      const records = await inlet.store.log.readAfter(0, 1_000)
      return records.map((r) => ({ kind: r.kind, index: r.index, payload: r.payload }))
    }
    assert.deepEqual(await logged(pair.raw), await logged(pair.fastify))
    const first = await pair.raw.store.log.recordsOfRequest(WORKSPACE, accepted[0] ?? '')
    assert.equal(first.length, 1, 'the raw path logs its records under the id it answered')

    // The refused records each counted for the dashboard (http/refusals.ts).
    const refused = async (inlet: Inlet) => {
      await inlet.refusals.flush()
      const minutes = await inlet.store.refusals.since(WORKSPACE, 0)
      const byApi = new Map<string, number>()
      for (const m of minutes) byApi.set(m.api, (byApi.get(m.api) ?? 0) + m.records)
      return Object.fromEntries([...byApi].sort())
    }
    const counts = await refused(pair.raw)
    assert.deepEqual(counts, await refused(pair.fastify))
    assert.ok((counts['event'] ?? 0) >= 11, JSON.stringify(counts))
  })

  it('answers a spent quota, and a workspace that is not serving, as Fastify does', async (t) => {
    const pair = await startPair(t)
    const ev = `/v1/event/${WORKSPACE}`
    for (const inlet of [pair.raw, pair.fastify]) {
      const workspace = await inlet.store.workspaces.get(WORKSPACE)
      await inlet.store.workspaces.update(WORKSPACE, {
        settings: { ...workspace?.settings, quotas: { create_event: 2 } },
        updatedAt: Date.now(),
      })
    }
    const twoActions = JSON.stringify({
      type: 'event',
      customer_id: 'u-1',
      actions: [{ action: 'A' }, { action: 'B' }],
    })
    await both(pair, { path: ev, body: event('u-1') }, true)
    // One unit left: two actions are refused (429, Retry-After), none taken.
    const refused = await both(pair, { path: ev, body: twoActions }, true)
    assert.equal(refused.status, 429)
    await both(pair, { path: ev, body: event('u-1') }, true)
    // Spent: refused before the body is validated (spec §4.5).
    const spent = await both(pair, { path: ev, body: event(undefined) }, true)
    assert.equal(spent.status, 429)

    for (const inlet of [pair.raw, pair.fastify]) {
      await inlet.store.workspaces.update(WORKSPACE, { state: 'suspended', updatedAt: Date.now() })
    }
    const suspended = await both(pair, { path: ev, body: event('u-1') }, false)
    assert.equal(suspended.status, 403)
  })

  it('sheds as Fastify does, before the gateway', async (t) => {
    // Any process is over a 1 MB RSS bound: every request is shed (503 overloaded).
    const pair = await startPair(t, { INLET_SHED_RSS_MB: '1', INLET_SHED_LAG_RECORDS: '0' })
    const shed = await both(pair, { path: `/v1/event/${WORKSPACE}`, body: event('u-1') }, true)
    assert.equal(shed.status, 503)
    await both(pair, { path: `/v1/event/${WORKSPACE}`, body: event('u-1'), bare: true }, true)
  })

  it('answers a failure of its own parts with a 500 (or a closed connection), logged, and keeps serving', async (t) => {
    const store = createSqliteStore({ dir: ':memory:', durability: 'os' })
    t.after(() => store.close())
    const ids = createIdGenerator()
    await createWorkspaces({ store, clock: systemClock, ids }).create({
      id: WORKSPACE,
      key: KEY,
      name: 'raw',
    })
    const log = createMemoryLogger()
    // The parts the path calls, failing where a bug would: a commit that throws a plain Error
    // for customer `u-bug`, and a refusal counter that throws.
    const ingest: Ingest = {
      bulkRows: true,
      accept: (_ctx, records) =>
        records.some((r) => r.customerId === 'u-bug')
          ? Promise.reject(new TypeError('a bug in ingest'))
          : Promise.resolve(),
      acceptBulkRow: () => Promise.resolve(),
      flushed: () => Promise.resolve(),
      stats: () => ({ batches: 0, records: 0 }),
    }
    const refusals: RefusalCounter = {
      add: () => {
        throw new Error('a bug in the refusal counter')
      },
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }
    const raw = createRawIngest({
      config: loadConfig({}),
      ids,
      log,
      gateway: { store, isClosing: () => false },
      authFailures: createAuthFailureLimiter({ perMinute: 0, blockSeconds: 1 }),
      shedder: createLoadShedder({ lagRecords: 0, rssMb: 0, retryAfterSeconds: 1, lag: () => Promise.resolve(0) }),
      refusals,
      ingest,
      governance: createGovernance({ clock: systemClock, enabled: false }),
    })
    const server: Server = createServer((req, res) =>
      raw(req, res, () => {
        res.writeHead(418)
        res.end()
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const address = server.address()
    const url = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : ''
    const target = { url } as Inlet
    const ev = `/v1/event/${WORKSPACE}`

    const bug = await send(target, { path: ev, body: event('u-bug') })
    assert.equal(bug.status, 500)
    assert.equal((JSON.parse(bug.body) as { error: { type: string } }).error.type, 'Server Error')
    assert.ok(log.lines.some((l) => l.includes('a bug in ingest')), 'logged with its cause')

    // The refusal counter throws after the answer went out: the client has its 400, the
    // connection is closed, the bug is logged.
    const refused = await send(target, { path: ev, body: '{' }).catch((err: unknown) => err)
    assert.ok(!(refused instanceof Error) || /socket hang up|ECONNRESET/.test(refused.message))
    assert.ok(log.lines.some((l) => l.includes('a bug in the refusal counter')))

    const fine = await send(target, { path: ev, body: event('u-1') })
    assert.equal(fine.status, 200, 'still serving')
    const other = await send(target, { path: `${ev}?x=1`, body: event('u-1') })
    assert.equal(other.status, 418, 'another shape goes to next')
  })

  it('hands every request to Fastify when INLET_RAW_INGEST is off', async (t) => {
    const pair = await startPair(t)
    const stats = pair.fastify.app.rawRoutes
    const answer = await send(pair.fastify, { path: `/v1/event/${WORKSPACE}`, body: event('u-1') })
    assert.equal(answer.status, 200)
    assert.deepEqual(stats, { offered: 0, passed: 0 }, 'no raw route is installed')
  })
})
