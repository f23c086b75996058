// `npm run bench:drain`: the processor's apply rate inside a running Inlet after a Bulk load, over
// time. Starts Inlet (as `npm run bench` does: the compiled dist/), loads Bulk Import for
// --seconds (default 15, 50 connections), then prints every 5 s the lag and the records applied
// per second until the lag is zero (at most 10 minutes). `bench:apply` measures the processor's
// loop alone on a fresh store; this measures it as the server runs it, on the store the load grew.
// --env KEY=VALUE (repeatable) passes Inlet settings, e.g. --env INLET_PROCESSOR_BATCH_SIZE=5000.
// --new-times moves every event's time on each time a body comes round again
// (payloads.ts bulkBodiesWithNewTimes), so that no event repeats an earlier one.
// --profile DIR runs Inlet under --cpu-prof (one .cpuprofile per thread in DIR) and prints each
// thread's summary (bench/profile.ts) after the drain.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_API_KEY, BENCH_WORKSPACE_ID, fire } from './load.js'
import { bulkBodiesWithNewTimes, bulkBody } from './payloads.js'
import { procStatusBytes, startInlet } from './processes.js'
import { formatSummary, summariseThreads } from './profile.js'

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    env: { type: 'string', multiple: true, default: [] },
    'new-times': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
  strict: true,
})
const env = Object.fromEntries(
  flags.env.map((kv) => {
    const at = kv.indexOf('=')
    if (at < 1) throw new Error(`--env ${kv}: expected KEY=VALUE`)
    return [kv.slice(0, at), kv.slice(at + 1)]
  }),
)
type Health = { lag: { records: number }; processor: { applied: number; batches: number } }

const pool = Array.from({ length: 32 }, (_, i) => bulkBody(i))
const dataDir = mkdtempSync(join(tmpdir(), 'inlet-bench-drain-'))
const inlet = await startInlet({
  dataDir,
  workspaceId: BENCH_WORKSPACE_ID,
  apiKey: BENCH_API_KEY,
  env,
  nodeArgs: flags.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${flags.profile}`],
})
const health = async (): Promise<Health> =>
  (await (await fetch(`${inlet.url}/healthz`)).json()) as Health
try {
  const path = `/v1/transition/${BENCH_WORKSPACE_ID}`
  const body = flags['new-times']
    ? bulkBodiesWithNewTimes(pool)
    : (n: number): Buffer => (pool[n % pool.length] as (typeof pool)[number]).body
  const load = await fire(
    inlet.url,
    { path, body },
    { connections: 50, seconds: Number(flags.seconds) },
  )
  let prev = await health()
  console.log(
    `${load['2xx']} Bulk requests in ${flags.seconds} s; lag at the end ${prev.lag.records}`,
  )
  const start = Date.now()
  console.log('| s | lag | applied/s | batches |')
  console.log('| ---: | ---: | ---: | ---: |')
  while (prev.lag.records > 0 && Date.now() - start < 600_000) {
    await new Promise((r) => setTimeout(r, 5_000))
    const h = await health()
    const rate = Math.round((h.processor.applied - prev.processor.applied) / 5)
    const s = Math.round((Date.now() - start) / 1000)
    console.log(
      `| ${s} | ${h.lag.records} | ${rate} | ${h.processor.batches - prev.processor.batches} |`,
    )
    prev = h
  }
  console.log(`drained in ${((Date.now() - start) / 1000).toFixed(0)} s (to 5 s)`)
  const peak = procStatusBytes(inlet.pid, 'VmHWM')
  console.log(`Inlet's peak RSS over the load and the drain: ${Math.round(peak / 1024 / 1024)} MB`)
} finally {
  await inlet.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
if (flags.profile !== undefined) {
  for (const summary of summariseThreads(flags.profile)) console.log(formatSummary(summary))
}
