// The dashboard's browse benchmark (`npm run bench:browse`): the first page of the users list and
// of each search, with 1,000,000 users in one workspace, on SQLite and PostgreSQL. The users are
// written straight into a migrated store by one INSERT … SELECT over a generated series (not
// through the API: loading a million users through the processor would take the run's time), with
// the attributes Inlet stores (email, mobile, name, a plan, a counter). Each search's first page
// (PAGE_SIZE users, as the dashboard asks) is timed ROUNDS times through `store.browse`, the read
// the dashboard's route makes (an attribute search with the route's ATTRIBUTE_PAGE_BUDGET_MS); reported per search: the median and the max (the first, coldest
// round included). SQLite runs without ANALYZE statistics, as after `npm start`; PostgreSQL after
// `ANALYZE users`, as autovacuum does after a bulk load. The PostgreSQL cluster is a throwaway one
// with crash safety on (test/helpers/postgres.ts, as `npm run bench` starts it).
//
//   npm run bench:browse                                  # SQLite and PostgreSQL, 1,000,000 users
//   npm run bench:browse -- --store sqlite --users 100000 --rounds 9
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { PAGE_SIZE } from '../src/families/dashboard/paging.js'
import { ATTRIBUTE_PAGE_BUDGET_MS } from '../src/families/dashboard/routes/users.js'
import type { Store } from '../src/store/store.js'
import { onPostgres, onSqlite } from './bench-stores.js'
import { POSTGRES_LOAD, SQLITE_LOAD, T0, WS, searchesOf } from './browse-data.js'
import { median } from './load.js'

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string' },
    users: { type: 'string' },
    rounds: { type: 'string' },
  },
})
const STORES = (flags.store ?? 'sqlite,postgres').split(',').map((s) => s.trim())
const USERS = Number(flags.users ?? 1_000_000)
const ROUNDS = Number(flags.rounds ?? 5)
const BUDGET_MS = 200
const SEARCHES = searchesOf(USERS)

type Timing = { name: string; medianMs: number; maxMs: number; users: number }

async function timeSearches(store: Store): Promise<Timing[]> {
  const out: Timing[] = []
  for (const { name, ...search } of SEARCHES) {
    const ms: number[] = []
    let users = 0
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now()
      const until = start + ATTRIBUTE_PAGE_BUDGET_MS
      const page = await store.browse.searchUsers({
        ...search,
        workspaceId: WS,
        limit: PAGE_SIZE,
        stopScan: () => performance.now() >= until,
      })
      ms.push(performance.now() - start)
      users = page.users.length
    }
    const round1 = (x: number) => Math.round(x * 10) / 10
    out.push({ name, medianMs: round1(median(ms)), maxMs: round1(Math.max(...ms)), users })
  }
  return out
}

function sqlite(): Promise<Timing[]> {
  return onSqlite(
    'browse',
    (db) => {
      const started = performance.now()
      db.prepare(SQLITE_LOAD).run(USERS, WS, T0, T0)
      log(`sqlite: ${USERS} users loaded in ${Math.round(performance.now() - started)} ms`)
    },
    timeSearches,
  )
}

function postgres(): Promise<Timing[] | undefined> {
  return onPostgres(async (client) => {
    const started = performance.now()
    await client.query(POSTGRES_LOAD, [WS, T0, USERS])
    await client.query('ANALYZE users')
    log(`postgres: ${USERS} users loaded in ${Math.round(performance.now() - started)} ms`)
  }, timeSearches)
}

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

const results: [string, Timing[]][] = []
if (STORES.includes('sqlite')) results.push(['SQLite', await sqlite()])
if (STORES.includes('postgres')) {
  const timings = await postgres()
  if (timings !== undefined) results.push(['PostgreSQL', timings])
}
const [load1] = loadavg()
console.log(
  `\nOn ${cpus().length} CPUs, load average ${load1?.toFixed(1)} at the end.\nFirst page (${PAGE_SIZE} users) with ${USERS.toLocaleString('en')} users, ${ROUNDS} rounds, ms:\n`,
)
console.log(
  `| Search | ${results.map(([s]) => `${s} median / max`).join(' | ')} | users on the page |`,
)
console.log(`| --- | ${results.map(() => '---').join(' | ')} | --- |`)
for (const [i, { name }] of SEARCHES.entries()) {
  const cells = results.map(([, ts]) => {
    const t = ts[i]
    if (t === undefined) return '—'
    return `${t.medianMs} / ${t.maxMs}${t.maxMs > BUDGET_MS ? ' (over 200)' : ''}`
  })
  const users = results.map(([, ts]) => ts[i]?.users ?? 0).join(' / ')
  console.log(`| ${name} | ${cells.join(' | ')} | ${users} |`)
}
