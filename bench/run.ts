// `npm run bench`: starts the baseline server and Inlet as child processes, loads each with
// autocannon (baseline, single events, users, bulk), measures throughput, latency, errors, peak
// RSS, the processor's apply rate and lag, and bytes on disk per event; prints one markdown table
// and writes bench/results/latest.json. Settings come from flags or the environment (flags win):
// --seconds / BENCH_SECONDS, --warmup / BENCH_WARMUP_SECONDS, --connections / BENCH_CONNECTIONS,
// --scenarios / BENCH_SCENARIOS (e.g. "baseline,events,bulk"), --quick / BENCH_QUICK=1 (a ~2 s
// smoke run), --profile / BENCH_PROFILE=1 (--cpu-prof the Inlet children into bench/results/),
// --out / BENCH_OUT (the JSON file), --rounds / BENCH_ROUNDS and --round-seconds /
// BENCH_ROUND_SECONDS (paired rounds of the events load, baseline and Inlet alternating: 5 × 5 s
// by default, 0 for none), and BENCH_INLET (src | dist). --store / BENCH_STORE
// ("sqlite", "postgres" or both, the default) adds a PostgreSQL run of the same Inlet scenarios,
// named "events (postgres)" etc., on a throwaway cluster with crash safety on (test/helpers/
// postgres.ts: TEST_DATABASE_URL or the installed binaries; skipped, saying so, when neither).
// Then the child benchmarks, each a process whose table is added to the report: "browse"
// (bench/browse.ts, the dashboard's first pages) and "segments" (bench/segments.ts, a
// three-condition segment), reads over generated data at 1,000,000 users and 10,000,000 events,
// "inform" (bench/inform.ts, Inform sends into the outbox, for --seconds after --warmup), and
// "push" (bench/push.ts, an All Users push expanded into the outbox) at 100,000 users, unless
// --users / --events say otherwise (the smoke test's small data).
import { execFile } from 'node:child_process'
import { cpus, tmpdir } from 'node:os'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import type { Result } from 'autocannon'
import { compactLog, measureDisk, type DiskReport } from './disk.js'
import { ratioFactors, sampleMachine, type MachineReport } from './machine.js'
import { BENCH_API_KEY, BENCH_WORKSPACE_ID, fire as fireLoad, median } from './load.js'
import { bulkBodiesWithNewTimes, bulkBody, eventBody, userBody, type BulkBody } from './payloads.js'
import {
  ROOT,
  inletEntry,
  procCpuMs,
  procThreadCpuMs,
  procThreadNames,
  sampleRss,
  startBaseline,
  startInlet,
  type Child,
} from './processes.js'
import { formatSummary, summariseThreads, type ProfileSummary } from './profile.js'
import { MAX_QUOTA, QUOTA_NAMES } from '../src/governance/quotas.js'
import { openPostgres } from '../test/helpers/postgres.js'

const env = process.env
// The benchmark's own flags: src/cli's commands declare theirs alike, but they share no option.
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    scenarios: { type: 'string' },
    quick: { type: 'boolean' },
    profile: { type: 'boolean' },
    out: { type: 'string' },
    'inlet-env': { type: 'string', multiple: true },
    store: { type: 'string' },
    rounds: { type: 'string' },
    'round-seconds': { type: 'string' },
    users: { type: 'string' },
    events: { type: 'string' },
  },
  strict: true,
})

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`${name}=${JSON.stringify(raw)}: must be a number ≥ 0`)
  }
  return n
}

const QUICK = flags.quick === true || env['BENCH_QUICK'] === '1'
const SECONDS = positive('seconds', flags.seconds ?? env['BENCH_SECONDS'], QUICK ? 2 : 15)
const WARMUP_SECONDS = positive(
  'warmup',
  flags.warmup ?? env['BENCH_WARMUP_SECONDS'],
  QUICK ? 0.5 : 3,
)
const CONNECTIONS = positive('connections', flags.connections ?? env['BENCH_CONNECTIONS'], 50)
const PROFILE = flags.profile === true || env['BENCH_PROFILE'] === '1'
/**
 * Paired rounds (runPaired): how many, and seconds per side. 0 rounds: none. The events ratio
 * of one long run moved by ±0.07 between runs on this machine; alternating short runs of the two
 * servers cancels the noise that lasts longer than a round.
 */
