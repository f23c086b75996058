/**
 * Soak (issue 8 §6): mixed traffic against a real Inlet process for a while — Track User, Create
 * Event, Bulk Import, Get User, the request inspector, /healthz, wrong keys and unknown routes —
 * sampling throughput, ingestion lag, resident memory and open file descriptors at fixed
 * intervals, printed as a table. It fails on growth: after a warm-up, RSS, descriptors and lag in
 * the last third of the run must not have grown past the first third's by more than a margin, and
 * every accepted record must be applied (none dead) once the traffic stops.
 *
 * `npm run test:soak -- --minutes N` runs it for N minutes; in `npm run test:stress` (CI) it runs
 * for INLET_SOAK_MINUTES (default 0.75).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseArgs } from 'node:util'
import { basicAuth, startServer, waitForNoLag, type RunningServer } from '../helpers/server.js'
import { shotRequest } from '../helpers/traffic.js'

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { minutes: { type: 'string' } },
  strict: false,
})
const MINUTES = Number(values.minutes ?? process.env['INLET_SOAK_MINUTES'] ?? 0.75)
const DURATION_MS = Math.round(MINUTES * 60_000)
/** About 15 samples in a short run, one every 10 s in a long one. */
const SAMPLE_MS = Math.min(10_000, Math.max(2_000, Math.round(DURATION_MS / 15)))
const CLIENTS = 6

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Sample = { atS: number; rps: number; lag: number; rssMb: number; fds: number }

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return kb === undefined ? 0 : Math.round(Number(kb) / 1024)
}

const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

/** One client: a weighted mix of every kind of request, until `until`. */
async function client(
  server: RunningServer,
  c: number,
  until: number,
  count: { requests: number; failures: Record<string, number> },
): Promise<void> {
  const requestIds: string[] = []
  for (let n = 0; Date.now() < until; n++) {
    const pick = n % 20
    let res: Response
    try {
      if (pick < 12) {
        const kind = (['user', 'event', 'bulk'] as const)[pick % 3] ?? 'user'
        const { path, body } = shotRequest(server.workspaceId, {
          kind,
          customerId: `soak-${c}-${n % 500}`, // a bounded set of users, updated again and again
          counter: n,
        })
        res = await fetch(`${server.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: server.authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        const answer = (await res.json()) as { request_id?: string }
        if (res.status === 200 && answer.request_id !== undefined) {
          requestIds.push(answer.request_id)
          if (requestIds.length > 50) requestIds.shift()
        }
      } else if (pick < 15) {
        res = await fetch(`${server.baseUrl}/v1/customers/export?app_id=${server.workspaceId}`, {
          method: 'POST',
          headers: { authorization: server.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({
            data: {
              identifiers: [{ identifier_type: 'customer_id', identifier: `soak-${c}-${n % 500}` }],
            },
          }),
        })
        await res.text()
      } else if (pick < 17) {
        const id = requestIds[n % Math.max(1, requestIds.length)] ?? 'none'
        res = await fetch(`${server.baseUrl}/inlet/v1/requests/${id}`, {
          headers: { authorization: server.authorization },
        })
        await res.text()
      } else if (pick === 17) {
        res = await fetch(`${server.baseUrl}/healthz`)
        await res.text()
      } else if (pick === 18) {
        res = await fetch(`${server.baseUrl}/v1/customer/${server.workspaceId}`, {
          method: 'POST',
          headers: {
            authorization: basicAuth(server.workspaceId, 'wrong-key'),
            'content-type': 'application/json',
          },
          body: '{"type":"customer","customer_id":"x"}',
        })
        await res.text()
      } else {
        res = await fetch(`${server.baseUrl}/v1/nowhere/${n}`)
        await res.text()
      }
      count.requests++
      if (res.status >= 500)
        count.failures[String(res.status)] = (count.failures[String(res.status)] ?? 0) + 1
    } catch (err) {
      const key = err instanceof Error ? err.message : 'error'
      count.failures[key] = (count.failures[key] ?? 0) + 1
    }
  }
}

describe('soak', { timeout: DURATION_MS + 300_000 }, () => {
  it(`mixed traffic for ${MINUTES} min: no growth in RSS, descriptors or lag`, async (t) => {
    const server = await startServer(t, {
      env: { INLET_RATE_LIMITS: 'off', INLET_AUTH_FAILURES_PER_MINUTE: '0' },
    })
    const pid = server.process.pid ?? 0
    const count = { requests: 0, failures: {} as Record<string, number> }
    const started = Date.now()
    const until = started + DURATION_MS
    const clients = Promise.all(
      Array.from({ length: CLIENTS }, (_, c) => client(server, c, until, count)),
    )
    const samples: Sample[] = []
    let lastCount = 0
    let lastAt = started
    while (Date.now() < until) {
      await delay(Math.min(SAMPLE_MS, Math.max(0, until - Date.now())))
      const now = Date.now()
      const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as {
        lag: { records: number }
      }
      samples.push({
        atS: Math.round((now - started) / 1000),
        rps: Math.round(((count.requests - lastCount) * 1000) / Math.max(1, now - lastAt)),
        lag: health.lag.records,
        rssMb: rssMb(pid),
        fds: fdCount(pid),
      })
      lastCount = count.requests
      lastAt = now
    }
    await clients
    await waitForNoLag(server, 180_000)
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as {
      processor: { dead: number }
    }

    const table = [
      '| t (s) | requests/s | lag (records) | RSS (MB) | open fds |',
      '| ----: | ---------: | ------------: | -------: | -------: |',
      ...samples.map((s) => `| ${s.atS} | ${s.rps} | ${s.lag} | ${s.rssMb} | ${s.fds} |`),
    ].join('\n')
    process.stdout.write(`${table}\n`)
    // After a warm-up fifth, the first and the last third of the samples are compared.
    const warm = samples.slice(Math.floor(samples.length / 5))
    const third = Math.max(1, Math.floor(warm.length / 3))
    const first = warm.slice(0, third)
    const last = warm.slice(-third)
    const figures = {
      minutes: MINUTES,
      requests: count.requests,
      requestsPerSecond: Math.round(count.requests / (DURATION_MS / 1000)),
      failures: count.failures,
      rssMb: { first: median(first.map((s) => s.rssMb)), last: median(last.map((s) => s.rssMb)) },
      fds: {
        first: Math.max(...first.map((s) => s.fds)),
        last: Math.max(...last.map((s) => s.fds)),
      },
      lag: { first: median(first.map((s) => s.lag)), last: median(last.map((s) => s.lag)) },
      dead: health.processor.dead,
    }
    process.stdout.write(`soak-figures ${JSON.stringify(figures)}\n`)
    t.diagnostic(JSON.stringify(figures))

    assert.ok(samples.length >= 3, `enough samples: ${samples.length}`)
    assert.deepEqual(count.failures, {}, 'no 5xx and no failed connection')
    assert.equal(health.processor.dead, 0, 'no record died')
    assert.ok(
      figures.rssMb.last <= figures.rssMb.first * 1.25 + 40,
      `RSS grew: ${JSON.stringify(figures.rssMb)}`,
    )
    assert.ok(
      figures.fds.last <= figures.fds.first + 16,
      `fds grew: ${JSON.stringify(figures.fds)}`,
    )
    assert.ok(
      figures.lag.last <= Math.max(2_000, figures.lag.first * 2),
      `lag grew: ${JSON.stringify(figures.lag)}`,
    )
  })
})
