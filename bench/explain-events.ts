// `npm run bench:explain`: the PostgreSQL store at 10 million events. Starts a throwaway cluster
// (crash safety on, as a real server runs; or TEST_DATABASE_URL), migrates it through the store,
// generates users and events with generate_series (12 monthly partitions, 5 workspaces, 200,000
// users, 37 event names), ANALYZEs, then runs EXPLAIN (ANALYZE, BUFFERS) for Get User and the
// dashboard's queries and writes the plans with their timings as markdown (docs/query-plans.md by
// default; --out FILE, --events N; the file's section of user searches is kept). Each query runs
// once to warm the cache, then is explained.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { batchChanges } from '../test/helpers/batches.js'
import { openPostgres } from '../test/helpers/postgres.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'
import { EXPORT_QUERIES } from '../src/store/postgres/events.js'
import { ROOT } from './processes.js'
import { expandBulkRow } from '../src/families/data/bulk-rows.js'

const { values: flags } = parseArgs({
  options: { events: { type: 'string' }, out: { type: 'string' } },
  strict: true,
})
const EVENTS = Number(flags.events ?? 10_000_000)
const OUT = flags.out ?? join(ROOT, 'docs', 'query-plans.md')
const USERS = 200_000
const WORKSPACES = 5
const NAMES = 37
const START = Date.UTC(2025, 11, 1) // 2025-12-01: twelve months up to the end of 2026-11
const SPAN = Date.UTC(2026, 11, 1) - START
const NOW = Date.UTC(2026, 10, 30, 12)
const DAY = 86_400_000
/** The heading of docs/query-plans.md's section that bench/explain-browse.ts's plans fill. */
const BROWSE_SECTION = "## The dashboard's user searches"

const log = (line: string): void => {
  process.stderr.write(`[explain] ${line}\n`)
}