const ROUNDS = positive('rounds', flags.rounds ?? env['BENCH_ROUNDS'], QUICK ? 1 : 5)
const ROUND_SECONDS = positive(
  'round-seconds',
  flags['round-seconds'] ?? env['BENCH_ROUND_SECONDS'],
  Math.min(5, SECONDS),
)
/** Extra Inlet settings for experiments, e.g. --inlet-env INLET_DURABILITY=os (not the default). */
const INLET_ENV: Record<string, string> = Object.fromEntries(
  [...(flags['inlet-env'] ?? []), ...(env['BENCH_INLET_ENV']?.split(',') ?? [])]
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
)
/**
 * With `--inlet-env INLET_RATE_LIMITS=on` quotas are enforced (the default here is off): the
 * workspace's quotas are then raised to the most allowed, through the admin API, so the load is
 * counted like real traffic (leases, headers) but never refused.
 */
const RATE_LIMITED = ['true', '1', 'on', 'yes'].includes(INLET_ENV['INLET_RATE_LIMITS'] ?? 'off')
const BENCH_ADMIN_TOKEN = INLET_ENV['INLET_ADMIN_TOKEN'] ?? 'bench-admin-token-0123456789'
const DRAIN_TIMEOUT_MS = 60_000
const STORES = (flags.store ?? env['BENCH_STORE'] ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
const ONLY = (flags.scenarios ?? env['BENCH_SCENARIOS'])?.split(',').map((s) => s.trim())
const RESULTS = join(ROOT, 'bench', 'results')
const OUT = resolve(flags.out ?? env['BENCH_OUT'] ?? join(RESULTS, 'latest.json'))
const WORKSPACE_ID = BENCH_WORKSPACE_ID
const API_KEY = BENCH_API_KEY

type Load = Readonly<{
  path: string
  /** Log records one successful request becomes. */
  recordsPerRequest: number
  body: (n: number) => string | Buffer
}>

const BULK_POOL: readonly BulkBody[] = Array.from({ length: QUICK ? 4 : 32 }, (_, i) => bulkBody(i))
const BULK_RECORDS = BULK_POOL[0]?.records ?? 0

const LOADS = {
  events: { path: `/v1/event/${WORKSPACE_ID}`, recordsPerRequest: 1, body: eventBody },
  users: { path: `/v1/customer/${WORKSPACE_ID}`, recordsPerRequest: 1, body: userBody },
  bulk: {
    path: `/v1/transition/${WORKSPACE_ID}`,
    recordsPerRequest: BULK_RECORDS,
    // Every event new, as a client's are: replayed unchanged, each body's events would be the
    // same users' same events at the same seconds as the rounds before (payloads.ts). The
    // replayed case: `npm run bench:drain` without --new-times.
    body: bulkBodiesWithNewTimes(BULK_POOL),
  },
} satisfies Record<string, Load>

type Health = {
  lag: { records: number; oldest_ms: number }
  ingest: { batches: number; records: number }
  processor: { enabled: boolean; applied: number; skipped: number; dead: number; batches: number }
}

type ApplyReport = {
  /** Records applied (or skipped/dead) per second from load start until the lag was zero. */
  recordsPerSec: number
  /** The same during the load only. */
  duringLoadPerSec: number
  maxLagRecords: number
  maxLagMs: number
  /** Least-squares slope of the lag over the load, records/s: > 0 means the lag grows. */
  lagSlopePerSec: number
  /** Seconds from the end of the load until the lag was zero; null if not within the timeout. */
  drainSeconds: number | null
  /** Processor transactions during the load and drain, and records per transaction. */
  batches: number
  recordsPerBatch: number
  skipped: number
  dead: number
}

type ScenarioReport = {
  name: string
  target: 'baseline' | 'inlet'
  load: keyof typeof LOADS
  seconds: number
  connections: number
  requests: number
  requestsPerSec: number
  recordsPerSec: number
  latencyMs: { p50: number; p99: number; max: number }
  errors: number
  timeouts: number
  non2xx: number
  statusCodes: Record<string, number>
  peakRssBytes: number
  ratio: number | null
  /** Group commits of the ingest log during the load (Inlet only), and records per commit. */
  commits: { count: number; recordsPerCommit: number } | null
  /**
   * Server CPU (all threads) from the start of the load until the lag was zero, per 1,000 records
   * accepted: what each record costs whatever the noise of the machine (Inlet only).
   */
  cpuMsPerKRecords: number | null
  /** The same CPU split by thread: the request thread's share, then the busiest others (ms). */
  cpuThreadsMs: { main: number; others: number[]; names: string[] } | null
  apply: ApplyReport | null
  disk: DiskReport | null
  /** The machine's CPU during the measured load (bench/machine.ts). */
  machine: MachineReport | null
  /** One summary per thread that did work (request thread first), with --profile. */
  profile: ProfileSummary[] | null
}

/**
 * The events load on the baseline and on Inlet in alternating rounds (both servers up, one loaded
 * at a time, which goes first alternating too), after a warm-up of each; Inlet's lag is drained
 * before the baseline's turn, so its processor never runs during a baseline round.
 */
type PairedReport = {
  rounds: number
  secondsPerRound: number
  baselineRequestsPerSec: number[]
  inletRequestsPerSec: number[]
  inletP99Ms: number[]
  /** Inlet's req/s over the baseline's, per round. */
  ratios: number[]
  medianRatio: number
  medianInletP99Ms: number
}

/** The benchmarks run as child processes after the load scenarios (readBench). */
const CHILD_BENCHMARKS = ['browse', 'segments', 'inform', 'push'] as const

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/healthz`)
  return (await res.json()) as Health // Inlet's /healthz shape (src/http/health.ts)
}

const processedOf = (h: Health): number =>
  h.processor.applied + h.processor.skipped + h.processor.dead

function fire(url: string, load: Load, seconds: number): Promise<Result> {
  return fireLoad(url, load, { connections: CONNECTIONS, seconds })
}

/** Polls /healthz until the lag is zero; returns seconds taken and the lag samples seen. */
async function waitForDrain(url: string, timeoutMs = DRAIN_TIMEOUT_MS): Promise<number> {
  const start = Date.now()
  for (;;) {
    const h = await health(url)
    if (h.lag.records === 0) return (Date.now() - start) / 1000
    if (Date.now() - start > timeoutMs) return Number.POSITIVE_INFINITY
    await sleep(50)
  }
}

function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0
  const n = points.length
  const mx = points.reduce((s, p) => s + p[0], 0) / n
  const my = points.reduce((s, p) => s + p[1], 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

function summariseLoad(
  name: string,
  target: ScenarioReport['target'],
  load: keyof typeof LOADS,
  r: Result,
  records: number,
): ScenarioReport {
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats).map(([code, s]) => [code, Number(s.count)]),
  )
  return {
    name,
    target,
    load,
    seconds: r.duration,
    connections: CONNECTIONS,
    requests: r['2xx'],
    requestsPerSec: Math.round(r['2xx'] / r.duration),
    recordsPerSec: Math.round(records / r.duration),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes,
    peakRssBytes: 0,
    ratio: null,
    commits: null,
    cpuMsPerKRecords: null,
    cpuThreadsMs: null,
    apply: null,
    disk: null,
    machine: null,
    profile: null,
  }
}

async function runBaseline(loads: readonly (keyof typeof LOADS)[]): Promise<ScenarioReport[]> {
  const child = await startBaseline()
  const rss = sampleRss(child.pid)
  const out: ScenarioReport[] = []
  try {
    for (const key of loads) {
      const load = LOADS[key]
      if (WARMUP_SECONDS > 0) await fire(child.url, load, WARMUP_SECONDS)
      const machine = sampleMachine(child.pid)
      const r = await fire(child.url, load, SECONDS)
      const name = key === 'events' ? 'baseline' : `baseline (${key} bodies)`
      const report = summariseLoad(name, 'baseline', key, r, r['2xx'] * load.recordsPerRequest)
      report.machine = machine.stop(r['2xx'], r.duration)
      out.push(report)
      log(`${name}: ${out.at(-1)?.requestsPerSec} req/s`)
    }
  } finally {
    const peak = rss.stop()
    for (const s of out) s.peakRssBytes = peak
    await child.stop()
  }
  return out
}

async function runPaired(): Promise<PairedReport> {
  const load = LOADS.events
  const dataDir = mkdtempSync(join(tmpdir(), 'inlet-bench-paired-'))
  const env = RATE_LIMITED ? { ...INLET_ENV, INLET_ADMIN_TOKEN: BENCH_ADMIN_TOKEN } : INLET_ENV
  const baseline = await startBaseline()
  let inlet: Child | undefined
  const report: PairedReport = {
    rounds: ROUNDS,
    secondsPerRound: ROUND_SECONDS,
    baselineRequestsPerSec: [],
    inletRequestsPerSec: [],
    inletP99Ms: [],
    ratios: [],
    medianRatio: 0,
    medianInletP99Ms: 0,
  }
  try {
    inlet = await startInlet({ dataDir, workspaceId: WORKSPACE_ID, apiKey: API_KEY, env })
    const url = inlet.url
    if (RATE_LIMITED) await raiseQuotas(url)
    const onBaseline = async (): Promise<number> => {
      const r = await fire(baseline.url, load, ROUND_SECONDS)
      return r['2xx'] / r.duration
    }
    const onInlet = async (): Promise<[number, number]> => {
      const r = await fire(url, load, ROUND_SECONDS)
      await waitForDrain(url, 30_000)
      return [r['2xx'] / r.duration, r.latency.p99]
    }
    if (WARMUP_SECONDS > 0) {
      await fire(baseline.url, load, WARMUP_SECONDS)
      await fire(url, load, WARMUP_SECONDS)
      await waitForDrain(url, 30_000)
    }
    for (let i = 0; i < ROUNDS; i++) {
      let base: number
      let ours: [number, number]
      if (i % 2 === 0) {
        base = await onBaseline()
        ours = await onInlet()
      } else {
        ours = await onInlet()
        base = await onBaseline()
      }
      report.baselineRequestsPerSec.push(Math.round(base))
      report.inletRequestsPerSec.push(Math.round(ours[0]))
      report.inletP99Ms.push(ours[1])
      report.ratios.push(base === 0 ? 0 : Math.round((100 * ours[0]) / base) / 100)
      log(
        `paired round ${i + 1}: baseline ${Math.round(base)} req/s, events ${Math.round(ours[0])} req/s (p99 ${ours[1]} ms), ratio ${report.ratios.at(-1)}`,
      )
    }
    report.medianRatio = Math.round(100 * median(report.ratios)) / 100
    report.medianInletP99Ms = median(report.inletP99Ms)
  } finally {
    await baseline.stop()
    const code = await inlet?.stop()
    if (code !== undefined && code !== 0) log(`inlet exited with ${code}:\n${inlet?.output()}`)
    rmSync(dataDir, { recursive: true, force: true })
  }
  return report
}

export function pairedText(p: PairedReport): string {
  const lo = Math.min(...p.ratios).toFixed(2)
  const hi = Math.max(...p.ratios).toFixed(2)
  return (
    `paired rounds (events, ${p.rounds} × ${p.secondsPerRound} s per server): ratio median ` +
    `${p.medianRatio.toFixed(2)} (${lo}–${hi}), Inlet p99 median ${p.medianInletP99Ms} ms`
  )
}

/** Every quota of the bench workspace at its most (admin API), so nothing is refused. */
async function raiseQuotas(url: string): Promise<void> {
  const res = await fetch(`${url}/inlet/v1/admin/workspaces/${WORKSPACE_ID}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      limits: Object.fromEntries(QUOTA_NAMES.map((name) => [name, MAX_QUOTA])),
    }),
  })
  if (res.status !== 200) throw new Error(`raising the quotas: ${res.status} ${await res.text()}`)
}

