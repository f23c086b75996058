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
  LOG_CHECKPOINT_MS,
  pagesWaiting,
  SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
  startStoreCheckpoints,
  STORE_WRITER_AUTOCHECKPOINT_PAGES,
  walProbe,
} from './checkpointer.js'
import { openDatabase, openSqlite } from './connection.js'
import { sqliteLog } from './log.js'

function storeDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-checkpointer-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A writer on `dir`/`file` that never checkpoints by itself, with a table of wide rows. */
function writer(t: TestContext, dir: string, file = 'store.db'): Database.Database {
  const db = openDatabase(join(dir, file), 'os')
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

it('checkpoints log.db every LOG_CHECKPOINT_MS when given it, however few pages wait', async (t) => {
  const dir = storeDir(t)
  writer(t, dir)
  const appender = writer(t, dir, 'log.db')
  const logProbe = walProbe(join(dir, 'log.db'))
  t.after(() => logProbe.close())
  const failures: Error[] = []
  const checkpointer = startCheckpointer(dir, 'os', {
    log: true,
    onFailure: (err) => failures.push(err),
    onExit: () => undefined,
  })
  t.after(() => checkpointer.close())
  assert.equal(checkpointer.checkpointsLog(), false, 'not before the thread is ready')
  await checkpointer.ready()
  assert.equal(checkpointer.checkpointsLog(), true)
  // Fewer pages than the store's threshold: only the log's timer copies them.
  fill(appender, 20)
  const before = logProbe.read()
  assert.ok(before !== undefined && before.copied === 0 && before.frames >= 20)
  const start = performance.now()
  let s = logProbe.read()
  while (s !== undefined && s.copied < before.frames && performance.now() - start < 5_000) {
    await new Promise((r) => setTimeout(r, 10))
    s = logProbe.read()
  }
  assert.ok(s !== undefined && s.copied >= before.frames, JSON.stringify(s))
  assert.ok(performance.now() - start <= LOG_CHECKPOINT_MS + 1_000)
  await checkpointer.close()
  assert.equal(checkpointer.checkpointsLog(), false, 'not once closed')
  assert.deepEqual(failures, [])
})

it('leaves log.db alone when not given it', async (t) => {
  const dir = storeDir(t)
  writer(t, dir)
  const appender = writer(t, dir, 'log.db')
  const checkpointer = startCheckpointer(dir, 'os', {
    onFailure: () => undefined,
    onExit: () => undefined,
  })
  t.after(() => checkpointer.close())
  await checkpointer.ready()
  assert.equal(checkpointer.checkpointsLog(), false)
  fill(appender, 20)
  await new Promise((r) => setTimeout(r, LOG_CHECKPOINT_MS + 200))
  const logProbe = walProbe(join(dir, 'log.db'))
  t.after(() => logProbe.close())
  assert.equal(logProbe.read()?.copied, 0)
})

it('leaves the log’s checkpoints to the thread while it checkpoints the log', async (t) => {
  const dir = storeDir(t)
  const c = openSqlite({ dir, durability: 'os' })
  t.after(() => c.close())
  c.logDb.pragma('wal_autocheckpoint = 0')
  let elsewhere = true
  const log = sqliteLog(c, () => elsewhere)
  const probe = walProbe(join(dir, 'log.db'))
  t.after(() => probe.close())
  c.logDb.exec('CREATE TABLE t (body TEXT)')
  const waiting = (): number => {
    const s = probe.read()
    assert.ok(s !== undefined)
    return pagesWaiting(s)
  }
  assert.ok(waiting() > 0)
  await log.repo.checkpoint()
  assert.ok(waiting() > 0, 'left to the thread')
  elsewhere = false
  await log.repo.checkpoint()
  assert.equal(waiting(), 0, 'the thread gone: done here')
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
  assert.equal(checkpointer.checkpointsLog(), false, 'the processor checkpoints the log again')
})
