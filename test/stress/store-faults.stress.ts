/**
 * Disk full and store unavailable (issue 8 §3), in `npm run test:stress`, on a real process:
 * - SQLite: the data directory is on a small tmpfs (mounted here; skipped, saying why, where this
 *   process may not mount), which a filler file then fills to the last byte. Requests must then
 *   get 503 `store_unavailable` with Retry-After in the MoEngage envelope — never a 200 that is
 *   not on disk — and the process must keep serving. When the filler is removed, Inlet accepts
 *   again by itself (no restart) and applies everything it acknowledged.
 * - PostgreSQL: the throwaway cluster is stopped under traffic and started again; the same.
 * In both, every acknowledged request is applied exactly once and every refused one left nothing.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { startPostgres } from '../helpers/postgres.js'
import { startServer, tempDir, waitForNoLag, type RunningServer } from '../helpers/server.js'
import { newShot, sendShot, verifyShots, type Shot } from '../helpers/traffic.js'

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends one Track User / Create Event / Bulk request per call and remembers its answer. */
function shooter(server: RunningServer, prefix: string, shots: Shot[]) {
  const kinds = ['user', 'event', 'bulk'] as const
  let n = 0
  return async (): Promise<{ shot: Shot; body: unknown; headers: Headers | undefined }> => {
    const shot = newShot(kinds[n % 3] ?? 'user', `${prefix}-${n}`, n)
    n++
    shots.push(shot)
    return { shot, ...(await sendShot(server, shot, 60_000)) }
  }
}

function assertStoreUnavailable(answer: {
  shot: Shot
  body: unknown
  headers: Headers | undefined
}) {
  const what = JSON.stringify(answer.body)
  assert.equal(answer.shot.status, 503, what)
  assert.equal(answer.headers?.get('retry-after'), '5', what)
  const error = (answer.body as { status: string; error: Record<string, unknown> }).error
  assert.equal((answer.body as { status: string }).status, 'fail', what)
  assert.equal(error['type'], 'Service Unavailable', what)
  assert.equal(error['message'], 'The data store is unavailable. Please retry.', what)
  assert.equal(typeof error['request_id'], 'string', what)
}

/** Sends `n` requests 8 at a time; returns their answers. */
async function burst(send: ReturnType<typeof shooter>, n: number) {
  const out: Awaited<ReturnType<typeof send>>[] = []
  for (let i = 0; i < n; i += 8) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, () => send()))))
  }
  return out
}

/** Polls with requests until one is accepted; every answer before it must be a clean 503. */
async function untilAccepted(send: ReturnType<typeof shooter>, timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    const answer = await send()
    if (answer.shot.status === 200) return Date.now() - started
    assertStoreUnavailable(answer)
    if (Date.now() - started > timeoutMs) throw new Error(`not accepting after ${timeoutMs} ms`)
    await delay(250)
  }
}

function tryMountTmpfs(dir: string, sizeMb: number): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a tmpfs'
  const res = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], {
    encoding: 'utf8',
  })
  return res.status === 0 ? undefined : `mount failed: ${res.stderr || String(res.error)}`
}

