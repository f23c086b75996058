/**
 * A File Imports run whose process is SIGKILLed mid-run (docs/imports.md, "Runs"), on a real
 * `inlet serve` restarted on the same data directory each time, its lease one second
 * (INLET_FILE_IMPORT_LEASE_SECONDS). The source is an HTTP server on 127.0.0.1 that holds its
 * answers: the run's download is in flight when the process is killed, which no code of the
 * runner sees. Killed at its first two claims, a run completes at its third; killed at each of its
 * MAX_CLAIMS claims, the run is ended FAILED by the next claim (saying so) without its source
 * being asked again, and is claimed no more.
 */
import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, it, type TestContext } from 'node:test'
import { CLAIMS_EXHAUSTED_MSG, MAX_CLAIMS } from '../../src/families/file-imports/runner.js'
import {
  basicAuth,
  startServer,
  tempDir,
  waitForNoLag,
  type RunningServer,
} from '../helpers/server.js'

const ADMIN_TOKEN = 'file-imports-crash-admin-token'
const CREDENTIALS = { workspaceId: 'CRASHIMPORTS0001', apiKey: 'crash-imports-data-key' }
const ENV = {
  INLET_ADMIN_TOKEN: ADMIN_TOKEN,
  INLET_WORKSPACE_ID: CREDENTIALS.workspaceId,
  INLET_DATA_API_KEY: CREDENTIALS.apiKey,
  INLET_SEGMENT_FETCH_PRIVATE: 'true',
  INLET_FILE_IMPORT_LEASE_SECONDS: '1',
}
const CSV = 'customer_id,first_name\nkilled-1,Kit\nkilled-2,Kim\n'

/**
 * The source: counts the requests for each file; holds a request (headers and half the body
 * sent) while the file's `hold` says so, else answers the whole file.
 */
async function heldSource(t: TestContext) {
  const asked = new Map<string, number>()
  const held: ServerResponse[] = []
  const holdFirst = new Map<string, number>()
  const server = createServer((req, res) => {
    const name = req.url ?? ''
    const n = (asked.get(name) ?? 0) + 1
    asked.set(name, n)
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(CSV) })
    if (n <= (holdFirst.get(name) ?? 0)) {
      res.write(CSV.slice(0, 10))
      held.push(res)
    } else {
      res.end(CSV)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    for (const res of held) res.destroy()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: (name: string) => `http://127.0.0.1:${port}/${name}`,
    asked: (name: string) => asked.get(`/${name}`) ?? 0,
    /** Holds the first `n` requests for `name`. */
    holdFirst: (name: string, n: number) => holdFirst.set(`/${name}`, n),
  }
}

type Status = { import_name: string; last_run_status: string | null }
type Run = { file_status: string; status_msg: string; added_rows: number }

function fileImports(server: RunningServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}/v1.0/data/fileimports/${path}`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(CREDENTIALS.workspaceId, CREDENTIALS.apiKey),
      'moe-appkey': CREDENTIALS.workspaceId,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  })
}

async function runsOf(server: RunningServer, name: string): Promise<Run[]> {
  const res = await fileImports(server, 'import/run/history', { import_name: name })
  assert.equal(res.status, 200)
  return ((await res.json()) as { data: Run[] }).data
}

/** Polls until `done` holds, failing after `ms`. */
async function until(what: string, done: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`)
    await delay(50)
  }
}

describe('File Imports: a run SIGKILLed at claim after claim', { timeout: 240_000 }, () => {
  it('completes after two kills; is ended FAILED after MAX_CLAIMS kills', async (t) => {
    const source = await heldSource(t)
    const dataDir = tempDir(t, 'inlet-file-imports-crash-')
    const start = () => startServer(t, { dataDir, env: ENV, credentials: CREDENTIALS })
    let server = await start()
    /** Defines a ONETIME import of `file` (run at once by the runner). */
    const define = async (name: string, file: string): Promise<void> => {
      const res = await fetch(
        `${server.baseUrl}/inlet/v1/admin/workspaces/${CREDENTIALS.workspaceId}/file-imports`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name, source: source.url(file), type: 'users' }),
        },
      )
      assert.equal(res.status, 200, await res.text())
    }
    /** Waits until the source is asked for `file` the `n`-th time, SIGKILLs, starts again. */
    const killAtClaim = async (file: string, n: number): Promise<void> => {
      await until(`claim ${n} of ${file}`, () => Promise.resolve(source.asked(file) >= n))
      assert.equal(source.asked(file), n)
      server.kill('SIGKILL')
      const exit = await server.waitForExit()
      assert.equal(exit.signal, 'SIGKILL')
      server = await start()
    }

    // Killed at its first two claims; its third downloads the file and imports it.
    source.holdFirst('resumed.csv', 2)
    await define('Resumed', 'resumed.csv')
    await killAtClaim('resumed.csv', 1)
    await killAtClaim('resumed.csv', 2)
    await until(
      'the resumed run',
      async () => (await runsOf(server, 'Resumed'))[0]?.file_status === 'SUCCESSFUL',
    )
    assert.equal(source.asked('resumed.csv'), 3)
    const [resumed] = await runsOf(server, 'Resumed')
    assert.equal(resumed?.added_rows, 2)
    await waitForNoLag(server)
    assert.equal((await server.getUsers(['killed-1'])).get('killed-1')?.['first_name'], 'Kit')

    // Killed at every claim: after the MAX_CLAIMS-th, the next claim ends it.
    source.holdFirst('looping.csv', Number.MAX_SAFE_INTEGER)
    await define('Looping', 'looping.csv')
    for (let claim = 1; claim <= MAX_CLAIMS; claim++) await killAtClaim('looping.csv', claim)
    await until(
      'the looping run to end',
      async () => (await runsOf(server, 'Looping'))[0]?.file_status === 'FAILED',
    )
    const [looping] = await runsOf(server, 'Looping')
    assert.equal(looping?.status_msg, CLAIMS_EXHAUSTED_MSG)
    assert.equal(source.asked('looping.csv'), MAX_CLAIMS)
    const status = await fileImports(server, 'import/status', { import_name: 'Looping' })
    const [item] = ((await status.json()) as { data: Status[] }).data
    assert.equal(item?.last_run_status, 'FAILED')
    // Claimed no more: three leases later the source was not asked again.
    await delay(3_000)
    assert.equal(source.asked('looping.csv'), MAX_CLAIMS)
    assert.equal((await runsOf(server, 'Looping'))[0]?.file_status, 'FAILED')
  })
})
