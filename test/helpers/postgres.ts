/**
 * A real PostgreSQL for tests. `startPostgres()` uses `TEST_DATABASE_URL` when it is set; otherwise
 * it starts a throwaway cluster from the installed binaries (`initdb` into a temp directory, a free
 * port on 127.0.0.1, no fsync) with a database `inlet_test`, and tears it down after the test file
 * (a root `after` hook, and on exit). `freshUrl()` gives each store its own empty schema, so tests
 * never see each other's rows. It owns nothing of the store itself.
 *
 * Guard: every URL it hands out or accepts names a database whose name contains `test`. A test that
 * migrates, truncates or drops must never reach a database someone cares about, whatever the
 * environment says (the PostHog database-guard rule).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after } from 'node:test'
import pg from 'pg'

export type TestPostgres = Readonly<{
  /** The test database (its name contains `test`). */
  url: string
  /** Where it came from: `TEST_DATABASE_URL`, or a cluster started from the binaries in `bin`. */
  source: 'TEST_DATABASE_URL' | { bin: string }
  /** A new, empty schema of the test database; the URL selects it through `search_path`. */
  freshUrl(): Promise<string>
  stop(): Promise<void>
  /**
   * Only for a cluster started here: stop the server (fast shutdown; connections are cut) and
   * start it again on the same data and port — the database going away and coming back.
   */
  pause?(): Promise<void>
  resume?(): Promise<void>
}>

export class NotATestDatabaseError extends Error {
  override readonly name: string = 'NotATestDatabaseError'
}

/** The database a postgres:// URL names; throws unless that name contains `test`. */
export function assertTestDatabase(url: string): string {
  let database: string
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  } catch {
    throw new NotATestDatabaseError('not a database URL; tests use only test databases')
  }
  if (!/test/i.test(database)) {
    throw new NotATestDatabaseError(
      `refusing database '${database}': tests use only databases whose name contains 'test'`,
    )
  }
  return database
}

/** The directory holding `initdb` and `postgres`: PATH, /usr/local/bin, then Debian's layout. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(debian, v, 'bin'))
    : []
  const candidates = [...(env['PATH'] ?? '').split(delimiter), '/usr/local/bin', ...versions]
  return candidates.find(
    (dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  )
}

/**
 * A PostgreSQL for this test file, or undefined when there is none and none is required (no
 * `TEST_DATABASE_URL`, no binaries, `CI` unset): the caller then skips, saying why.
 */
export async function startPostgres(): Promise<TestPostgres | undefined> {
  const postgres = await openPostgres()
  if (postgres === undefined && process.env['CI'] !== undefined) {
    throw new Error('CI: no PostgreSQL binaries (initdb) found and TEST_DATABASE_URL not set')
  }
  return postgres === undefined ? undefined : register(postgres)
}

export type ClusterOptions = Readonly<{
  /**
   * Keep PostgreSQL's crash safety on (fsync, synchronous commit, full-page writes), as a real
   * server runs: for benchmarks and query plans. Tests leave it off (default), which is faster.
   */
  durable?: boolean
  /** Extra server settings, `name=value` (e.g. `shared_buffers=256MB`). */
  settings?: readonly string[]
}>

/**
 * The same PostgreSQL outside node:test (benchmarks, scripts): `TEST_DATABASE_URL` or a throwaway
 * cluster, undefined when neither is available. The caller stops it.
 */
export async function openPostgres(
  options: ClusterOptions = {},
): Promise<TestPostgres | undefined> {
  const given = process.env['TEST_DATABASE_URL']
  if (given !== undefined && given !== '') {
    assertTestDatabase(given)
    return overDatabase(given, 'TEST_DATABASE_URL', () => Promise.resolve())
  }
  const bin = findPostgresBin()
  return bin === undefined ? undefined : startCluster(bin, options)
}

function register(postgres: TestPostgres): TestPostgres {
  after(() => postgres.stop())
  return postgres
}

