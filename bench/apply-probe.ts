// One drain of the apply benchmark (bench/apply.ts runs it in a child process): fills a store's
// log with Bulk Import bodies (or single Create Event requests) through the API with the processor
// off, then times the processor draining it inline (`processor.drain()`) and prints one JSON line:
// records, wall ms, records/s and this process's CPU µs per record over the drain (on PostgreSQL
// also the cluster's, pgUs). Env: BODIES (default 300, 552 records each), EVENTS (single events
// instead of Bulk bodies when > 0), DATABASE_URL (the PostgreSQL store; SQLite in a fresh
// directory otherwise), INLET_ROOT (the checkout whose src/ is measured; default this one's).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as ConfigModule from '../src/core/config.js'
import type * as LogModule from '../src/core/log.js'
import type * as ServerModule from '../src/server/server.js'
import { bulkBody, eventBody } from './payloads.js'
import { cpuMsByCommand } from './processes.js'

const root = process.env['INLET_ROOT'] ?? join(import.meta.dirname, '..')
const src = (path: string): string => pathToFileURL(join(root, 'src', path)).href
const { loadConfig } = (await import(src('core/config.js'))) as typeof ConfigModule
const { silentLogger } = (await import(src('core/log.js'))) as typeof LogModule
const { composeInlet } = (await import(src('server/server.js'))) as typeof ServerModule

const W = 'PROBEWORKSPACE000001'
const KEY = 'probe-data-api-key-1'
const bodies = Number(process.env['BODIES'] ?? 300)
const events = Number(process.env['EVENTS'] ?? 0)
const databaseUrl = process.env['DATABASE_URL']
const dir = mkdtempSync(join(tmpdir(), 'inlet-apply-'))
const config = loadConfig({
  INLET_DATA_DIR: databaseUrl === undefined ? dir : ':memory:',
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  // The processor's own store commits under synchronous=NORMAL in production (deferStoreSync of
  // its worker thread's store); inline here, `os` gives it the same.
  INLET_DURABILITY: 'os',
  INLET_RATE_LIMITS: 'off',
  INLET_PROCESSOR_THREAD: 'inline',
  INLET_WORKSPACE_ID: W,
  INLET_DATA_API_KEY: KEY,
})
const inlet = await composeInlet(config, { log: silentLogger, background: false })
const auth = `Basic ${Buffer.from(`${W}:${KEY}`).toString('base64')}`
let records = 0
for (let i = 0; i < (events > 0 ? events : bodies); i++) {
  const b = events > 0 ? { body: eventBody(i), records: 1 } : bulkBody(i)
  records += b.records
  const res = await inlet.app.inject({
    method: 'POST',
    url: events > 0 ? `/v1/event/${W}` : `/v1/transition/${W}`,
    headers: { authorization: auth, 'content-type': 'application/json' },
    payload: b.body,
  })
  if (res.statusCode !== 200) throw new Error(res.body)
}
// PostgreSQL's CPU: its processes' (the pool's backends live through the drain; a process that
// started during it counts from zero). Only where the cluster runs on this machine.
const pgCpuMs = (): Map<number, number> => cpuMsByCommand('postgres')
const pg0 = databaseUrl === undefined ? undefined : pgCpuMs()
const t0 = performance.now()
const cpu0 = process.cpuUsage()
await inlet.processor.drain(600_000)
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
let pgMs = 0
if (pg0 !== undefined) for (const [pid, ms] of pgCpuMs()) pgMs += ms - (pg0.get(pid) ?? 0)
console.log(
  JSON.stringify({
    records,
    ms: Math.round(ms),
    perSecond: Math.round((records / ms) * 1000),
    cpuUsPerRecord: Math.round(((cpu.user + cpu.system) / records) * 10) / 10,
    ...(pg0 === undefined ? {} : { pgUs: Math.round(((pgMs * 1000) / records) * 10) / 10 }),
  }),
)
await inlet.close()
rmSync(dir, { recursive: true, force: true })
