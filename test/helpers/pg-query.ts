/**
 * Reads a PostgreSQL database the way a test inspects one: the rows of one statement, through a
 * connection of its own (not Inlet's pool), closed again before it returns.
 */
import pg from 'pg'

/** Rows of `sql` in the database (and schema) of `url`. */
export async function queryRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows
  } finally {
    await client.end()
  }
}
