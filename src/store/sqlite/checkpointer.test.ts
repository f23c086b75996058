// The store checkpointer on real SQLite files: the WAL header as the thread reads it agrees with
// what SQLite reports, the thread copies a writer's WAL that the writer itself never checkpoints,
// and a thread that cannot start hands checkpointing back to the writer.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it, type TestContext } from 'node:test'
import type Database from 'better-sqlite3'
import { createMemoryLogger } from '../../core/log.js'
import {
  CHECKPOINT_PAGES,
  pagesWaiting,
  SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
  startStoreCheckpoints,
  STORE_WRITER_AUTOCHECKPOINT_PAGES,
  walProbe,
} from './checkpointer.js'
import { openDatabase } from './connection.js'

function storeDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-checkpointer-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A writer on `dir`/store.db that never checkpoints by itself, with a table of wide rows. */
function writer(t: TestContext, dir: string): Database.Database {
  const db = openDatabase(join(dir, 'store.db'), 'os')
  t.after(() => db.close())
  db.pragma('wal_autocheckpoint = 0')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
  return db
}

/** Commits `pages` pages' worth of rows, a page or so per transaction. */
function fill(db: Database.Database, pages: number): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
  for (let i = 0; i < pages; i++) insert.run('x'.repeat(3_000))
}

const autocheckpoint = (db: Database.Database): number =>
  Number(db.pragma('wal_autocheckpoint', { simple: true }))

it('reads the WAL header as SQLite reports it: frames committed, frames copied', (t) => {
  const dir = storeDir(t)
  const missing = walProbe(join(dir, 'nothing.db'))
  assert.equal(missing.read(), undefined)
  missing.close()
  const db = writer(t, dir)
  fill(db, 50)
  const probe = walProbe(join(dir, 'store.db'))
  t.after(() => probe.close())
  const before = probe.read()
  assert.ok(before !== undefined)
  assert.equal(before.copied, 0)
  const [reported] = db.pragma('wal_checkpoint(PASSIVE)') as {
    busy: number
    log: number
    checkpointed: number
  }[]
  assert.ok(reported !== undefined && reported.log >= 50, JSON.stringify(reported))
  assert.equal(before.frames, reported.log)
  assert.deepEqual(probe.read(), { frames: reported.log, copied: reported.checkpointed })
  assert.equal(pagesWaiting({ frames: reported.log, copied: reported.checkpointed }), 0)
  assert.equal(pagesWaiting({ frames: 3, copied: 7 }), 0) // a torn read
})

it('copies a busy writer’s WAL into the database from its own thread', async (t) => {
  const dir = storeDir(t)
  const db = writer(t, dir)
  const failures: Error[] = []
  const exits: number[] = []
  const checkpointer = startCheckpointer(dir, 'os', {
    onFailure: (err) => failures.push(err),
    onExit: (code) => exits.push(code),
  })
  t.after(() => checkpointer.close())
  await checkpointer.ready()
  const probe = walProbe(join(dir, 'store.db'))
  t.after(() => probe.close())
  let copiedEver = 0
  for (let round = 0; round < 8; round++) {
    fill(db, 400)
    for (let i = 0; i < 300; i++) {
      const s = probe.read()
      if (s !== undefined) copiedEver = Math.max(copiedEver, s.copied)
      if (s !== undefined && pagesWaiting(s) < CHECKPOINT_PAGES) break
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  // The writer never checkpoints (wal_autocheckpoint = 0): whatever was copied, the thread did,
  // and it keeps what waits under its threshold.
  const s = probe.read()
  assert.ok(s !== undefined)
  assert.ok(pagesWaiting(s) < CHECKPOINT_PAGES, JSON.stringify(s))
  assert.ok(copiedEver >= CHECKPOINT_PAGES, `copied ${copiedEver}`)
  assert.equal(Number(db.prepare('SELECT count(*) FROM t').pluck().get()), 3_200)
  await checkpointer.close()
  await checkpointer.close()
  assert.deepEqual(failures, [])
  assert.deepEqual(exits, []) // closed, not exited
})

it('hands checkpointing back to the writer when its thread ends unasked', async (t) => {
  const dir = storeDir(t)
  const db = writer(t, dir)
  const log = createMemoryLogger()
  // A directory that does not exist: the thread cannot open its store, and ends.
  const checkpointer = startStoreCheckpoints(db, join(dir, 'gone'), 'os', log)
  t.after(() => checkpointer.close())
  assert.equal(autocheckpoint(db), STORE_WRITER_AUTOCHECKPOINT_PAGES)
  for (
    let i = 0;
    i < 500 && !log.lines.some((l) => l.includes('checkpointer thread exited'));
    i++
  ) {
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.ok(
    log.lines.some((l) => l.includes('"error"') && l.includes('checkpointer thread exited')),
    log.lines.join('\n'),
  )
  assert.equal(autocheckpoint(db), SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES)
})
