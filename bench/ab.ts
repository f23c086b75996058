// `npm run bench:ab`: a paired A/B of two Inlet configurations under one load. Both servers run
// side by side on fresh data directories and are loaded in turns (which goes first alternating),
// each turn followed by its drain, so noise that lasts longer than a round — this machine's
// baseline moved by ±40% within an hour — hits both sides alike. Prints, per side, req/s, p99 and
// the server's CPU per request (all threads, load and drain) of every round, their medians, and
// the B/A ratio of each pair. Flags: --a / --b KEY=VALUE (repeatable: Inlet settings of each side),
// --a-root / --b-root DIR (the checkout each side runs, default this one: e.g. a `git worktree` of
// another commit, with its node_modules), --rounds (default 6), --seconds per turn (default 5),
// --load events | users, --connections.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Result } from 'autocannon'
import {
  BENCH_API_KEY,
  BENCH_WORKSPACE_ID,
  fire as fireLoad,
  median,
  type PostLoad,
} from './load.js'
import { eventBody, userBody } from './payloads.js'
import { procThreadCpuMs, startInlet, type Child } from './processes.js'

const { values: flags } = parseArgs({
  options: {
    a: { type: 'string', multiple: true },
    b: { type: 'string', multiple: true },
    'a-root': { type: 'string' },
    'b-root': { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    load: { type: 'string' },
    connections: { type: 'string' },
  },
  strict: true,
})

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${raw}: must be a whole number ≥ 1`)
  return n
}

/** `KEY=VALUE` settings; anything else is refused rather than silently ignored. */
function settingsOf(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const kv of pairs ?? []) {
    const at = kv.indexOf('=')
    if (at < 1) throw new Error(`${JSON.stringify(kv)}: expected KEY=VALUE`)
    out[kv.slice(0, at).trim()] = kv.slice(at + 1).trim()
  }
  return out
}

const ROUNDS = count('rounds', flags.rounds, 6)
const SECONDS = count('seconds', flags.seconds, 5)
const CONNECTIONS = count('connections', flags.connections, 50)
const LOAD = flags.load ?? 'events'
if (LOAD !== 'events' && LOAD !== 'users') throw new Error(`--load ${LOAD}: events or users`)
const POST: PostLoad =
  LOAD === 'events'
    ? { path: `/v1/event/${BENCH_WORKSPACE_ID}`, body: eventBody }
    : { path: `/v1/customer/${BENCH_WORKSPACE_ID}`, body: userBody }
const fire = (url: string, seconds: number): Promise<Result> =>
  fireLoad(url, POST, { connections: CONNECTIONS, seconds })

type Turn = { requestsPerSec: number; p99Ms: number; cpuUsPerRequest: number }
type Side = {
  name: 'A' | 'B'
  settings: Record<string, string>
  root: string | undefined
  dataDir: string
  inlet?: Child
}

/** Waits for the lag to be zero, unless the side runs no processor (then there is none to wait for). */
async function drain(url: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 30_000;) {
    const health = (await (await fetch(`${url}/healthz`)).json()) as {
      lag: { records: number }
      processor: { enabled: boolean }
    }
    if (health.lag.records === 0 || !health.processor.enabled) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url}: the lag did not drain within 30 s`)
}

const cpuMs = (pid: number): number => [...procThreadCpuMs(pid).values()].reduce((a, b) => a + b, 0)

async function turn(inlet: Child): Promise<Turn> {
  const before = cpuMs(inlet.pid)
  const r = await fire(inlet.url, SECONDS)
  await drain(inlet.url)
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`)
  return {
    requestsPerSec: Math.round(r['2xx'] / r.duration),
    p99Ms: r.latency.p99,
    cpuUsPerRequest: Math.round((1000 * (cpuMs(inlet.pid) - before)) / Math.max(1, r['2xx'])),
  }
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'inlet-ab-'))

async function main(): Promise<void> {
  const sides: Side[] = [
    { name: 'A', settings: settingsOf(flags.a), root: flags['a-root'], dataDir: tempDir() },
    { name: 'B', settings: settingsOf(flags.b), root: flags['b-root'], dataDir: tempDir() },
  ]
  const turns: Record<'A' | 'B', Turn[]> = { A: [], B: [] }
  try {
    for (const side of sides) {
      side.inlet = await startInlet({
        dataDir: side.dataDir,
        workspaceId: BENCH_WORKSPACE_ID,
        apiKey: BENCH_API_KEY,
        env: side.settings,
        ...(side.root === undefined ? {} : { root: resolve(side.root) }),
      })
      await fire(side.inlet.url, 2) // warm-up
      await drain(side.inlet.url)
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        if (side.inlet !== undefined) turns[side.name].push(await turn(side.inlet))
      }
    }
  } finally {
    for (const side of sides) {
      await side.inlet?.stop()
      rmSync(side.dataDir, { recursive: true, force: true })
    }
  }
  const lines = [
    `${LOAD}, ${ROUNDS} rounds × ${SECONDS} s per side, ${CONNECTIONS} connections`,
    ...sides.map(
      (s) =>
        `${s.name}: ${JSON.stringify(s.settings)}${s.root === undefined ? '' : ` from ${s.root}`}`,
    ),
    '',
    '| side | req/s (each round) | median req/s | median p99 ms | median server CPU µs/request |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  for (const name of ['A', 'B'] as const) {
    const t = turns[name]
    lines.push(
      `| ${name} | ${t.map((x) => x.requestsPerSec).join(', ')} | ` +
        `${Math.round(median(t.map((x) => x.requestsPerSec)))} | ${median(t.map((x) => x.p99Ms))} | ` +
        `${Math.round(median(t.map((x) => x.cpuUsPerRequest)))} |`,
    )
  }
  const ratios = turns.A.map((a, i) => (turns.B[i]?.requestsPerSec ?? 0) / a.requestsPerSec)
  lines.push(
    '',
    `B/A req/s per round: ${ratios.map((r) => r.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`,
  )
  process.stdout.write(lines.join('\n') + '\n')
}

await main()
