/**
 * The real Inlet process for end-to-end tests: `startServer(t)` spawns `node --import tsx
 * src/cli/main.ts serve` on port 0 with a throwaway data directory, reads the listening address and
 * the first workspace's credentials from what it prints, and kills it (then removes the directory)
 * when the test ends, or `restartAfterExit` starts it again on the same directory. `runInlet` runs
 * one CLI command to completion. Requests go over a real socket
 * with plain `fetch`; nothing here reaches into the running process. Also the probe records of the
 * crash and shutdown tests and the check that each was applied exactly once (which reads the
 * stopped server's store, the only read path for events).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { RequestReport } from '../../src/families/data/routes/requests.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

export const ROOT = join(import.meta.dirname, '..', '..')

/** Process start (tsx compiles on the fly) can take many seconds on a busy 2-core machine. */
export const START_TIMEOUT_MS = 60_000

export type Credentials = Readonly<{ workspaceId: string; apiKey: string }>

export type Exit = Readonly<{ code: number | null; signal: NodeJS.Signals | null }>

export type ServerOptions = Readonly<{
  /** Reuse a data directory (a restart); by default a fresh one is made and removed at the end. */
  dataDir?: string
  /** Extra environment variables (PORT and INLET_DATA_DIR are set unless given here). */
  env?: Readonly<Record<string, string>>
  /** Extra `serve` flags. */
  args?: readonly string[]
  /** The credentials to use when this start prints none (a restart on an existing directory). */
  credentials?: Credentials
}>

export type ApiResponse = Readonly<{ status: number; headers: Headers; body: unknown }>

// A handle of its own; bench/profile.ts's ProfileSummary is a record alike in shape only.
export type RunningServer = Readonly<{
  baseUrl: string
  workspaceId: string
  apiKey: string
  dataDir: string
  process: ChildProcess
  stdout(): string
  stderr(): string
  kill(signal?: NodeJS.Signals): void
  /** Resolves with the exit code and signal; rejects after `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>
  /** Basic auth for this server's workspace. */
  authorization: string
  /** POST `body` as JSON with this workspace's credentials. */
  post(path: string, body: unknown): Promise<ApiResponse>
  /** GET with this workspace's credentials. */
  get(path: string): Promise<ApiResponse>
  /** Get User (spec §7.6) by customer id, at most 20 at a time: the `user_attributes` found. */
  getUsers(customerIds: readonly string[]): Promise<Map<string, Record<string, unknown>>>
  /** GET /inlet/v1/requests/{request_id}: what became of each record of one request. */
  inspect(requestId: string): Promise<RequestReport>
}>

type Cleanup = { children: Child[]; dirs: string[] }
type Child = { process: ChildProcess; exited: Promise<Exit>; exit: Exit | undefined }

/** One cleanup per test: kill every child first, then remove the directories they used. */
const cleanups = new WeakMap<TestContext, Cleanup>()

function cleanupOf(t: TestContext): Cleanup {
  let cleanup = cleanups.get(t)
  if (cleanup === undefined) {
    const created: Cleanup = { children: [], dirs: [] }
    cleanup = created
    cleanups.set(t, created)
    t.after(async () => {
      for (const child of created.children) {
        if (child.exit === undefined) child.process.kill('SIGKILL')
        await child.exited
      }
      for (const dir of created.dirs) rmSync(dir, { recursive: true, force: true })
    })
  }
  return cleanup
}

/** A fresh temporary directory, removed when the test ends (after its processes are killed). */
export function tempDir(t: TestContext, prefix = 'inlet-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  cleanupOf(t).dirs.push(dir)
  return dir
}

