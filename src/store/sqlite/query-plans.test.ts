// Every statement the SQLite store prepares, run through EXPLAIN QUERY PLAN on a fresh store (no
// ANALYZE statistics, as after `npm start`): none scans a table or searches one by its workspace
// alone, except the few listed below with their reason. Without statistics SQLite's planner
// preferred the primary-key prefix (workspace_id) of WITHOUT ROWID tables to the index on
// (workspace_id, user_id): the devices of one user were found by reading every device of the
// workspace, which made each Bulk device element cost O(devices) (docs/benchmarks.md).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import Database from 'better-sqlite3'
import { createSqliteStore } from './sqlite-store.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'

/** Plans allowed to scan, matched by a piece of their SQL, each with why. */
const ALLOWED: readonly { sql: string; why: string }[] = [
  { sql: 'FROM sqlite_sequence', why: 'one row per AUTOINCREMENT table' },
  {
    sql: 'FROM file_import_runs INDEXED BY file_import_runs_open',
    why: "File Imports' claim: the partial index holds only the queued and running runs",
  },
  { sql: 'FROM workspaces ORDER BY', why: 'the list of every workspace' },
  { sql: 'FROM pending_log_redactions', why: 'all of it, and it is empty but after a crash' },
  {
    sql: 'json_extract(attributes',
    why: 'Get User by email, mobile or advertising id: a documented scan of the workspace (docs/query-plans.md)',
  },
  { sql: 'instr(reason', why: 'a GDPR erasure redacting outcomes: rare, in the processor' },
  {
    sql: 'json_each(users.attributes)',
    why: "the dashboard's any-attribute search: ATTRIBUTE_SCAN_ROWS users a page at most (store/browse.ts)",
  },
  { sql: 'FROM suppressions WHERE workspace_id = ? LIMIT 1', why: 'stops at the first row' },
  {
    sql: 'FROM suppressions WHERE workspace_id = ? ORDER BY',
    why: 'the whole list of a workspace',
  },
  {
    sql: 'FROM suppressions WHERE workspace_id = ? AND request_id',
    why: 'an operator lifting the suppressions of one GDPR request',
  },
  {
    sql: 'DELETE FROM events WHERE event_time < ?',
    why: 'event retention (INLET_EVENT_RETENTION_DAYS), at most hourly, in the processor',
  },
  {
    sql: 'FROM feature_keys WHERE workspace_id = ? ORDER BY',
    why: 'the keys of one workspace: one row per feature, at most five',
  },
  {
    sql: 'FROM subscription_categories WHERE workspace_id = ? ORDER BY',
    why: 'the subscription categories of one workspace: at most MAX_CATEGORIES (200)',
  },
  {
    sql: 'FROM custom_segments WHERE workspace_id = ? ORDER BY',
    why: 'the segments of one workspace: at most 1,000 active ones and the archived',
  },
  {
    sql: 'FROM custom_segments WHERE workspace_id = ? AND archived_at IS NULL',
    why: "a create counting the workspace's active segments (at most 1,000)",
  },
  {
    sql: 'FROM segment_lists WHERE workspace_id = ? ORDER BY',
    why: 'the list segments of one workspace: at most its segments (1,000 active and the archived)',
  },
  {
    sql: 'FROM inform_alerts WHERE workspace_id = ? ORDER BY',
    why: 'the Inform alerts of one workspace: at most MAX_ALERTS (500)',
  },
  {
    sql: 'FROM live_activity_campaigns WHERE workspace_id = ? ORDER BY',
    why: 'the live-activity campaigns of one workspace: at most MAX_CAMPAIGNS (500)',
  },
  {
    sql: 'FROM card_campaigns WHERE workspace_id = ? ORDER BY',
    why: 'the card campaigns of one workspace: at most MAX_CARD_CAMPAIGNS (500)',
  },
  {
    sql: 'FROM card_campaign_revs WHERE workspace_id = ?',
    why: "one row per workspace, its key: the revision of the workspace's card campaigns",
  },
  { sql: 'ROW VALUES CLAUSE', why: 'the VALUES list of a multi-row INSERT, not a table' },
]

type Prepare = (this: Database.Database, sql: string) => Database.Statement

