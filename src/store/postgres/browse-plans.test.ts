// The plans of the dashboard's email and mobile searches on a real PostgreSQL (docs/query-plans.md,
// "The dashboard's user searches"): with 20,000 users, the first page of a prefix near the end
// of the index reads a handful of buffers — the index scan starts at the prefix, not at the
// workspace's first entry (what two lower bounds on the key made it do: 183 buffers here, 1,047 at
// 200,000 users). Buffers, not milliseconds: a plan, not a timing.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import { keyedStart, prefixEnd } from '../browse.js'
import { BROWSE_SQL } from './browse.js'
import { createPostgresStore } from './postgres-store.js'

const postgres = await startPostgres()
const WS = 'PLANSWS0000000000001'
const USERS = 20_000

describe(
  'PostgreSQL user search plans',
  { skip: postgres === undefined && 'no PostgreSQL' },
  () => {
    it('reads a handful of index pages for the first page of an email or mobile prefix', async () => {
      if (postgres === undefined) return
      const url = await postgres.freshUrl()
      await (await createPostgresStore({ url, durability: 'os', expandRow: expandBulkRow })).close()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      after(() => client.end())
      await client.query(
        `INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
       SELECT $1, 'u' || lpad(i::text, 8, '0'), 'c' || i,
         json_build_object('u_em', 'User' || lpad(i::text, 7, '0') || '@example.com',
           'u_mb', '+1555' || lpad(i::text, 7, '0'))::text, i, i
       FROM generate_series(0, $2::int - 1) AS i`,
        [WS, USERS],
      )
      await client.query('VACUUM ANALYZE users')
      for (const [sql, prefix] of [
        [BROWSE_SQL.byEmail, 'user00190'],
        [BROWSE_SQL.byMobile, '+155500190'],
      ] as const) {
        const values = [WS, ...keyedStart(prefix, undefined), prefixEnd(prefix), 50]
        const [row] = (
          await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
            values,
          )
        ).rows
        const plan = row?.['QUERY PLAN'][0].Plan
        const buffers = (plan?.['Shared Hit Blocks'] ?? 0) + (plan?.['Shared Read Blocks'] ?? 0)
        assert.equal(plan?.['Actual Rows'], 50)
        assert.ok(buffers <= 20, `${prefix}: ${buffers} buffers`)
      }
    })
  },
)