const postgres = await openPostgres({
  durable: true,
  settings: ['shared_buffers=512MB', 'max_wal_size=8GB', 'maintenance_work_mem=512MB'],
})
if (postgres === undefined) throw new Error('no PostgreSQL binaries and no TEST_DATABASE_URL')
const url = await postgres.freshUrl()
const client = new pg.Client({ connectionString: url })
try {
  // The schema exactly as Inlet migrates it, and the monthly partitions as the store makes them.
  const store = await createPostgresStore({ expandRow: expandBulkRow, url, durability: 'fsync' })
  const months = Array.from({ length: 12 }, (_, i) => Date.UTC(2025, 11 + i, 15))
  await store.processing.commit(
    batchChanges({
      events: months.map((eventTime, i) => ({
        seq: EVENTS + 1 + i,
        workspaceId: 'SEED',
        userId: 'seed',
        name: 'seed',
        deviceId: null,
        platform: null,
        appVersion: null,
        eventTime,
        userTime: null,
        receivedAt: eventTime,
        requestId: 'SEED',
        attributes: {},
      })),
    }),
  )
  await store.close()
  await client.connect()
  await client.query("DELETE FROM events WHERE workspace_id = 'SEED'")

  const started = Date.now()
  await client.query(
    `INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
     SELECT 'BENCHWS' || (u % $2), lpad(to_hex(u), 24, '0'), 'customer-' || u,
       '{"first_name":"Ada","email":"ada' || u || '@example.com","points":' || (u % 1000) || '}',
       $3::bigint, $3::bigint
     FROM generate_series(0, $1 - 1) AS u`,
    [USERS, WORKSPACES, START],
  )
  const chunk = 1_000_000
  for (let from = 1; from <= EVENTS; from += chunk) {
    const to = Math.min(EVENTS, from + chunk - 1)
    // Event g belongs to user g % USERS (so to that user's workspace), times spread evenly.
    await client.query(
      `INSERT INTO events (seq, workspace_id, user_id, name, device_id, platform, app_version,
         event_time, user_time, received_at, request_id, attributes)
       SELECT g, 'BENCHWS' || ((g % $3) % $4), lpad(to_hex(g % $3), 24, '0'),
         'Event ' || (g % $5), 'device-' || (g % $3), 'ANDROID', '8.1.0',
         $6::bigint + (g::numeric * $7 / $8)::bigint, NULL,
         $6::bigint + (g::numeric * $7 / $8)::bigint + 50, 'REQ' || g,
         '{"sku":"SKU-' || (g % 5000) || '","price":' || (g % 100) || '.5}'
       FROM generate_series($1::bigint, $2::bigint) AS g`,
      [from, to, USERS, WORKSPACES, NAMES, START, SPAN, EVENTS],
    )
    log(`${to.toLocaleString('en-US')} events (${Math.round((Date.now() - started) / 1000)} s)`)
  }
  await client.query('VACUUM ANALYZE users')
  await client.query('VACUUM ANALYZE events')
  const loadSeconds = Math.round((Date.now() - started) / 1000)
  const [size] = (
    await client.query<{ events: string; indexes: string }>(
      `SELECT pg_size_pretty(sum(pg_table_size(c.oid))) AS events,
         pg_size_pretty(sum(pg_indexes_size(c.oid))) AS indexes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'events'::regclass`,
    )
  ).rows
  const [version] = (await client.query<{ v: string }>('SELECT version() AS v')).rows

  const user = lpad(4242)
  const queries: { title: string; why: string; sql: string; values: unknown[] }[] = [
    {
      title: 'Get User (spec §7.6): users by customer id or internal id',
      why: 'The export route’s lookup (ProfileRepo.findUsers): `users_by_customer_id` and the primary key.',
      sql: `SELECT * FROM users WHERE workspace_id = $1
              AND (customer_id = ANY($2::text[]) OR id = ANY($3::text[]))`,
      values: ['BENCHWS2', ['customer-4242', 'customer-7', 'customer-199997'], [lpad(12)]],
    },
    {
      title: 'A user’s latest events (ProfileRepo.eventsOfUser)',
      why: '`events_by_user (workspace_id, user_id, event_time)` in every partition.',
      sql: `SELECT * FROM events WHERE workspace_id = $1 AND user_id = $2
            ORDER BY event_time DESC, seq DESC LIMIT 50`,
      values: ['BENCHWS2', user],
    },
    {
      title: 'A user’s events over a time range (a profile’s activity tab)',
      why: 'The same index, with the partitions outside the range pruned.',
      sql: `SELECT seq, name, event_time FROM events
            WHERE workspace_id = $1 AND user_id = $2 AND event_time >= $3 AND event_time < $4
            ORDER BY event_time`,
      values: ['BENCHWS2', user, NOW - 30 * DAY, NOW],
    },
    {
      title: 'Events by name over a time range, per day (a dashboard chart)',
      why: '`events_by_name_time (workspace_id, name, event_time) INCLUDE (user_id)` (migration 17): an index-only range scan of the months asked for.',
      sql: `SELECT (event_time / 86400000) AS day, count(*) FROM events
            WHERE workspace_id = $1 AND name = $2 AND event_time >= $3 AND event_time < $4
            GROUP BY 1 ORDER BY 1`,
      values: ['BENCHWS1', 'Event 7', NOW - 7 * DAY, NOW],
    },
    {
      title: 'A workspace’s event names (inlet export, store/event-pages.ts)',
      why: 'A loose index scan: one probe of `events_by_name_time` per name, each past the last.',
      sql: EXPORT_QUERIES.eventNames,
      values: ['BENCHWS2'],
    },
    {
      title: 'One name’s next events after a keyset position (inlet export)',
      why: 'A page of `profiles.eventsPage` merges one such run per name (store/event-pages.ts): `events_by_name_time` from the position on, in time order across the partitions.',
      sql: EXPORT_QUERIES.eventsOfName,
      values: ['BENCHWS2', 'Event 7', NOW - 200 * DAY, 0, 55],
    },
  ]

  const sections: string[] = []
  for (const q of queries) {
    await client.query(q.sql, q.values) // warm the cache: the plans show a steady state
    const plan = (
      await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.values)
    ).rows.map((r) => r['QUERY PLAN'])
    const time = plan.find((l) => l.startsWith('Execution Time'))
    log(`${q.title}: ${time}`)
    sections.push(
      `### ${q.title}`,
      '',
      q.why,
      '',
      '```sql',
      q.sql.replace(/\n\s+/g, '\n  '),
      '```',
      '',
      `Parameters: \`${JSON.stringify(q.values)}\` — **${time}**`,
      '',
      '```',
      ...plan,
      '```',
      '',
    )
  }

  const doc = [
    '# Query plans at 10 million events (PostgreSQL)',
    '',
    'Generated by `npm run bench:explain` (`bench/explain-events.ts`): a throwaway cluster with',
    'crash safety on, the schema exactly as Inlet migrates it (events partitioned by month,',
    'migration 10), then `generate_series` data, `VACUUM ANALYZE`, one warm-up run and',
    '`EXPLAIN (ANALYZE, BUFFERS)` of each query. Regenerate after changing an index or a query.',
    '',
    `- ${EVENTS.toLocaleString('en-US')} events over 12 monthly partitions (2025-12 to 2026-11), ` +
      `${USERS.toLocaleString('en-US')} users in ${WORKSPACES} workspaces, ${NAMES} event names; ` +
      `events ${size?.events} + indexes ${size?.indexes}; loaded and analysed in ${loadSeconds} s`,
    `- ${version?.v.split(',')[0]}; ${cpus().length} CPUs (${cpus()[0]?.model ?? ''}), shared ` +
      'with other work; `shared_buffers=512MB`',
    '',
    'Every query reads a handful of index pages (see `Buffers`), so its time does not grow with',
    'the number of events: it grows with the rows it returns. A partition outside a time range is',
    'pruned at plan time and never opened.',
    '',
    ...sections,
  ]
  // The user searches' section (bench/explain-browse.ts) is kept as it stands.
  const kept = existsSync(OUT) ? readFileSync(OUT, 'utf8') : ''
  const browse = kept.indexOf(`\n${BROWSE_SECTION}`)
  writeFileSync(OUT, doc.join('\n') + (browse < 0 ? '' : kept.slice(browse)))
  log(`wrote ${OUT}`)
} finally {
  await client.end().catch(() => undefined)
  await postgres.stop()
}

function lpad(n: number): string {
  return n.toString(16).padStart(24, '0')
}
