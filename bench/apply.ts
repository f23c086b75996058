// The apply benchmark (`npm run bench:apply`): how fast the processor applies a backlog of Bulk
// records, drain only, on SQLite and PostgreSQL. Each drain is one child process
// (bench/apply-probe.ts): the log is filled with BODIES Bulk bodies (552 records each: a customer,
// its device, four events) through the API with the processor off, then the processor drains it
// inline. With `--shape events` the log holds `--events` single Create Event requests instead
// (one record each, 10,000 users: the full run's events load), the processor's single-event
// path. Reported per drain: records/s (wall) and CPU µs per record, Inlet's process and, on
// PostgreSQL, the cluster's processes — CPU per record moves far less than the wall rate on a
// shared machine. With `--a-root DIR` two checkouts are compared in interleaved rounds (A = DIR,
// B = this one; which side goes first alternates), with the medians and B/A of each.
//
//   npm run bench:apply                                  # SQLite and PostgreSQL, 3 drains each
//   npm run bench:apply -- --store sqlite --rounds 5 --bodies 300
//   npm run bench:apply -- --a-root /tmp/before --store sqlite --rounds 6
//   npm run bench:apply -- --shape events --store sqlite --rounds 5   # 60,000 single events
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openPostgres } from '../test/helpers/postgres.js'

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string' },
    rounds: { type: 'string' },
    bodies: { type: 'string' },
    shape: { type: 'string' },
    events: { type: 'string' },
    'a-root': { type: 'string' },
  },
  strict: true,
})
const HERE = join(import.meta.dirname, '..')
const STORES = (flags.store ?? 'sqlite,postgres').split(',')
const ROUNDS = Number(flags.rounds ?? 3)
const BODIES = Number(flags.bodies ?? 300)
const SHAPE = flags.shape ?? 'bulk'
if (SHAPE !== 'bulk' && SHAPE !== 'events') throw new Error(`--shape ${SHAPE}: bulk or events`)
const EVENTS = Number(flags.events ?? 60_000)
if (!Number.isInteger(EVENTS) || EVENTS < 1) {
  throw new Error(`--events ${flags.events}: a whole number ≥ 1`)
}
const WHAT = SHAPE === 'bulk' ? `${BODIES} Bulk bodies` : `${EVENTS} single events`
const A_ROOT = flags['a-root']

type Drain = {
  records: number
  ms: number
  perSecond: number
  cpuUsPerRecord: number
  pgUs?: number
}
type Side = { name: string; root: string }

const sides: Side[] =
  A_ROOT === undefined
    ? [{ name: 'this', root: HERE }]
    : [
        { name: 'A', root: A_ROOT },
        { name: 'B', root: HERE },
      ]

function drain(side: Side, databaseUrl: string | undefined): Drain {
  const child = spawnSync(
    process.execPath,
    [
      '--max-semi-space-size=8',
      '--heap-growing-percent=50',
      '--import',
      'tsx',
      join(HERE, 'bench', 'apply-probe.ts'),
    ],
    {
      cwd: HERE,
      encoding: 'utf8',
      env: {
        ...process.env,
        INLET_ROOT: side.root,
        BODIES: String(BODIES),
        EVENTS: SHAPE === 'events' ? String(EVENTS) : '0',
        ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      },
    },
  )
  if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`)
  const line = child.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line) as Drain
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  const v = s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
  return Math.round(v * 100) / 100
}
const range = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)}`

for (const store of STORES) {
  const postgres = store === 'postgres' ? await openPostgres({ durable: true }) : undefined
  if (store === 'postgres' && postgres === undefined) {
    console.log('no PostgreSQL (binaries or TEST_DATABASE_URL): no postgres run')
    continue
  }
  const results = new Map<string, Drain[]>(sides.map((s) => [s.name, []]))
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse()
      for (const side of order) {
        const d = drain(side, postgres === undefined ? undefined : await postgres.freshUrl())
        results.get(side.name)?.push(d)
        console.log(`${store} round ${round + 1} ${side.name}: ${JSON.stringify(d)}`)
      }
    }
  } finally {
    await postgres?.stop()
  }
  console.log(`\n${store}, ${WHAT} per drain, ${ROUNDS} drains per side:`)
  for (const side of sides) {
    const ds = results.get(side.name) ?? []
    const rate = ds.map((d) => d.perSecond)
    const cpu = ds.map((d) => d.cpuUsPerRecord)
    const pg = ds.flatMap((d) => (d.pgUs === undefined ? [] : [d.pgUs]))
    console.log(
      `  ${side.name}: records/s median ${median(rate)} (${range(rate)}), Inlet CPU µs/record median ${median(cpu)} (${range(cpu)})` +
        (pg.length > 0 ? `, PostgreSQL CPU µs/record median ${median(pg)} (${range(pg)})` : ''),
    )
  }
  if (sides.length === 2) {
    const a = results.get('A') ?? []
    const b = results.get('B') ?? []
    const ratios = b.map((d, i) => Math.round((d.perSecond / (a[i]?.perSecond ?? 1)) * 100) / 100)
    const cpuRatios = b.map(
      (d, i) => Math.round((d.cpuUsPerRecord / (a[i]?.cpuUsPerRecord ?? 1)) * 100) / 100,
    )
    console.log(
      `  B/A records/s per round ${ratios.join(', ')}: median ${median(ratios)}; B/A CPU per record median ${median(cpuRatios)} (${range(cpuRatios)})`,
    )
  }
}
