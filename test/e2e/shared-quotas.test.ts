/**
 * Shared quotas across processes (issue 5 item 3, spec §5.1): two real `inlet serve` processes on
 * one store — a throwaway PostgreSQL, then one SQLite data directory — serve one workspace with a
 * small per-minute Track User quota; clients hammer both at once. The combined number of accepted
 * records is within 5% of the limit and never above it (the documented bound: the store never
 * grants past the limit), what was refused stored nothing, and every 429 carries the documented
 * body and headers.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import pg from 'pg'
import { startPostgres } from '../helpers/postgres.js'
import { startServer, tempDir, type RunningServer } from '../helpers/server.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

const WORKSPACE = 'SHAREDQUOTAS0001'
const KEY = 'shared-quotas-key-0001'
const TOKEN = 'admin-token-shared-quotas-01'
const LIMIT = 300
const CLIENTS_PER_SERVER = 8
/** Each client stops after this many 429s in a row, or after MAX_REQUESTS requests. */
const STOP_AFTER_REFUSALS = 5
const MAX_REQUESTS = 200

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts in a fresh minute when less than 20 s of this one are left, so one window holds the run. */
async function freshWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < 20_000) await delay(left + 200)
}

type Tally = { accepted: number; refused: number; byServer: number[] }

function assertRefusal(res: { status: number; headers: Headers; body: unknown }): void {
  const body = res.body as { status: string; error: Record<string, unknown> }
  assert.deepEqual(body, {
    status: 'fail',
    error: {
      message: 'Rate Limits for User / Event exceeded',
      type: 'Rate Limit Exceeded',
      request_id: body.error['request_id'],
    },
  })
  assert.match(String(body.error['request_id']), /^[A-Za-z]{8}$/)
  assert.equal(res.headers.get('x-ratelimit-limit'), `${LIMIT}; w=60`)
  assert.equal(res.headers.get('x-ratelimit-remaining'), '0')
  const reset = Number(res.headers.get('x-ratelimit-reset'))
  assert.ok(Number.isInteger(reset) && reset >= 0 && reset < 60, `reset ${reset}`)
  const retryAfter = Number(res.headers.get('retry-after'))
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60)
  assert.ok(retryAfter >= reset, `Retry-After ${retryAfter} covers the reset ${reset}`)
}

async function hammer(servers: readonly RunningServer[]): Promise<Tally> {
  const tally: Tally = { accepted: 0, refused: 0, byServer: servers.map(() => 0) }
  let n = 0
  await Promise.all(
    servers.flatMap((server, s) =>
      Array.from({ length: CLIENTS_PER_SERVER }, async () => {
        let refusedInARow = 0
        for (let i = 0; i < MAX_REQUESTS && refusedInARow < STOP_AFTER_REFUSALS; i++) {
          const res = await server.post(`/v1/customer/${WORKSPACE}`, {
            type: 'customer',
            customer_id: `user-${s}-${n++}`,
            attributes: { n },
          })
          if (res.status === 200) {
            tally.accepted++
            tally.byServer[s] = (tally.byServer[s] ?? 0) + 1
            refusedInARow = 0
            assert.equal(res.headers.get('x-ratelimit-limit'), `${LIMIT}; w=60`)
            assert.match(res.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/)
          } else {
            assert.equal(res.status, 429, JSON.stringify(res.body))
            assertRefusal(res)
            tally.refused++
            refusedInARow++
          }
        }
      }),
    ),
  )
  return tally
}

async function setLimit(server: RunningServer): Promise<void> {
  const res = await fetch(`${server.baseUrl}/inlet/v1/admin/workspaces/${WORKSPACE}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ limits: { track_user: LIMIT } }),
  })
  assert.equal(res.status, 200, await res.text())
}

async function twoServers(t: TestContext, env: Record<string, string>): Promise<RunningServer[]> {
  const common = {
    INLET_WORKSPACE_ID: WORKSPACE,
    INLET_DATA_API_KEY: KEY,
    INLET_ADMIN_TOKEN: TOKEN,
    INLET_LOG_LEVEL: 'warn',
    ...env,
  }
  const a = await startServer(t, { env: common })
  await setLimit(a) // before the second process reads the workspace
  const b = await startServer(t, { env: { ...common, INLET_PROCESSOR: 'false' } })
  return [a, b]
}

function assertCombined(tally: Tally, stored: number): void {
  const what = JSON.stringify(tally)
  assert.ok(tally.accepted <= LIMIT, `never more than the limit: ${what}`)
  assert.ok(tally.accepted >= LIMIT * 0.95, `within 5% of the limit: ${what}`)
  assert.ok(
    tally.byServer.every((n) => n > 0),
    `both processes accepted some: ${what}`,
  )
  assert.ok(tally.refused >= 2 * STOP_AFTER_REFUSALS, what)
  assert.equal(stored, tally.accepted, 'the log holds the accepted records only')
}

const postgres = await startPostgres()

describe('shared quotas across processes', { timeout: 240_000 }, () => {
  it(
    'two processes on one PostgreSQL enforce one combined quota',
    { skip: postgres === undefined ? 'no PostgreSQL binaries and no TEST_DATABASE_URL' : false },
    async (t) => {
      if (postgres === undefined) return
      const url = await postgres.freshUrl()
      const servers = await twoServers(t, { DATABASE_URL: url })
      await freshWindow()
      const tally = await hammer(servers)
      t.diagnostic(`accepted ${JSON.stringify(tally)} of a limit of ${LIMIT}`)
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM log WHERE workspace_id = $1 AND kind = 'customer'",
          [WORKSPACE],
        )
        assertCombined(tally, Number(rows[0]?.n))
      } finally {
        await client.end()
      }
    },
  )

  it('two processes on one SQLite data directory enforce one combined quota', async (t) => {
    const dataDir = tempDir(t)
    const servers = await twoServers(t, { INLET_DATA_DIR: dataDir })
    await freshWindow()
    const tally = await hammer(servers)
    t.diagnostic(`accepted ${JSON.stringify(tally)} of a limit of ${LIMIT}`)
    for (const server of servers) server.kill('SIGTERM')
    for (const server of servers) await server.waitForExit()
    const store = createSqliteStore({ expandRow: expandBulkRow, dir: dataDir, durability: 'os' })
    try {
      assertCombined(tally, await store.log.lastSeq())
    } finally {
      await store.close()
    }
  })
})