/**
 * A plan that reads a whole table, or a range of one found by its workspace alone. `json_each`
 * over a bound JSON array (a request's list of values) is not a table.
 */
const BROAD =
  /\bSCAN (?!\d+-ROW VALUES CLAUSE|json_each VIRTUAL TABLE)\w+|USING PRIMARY KEY \(workspace_id=\?\)(?! AND)/

it('prepares no statement whose plan scans a table or searches it by workspace alone', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-plans-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const prepared = new Map<string, Database.Database>()
  // The prototype's `prepare`, wrapped for the store's opening to record every statement.
  const proto = Database.prototype as unknown as { prepare: Prepare }
  const prepare = proto.prepare
  t.after(() => {
    proto.prepare = prepare
  })
  proto.prepare = function (this: Database.Database, sql: string) {
    if (!prepared.has(sql)) prepared.set(sql, this)
    return prepare.call(this, sql)
  }
  const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  t.after(() => store.close())
  proto.prepare = prepare

  const broad: string[] = []
  const plans = new Map<string, string>()
  let explained = 0
  for (const [sql, db] of prepared) {
    if (!/^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b/i.test(sql)) continue
    const named = /[@$:][A-Za-z]\w*/.test(sql)
    const positional = (sql.match(/\?/g) ?? []).length
    const explain = prepare.call(db, `EXPLAIN QUERY PLAN ${sql}`)
    const rows = (named ? [] : explain.all(...Array<null>(positional).fill(null))) as {
      detail: string
    }[]
    explained++
    const plan = rows.map((r) => r.detail).join(' | ')
    const flat = sql.replace(/\s+/g, ' ').trim()
    plans.set(flat, plan)
    if (BROAD.test(plan) && !ALLOWED.some((a) => flat.includes(a.sql))) {
      broad.push(`${plan}  <-  ${flat}`)
    }
  }
  assert.ok(explained > 50, `only ${explained} statements were explained`)
  assert.deepEqual(broad, [])

  // GET /inlet/v1/requests/{id}: a request's outcomes, scoped to the asking workspace in the SQL
  // and found through the request-id index (a request has a handful of rows).
  const outcomes = [...plans].filter(([sql]) =>
    /FROM record_outcomes\b.*\brequest_id = \?/.test(sql),
  )
  assert.equal(outcomes.length, 1, 'one statement reads the outcomes of a request')
  const [[sql, plan] = ['', '']] = outcomes
  assert.match(sql, /\bworkspace_id = \?/)
  assert.match(
    plan,
    /SEARCH record_outcomes USING INDEX record_outcomes_by_request \(request_id=\?\)/,
  )

  // The dashboard's email and mobile searches: each page's search is bounded on both sides of its
  // key. With the upper bound alone (a row comparison gives SQLite no lower bound on an
  // expression) a page read the workspace's index from its first entry: 3 s at 1,000,000 users.
  for (const index of ['users_by_email', 'users_by_mobile']) {
    const searches = [...plans].filter(([, p]) => p.includes(`USING INDEX ${index} `))
    const pages = searches.filter(([sql]) => /ORDER BY .* LIMIT \?$/.test(sql))
    assert.equal(pages.length, 1, `one statement pages along ${index}`)
    assert.match(pages[0]?.[1] ?? '', /\(workspace_id=\? AND <expr>>\?? AND <expr><\?\)/)
  }
})

it('catches the plan the store avoids: a user’s devices searched by workspace alone', (t) => {
  const db = new Database(':memory:')
  t.after(() => db.close())
  db.exec(`
    CREATE TABLE devices (workspace_id TEXT NOT NULL, device_id TEXT NOT NULL,
      user_id TEXT NOT NULL, platform TEXT, PRIMARY KEY (workspace_id, device_id)) WITHOUT ROWID;
    CREATE INDEX devices_by_user ON devices (workspace_id, user_id);
  `)
  // The planner's own choice without statistics, which the store's statements override.
  const plain = db
    .prepare('EXPLAIN QUERY PLAN SELECT * FROM devices WHERE workspace_id = ? AND user_id = ?')
    .all(null, null) as { detail: string }[]
  assert.match(plain.map((r) => r.detail).join(' '), BROAD)
})
