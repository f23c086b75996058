// The SQLite outbox writer thread (outbox-writer.ts): the outbox and Push contracts against a
// file store whose sends and Push steps are written by the thread, then what only the thread has — answered after the
// commit (another connection reads the rows), a close that writes what was asked before it, and a
// thread that dies failing the sends it held.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { expandBulkRow } from '../../families/data/bulk-rows.js'
import { reopenable } from '../../../test/store/contract.js'
import { message, outboxContract } from '../../../test/store/outbox-contract.js'
import { pushContract } from '../../../test/store/push-contract.js'
import type { Store } from '../store.js'
import { startOutboxWriter } from './outbox-writer.js'
import { createSqliteStore } from './sqlite-store.js'

const WS = 'CONTRACTWS0000000001'
const T0 = Date.parse('2026-11-01T10:00:00Z')
/** Every store of this file in a directory of its own, under one root removed at the end. */
const root = mkdtempSync(join(tmpdir(), 'inlet-outbox-writer-'))
after(() => rmSync(root, { recursive: true, force: true }))
let made = 0
function tempDir(): string {
  const dir = join(root, String(++made))
  mkdirSync(dir)
  return dir
}

const factory = reopenable(tempDir, (dir) =>
  createSqliteStore({
    expandRow: expandBulkRow,
    dir,
    durability: 'fsync',
    outboxWriterThread: true,
  }),
)
const places = new WeakMap<Store, string>()
function fresh(t: TestContext): Store {
  const dir = tempDir()
  const store = createSqliteStore({
    expandRow: expandBulkRow,
    dir,
    durability: 'fsync',
    outboxWriterThread: true,
  })
  places.set(store, dir)
  t.after(() => store.close())
  return store
}

describe('Store contract: sqlite file (fsync, outbox writer thread)', () => {
  const open = async (t: TestContext): Promise<Store> => {
    const store = await factory.open()
    t.after(() => store.close())
    return store
  }
  const reopen = async (t: TestContext, store: Store): Promise<Store> => {
    const again = await factory.reopen(store)
    t.after(() => again.close())
    return again
  }
  outboxContract(open, reopen)
  // A Push send's steps are written by the thread too (sqlite/push.ts PushStepper).
  pushContract(open, reopen)
})

describe('the outbox writer thread', () => {
  it('answers a send once its messages are committed: another connection reads them', async (t) => {
    const store = fresh(t)
    const sends = [0, 1, 2].map((i) =>
      store.outbox.record(WS, [message({ id: `m${i}` }), message({ id: `m${i}b` })], {
        key: `TXN-${i}`,
        at: T0,
        windowMs: 300_000,
      }),
    )
    const results = await Promise.all(sends)
    const other = new Database(join(places.get(store) ?? '', 'store.db'), { readonly: true })
    t.after(() => other.close())
    const rows = other.prepare('SELECT id, seq, rev FROM outbox ORDER BY seq').all() as {
      id: string
      seq: number
      rev: number
    }[]
    assert.deepEqual(
      rows.map((r) => r.id),
      ['m0', 'm0b', 'm1', 'm1b', 'm2', 'm2b'],
    )
    // The rows answered carry the store's seq and rev of each message.
    const answered = results.flatMap((r) => (r.duplicate ? [] : r.rows))
    assert.deepEqual(
      answered.map((m) => [m.id, m.seq, m.rev]),
      rows.map((r) => [r.id, r.seq, r.rev]),
    )
    assert.ok(answered.every((m) => m.updatedAt === m.createdAt))
  })

  it('writes what was asked before close, and refuses sends after it', async () => {
    const dir = tempDir()
    const open = () =>
      createSqliteStore({
        expandRow: expandBulkRow,
        dir,
        durability: 'os',
        outboxWriterThread: true,
      })
    const store = open()
    const asked = store.outbox.record(WS, [message({ id: 'last' })], undefined)
    await store.close()
    const result = await asked
    assert.equal(result.duplicate, false)
    await assert.rejects(
      store.outbox.record(WS, [message({ id: 'late' })], undefined),
      /outbox writer is closed/,
    )
    const again = open()
    try {
      assert.deepEqual(
        (await again.outbox.list(WS, {}, 10)).map((m) => m.id),
        ['last'],
      )
    } finally {
      await again.close()
    }
  })

  it('fails the sends a thread held when it dies, and starts another for the next', async () => {
    // A store.db the thread cannot open: each thread dies at once, failing what was posted to it.
    const writer = startOutboxWriter(join(tempDir(), 'no', 'such', 'dir'), 'os')
    try {
      for (const attemptNo of [1, 2]) {
        await assert.rejects(
          writer.record({ workspaceId: WS, messages: [message()], claim: undefined }),
          /outbox writer exited \(code 1\) before the commit completed/,
          `attempt ${attemptNo}`,
        )
      }
      // A Push step it held fails alike: the send's expansion stops, its lease lets it resume.
      const step = {
        workspaceId: WS,
        id: 'RUN1',
        occurrence: 1,
        cursor: null,
        next: 'u2',
        nextAt: null,
        now: T0,
        leaseUntil: T0 + 60_000,
      }
      await assert.rejects(
        writer.step(step, []),
        /outbox writer exited \(code 1\) before the commit completed/,
      )
    } finally {
      await writer.close()
    }
  })
})
