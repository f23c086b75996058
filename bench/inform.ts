// The Inform benchmark (`npm run bench:inform`, issue 21): `POST /v1.0/alerts/send` in the
// default `record` delivery mode — each request renders its SMS and writes it to the outbox
// durably (INLET_DURABILITY=fsync) before the 200 — loaded by autocannon on an Inlet child
// process per store, each request with its own transaction_id. Reports requests/s, latency, the
// server's CPU per send, and the outbox rows written (at least the 200s: nothing answered is lost;
// at most one send more per connection each time a load stopped, those in flight), against the
// issue's goal: ≥ 2,000 requests/s with p99 ≤ 50 ms.
//
//   npm run bench:inform                         # both stores, 10 s each
//   npm run bench:inform -- --store sqlite --seconds 5 --connections 32
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { openPostgres } from '../test/helpers/postgres.js'
import { BENCH_API_KEY, BENCH_WORKSPACE_ID, fire } from './load.js'
import { ROOT, procCpuMs, startInlet } from './processes.js'
import { formatSummary, summariseThreads } from './profile.js'

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    profile: { type: 'boolean' },
  },
})
const STORES = (flags.store ?? 'sqlite,postgres').split(',').map((s) => s.trim())
const SECONDS = Number(flags.seconds ?? 10)
const WARMUP_SECONDS = Number(flags.warmup ?? 2)
const CONNECTIONS = Number(flags.connections ?? 32)
/** --profile: --cpu-prof the Inlet child into bench/results/profile-inform-<store>, summarised. */
const PROFILE = flags.profile === true
const GOAL_RPS = 2_000
const GOAL_P99_MS = 50

const WS = BENCH_WORKSPACE_ID
const ADMIN_TOKEN = 'bench-admin-token-0123456789'
const INFORM_KEY = 'bench-inform-key-0123456789'
const ALERT_ID = '636b77e6e2cf83277195fb60'
const HEADERS = {
  'content-type': 'application/json',
  'moe-appkey': WS,
  authorization: `Basic ${Buffer.from(`${WS}:${INFORM_KEY}`).toString('base64')}`,
}

type Row = {
  store: string
  requestsPerSec: number
  p50: number
  p99: number
  max: number
  ok: number
  non2xx: number
  errors: number
  outboxRows: number
  /** Server CPU (all threads) per send during the load, ms: steadier than sends/s on a busy machine. */
  cpuMsPerSend: number
}

async function admin(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/inlet/v1/admin/workspaces/${WS}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
}

/** The n-th send of a run: its own transaction id, so none is refused as a duplicate. */
const sendBody = (run: string) => (n: number) =>
  JSON.stringify({
    alert_id: ALERT_ID,
    user_id: `user-${n % 1_000}`,
    transaction_id: `${run}-${n}`,
    payloads: {
      SMS: {
        recipient: `+1555${String(n % 10_000_000).padStart(7, '0')}`,
        personalized_attributes: { firstname: 'Ann', orderid: `ORD-${n}` },
      },
    },
  })

async function outboxRows(dataDir: string, databaseUrl: string | undefined): Promise<number> {
  if (databaseUrl === undefined) {
    const db = new Database(join(dataDir, 'store.db'), { readonly: true })
    try {
      return Number((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n)
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM outbox')
    return Number(rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

async function runOn(store: string, databaseUrl?: string): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inlet-bench-inform-'))
  const profileDir = join(ROOT, 'bench', 'results', `profile-inform-${store.toLowerCase()}`)
  if (PROFILE) rmSync(profileDir, { recursive: true, force: true })
  const inlet = await startInlet({
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    dataDir,
    workspaceId: WS,
    apiKey: BENCH_API_KEY,
    env: {
      INLET_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    },
  })
  try {
    await admin(inlet.url, '/keys/inform', { api_key: INFORM_KEY })
    await admin(inlet.url, '/inform-alerts', {
      alert_id: ALERT_ID,
      test_alert_id: '636b77e6e2cf83277195fb61',
      reference_name: 'Bench',
      test_reference_name: 'Bench_test',
      channels: {
        SMS: { body: 'Hi {{firstname|default("there")}}, order {{orderid}} ships today.' },
      },
    })
    const load = (run: string) => ({
      path: '/v1.0/alerts/send',
      headers: HEADERS,
      body: sendBody(run),
    })
    const options = { connections: CONNECTIONS, seconds: WARMUP_SECONDS }
    const warm = WARMUP_SECONDS > 0 ? await fire(inlet.url, load('warm'), options) : undefined
    const cpuBefore = procCpuMs(inlet.pid)
    const r = await fire(inlet.url, load('run'), { ...options, seconds: SECONDS })
    const cpuMs = procCpuMs(inlet.pid) - cpuBefore
    await inlet.stop()
    if (PROFILE) {
      for (const p of summariseThreads(profileDir)) {
        process.stderr.write(`### ${store}: ${p.thread}\n\n${formatSummary(p)}\n\n`)
      }
    }
    const rows = await outboxRows(dataDir, databaseUrl)
    return {
      store,
      requestsPerSec: Math.round(r['2xx'] / r.duration),
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      // The warm-up's sends are in the outbox too.
      outboxRows: rows - (warm?.['2xx'] ?? 0),
      cpuMsPerSend: r['2xx'] === 0 ? 0 : Math.round((100 * cpuMs) / r['2xx']) / 100,
    }
  } finally {
    await inlet.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US')

async function main(): Promise<void> {
  const rows: Row[] = []
  if (STORES.includes('sqlite')) rows.push(await runOn('SQLite'))
  if (STORES.includes('postgres')) {
    const postgres = await openPostgres({ durable: true })
    if (postgres === undefined) process.stderr.write('no PostgreSQL: no postgres run\n')
    else {
      try {
        rows.push(await runOn('PostgreSQL', await postgres.freshUrl()))
      } finally {
        await postgres.stop()
      }
    }
  }
  const [l1] = loadavg()
  const out = [
    `Inform sends (record mode, fsync), ${CONNECTIONS} connections, ${SECONDS} s per store; ` +
      `${cpus().length} cores, load ${(l1 ?? 0).toFixed(1)}:`,
    '',
    '| store | sends/s | p50 ms | p99 ms | max ms | 200s | non-2xx / errors | outbox rows written | server CPU ms / send |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.store} | ${int(r.requestsPerSec)} | ${r.p50} | ${r.p99} | ${r.max} | ${int(r.ok)} | ` +
        `${r.non2xx} / ${r.errors} | ${int(r.outboxRows)} | ${r.cpuMsPerSend} |`,
    ),
    '',
    ...rows.map(
      (r) =>
        `- ${r.requestsPerSec >= GOAL_RPS && r.p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}: ` +
        `Inform sends ≥ ${int(GOAL_RPS)}/s with p99 ≤ ${GOAL_P99_MS} ms (${r.store}) — ` +
        `${int(r.requestsPerSec)}/s, p99 ${r.p99} ms`,
    ),
    ...rows.map(
      (r) =>
        `- ${r.outboxRows >= r.ok && r.outboxRows <= r.ok + r.non2xx + r.errors + 2 * CONNECTIONS ? 'met' : 'NOT met'}: ` +
        `every 200 is in the outbox (${r.store}) — ${int(r.ok)} answered, ${int(r.outboxRows)} written ` +
        `(at most ${2 * CONNECTIONS} more: sends in flight when the warm-up and the load stopped)`,
    ),
  ]
  process.stdout.write(out.join('\n') + '\n')
}

await main()