/** The test runner's environment without anything that would configure Inlet behind our back. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (name.startsWith('INLET_') || name === 'PORT' || name === 'HOST') continue
    if (name === 'DATABASE_URL') continue // never a real database from the developer's shell
    if (name === 'NODE_TEST_CONTEXT' || name === 'NODE_OPTIONS') continue
    env[name] = value
  }
  return env
}

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function track(child: ChildProcess): Child {
  const tracked: Child = {
    process: child,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        tracked.exit = { code, signal }
        resolve(tracked.exit)
      })
    }),
  }
  return tracked
}

function waitForExit(child: Child, timeoutMs: number, describe: () => string): Promise<Exit> {
  if (child.exit !== undefined) return Promise.resolve(child.exit)
  return new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process did not exit within ${timeoutMs} ms\n${describe()}`)),
      timeoutMs,
    )
    void child.exited.then((exit) => {
      clearTimeout(timer)
      resolve(exit)
    })
  })
}

// An `api`/`all` process prints where it serves the Data API; a `processor` its health check.
const SERVING =
  /Inlet (?:is serving the MoEngage Data API on|processor is running; health check on) (http:\/\/[^\s/]+)(?:\/healthz)?\n/
const WORKSPACE_LINE = /^ {2}Workspace ID: +(\S+)\n/m
const KEY_LINE = /^ {2}Data API key: +(\S+)\n/m

/** Spawns `inlet <args>` from source; what it prints is collected in `output` as it comes. */
function spawnInlet(args: readonly string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => (output.stdout += chunk))
  child.stderr.on('data', (chunk: string) => (output.stderr += chunk))
  return { child, output }
}

export async function startServer(
  t: TestContext,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const cleanup = cleanupOf(t)
  const dataDir = options.dataDir ?? tempDir(t)
  const env: Record<string, string> = {
    ...cleanEnv(),
    PORT: '0',
    INLET_DATA_DIR: dataDir,
    ...options.env,
  }
  const { child, output } = spawnInlet(['serve', ...(options.args ?? [])], env)
  const tracked = track(child)
  cleanup.children.push(tracked)
  const describe = (): string =>
    `--- stdout ---\n${output.stdout}\n--- stderr ---\n${output.stderr}`

  const given =
    options.credentials ??
    (options.env?.['INLET_WORKSPACE_ID'] !== undefined &&
    options.env['INLET_DATA_API_KEY'] !== undefined
      ? {
          workspaceId: options.env['INLET_WORKSPACE_ID'],
          apiKey: options.env['INLET_DATA_API_KEY'],
        }
      : undefined)

  // Read stdout until the listening line and (unless credentials were given) the printed key.
  const deadline = Date.now() + START_TIMEOUT_MS
  let baseUrl: string | undefined
  let credentials: Credentials | undefined
  for (;;) {
    const out = output.stdout
    const serving = SERVING.exec(out)
    if (serving !== null) {
      baseUrl = serving[1]
      const id = WORKSPACE_LINE.exec(out)?.[1]
      const key = KEY_LINE.exec(out)?.[1]
      if (id !== undefined && key !== undefined) credentials = { workspaceId: id, apiKey: key }
      else if (!out.includes('Created a workspace')) credentials = given
      if (credentials !== undefined) break
    }
    if (tracked.exit !== undefined) {
      throw new Error(
        `inlet serve exited (${JSON.stringify(tracked.exit)}) before serving\n${describe()}`,
      )
    }
    if (Date.now() > deadline) {
      throw new Error(
        serving === null
          ? `inlet serve did not start within ${START_TIMEOUT_MS} ms\n${describe()}`
          : `inlet serve printed no credentials and none were given\n${describe()}`,
      )
    }
    await delay(20)
  }
  if (baseUrl === undefined) throw new Error('unreachable: no base URL')
  const { workspaceId, apiKey } = credentials
  const authorization = basicAuth(workspaceId, apiKey)

  async function send(path: string, init: RequestInit): Promise<ApiResponse> {
    const res = await fetch(`${baseUrl}${path}`, init)
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text) as unknown // every Inlet answer is JSON; keep the text if not
    } catch {
      // not JSON: the test asserting on it will show the text
    }
    return { status: res.status, headers: res.headers, body }
  }

  const post = (path: string, body: unknown): Promise<ApiResponse> =>
    send(path, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const get = (path: string): Promise<ApiResponse> =>
    send(path, { method: 'GET', headers: { authorization } })

  return {
    baseUrl,
    workspaceId,
    apiKey,
    dataDir,
    process: child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    kill: (signal = 'SIGTERM') => {
      if (tracked.exit === undefined) child.kill(signal)
    },
    waitForExit: (timeoutMs = 30_000) => waitForExit(tracked, timeoutMs, describe),
    authorization,
    post,
    get,
    getUsers: async (customerIds) => {
      const found = new Map<string, Record<string, unknown>>()
      for (let i = 0; i < customerIds.length; i += 20) {
        const identifiers = customerIds
          .slice(i, i + 20)
          .map((identifier) => ({ identifier_type: 'customer_id', identifier }))
        const res = await post(`/v1/customers/export?app_id=${workspaceId}`, {
          data: { identifiers },
        })
        if (res.status !== 200) {
          throw new Error(`Get User answered ${res.status}: ${JSON.stringify(res.body)}`)
        }
        const users = (
          res.body as { data: { users: { user_attributes: Record<string, unknown> }[] } }
        ).data.users // the §7.6 success shape, checked by the acceptance test
        for (const u of users)
          found.set(String(u.user_attributes['customer_id']), u.user_attributes)
      }
      return found
    },
    inspect: async (requestId) => {
      const res = await get(`/inlet/v1/requests/${requestId}`)
      if (res.status !== 200) {
        throw new Error(`inspect ${requestId} answered ${res.status}: ${JSON.stringify(res.body)}`)
      }
      return res.body as RequestReport // the inspector's success shape
    },
  }
}