/** Writes zeros to `path` until the filesystem is full. */
function fillDisk(path: string): number {
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  let written = 0
  try {
    for (;;) written += writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
  // The last partial chunk: fill byte by byte until nothing fits.
  const tail = openSync(path, 'a')
  try {
    for (;;) written += writeSync(tail, Buffer.alloc(512))
  } catch {
    // full
  } finally {
    closeSync(tail)
  }
  return written
}

async function finish(
  t: TestContext,
  server: RunningServer,
  where: { dataDir: string; databaseUrl?: string },
  shots: Shot[],
  label: string,
  extra: Record<string, unknown>,
): Promise<void> {
  await waitForNoLag(server, 180_000)
  server.kill('SIGTERM')
  assert.equal((await server.waitForExit()).code, 0, 'stopped cleanly after the fault')
  const verdict = await verifyShots(where, server.workspaceId, shots, [503])
  const refused = shots.filter((s) => s.status === 503).length
  const figures = {
    store: label,
    requests: shots.length,
    refused503: refused,
    ...verdict,
    ...extra,
  }
  process.stdout.write(`store-fault-figures ${JSON.stringify(figures)}\n`)
  t.diagnostic(JSON.stringify(figures))
}

describe('disk full and store unavailable', { timeout: 600_000 }, () => {
  it('SQLite on a full disk: 503 store_unavailable, never a lost 200, recovers by itself', async (t) => {
    const mount = mkdtempSync(join(tmpdir(), 'inlet-full-'))
    const why = tryMountTmpfs(mount, 48)
    if (why !== undefined) {
      rmSync(mount, { recursive: true, force: true })
      // CI runs as root on a machine that mounts tmpfs: there, not mounting is a failure, so the
      // disk-full promise is never left untested by a skip.
      assert.equal(process.env['CI'], undefined, `disk-full test needs a tmpfs: ${why}`)
      t.skip(`disk-full test needs a tmpfs: ${why}`)
      return
    }
    const dataDir = join(mount, 'data')
    mkdirSync(dataDir)
    const server = await startServer(t, { dataDir })
    t.after(() => {
      spawnSync('umount', ['-l', mount])
      rmSync(mount, { recursive: true, force: true })
    })
    const shots: Shot[] = []
    const send = shooter(server, 'full', shots)
    const before = await burst(send, 40)
    assert.ok(
      before.every((a) => a.shot.status === 200),
      'accepting before the disk fills',
    )

    const filler = join(mount, 'filler')
    const filled = fillDisk(filler)
    // Until the store's free pages are used up a write may still fit; then every write fails.
    let refused = 0
    for (let i = 0; i < 3_000 && refused < 30; i++) {
      const answer = await send()
      if (answer.shot.status !== 200) {
        assertStoreUnavailable(answer)
        refused++
      }
    }
    assert.ok(refused >= 30, `the full disk refused requests (${refused})`)
    const health = await fetch(`${server.baseUrl}/healthz`)
    assert.equal(health.status, 200, 'still serving reads on a full disk')

    unlinkSync(filler)
    const recoveredMs = await untilAccepted(send, 60_000)
    const after = await burst(send, 40)
    assert.ok(
      after.every((a) => a.shot.status === 200),
      'accepting again after space returned',
    )
    await finish(t, server, { dataDir }, shots, 'sqlite-disk-full', {
      fillerBytes: filled,
      recoveredMs,
    })
  })

  it('PostgreSQL stopped and started again: 503 store_unavailable, recovers by itself', async (t) => {
    const postgres = await startPostgres()
    if (postgres === undefined) {
      t.skip('no PostgreSQL binaries and no TEST_DATABASE_URL')
      return
    }
    if (postgres.pause === undefined || postgres.resume === undefined) {
      t.skip('TEST_DATABASE_URL: this test stops and starts its own cluster')
      return
    }
    const databaseUrl = await postgres.freshUrl()
    const server = await startServer(t, {
      dataDir: tempDir(t),
      env: { DATABASE_URL: databaseUrl },
    })
    const shots: Shot[] = []
    const send = shooter(server, 'pgdown', shots)
    assert.ok((await burst(send, 40)).every((a) => a.shot.status === 200))

    await postgres.pause()
    const down = await burst(send, 24)
    try {
      for (const answer of down) assertStoreUnavailable(answer)
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${server.stdout().slice(-3000)}\n${server.stderr().slice(-3000)}`,
        { cause: err },
      )
    }
    const health = await fetch(`${server.baseUrl}/healthz`).catch(() => undefined)
    assert.ok(health === undefined || health.status < 600, 'the process is still up')
    assert.equal(server.process.exitCode, null, 'Inlet did not exit while the database was down')

    await postgres.resume()
    const recoveredMs = await untilAccepted(send, 60_000)
    assert.ok((await burst(send, 40)).every((a) => a.shot.status === 200))
    await finish(t, server, { dataDir: server.dataDir, databaseUrl }, shots, 'postgres-down', {
      recoveredMs,
    })
  })
})
