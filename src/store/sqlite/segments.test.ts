// The SQLite plan of the issue's benchmark segment (an attribute filter, "did X at least 3 times
// in the last 30 days", a negated attribute filter) on a fresh store, without statistics as after
// `npm start`: it starts from the events' covering index and reads only their users by primary
// key, never every user of the workspace; a segment of attribute filters alone pages along the
// primary key. Its answers are the equivalence test's (src/segments/equivalence.test.ts).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import Database from 'better-sqlite3'
import { prepareSegment } from '../../segments/resolve.js'
import { anActionFilter, anAttributeFilter, filterGroup } from '../../../test/helpers/segments.js'
import { countStatement, membersStatement, type Statement } from '../segment-sql.js'
import type { SegmentQuery } from '../segments.js'
import { sqliteSegmentDialect } from './segments.js'
import { createSqliteStore } from './sqlite-store.js'

const NOW = Date.parse('2026-11-15T10:30:00.000Z')

async function queryOf(...filters: Record<string, unknown>[]): Promise<SegmentQuery> {
  const r = await prepareSegment(filterGroup(...filters), () => Promise.resolve(undefined))
  assert.ok(r.ok, JSON.stringify(r))
  return r.value.query
}

function planOf(db: Database.Database, s: Statement): string[] {
  const named = Object.fromEntries(
    s.values.map((v, i) => [`p${i + 1}`, typeof v === 'boolean' ? Number(v) : v]),
  )
  return (db.prepare(`EXPLAIN QUERY PLAN ${s.text}`).all(named) as { detail: string }[]).map(
    (r) => r.detail,
  )
}

it('starts a segment with a positive action filter from its events, by index', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-segments-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  await createSqliteStore({ dir, durability: 'os' }).close()
  const db = new Database(join(dir, 'store.db'), { readonly: true })
  t.after(() => db.close())

  const benchmark = await queryOf(
    anAttributeFilter(),
    anActionFilter(),
    anAttributeFilter({
      name: 'score',
      data_type: 'double',
      operator: 'lessThan',
      value: 3,
      negate: true,
    }),
  )
  for (const s of [
    countStatement(sqliteSegmentDialect, 'WS', benchmark, NOW),
    membersStatement(sqliteSegmentDialect, 'WS', benchmark, { now: NOW, limit: 100 }),
  ]) {
    const plan = planOf(db, s)
    assert.match(
      plan.join('\n'),
      /SEARCH e USING COVERING INDEX events_by_name_time \(name_num=\? AND event_time>\? AND event_time<\?\)/,
    )
    // The name's number by its index; each group's user read back by its number.
    assert.ok(
      plan.includes(
        'SEARCH event_names USING COVERING INDEX event_names_by_name (workspace_id=? AND name=?)',
      ),
      plan.join('\n'),
    )
    assert.ok(plan.includes('SEARCH k USING INTEGER PRIMARY KEY (rowid=?)'), plan.join('\n'))
    assert.ok(
      plan.includes('SEARCH u USING PRIMARY KEY (workspace_id=? AND id=?)'),
      plan.join('\n'),
    )
    assert.ok(
      !plan.some((p) => /^(SCAN u|SEARCH u USING PRIMARY KEY \(workspace_id=\?\))$/.test(p)),
      plan.join('\n'),
    )
  }

  const attributesOnly = await queryOf(anAttributeFilter())
  const page = planOf(
    db,
    membersStatement(sqliteSegmentDialect, 'WS', attributesOnly, {
      now: NOW,
      limit: 100,
      afterId: 'x',
    }),
  )
  assert.ok(page.includes('SEARCH u USING PRIMARY KEY (workspace_id=? AND id>?)'), page.join('\n'))
  assert.ok(!page.some((p) => p.includes('TEMP B-TREE')), page.join('\n'))
})