/**
 * Waits for a stopped server's process to exit as `expected`, then starts Inlet again on its data
 * directory with its credentials, which creates no workspace.
 */
export async function restartAfterExit(
  t: TestContext,
  server: RunningServer,
  expected: Exit,
  timeoutMs?: number,
): Promise<RunningServer> {
  const exit = await server.waitForExit(timeoutMs)
  assert.deepEqual(exit, expected, `exit: ${JSON.stringify(exit)}\n${server.stdout()}`)
  const again = await startServer(t, {
    dataDir: server.dataDir,
    credentials: { workspaceId: server.workspaceId, apiKey: server.apiKey },
  })
  assert.doesNotMatch(again.stdout(), /Created a workspace/, 'the restart creates no workspace')
  return again
}

/** Polls GET /healthz until nothing accepted is left unapplied (the ingestion lag is 0). */
export async function waitForNoLag(server: RunningServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    const res = await fetch(`${server.baseUrl}/healthz`)
    last = await res.json()
    const lag = (last as { lag?: { records?: number } }).lag
    if (res.status === 200 && lag?.records === 0) return
    if (Date.now() > deadline) {
      throw new Error(
        `still lagging after ${timeoutMs} ms: ${JSON.stringify(last)}\n` +
          `--- stdout ---\n${server.stdout().slice(-4000)}\n--- stderr ---\n${server.stderr().slice(-4000)}`,
      )
    }
    await delay(50)
  }
}

export type CliResult = Readonly<{ code: number | null; stdout: string; stderr: string }>

