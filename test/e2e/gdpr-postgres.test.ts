/**
 * The GDPR acceptance scenario (test/helpers/gdpr-scenario.ts) on the PostgreSQL store: the same
 * erasure by email, then every row of every table of the store's schema read directly, through a
 * connection of the test's own, holds nothing of the erased person.
 */
import { describe, it } from 'node:test'
import pg from 'pg'
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { createTestApp } from '../helpers/app.js'
import { ADMIN_TOKEN, gdprScenario } from '../helpers/gdpr-scenario.js'
import { startPostgres } from '../helpers/postgres.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

const postgres = await startPostgres()

/** Every row of every table of the schema `url` selects, as `table: JSON`. */
function postgresDump(url: string): () => Promise<string[]> {
  return async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const tables = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
      const out: string[] = []
      for (const { table_name: table } of tables.rows) {
        const rows = await client.query(`SELECT * FROM "${table}"`)
        for (const row of rows.rows) out.push(`${table}:${JSON.stringify(row)}`)
      }
      return out
    } finally {
      await client.end()
    }
  }
}

describe(
  '§7.12 GDPR erasure on PostgreSQL',
  postgres === undefined ? { skip: 'no PostgreSQL binaries and no TEST_DATABASE_URL' } : {},
  () => {
    it('§7.12 erases a profile by email from every table; suppression refuses, then lifts', async (t) => {
      if (postgres === undefined) return
      const url = await postgres.freshUrl()
      const store = await createPostgresStore({
        expandRow: expandBulkRow,
        url,
        durability: 'fsync',
        maxConnections: 4,
      })
      const app = await createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN }, { store })
      await gdprScenario(app, postgresDump(url))
    })
  },
)
