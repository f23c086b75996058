// The import benchmark (`npm run bench:import`, issue 22): a CSV of N events (default 1,000,000)
// imported into a real `inlet serve` (its own process, SQLite in a temporary directory) by the
// import code of `inlet import` (imports/import-file.ts through the client SDK), in this process,
// whose RSS is sampled every 100 ms: it reports rows/s and the peak RSS, and the RSS at each tenth
// of the file, to show memory stays flat. Not part of `npm test`.
//
//   npm run bench:import                      # 1,000,000 events
//   npm run bench:import -- --rows 200000 --type users --batch-size 1000
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { DataApiClient } from '../src/client/index.js'
import { importFile } from '../src/imports/import-file.js'

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    type: { type: 'string', default: 'events' },
    'batch-size': { type: 'string', default: '1000' },
  },
})
const rows = Number(flags.rows)
const type = flags.type === 'users' ? 'users' : 'events'
const WS = 'BENCHIMPORTWS0000001'
const KEY = 'bench-import-key-000001'
const ADMIN = 'bench-import-admin-token'

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file)
  out.write(type === 'users' ? 'customer_id,name,points,vip\n' : 'customer_id,action,n,price\n')
  for (let n = 1; n <= rows; n++) {
    const line =
      type === 'users'
        ? `user-${n},Name ${n},${n % 1000},${n % 2 === 0}\n`
        : `user-${n % 100_000},Purchase,${n},${(n % 997) / 10}\n`
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  out.end()
  await finished(out)
}

async function startInlet(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      INLET_DATA_DIR: dir,
      INLET_WORKSPACE_ID: WS,
      INLET_DATA_API_KEY: KEY,
      INLET_ADMIN_TOKEN: ADMIN,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c
      const m = /serving the MoEngage Data API on (http:\/\/\S+)\n/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', () => reject(new Error(`inlet serve exited:\n${out}`)))
  })
  const res = await fetch(`${baseUrl}/inlet/v1/admin/workspaces/${WS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ limits: { bulk_users: 10_000_000, bulk_events: 10_000_000 } }),
  })
  if (res.status !== 200) throw new Error(`raising the quota: ${res.status} ${await res.text()}`)
  return { baseUrl, stop: () => child.kill('SIGTERM') }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`

const dir = mkdtempSync(join(tmpdir(), 'inlet-bench-import-'))
try {
  const file = join(dir, `${type}.csv`)
  await writeCsv(file)
  const inlet = await startInlet(join(dir, 'data'))
  try {
    const client = new DataApiClient({ baseUrl: inlet.baseUrl }, WS, KEY)
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
    const tenths: string[] = []
    let nextTenth = 0.1
    const started = performance.now()
    const summary = await importFile(
      {
        file,
        workspaceId: WS,
        type,
        batchRecords: Number(flags['batch-size']),
        newImportId: () => `imp-bench-${Date.now()}`,
      },
      client,
      (p) => {
        if (p.rows >= rows * nextTenth) {
          tenths.push(mb(process.memoryUsage().rss))
          nextTenth += 0.1
        }
      },
    )
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(
      JSON.stringify(
        {
          rows: summary.rows,
          type,
          accepted: summary.accepted,
          rejected: summary.rejected,
          batches: summary.batches,
          seconds: Number(seconds.toFixed(1)),
          rows_per_second: Math.round(summary.rows / seconds),
          peak_rss: mb(peak),
          rss_each_tenth: tenths,
          max_rss_kb: process.resourceUsage().maxRSS,
        },
        null,
        2,
      ),
    )
  } finally {
    inlet.stop()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