/** `databaseUrl`: the PostgreSQL run of the scenario (named "<key> (postgres)"). */
async function runInlet(key: keyof typeof LOADS, databaseUrl?: string): Promise<ScenarioReport> {
  const load = LOADS[key]
  const dataDir = mkdtempSync(join(tmpdir(), `inlet-bench-${key}-`))
  const limited = RATE_LIMITED ? { ...INLET_ENV, INLET_ADMIN_TOKEN: BENCH_ADMIN_TOKEN } : INLET_ENV
  const options = {
    dataDir,
    workspaceId: WORKSPACE_ID,
    apiKey: API_KEY,
    env: databaseUrl === undefined ? limited : { ...limited, DATABASE_URL: databaseUrl },
  }
  const name = databaseUrl === undefined ? key : `${key} (postgres)`
  // One directory per scenario: every thread (request thread, processor, log writer) writes its own.
  const profileDir = join(RESULTS, `profile-${key}${databaseUrl === undefined ? '' : '-postgres'}`)
  if (PROFILE) rmSync(profileDir, { recursive: true, force: true })
  const inlet: Child = await startInlet({
    ...options,
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  })
  const rss = sampleRss(inlet.pid)
  let report: ScenarioReport
  try {
    if (RATE_LIMITED) await raiseQuotas(inlet.url)
    const processing = (await health(inlet.url)).processor.enabled
    if (WARMUP_SECONDS > 0) {
      await fire(inlet.url, load, WARMUP_SECONDS)
      if (processing) await waitForDrain(inlet.url, 30_000)
    }
    const before = await health(inlet.url)
    const cpuBefore = procCpuMs(inlet.pid)
    const threadsBefore = procThreadCpuMs(inlet.pid)
    const samples: [number, number][] = []
    let maxLagMs = 0
    let loading = true
    const start = Date.now()
    const sampler = (async () => {
      while (loading) {
        const h = await health(inlet.url)
        samples.push([(Date.now() - start) / 1000, h.lag.records])
        maxLagMs = Math.max(maxLagMs, h.lag.oldest_ms)
        await sleep(100)
      }
    })()
    const machine = sampleMachine(inlet.pid)
    const r = await fire(inlet.url, load, SECONDS)
    const machineReport = machine.stop(r['2xx'], r.duration)
    loading = false
    await sampler
    const atEnd = await health(inlet.url)
    const accepted = atEnd.ingest.records - before.ingest.records
    report = summariseLoad(name, 'inlet', key, r, accepted)
    report.machine = machineReport
    const commits = atEnd.ingest.batches - before.ingest.batches
    report.commits = {
      count: commits,
      recordsPerCommit: commits === 0 ? 0 : Math.round((10 * accepted) / commits) / 10,
    }
    const waitStart = Date.now()
    const drainSeconds = processing ? await waitForDrain(inlet.url) : Number.NaN
    // The apply rate counts the time waited even when the lag was not back to zero by then.
    const waitedSeconds = (Date.now() - waitStart) / 1000
    const drained = await health(inlet.url)
    const cpuMs = procCpuMs(inlet.pid) - cpuBefore
    const threads = [...procThreadCpuMs(inlet.pid)].map(
      ([tid, ms]) => [tid, ms - (threadsBefore.get(tid) ?? 0)] as const,
    )
    const names = procThreadNames(inlet.pid)
    const others = threads
      .filter(([tid, ms]) => tid !== inlet.pid && ms > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
    report.cpuThreadsMs = {
      main: threads.find(([tid]) => tid === inlet.pid)?.[1] ?? 0,
      others: others.map(([, ms]) => ms),
      // Each of `others`' name: Inlet's workers name themselves (`inlet-processor`, `inlet-log`…).
      names: others.map(([tid]) => names.get(tid) ?? '?'),
    }
    report.cpuMsPerKRecords = accepted === 0 ? null : Math.round((10_000 * cpuMs) / accepted) / 10
    const processed = processedOf(drained) - processedOf(before)
    const batches = drained.processor.batches - before.processor.batches
    report.apply = !processing
      ? null
      : {
          recordsPerSec: Math.round(processed / (r.duration + waitedSeconds)),
          duringLoadPerSec: Math.round((processedOf(atEnd) - processedOf(before)) / r.duration),
          maxLagRecords: Math.max(atEnd.lag.records, ...samples.map((s) => s[1])),
          maxLagMs: Math.max(maxLagMs, atEnd.lag.oldest_ms),
          lagSlopePerSec: Math.round(slope(samples)),
          drainSeconds: Number.isFinite(drainSeconds) ? Math.round(drainSeconds * 100) / 100 : null,
          batches,
          recordsPerBatch: batches === 0 ? 0 : Math.round((10 * processed) / batches) / 10,
          skipped: drained.processor.skipped - before.processor.skipped,
          dead: drained.processor.dead - before.processor.dead,
        }
    report.peakRssBytes = rss.stop()
  } catch (err) {
    rss.stop()
    await inlet.stop()
    throw new Error(`${name}: ${String(err)}\n--- inlet output ---\n${inlet.output()}`, {
      cause: err,
    })
  }
  const code = await inlet.stop()
  if (code !== 0) log(`inlet exited with ${code}:\n${inlet.output()}`)
  if (PROFILE) report.profile = summariseThreads(profileDir)
  if (report.apply !== null && databaseUrl === undefined) {
    report.disk = measureDisk(dataDir, await compactLog(options))
  }
  if (env['BENCH_KEEP_DATA'] !== '1') rmSync(dataDir, { recursive: true, force: true })
  else log(`data kept in ${dataDir}`)
  log(
    `${name}: ${report.requestsPerSec} req/s, ${report.recordsPerSec} records/s, ` +
      `p99 ${report.latencyMs.p99} ms, ${report.commits?.recordsPerCommit} records/commit, ` +
      `cpu ${report.cpuMsPerKRecords} ms/1k records (threads ms: main ${report.cpuThreadsMs?.main}, ` +
      `others ${(report.cpuThreadsMs?.others ?? []).map((ms, i) => `${report.cpuThreadsMs?.names[i] ?? '?'} ${ms}`).join(', ')}), ` +
      `drain ${report.apply === null ? '(no processor)' : drainText(report.apply)} s`,
  )
  return report
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`)
}

const drainText = (a: ApplyReport): string =>
  a.drainSeconds === null ? `> ${DRAIN_TIMEOUT_MS / 1000}` : String(a.drainSeconds)
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)
const int = (n: number): string => Math.round(n).toLocaleString('en-US')

/** A markdown table: the first column left-aligned, the figures right-aligned. */
function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join(
    '\n',
  )
}

export function table(reports: readonly ScenarioReport[]): string {
  const head = [
    'scenario',
    'req/s',
    'records/s',
    'ratio',
    'p50 ms',
    'p99 ms',
    'max ms',
    'errors / non-2xx',
    'peak RSS MB',
    'applied rec/s',
    'max lag (rec / ms)',
    'lag slope rec/s',
    'drain s',
    'disk B/event (all files)',
  ]
  const rows = reports.map((r) => [
    r.name,
    int(r.requestsPerSec),
    int(r.recordsPerSec),
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    String(r.latencyMs.p50),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    `${r.errors} / ${r.non2xx}`,
    mb(r.peakRssBytes),
    r.apply === null ? '—' : int(r.apply.recordsPerSec),
    r.apply === null ? '—' : `${int(r.apply.maxLagRecords)} / ${int(r.apply.maxLagMs)}`,
    r.apply === null ? '—' : int(r.apply.lagSlopePerSec),
    r.apply === null ? '—' : drainText(r.apply),
    r.disk === null || r.disk.events === 0
      ? '—'
      : `${int(r.disk.bytesPerEvent)} (files ${int(r.disk.fileBytesPerEvent)})`,
  ])
  return markdownTable(head, rows)
}

/** The baseline row a scenario's ratio is taken against (the same bodies, SQLite or not). */
function baselineOf(
  reports: readonly ScenarioReport[],
  r: ScenarioReport,
): ScenarioReport | undefined {
  return reports.find(
    (b) => b.target === 'baseline' && b.load === (r.load === 'bulk' ? 'bulk' : 'events'),
  )
}

/**
 * Where the machine's CPU went during each load (bench/machine.ts), and each ratio as the product
 * of what the CPU per request explains and what the cores' idle time explains.
 */
export function machineTable(reports: readonly ScenarioReport[]): string {
  const head = [
    'scenario',
    'cores busy %',
    'idle %',
    'I/O wait %',
    'steal %',
    'load generator µs/req',
    'server µs/req',
    'PostgreSQL µs/req',
    'server threads, % of a core',
    'ratio = CPU × busy',
  ]
  const p = (v: number | null): string => (v === null ? '—' : v.toFixed(1))
  const rows = reports.map((r) => {
    const m = r.machine
    const base = r.target === 'inlet' ? baselineOf(reports, r)?.machine : undefined
    const f = m === null || base === undefined || base === null ? null : ratioFactors(m, base)
    return [
      r.name,
      p(m?.busyPct ?? null),
      p(m?.idlePct ?? null),
      p(m?.ioWaitPct ?? null),
      p(m?.stealPct ?? null),
      m === null ? '—' : int(m.loadGeneratorUsPerRequest),
      m === null ? '—' : int(m.serverUsPerRequest),
      m === null || m.databaseUsPerRequest === 0 ? '—' : int(m.databaseUsPerRequest),
      m === null ? '—' : m.serverThreadsPctOfCore.join(' / '),
      f === null || f.busyFactor === null
        ? '—'
        : `${f.cpuFactor.toFixed(2)} × ${f.busyFactor.toFixed(2)} = ${(f.cpuFactor * f.busyFactor).toFixed(2)}`,
    ]
  })
  return markdownTable(head, rows)
}

type Goal = { goal: string; met: boolean | null; measured: string }

/** With paired rounds the ratio goal is judged on their median, the steadier figure. */
function goals(reports: readonly ScenarioReport[], paired: PairedReport | null): Goal[] {
  const events = reports.find((r) => r.name === 'events')
  const bulk = reports.find((r) => r.name === 'bulk')
  const out: Goal[] = []
  if (events !== undefined) {
    const ratio = paired?.medianRatio ?? events.ratio
    const single = events.ratio === null ? 'no baseline' : `${events.ratio.toFixed(2)} (one run)`
    out.push({
      goal: 'single events: ≥ 60% of baseline req/s',
      met: ratio === null ? null : ratio >= 0.6,
      measured:
        paired === null
          ? single
          : `${paired.medianRatio.toFixed(2)} (median of ${paired.rounds} paired rounds); ${single}`,
    })
    out.push({
      goal: 'single events: p99 ≤ 25 ms',
      met: events.latencyMs.p99 <= 25,
      measured:
        `${events.latencyMs.p99} ms` +
        (paired === null ? '' : ` (paired rounds: median ${paired.medianInletP99Ms} ms)`),
    })
    if (events.apply !== null) {
      const bounded =
        events.apply.lagSlopePerSec <= Math.max(50, 0.01 * events.recordsPerSec) &&
        events.apply.drainSeconds !== null &&
        events.apply.drainSeconds <= 5
      out.push({
        goal: 'processor keeps up with single events (lag bounded, drains within a few s)',
        met: bounded,
        measured: `slope ${events.apply.lagSlopePerSec} rec/s, max lag ${events.apply.maxLagRecords}, drain ${events.apply.drainSeconds} s`,
      })
    }
    if (events.disk !== null) {
      out.push({
        goal: '≤ 350 bytes on disk per typical event',
        met: events.disk.bytesPerEvent <= 350,
        measured:
          `${events.disk.bytesPerEvent} B (event row + index ${events.disk.eventTableBytesPerEvent} B; ` +
          `with profiles ${events.disk.liveBytesPerEvent} B; files incl. free pages ${events.disk.fileBytesPerEvent} B)`,
      })
    }
  }
  if (bulk !== undefined) {
    out.push({
      goal: 'bulk: ≥ 150,000 records/s',
      met: bulk.recordsPerSec >= 150_000,
      measured: `${int(bulk.recordsPerSec)} records/s`,
    })
    out.push({
      goal: 'bulk: peak RSS ≤ 300 MB',
      met: bulk.peakRssBytes <= 300 * 1024 * 1024,
      measured: `${mb(bulk.peakRssBytes)} MB`,
    })
  }
  return out
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true })
  const wanted = (name: string): boolean => ONLY === undefined || ONLY.includes(name)
  const inletKeys = (['events', 'users', 'bulk'] as const).filter(wanted)
  const baselineKeys = (['events', 'bulk'] as const).filter(
    (k) => wanted('baseline') && (k === 'events' || inletKeys.includes(k)),
  )
  const started = new Date()
  const entry = inletEntry()
  log(
    `${SECONDS} s per scenario (+${WARMUP_SECONDS} s warm-up), ${CONNECTIONS} connections, ` +
      `Inlet from ${entry.from}, bulk bodies ${BULK_POOL[0]?.body.length} B / ${BULK_RECORDS} records` +
      (PROFILE ? ', profiling' : ''),
  )
  const reports: ScenarioReport[] = []
  reports.push(...(await runBaseline(baselineKeys)))
  if (STORES.includes('sqlite')) for (const key of inletKeys) reports.push(await runInlet(key))
  if (STORES.includes('postgres') && inletKeys.length > 0) {
    const postgres = await openPostgres({ durable: true })
    if (postgres === undefined)
      log('no PostgreSQL (binaries or TEST_DATABASE_URL): no postgres run')
    else {
      try {
        for (const key of inletKeys) reports.push(await runInlet(key, await postgres.freshUrl()))
      } finally {
        await postgres.stop()
      }
    }
  }
  for (const r of reports) {
    if (r.target !== 'inlet') continue
    const base = baselineOf(reports, r)
    r.ratio =
      base === undefined ? null : Math.round((100 * r.requestsPerSec) / base.requestsPerSec) / 100
  }
  const paired =
    ROUNDS > 0 && STORES.includes('sqlite') && wanted('baseline') && inletKeys.includes('events')
      ? await runPaired()
      : null
  const reads: { name: string; table: string }[] = []
  for (const name of CHILD_BENCHMARKS.filter(wanted)) {
    reads.push({ name, table: await readBench(name) })
  }
  const goalList = goals(reports, paired)
  const result = {
    date: started.toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
    settings: {
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      pipelining: 1,
      inletFrom: entry.from,
      stores: STORES,
      durability: INLET_ENV['INLET_DURABILITY'] ?? 'fsync',
      inletEnv: INLET_ENV,
      profiled: PROFILE,
      bulkBodyBytes: BULK_POOL[0]?.body.length ?? 0,
      bulkRecordsPerBody: BULK_RECORDS,
      rounds: ROUNDS,
      roundSeconds: ROUND_SECONDS,
    },
    scenarios: reports,
    paired,
    reads,
    goals: goalList,
  }
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n')
  const out = [
    table(reports),
    '',
    'Where the CPU went during each load (ratio = the CPU-per-request factor × the busy factor):',
    '',
    machineTable(reports),
    '',
    ...(paired === null ? [] : [pairedText(paired), '']),
    ...reads.flatMap((r) => [`Benchmark "${r.name}" (bench/${r.name}.ts):`, r.table, '']),
    ...goalList.map(
      (g) => `- ${g.met === null ? '?' : g.met ? 'met' : 'NOT met'}: ${g.goal} — ${g.measured}`,
    ),
    '',
  ]
  for (const r of reports) {
    for (const p of r.profile ?? [])
      out.push(`### ${r.name}: ${p.thread}`, '', formatSummary(p), '')
  }
  const shown = relative(process.cwd(), OUT)
  out.push(`JSON: ${shown.startsWith('..') ? OUT : shown}`)
  process.stdout.write(out.join('\n') + '\n')
}

/**
 * One child benchmark (bench/<name>.ts) as a process on this run's stores — the reads and the
 * Push expansion with --users / --events when given, Inform with this run's --seconds and
 * --warmup: what it printed
 * (its tables, plans and goals).
 */
async function readBench(name: (typeof CHILD_BENCHMARKS)[number]): Promise<string> {
  const args = [
    ...['--import', 'tsx', join(ROOT, 'bench', `${name}.ts`), '--store', STORES.join(',')],
    ...(name !== 'inform' && flags.users !== undefined ? ['--users', flags.users] : []),
    ...(name === 'segments' && flags.events !== undefined ? ['--events', flags.events] : []),
    ...(name === 'inform'
      ? ['--seconds', String(SECONDS), '--warmup', String(WARMUP_SECONDS)]
      : []),
  ]
  process.stderr.write(`read benchmark ${name}…\n`)
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  })
  return stdout.trim()
}

await main()
