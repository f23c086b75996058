// PostgreSQL log compaction in statements of at most `logCompactChunkRows` rows (log.ts): a
// backlog larger than one statement's share is removed whole, oldest first, and records not
// eligible (after the cursor, or received after the cutoff) stay, whatever the chunk size.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pg from 'pg'
import { aLogRecord } from '../../../test/store/contract.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import { createPostgresStore } from './postgres-store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const postgres = await startPostgres()

describe('PostgreSQL log compaction', { skip: postgres === undefined && 'no PostgreSQL' }, () => {
  it('removes a backlog of many chunks whole, and nothing past the cursor or the cutoff', async (t) => {
    const url = await postgres!.freshUrl()
    const store = await createPostgresStore({
      expandRow: expandBulkRow,
      url,
      durability: 'os',
      logCompactChunkRows: 3,
    })
    t.after(() => store.close())
    // Each DELETE statement on the log records how many rows it removed.
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.after(() => client.end())
    await client.query(`
      CREATE TABLE deletes (at serial PRIMARY KEY, n bigint NOT NULL);
      CREATE FUNCTION count_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO deletes (n) SELECT count(*) FROM gone; RETURN NULL; END $$;
      CREATE TRIGGER log_deletes AFTER DELETE ON log REFERENCING OLD TABLE AS gone
        FOR EACH STATEMENT EXECUTE FUNCTION count_deletes();`)
    const statements = async (): Promise<number[]> =>
      (await client.query<{ n: string }>('SELECT n FROM deletes ORDER BY at')).rows.map((r) =>
        Number(r.n),
      )
    // 9 old records (three whole chunks), 2 received after the cutoff, then 3 past the cursor.
    const at = (index: number, receivedAt: number) => aLogRecord({ index, receivedAt })
    await store.log.append(Array.from({ length: 9 }, (_, i) => at(i, T0 + i)))
    await store.log.append([at(9, T0 + 5_000), at(10, T0 + 5_000)])
    const cursor = await store.log.lastSeq()
    await store.log.append([at(11, T0), at(12, T0), at(13, T0)])

    assert.equal(await store.log.compact(cursor, T0 + 1_000), 9)
    assert.deepEqual(await statements(), [3, 3, 3, 0], 'in statements of at most 3 rows')
    const left = await store.log.readAfter(0, 100)
    assert.deepEqual(
      left.map((r) => r.index),
      [9, 10, 11, 12, 13],
    )
    assert.equal(await store.log.compact(cursor, T0 + 1_000), 0, 'nothing more is eligible')
    assert.equal(
      await store.log.compact(cursor, T0 + 10_000),
      2,
      'the later two, once the cutoff passes them',
    )
  })
})
