// The plans of the dashboard's user searches on PostgreSQL (`tsx bench/explain-browse.ts`): a
// throwaway cluster (crash safety on; or TEST_DATABASE_URL), migrated through the store, the users
// of the browse benchmark (bench/browse-data.ts, 200,000 by default: --users N), `VACUUM ANALYZE`,
// then the store's own statements (postgres/browse.ts BROWSE_SQL) of the email and mobile searches'
// first page (and the email search's second), each explained twice with EXPLAIN (ANALYZE,
// BUFFERS) — the first run right after loading, the second with the pages it read cached — and
// printed as markdown for docs/query-plans.md. Not run by `npm run bench`: a diagnosis, not a
// measurement.
import { parseArgs } from 'node:util'
import pg from 'pg'
import { expandBulkRow } from '../src/families/data/bulk-rows.js'
import { PAGE_SIZE } from '../src/families/dashboard/paging.js'
import { keyedStart, prefixEnd } from '../src/store/browse.js'
import { BROWSE_SQL } from '../src/store/postgres/browse.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'
import { openPostgres } from '../test/helpers/postgres.js'
import { POSTGRES_LOAD, T0, WS, searchesOf } from './browse-data.js'

const { values: flags } = parseArgs({ options: { users: { type: 'string' } }, strict: true })
const USERS = Number(flags.users ?? 200_000)
const log = (line: string): void => void process.stderr.write(`[explain-browse] ${line}\n`)

const postgres = await openPostgres({ durable: true })
if (postgres === undefined) throw new Error('no PostgreSQL binaries and no TEST_DATABASE_URL')
try {
  const url = await postgres.freshUrl()
  await (await createPostgresStore({ url, durability: 'fsync', expandRow: expandBulkRow })).close()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(POSTGRES_LOAD, [WS, T0, USERS])
    await client.query('VACUUM ANALYZE users')
    log(`${USERS} users loaded`)
    const value = (kind: string): string =>
      searchesOf(USERS).find((s) => s.kind === kind)?.value ?? ''
    const email = value('email').toLowerCase()
    const mobile = value('mobile')
    const customer = value('customer_id')
    const queries = [
      {
        title: 'email prefix, first page',
        sql: BROWSE_SQL.byEmail,
        values: [WS, ...keyedStart(email, undefined), prefixEnd(email), PAGE_SIZE],
      },
      {
        title: 'mobile prefix, first page',
        sql: BROWSE_SQL.byMobile,
        values: [WS, ...keyedStart(mobile, undefined), prefixEnd(mobile), PAGE_SIZE],
      },
      {
        title: 'customer_id prefix, first page (for comparison)',
        sql: BROWSE_SQL.byCustomer,
        values: [WS, customer, prefixEnd(customer), '', PAGE_SIZE],
      },
    ]
    // The email search's second page: on from the first page's last row, as `next` says.
    const first = (
      await client.query<{ k: string; id: string }>(BROWSE_SQL.byEmail, queries[0]?.values)
    ).rows.at(-1)
    queries.push({
      title: 'email prefix, second page',
      sql: BROWSE_SQL.byEmail,
      values: [
        WS,
        ...keyedStart(email, [first?.k ?? '', first?.id ?? '']),
        prefixEnd(email),
        PAGE_SIZE,
      ],
    })
    const [version] = (await client.query<{ v: string }>('SELECT version() AS v')).rows
    console.log(`${USERS.toLocaleString('en-US')} users; ${version?.v.split(',')[0]}\n`)
    for (const q of queries) {
      for (const run of ['first run', 'second run']) {
        const plan = (
          await client.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`,
            q.values,
          )
        ).rows.map((r) => r['QUERY PLAN'])
        log(`${q.title}, ${run}: ${plan.find((l) => l.startsWith('Execution Time'))}`)
        console.log(`#### ${q.title}, ${run}\n\n\`\`\`\n${plan.join('\n')}\n\`\`\`\n`)
      }
    }
  } finally {
    await client.end()
  }
} finally {
  await postgres.stop()
}
