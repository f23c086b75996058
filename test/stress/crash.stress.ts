/**
 * Crash durability under load (issue 8 §1), in `npm run test:stress`: concurrent clients send Track
 * User, Create Event and Bulk Import requests to a real Inlet process, which is SIGKILLed at a
 * random moment — while requests are in flight, while the processor is applying, or before any
 * traffic — then restarted on the same data, INLET_STRESS_KILLS times (default 20) per store.
 * After a last restart has drained the log, every acknowledged request must be applied exactly
 * once (all its log records, its user with its counter, exactly its events, each once) and every
 * unacknowledged one wholly or not at all. Once on SQLite (INLET_DURABILITY=fsync, the default),
 * once on a throwaway PostgreSQL cluster (DATABASE_URL).
 *
 * The figures of each run are printed as one `stress-figures` JSON line (docs/reliability.md).
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { startPostgres } from '../helpers/postgres.js'
import { startServer, tempDir, waitForNoLag, type RunningServer } from '../helpers/server.js'
import { startTraffic, verifyShots, type Shot } from '../helpers/traffic.js'

const KILLS = Number(process.env['INLET_STRESS_KILLS'] ?? 20)
const CLIENTS = 8
/** A kill lands between 0 and this long after the server is ready (traffic starts at once). */
const MAX_KILL_DELAY_MS = 1_500

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Where = { dataDir: string; databaseUrl?: string }

async function killLoop(t: TestContext, where: Where, label: string): Promise<void> {
  const env: Record<string, string> = { INLET_RATE_LIMITS: 'off' }
  if (where.databaseUrl !== undefined) env['DATABASE_URL'] = where.databaseUrl
  const shots: Shot[] = []
  let credentials: { workspaceId: string; apiKey: string } | undefined
  let killsInFlight = 0
  const started = Date.now()
  for (let round = 0; round < KILLS; round++) {
    const server: RunningServer = await startServer(t, {
      dataDir: where.dataDir,
      env,
      ...(credentials === undefined ? {} : { credentials }),
    })
    credentials ??= { workspaceId: server.workspaceId, apiKey: server.apiKey }
    const traffic = startTraffic(server, { clients: CLIENTS, prefix: `${label}-r${round}` })
    await delay(Math.floor(Math.random() * MAX_KILL_DELAY_MS))
    const inFlight = traffic.inFlight()
    server.kill('SIGKILL')
    const exit = await server.waitForExit()
    assert.equal(exit.signal, 'SIGKILL', `round ${round}: killed, not exited`)
    await traffic.done
    if (inFlight > 0) killsInFlight++
    shots.push(...traffic.shots)
  }
  assert.ok(credentials !== undefined)
  const last = await startServer(t, { dataDir: where.dataDir, env, credentials })
  await waitForNoLag(last, 120_000)
  last.kill('SIGTERM')
  assert.equal((await last.waitForExit()).code, 0, 'the last restart stopped cleanly')

  const verdict = await verifyShots(where, credentials.workspaceId, shots)
  assert.ok(verdict.acknowledged > 0, 'some requests were acknowledged')
  const figures = {
    store: label,
    kills: KILLS,
    killsWithRequestsInFlight: killsInFlight,
    requests: shots.length,
    ...verdict,
    recordsLost: 0,
    seconds: Math.round((Date.now() - started) / 1000),
  }
  process.stdout.write(`stress-figures ${JSON.stringify(figures)}\n`)
  t.diagnostic(JSON.stringify(figures))
}

describe('SIGKILL at random moments under concurrent load', { timeout: 600_000 }, () => {
  it(`SQLite: ${KILLS} kills, every acknowledged request applied exactly once`, async (t) => {
    await killLoop(t, { dataDir: tempDir(t, 'inlet-stress-') }, 'sqlite')
  })

  it(`PostgreSQL: ${KILLS} kills, every acknowledged request applied exactly once`, async (t) => {
    const postgres = await startPostgres()
    if (postgres === undefined) {
      t.skip('no PostgreSQL binaries and no TEST_DATABASE_URL')
      return
    }
    const databaseUrl = await postgres.freshUrl()
    await killLoop(t, { dataDir: tempDir(t, 'inlet-stress-pg-'), databaseUrl }, 'postgres')
  })
})
