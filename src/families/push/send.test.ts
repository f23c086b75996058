// A Push send's expansion over many pages (send.ts expandRun), on a SQLite store in a directory
// opened as the server opens it (each page's step written by the outbox writer thread, the next
// page read meanwhile): every user's message and system event exactly once, in order of pages;
// a run already moved on writes nothing; a page that fails after the one before it committed
// keeps that page with its events, and the send resumes from there without a duplicate.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { createManualClock } from '../../core/clock.js'
import { createIdGenerator } from '../../core/ids.js'
import { createIngest } from '../../ingest/accept.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { PushRunRow, Store } from '../../store/store.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { parsePushRequest } from './bodies/push-body.js'
import { expandRun, startSend } from './send.js'

const WS = 'PUSHSENDWS0000000001'
const T0 = Date.parse('2026-11-01T10:00:00Z')
const USERS = 23
const PAGE = 5

const CAMPAIGN = parsePushRequest({
  campaignName: 'Everyone, in pages',
  requestType: 'push',
  targetPlatform: ['ANDROID'],
  targetAudience: 'All Users',
  payload: { ANDROID: { title: 'Hi', message: "Hi {{UserAttribute['u_n']}}" } },
  campaignDelivery: { type: 'soon' },
})

/** A store in a fresh directory with USERS users, each with one Android device and a name. */
async function seeded(t: TestContext): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-push-send-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  await createSqliteStore({ dir, durability: 'os', expandRow: expandBulkRow }).close()
  const db = new Database(join(dir, 'store.db'))
  const user = db.prepare(
    `INSERT INTO users (workspace_id, id, customer_id, attributes, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
  const device = db.prepare(
    `INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
       created_at, updated_at) VALUES (?, ?, ?, 'ANDROID', ?, '{}', ?, ?)`,
  )
  for (let i = 0; i < USERS; i++) {
    const id = `u${String(i).padStart(3, '0')}`
    user.run(WS, id, `c${i}`, JSON.stringify({ u_n: `User ${i}` }), T0, T0)
    device.run(WS, `d${i}`, id, `fcm-${i}`, T0, T0)
  }
  db.close()
  const store = createSqliteStore({
    dir,
    durability: 'fsync',
    expandRow: expandBulkRow,
    outboxWriterThread: true,
  })
  t.after(() => store.close())
  return { store, dir }
}

/** The push messages of the outbox, oldest first, and the system events appended to the log. */
function written(dir: string): { recipients: string[]; events: string[] } {
  const db = new Database(join(dir, 'store.db'), { readonly: true })
  const log = new Database(join(dir, 'log.db'), { readonly: true })
  try {
    const recipients = (
      db.prepare('SELECT recipient, body FROM outbox ORDER BY seq').all() as {
        recipient: string
        body: string
      }[]
    ).map((r) => `${r.recipient} ${r.body}`)
    const events = (
      log.prepare('SELECT customer_id FROM log ORDER BY seq').all() as { customer_id: string }[]
    ).map((r) => r.customer_id)
    return { recipients, events }
  } finally {
    db.close()
    log.close()
  }
}

function deps(store: Store, pageUsers = PAGE) {
  const clock = createManualClock(T0)
  const ingest = createIngest({ log: store.log, clock, bulkRows: false })
  return { store, ingest, clock, ids: createIdGenerator(), pageUsers }
}

const all = Array.from({ length: USERS }, (_, i) => i)

describe('a Push send expanded in overlapping pages', () => {
  it('writes each user one message and one system event, in page order', async (t) => {
    const { store, dir } = await seeded(t)
    const d = deps(store)
    const answer = await startSend(d, { workspaceId: WS, requestId: 'REQ1' }, CAMPAIGN)
    await d.ingest.flushed()
    assert.equal(answer.messages, USERS)
    const { recipients, events } = written(dir)
    assert.deepEqual(
      recipients,
      all.map((i) => `fcm-${i} Hi User ${i}`),
    )
    assert.deepEqual(
      events,
      all.map((i) => `c${i}`),
    )
    const run = await store.push.run(WS, answer.runId)
    assert.deepEqual([run?.nextAt, run?.cursor, run?.messages], [null, null, USERS])
    // Expanded again from where it began (another process that held an old copy): nothing.
    const stale: PushRunRow = { ...(run as PushRunRow), nextAt: T0, occurrence: 1, cursor: null }
    assert.equal(await expandRun(d, stale), 0)
    assert.equal(written(dir).recipients.length, USERS)
  })

  it('keeps the pages before a failed one, with their events, and resumes without duplicates', async (t) => {
    const { store, dir } = await seeded(t)
    const d = deps(store)
    // The third page's devices cannot be read (a store that fails there, as a lost disk would).
    let reads = 0
    const failing: Store = {
      ...store,
      push: {
        ...store.push,
        devicesOfUsers: (workspaceId, userIds) =>
          ++reads === 3
            ? Promise.reject(new Error('disk I/O error'))
            : store.push.devicesOfUsers(workspaceId, userIds),
      },
    }
    await assert.rejects(
      startSend(
        { ...d, store: failing },
        { workspaceId: WS, requestId: 'REQ2' },
        { ...CAMPAIGN, campaignName: 'Everyone, with a failure' },
      ),
      /disk I\/O error/,
    )
    await d.ingest.flushed()
    const before = written(dir)
    const firstTwo = all.slice(0, 2 * PAGE)
    assert.deepEqual(
      before.recipients,
      firstTwo.map((i) => `fcm-${i} Hi User ${i}`),
    )
    assert.deepEqual(
      before.events,
      firstTwo.map((i) => `c${i}`),
      'the second page committed before the third failed: its events are appended too',
    )
    // The scheduler's claim of the send once its lease is over, then the rest of it.
    const [run] = await store.push.runs(WS, 1)
    assert.equal(run?.cursor, `u${String(2 * PAGE - 1).padStart(3, '0')}`)
    assert.equal(await expandRun(d, run), USERS - 2 * PAGE)
    await d.ingest.flushed()
    const after = written(dir)
    assert.deepEqual(
      after.recipients,
      all.map((i) => `fcm-${i} Hi User ${i}`),
    )
    assert.deepEqual(
      after.events,
      all.map((i) => `c${i}`),
    )
  })
})