/** Runs `inlet <args>` from source to completion. */
export function runInlet(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const { child, output } = spawnInlet(args, { ...cleanEnv(), ...options.env })
  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`inlet ${args.join(' ')} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, ...output })
    })
  })
}

/**
 * Probe records for the crash and shutdown tests: Track User requests (one user each, carrying a
 * `counter`) and Create Event requests (one event each, for a user of its own), so that each
 * acknowledged request has exactly one record whose effect can be found after a restart.
 */
export type Probe = Readonly<{
  kind: 'user' | 'event'
  customerId: string
  counter: number
  path: string
  body: unknown
}>

export const PROBE_EVENT = 'Durability Probe'

export function probes(
  workspaceId: string,
  prefix: string,
  counts: { users: number; events: number },
): Probe[] {
  // Users and events interleaved, so they share group commits and processor batches.
  const kinds = [
    ...Array.from({ length: counts.users }, (_, j) => ({
      kind: 'user' as const,
      at: j / counts.users,
    })),
    ...Array.from({ length: counts.events }, (_, j) => ({
      kind: 'event' as const,
      at: j / counts.events,
    })),
  ].sort((a, b) => a.at - b.at)
  return kinds.map(({ kind }, counter): Probe => {
    const customerId = `${prefix}-${kind === 'event' ? 'e' : 'u'}-${counter}`
    return kind === 'event'
      ? {
          kind,
          customerId,
          counter,
          path: `/v1/event/${workspaceId}`,
          body: {
            type: 'event',
            customer_id: customerId,
            actions: [{ action: PROBE_EVENT, attributes: { counter } }],
          },
        }
      : {
          kind,
          customerId,
          counter,
          path: `/v1/customer/${workspaceId}`,
          body: {
            type: 'customer',
            customer_id: customerId,
            attributes: { counter, probe: prefix },
          },
        }
  })
}

/** What became of one probe request on the wire. */
export type Sent = Readonly<{ probe: Probe; status: number | 'error'; requestId?: string }>

/**
 * Sends every probe at once; `onAnswer` runs (synchronously) as each one settles, with how many
 * have settled so far, so a test can kill the server right after a given answer.
 */
export async function sendAll(
  server: RunningServer,
  list: readonly Probe[],
  onAnswer?: (settled: number, sent: Sent) => void,
): Promise<Sent[]> {
  let settled = 0
  return Promise.all(
    list.map(async (probe): Promise<Sent> => {
      let sent: Sent
      try {
        const res = await server.post(probe.path, probe.body)
        const requestId = (res.body as { request_id?: unknown }).request_id
        sent =
          res.status === 200 && typeof requestId === 'string'
            ? { probe, status: 200, requestId }
            : { probe, status: res.status }
      } catch {
        sent = { probe, status: 'error' } // refused or reset: never acknowledged
      }
      settled++
      onAnswer?.(settled, sent)
      return sent
    }),
  )
}

/** Runs `work` over `items`, `limit` at a time. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += limit) {
    out.push(...(await Promise.all(items.slice(i, i + limit).map(work))))
  }
  return out
}

/**
 * After a restart, once the lag is 0: every acknowledged probe request was applied exactly once
 * (one log record, outcome applied; the user with its counter; one stored event with the request's
 * id) and every unacknowledged one at most once. Stops the server with SIGTERM at the end, because
 * events have no read path on the wire: they are counted in the store itself.
 */
export async function assertProbesApplied(
  server: RunningServer,
  sent: readonly Sent[],
): Promise<void> {
  await waitForNoLag(server)
  const users = await server.getUsers(sent.map((s) => s.probe.customerId))
  for (const { probe, status } of sent) {
    const user = users.get(probe.customerId)
    if (status === 200) assert.ok(user !== undefined, `acknowledged ${probe.customerId} is missing`)
    if (user !== undefined && probe.kind === 'user') {
      assert.equal(user['counter'], probe.counter, `${probe.customerId}'s counter`)
      assert.equal(user['customer_id'], probe.customerId)
    }
  }
  await inBatches(
    sent.filter((s) => s.requestId !== undefined),
    16,
    async ({ probe, requestId = '' }) => {
      const report = await server.inspect(requestId)
      const what = `${probe.customerId} (request ${requestId}): ${JSON.stringify(report)}`
      assert.equal(report.records.length, 1, `one record for ${what}`)
      assert.deepEqual(report.summary, { pending: 0, applied: 1, skipped: 0, dead: 0 }, what)
      assert.equal(report.records[0]?.customer_id, probe.customerId, what)
      assert.equal(report.records[0]?.kind, probe.kind === 'user' ? 'customer' : 'event', what)
    },
  )

  server.kill('SIGTERM')
  const exit = await server.waitForExit()
  assert.equal(exit.code, 0, `the restarted server stopped cleanly: ${JSON.stringify(exit)}`)
  const store = createSqliteStore({
    expandRow: expandBulkRow,
    dir: server.dataDir,
    durability: 'os',
  })
  try {
    const events = sent.filter((s) => s.probe.kind === 'event')
    const rows = await store.profiles.findUsers(server.workspaceId, {
      customerIds: events.map((s) => s.probe.customerId),
      ids: [],
    })
    const byCustomer = new Map(rows.map((u) => [u.customerId, u]))
    for (const { probe, status, requestId } of events) {
      const user = byCustomer.get(probe.customerId)
      const stored =
        user === undefined ? [] : await store.profiles.eventsOfUser(server.workspaceId, user.id, 10)
      const what = `events of ${probe.customerId}: ${JSON.stringify(stored)}`
      if (status === 200) {
        assert.equal(stored.length, 1, `exactly one ${what}`)
        assert.equal(stored[0]?.requestId, requestId, what)
      } else {
        assert.ok(stored.length <= 1, `at most one ${what}`)
      }
      for (const e of stored) {
        assert.equal(e.name, PROBE_EVENT, what)
        assert.equal(e.attributes['counter'], probe.counter, what)
      }
    }
  } finally {
    await store.close()
  }
}
