/**
 * `inlet import` and `inlet export` against a real `inlet serve` over a socket, each run of the
 * CLI its own process: a CSV of users and a JSON-lines file of events imported, the rows found by
 * Get User and by export, rejected rows reported with their reasons; and an import of 50,000
 * events killed with SIGKILL in the middle and run again — resumed from its checkpoint, every row
 * stored exactly once (the export of the workspace's events holds each row's number once).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { runCli } from '../helpers/cli.js'
import { ROOT, cleanEnv, startServer, tempDir, type RunningServer } from '../helpers/server.js'

const ADMIN_TOKEN = 'import-e2e-admin-token'
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Run = { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** `inlet import …` as its own process, credentials in the environment; killable. */
function importProcess(server: RunningServer, args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', ...args], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      MOENGAGE_BASE_URL: server.baseUrl,
      MOENGAGE_WORKSPACE_ID: server.workspaceId,
      MOENGAGE_API_KEY: server.apiKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
  const exited = new Promise<Run>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, out, err })),
  )
  return { child, exited }
}

async function setup(t: TestContext): Promise<{ server: RunningServer; dir: string }> {
  const server = await startServer(t, { env: { INLET_ADMIN_TOKEN: ADMIN_TOKEN } })
  const res = await fetch(`${server.baseUrl}/inlet/v1/admin/workspaces/${server.workspaceId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ limits: { bulk_users: 1_000_000, bulk_events: 1_000_000 } }),
  })
  assert.equal(res.status, 200, await res.text())
  return { server, dir: tempDir(t, 'inlet-import-e2e-') }
}

/** Waits until the processor has applied everything the server accepted (GET /healthz). */
async function applied(server: RunningServer): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as {
      lag: { records: number }
    }
    if (health.lag.records === 0) return
    await delay(100)
  }
}

/** `inlet export KIND --out FILE` on the server's data directory (it keeps running). */
async function exportTo(server: RunningServer, kind: string, file: string): Promise<void> {
  const args = ['export', kind, '--workspace', server.workspaceId, '--out', file]
  const run = await runCli(server.dataDir, args)
  assert.equal(run.code, 0, run.err)
}

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')

describe('inlet import and export against a real Inlet', { timeout: 600_000 }, () => {
  it('imports a CSV of users and JSON lines of events, found by Get User and export', async (t) => {
    const { server, dir } = await setup(t)
    const users = join(dir, 'users.csv')
    writeFileSync(
      users,
      'customer_id,first_name,age,member,since\n' +
        'ada,Ada,36,true,2020-05-01\n' +
        'bob,"Bob ""B"", Jr",41,false,1590969600\n' +
        ',Nameless,1,true,2020-01-01\n' +
        'cy,Cy,7,true,someday\n',
    )
    const first = await importProcess(server, [users, '--datetime-columns', 'since', '--json'])
      .exited
    assert.equal(first.code, 0, first.err)
    const summary = JSON.parse(first.out) as Record<string, unknown>
    assert.deepEqual(
      [summary['type'], summary['rows'], summary['accepted'], summary['rejected']],
      ['users', 4, 2, 2],
    )
    assert.deepEqual(
      lines(`${users}.rejects.jsonl`).map((l) => JSON.parse(l) as unknown),
      [
        { row: 3, line: 4, reason: 'customer_id is empty or missing' },
        { row: 4, line: 5, reason: 'column since: "someday" is not a datetime' },
      ],
    )

    const events = join(dir, 'events.jsonl')
    writeFileSync(
      events,
      [
        '{"customer_id":"ada","action":"Bought","current_time":"2024-03-01T10:00:00Z","price":12.5}',
        '{"customer_id":"bob","actions":[{"action":"Viewed","attributes":{"page":"home"}}]}',
        '{"customer_id":"bob","action":"Bought","current_time":"not a time"}',
      ].join('\n') + '\n',
    )
    const second = await importProcess(server, [events, '--rejects', join(dir, 'ev-rejects')])
      .exited
    assert.equal(second.code, 0, second.err)
    assert.match(second.out, /3 rows, 2 accepted, 1 rejected/)
    assert.match(readFileSync(join(dir, 'ev-rejects'), 'utf8'), /"row":3,.*not ISO 8601/)

    await applied(server)
    const found = await server.getUsers(['ada', 'bob'])
    assert.equal(found.get('ada')?.['age'], 36)
    assert.equal(found.get('ada')?.['member'], true)
    assert.equal(found.get('ada')?.['since'], '2020-05-01T00:00:00.000Z')
    assert.equal(found.get('bob')?.['first_name'], 'Bob "B", Jr')
    assert.equal(found.get('bob')?.['since'], '2020-06-01T00:00:00.000Z')

    const exported = join(dir, 'users-out.jsonl')
    await exportTo(server, 'users', exported)
    const byId = new Map(
      lines(exported).map((l) => {
        const u = JSON.parse(l) as { customer_id: string; attributes: Record<string, unknown> }
        return [u.customer_id, u.attributes]
      }),
    )
    assert.deepEqual([...byId.keys()].sort(), ['ada', 'bob'])
    assert.equal(byId.get('bob')?.['first_name'], 'Bob "B", Jr')
    const csv = await runCli(server.dataDir, [
      'export',
      'events',
      '--workspace',
      server.workspaceId,
      '--format',
      'csv',
    ])
    assert.equal(csv.code, 0, csv.err)
    const [header, ...rows] = csv.out.trim().split('\r\n')
    assert.equal(
      header,
      'customer_id,action,current_time,user_time,device_id,platform,app_version,page,price',
    )
    assert.equal(rows.length, 2)
    assert.ok(rows.some((r) => r.startsWith('ada,Bought,2024-03-01T10:00:00.000Z,')))
  })

  it('resumes an import killed mid-way with SIGKILL: every row once, none twice', async (t) => {
    const { server, dir } = await setup(t)
    const file = join(dir, 'events.csv')
    const total = 50_000
    const text = ['customer_id,action,n']
    for (let n = 1; n <= total; n++) text.push(`user-${n % 500},Step,${n}`)
    writeFileSync(file, text.join('\n') + '\n')
    const checkpoint = `${file}.checkpoint.json`
    const args = [file, '--batch-size', '100', '--no-progress']

    const killed = importProcess(server, args)
    // Kill it once a fifth of the rows are acknowledged (while later bodies are in flight).
    for (;;) {
      if (existsSync(checkpoint)) {
        const c = JSON.parse(readFileSync(checkpoint, 'utf8')) as { rows: number }
        if (c.rows >= total / 5) break
      }
      await delay(20)
    }
    killed.child.kill('SIGKILL')
    const dead = await killed.exited
    assert.equal(dead.signal, 'SIGKILL')
    const at = JSON.parse(readFileSync(checkpoint, 'utf8')) as { rows: number; done: boolean }
    assert.equal(at.done, false, 'killed before the end')

    const resumed = await importProcess(server, [...args, '--json']).exited
    assert.equal(resumed.code, 0, resumed.err)
    const summary = JSON.parse(resumed.out) as Record<string, number>
    assert.ok(summary['resumed_at']! >= at.rows, 'went on from the checkpoint')
    assert.deepEqual([summary['rows'], summary['accepted'], summary['rejected']], [total, total, 0])

    await applied(server)
    const out = join(dir, 'events-out.jsonl')
    await exportTo(server, 'events', out)
    const numbers = lines(out).map(
      (l) =>
        (JSON.parse(l) as { actions: { attributes: { n: number } }[] }).actions[0]?.attributes.n,
    )
    assert.equal(numbers.length, total, 'no event twice')
    assert.equal(new Set(numbers).size, total, 'every row once')
  })
})
