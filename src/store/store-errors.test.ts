// Which store failures are a refused write (never retried as such) and which an unavailable store,
// told apart on real errors of better-sqlite3.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import Database from 'better-sqlite3'
import { isStoreUnavailable, isWriteRefused } from './store-errors.js'

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  assert.fail('expected a throw')
}

it('tells a refused SQLite write from an unavailable store', () => {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)')
  const constraint = thrown(() => db.prepare('INSERT INTO t (id, v) VALUES (1, NULL)').run())
  assert.equal(isWriteRefused(constraint), true)
  assert.equal(isWriteRefused(new Error('wrapped', { cause: constraint })), true, 'through a cause')
  assert.equal(isStoreUnavailable(constraint), false)
  db.close()
  const closed = thrown(() => db.prepare('SELECT 1').get())
  assert.equal(isWriteRefused(closed), false, 'a closed database is not a refused write')
  assert.equal(isWriteRefused({ code: 'SQLITE_BUSY' }), false)
  assert.equal(isWriteRefused({ code: '22P05' }), true, 'PostgreSQL: a data exception')
  assert.equal(isWriteRefused({ code: '54000' }), true, 'PostgreSQL: an index row too big')
  assert.equal(isWriteRefused({ code: '40001' }), false, 'PostgreSQL: a serialization failure')
  assert.equal(isWriteRefused({ code: '08006' }), false, 'PostgreSQL: a lost connection')
  assert.equal(isWriteRefused(undefined), false)
})
