// The Push scheduler: later and periodic campaigns fired by the injected clock, each occurrence
// expanded exactly once (runOnce called again, two schedulers, a process that died holding a
// send), and a scheduled campaign surviving a restart of the server on its store.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { START_TIME, WORKSPACE_ID, createTestApp } from '../../../test/helpers/app.js'
import { pushApp, pushMessages, sendPush, toUser, trackUser } from '../../../test/helpers/push.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'
import { createIdGenerator } from '../../core/ids.js'
import { createMemoryLogger } from '../../core/log.js'
import { createPushScheduler } from './scheduler.js'
import { RUN_LEASE_MS } from './send.js'

const MINUTE = 60_000
const DAY = 86_400_000
/** 11/01/2026 04:00 PM in IST (the default zone): 10:30 UTC, half an hour after START_TIME. */
const LATER_AT = Date.parse('2026-11-01T10:30:00Z')

const later = toUser('ann', {
  targetPlatform: ['ANDROID'],
  campaignDelivery: { type: 'later', date: '11/01/2026', time: '04:00 PM' },
})

describe('the Push scheduler', () => {
  it('fires a later campaign at its time, once', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    const res = await sendPush(app, later)
    assert.equal(res.json<{ status: string }>().status, 'Success', res.body)
    assert.equal(await app.pushScheduler.runOnce(), 0)
    assert.deepEqual(await pushMessages(app), [], 'nothing before its time')
    app.clock.set(LATER_AT - 1)
    assert.equal(await app.pushScheduler.runOnce(), 0)
    app.clock.set(LATER_AT)
    assert.equal(await app.pushScheduler.runOnce(), 1)
    assert.equal(await app.pushScheduler.runOnce(), 0)
    app.clock.advance(30 * DAY)
    assert.equal(await app.pushScheduler.runOnce(), 0)
    const messages = await pushMessages(app)
    assert.deepEqual(
      messages.map((m) => [m.recipient, m.status, m.createdAt]),
      [['fcm-ann', 'recorded', LATER_AT]],
    )
    const [run] = await app.store.push.runs(WORKSPACE_ID, 1)
    assert.deepEqual([run?.nextAt, run?.occurrence, run?.messages], [null, 2, 1])
  })

  it('fires a periodic campaign every repeatAfter days in its zone until endDate, each once', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    const res = await sendPush(
      app,
      toUser('ann', {
        targetPlatform: ['ANDROID'],
        campaignDelivery: {
          type: 'periodic',
          time: '11:00 AM',
          timezone: 'UTC',
          repeatAfter: '2',
          endDate: '11/06/2026',
        },
      }),
    )
    assert.equal(res.json<{ status: string }>().status, 'Success', res.body)
    // Without a date: today's 11:00 (still ahead at 10:00), then the 3rd and the 5th.
    const fired: number[] = []
    for (let at = START_TIME; at <= START_TIME + 8 * DAY; at += 30 * MINUTE) {
      app.clock.set(at)
      await app.pushScheduler.runOnce()
      await app.pushScheduler.runOnce()
    }
    for (const m of await pushMessages(app)) fired.push(m.createdAt)
    assert.deepEqual(
      fired.map((ms) => new Date(ms).toISOString()),
      ['2026-11-01T11:00:00.000Z', '2026-11-03T11:00:00.000Z', '2026-11-05T11:00:00.000Z'],
    )
    assert.deepEqual(
      (await pushMessages(app)).map((m) => m.templateVersion),
      [1, 2, 3],
      'each occurrence numbered',
    )
  })

  it('lets one scheduler expand a send; another that claimed it and died gives it up after its lease', async (t) => {
    const app = await pushApp(t)
    await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
    await sendPush(app, later)
    app.clock.set(LATER_AT)
    // A process claims the send and dies before expanding it.
    assert.equal((await app.store.push.claimDueRuns(LATER_AT, RUN_LEASE_MS, 4)).length, 1)
    const other = createPushScheduler({
      store: app.store,
      ingest: app.ingest,
      clock: app.clock,
      ids: createIdGenerator(app.clock),
      log: createMemoryLogger(),
    })
    assert.equal(await other.runOnce(), 0, 'held by the dead process')
    app.clock.advance(RUN_LEASE_MS)
    assert.equal(await other.runOnce(), 1)
    assert.equal(await app.pushScheduler.runOnce(), 0)
    assert.equal((await pushMessages(app)).length, 1)
  })

  it('keeps a scheduled campaign across a restart and fires it once after', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-push-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const open = () => createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
    await t.test('first life: the campaign is scheduled', async (t1) => {
      const app = await pushApp(t1, { store: open() })
      await trackUser(app, 'ann', {}, [['ANDROID', 'fcm-ann']])
      const res = await sendPush(app, later)
      assert.equal(res.json<{ status: string }>().status, 'Success', res.body)
    })
    await t.test('second life: it fires at its time, once', async (t2) => {
      const app = await createTestApp(t2, {}, { store: open() })
      assert.deepEqual(await pushMessages(app), [])
      app.clock.set(LATER_AT)
      assert.equal(await app.pushScheduler.runOnce(), 1)
      assert.equal(await app.pushScheduler.runOnce(), 0)
      assert.deepEqual(
        (await pushMessages(app)).map((m) => [m.customerId, m.recipient, m.status]),
        [['ann', 'fcm-ann', 'recorded']],
      )
    })
  })
})
