// The plans of the outbox's delivery and tail statements on a real PostgreSQL (docs/query-plans.md,
// "The outbox"): with 20,000 messages in two workspaces, of which a few are due, claiming the due
// ones reads the partial index of due messages, the tail reads (workspace, rev), settling one
// attempt finds the row by its seq, and an erasure's redaction finds a user's messages by user
// and by recipient through their indexes — none scans the table.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import { OUTBOX_SQL } from './outbox.js'
import { createPostgresStore } from './postgres-store.js'

const postgres = await startPostgres()
const WS = 'PLANSWS0000000000001'
const MESSAGES = 20_000

/** Every node of a JSON plan, depth first. */
function nodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan['Plans'] as Record<string, unknown>[] | undefined) ?? []
  return [plan, ...children.flatMap(nodes)]
}

describe('PostgreSQL outbox plans', { skip: postgres === undefined && 'no PostgreSQL' }, () => {
  it('claims, tails, settles and redacts through indexes, never a scan of the outbox', async () => {
    if (postgres === undefined) return
    const url = await postgres.freshUrl()
    await (await createPostgresStore({ url, durability: 'os', expandRow: expandBulkRow })).close()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    after(() => client.end())
    await client.query(
      `INSERT INTO outbox (id, workspace_id, channel, source, source_id, customer_id, recipient,
         body, payload, template, template_version, request_id, status, attempts, created_at,
         due_at, updated_at)
       SELECT 'm' || i, CASE WHEN i % 2 = 0 THEN $1 ELSE 'OTHERWS' END, 'SMS', 'inform', 'a',
         'c' || (i % 5000), '+1555' || lpad(i::text, 7, '0'), 'Hi', '{}', 'a/SMS', 1, 'REQ',
         CASE WHEN i % 1000 = 0 THEN 'recorded' ELSE 'sent' END, 1, i,
         CASE WHEN i % 1000 = 0 THEN i ELSE NULL END, i
       FROM generate_series(0, $2::int - 1) AS i`,
      [WS, MESSAGES],
    )
    await client.query('VACUUM ANALYZE outbox')
    const cases: [string, string, unknown[]][] = [
      ['claimDue', OUTBOX_SQL.claimDue, [MESSAGES + 60_000, MESSAGES, 16]],
      ['after', OUTBOX_SQL.after, [WS, MESSAGES - 100, 500]],
      ['lastRev', OUTBOX_SQL.lastRev, [WS]],
      ['settle', OUTBOX_SQL.settle, ['sent', null, null, 1, 1000, WS, 1]],
      ['redact', OUTBOX_SQL.redact, [WS, ['c42'], ['+15550000042'], '{}', 'erased', 1]],
    ]
    await client.query('BEGIN')
    try {
      for (const [name, sql, values] of cases) {
        const [row] = (
          await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
            `EXPLAIN (FORMAT JSON) ${sql}`,
            values,
          )
        ).rows
        const plan = row?.['QUERY PLAN'][0].Plan ?? {}
        const scans = nodes(plan).filter(
          (n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'outbox',
        )
        assert.deepEqual(scans, [], `${name} scans the outbox: ${JSON.stringify(plan)}`)
      }
    } finally {
      await client.query('ROLLBACK')
    }
  })
})
