/**
 * A SQLite store on a real, fresh data directory for one test: the directory is removed and the
 * store closed when the test ends. For the tests of what runs beside the store on the same
 * directory (the log writer thread, the processor worker).
 */
import type { TestContext } from 'node:test'
import type { Durability } from '../../src/core/config.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import { tempDir } from './server.js'

export function sqliteStoreOnDisk(
  t: TestContext,
  prefix: string,
  durability: Durability,
): { dir: string; store: Store } {
  const dir = tempDir(t, prefix)
  const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability })
  t.after(() => store.close())
  return { dir, store }
}