/** Schemas are created in `url`'s database and dropped at stop; `shutdown` runs after that. */
function overDatabase(
  url: string,
  source: TestPostgres['source'],
  shutdown: () => Promise<void>,
  control: Pick<TestPostgres, 'pause' | 'resume'> = {},
): TestPostgres {
  const database = assertTestDatabase(url)
  const admin = new pg.Pool({ connectionString: url, max: 2 })
  admin.on('error', () => undefined)
  const schemas: string[] = []
  const prefix = `inlet_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  let stopped: Promise<void> | undefined
  return {
    url,
    source,
    ...control,
    freshUrl: async () => {
      const schema = `${prefix}_${schemas.length + 1}`
      await admin.query(`CREATE SCHEMA ${schema}`)
      schemas.push(schema)
      const fresh = new URL(url)
      fresh.searchParams.set('options', `-c search_path=${schema}`)
      assertTestDatabase(fresh.href)
      return fresh.href
    },
    stop: () =>
      (stopped ??= (async () => {
        try {
          for (const schema of schemas) await admin.query(`DROP SCHEMA ${schema} CASCADE`)
        } finally {
          await admin.end()
          await shutdown()
        }
      })().catch((err: unknown) => {
        throw new Error(`stopping test database ${database}: ${String(err)}`)
      })),
  }
}

/** The uid and gid to run the server as: ours, or the `postgres` user's when we are root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  const [, , uid, gid] = line?.split(':') ?? []
  if (uid === undefined || gid === undefined) {
    throw new Error('running as root, and there is no postgres user to run initdb as')
  }
  return { uid: Number(uid), gid: Number(gid) }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function startCluster(bin: string, options: ClusterOptions): Promise<TestPostgres> {
  const user = serverUser()
  const dir = mkdtempSync(join(tmpdir(), 'inlet-pg-'))
  const data = join(dir, 'data')
  let server: ChildProcess | undefined
  const cleanUp = (): void => {
    if (server !== undefined && server.exitCode === null) server.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', cleanUp)
  try {
    mkdirSync(data, { mode: 0o700 })
    if (user !== undefined) {
      chownSync(dir, user.uid, user.gid)
      chownSync(data, user.uid, user.gid)
    }
    const asServerUser = { cwd: dir, ...(user ?? {}) }
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { ...asServerUser, encoding: 'utf8' },
    )
    if (init.status !== 0) {
      throw new Error(`initdb failed (${init.status}): ${init.stderr || String(init.error)}`)
    }
    const port = await freePort()
    let log = ''
    const launch = (): ChildProcess => {
      const child = spawn(
        join(bin, 'postgres'),
        [
          ['-D', data],
          ['-p', String(port)],
          ['-c', 'listen_addresses=127.0.0.1'],
          ['-c', 'unix_socket_directories='],
          // A throwaway cluster: crash safety buys nothing, and fsyncs cost seconds per test file.
          ...(options.durable === true
            ? []
            : [
                ['-c', 'fsync=off'],
                ['-c', 'synchronous_commit=off'],
                ['-c', 'full_page_writes=off'],
              ]),
          ...(options.settings ?? []).map((kv) => ['-c', kv]),
        ].flat(),
        { ...asServerUser, stdio: ['ignore', 'ignore', 'pipe'] },
      )
      child.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-4000)
      })
      return child
    }
    server = launch()
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`
    await waitUntilReady(adminUrl, server, () => log)
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    await admin.query('CREATE DATABASE inlet_test')
    await admin.end()

    const halt = async (): Promise<void> => {
      const running = server
      if (running === undefined || running.exitCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGINT') // fast shutdown
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    return overDatabase(
      `postgres://postgres@127.0.0.1:${port}/inlet_test`,
      { bin },
      async () => {
        await halt()
        process.removeListener('exit', cleanUp)
        cleanUp()
      },
      {
        pause: halt,
        resume: async () => {
          const child = launch()
          server = child
          await waitUntilReady(adminUrl, child, () => log)
        },
      },
    )
  } catch (err) {
    process.removeListener('exit', cleanUp)
    cleanUp()
    throw err
  }
}

async function waitUntilReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited:\n${log()}`)
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline) throw new Error(`postgres did not start in 30 s:\n${log()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
