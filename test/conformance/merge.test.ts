/**
 * Conformance: Merge Users (spec §7.7) — validation, what moves, the system events, failing pairs,
 * no transitive merges — and Inlet's undo, which must return both users to identical exports.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../helpers/app.js'
import {
  DELETE,
  DEVICE,
  EVENT,
  EXPORT,
  MERGE,
  TRACK,
  assertAccepted,
  assertRefusal,
  assertRefusals,
  missing,
} from '../helpers/data-api.js'

async function userRow(app: TestApp, customerId: string) {
  await app.drain()
  const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
    customerIds: [customerId],
    ids: [],
  })
  return user
}

async function eventNames(app: TestApp, userId: string): Promise<string[]> {
  const events = await app.store.profiles.eventsOfUser(WORKSPACE_ID, userId, 100)
  return events.map((e) => e.name).sort()
}

/** Get User by customer id and by internal id, as response text without its own request_id. */
async function exportText(app: TestApp, identifiers: unknown[]): Promise<string> {
  await app.drain()
  const res = await app.post(EXPORT, {
    data: { identifiers },
  })
  assert.equal(res.statusCode, 200)
  const { request_id, ...answer } = res.json<Record<string, unknown>>()
  assert.match(String(request_id), /^[A-Za-z]{8}$/)
  return JSON.stringify(answer)
}

async function seed(app: TestApp): Promise<void> {
  await app.post(TRACK, {
    type: 'customer',
    customer_id: 'keep',
    attributes: { name: 'Keep', plan: 'gold' },
  })
  await app.post(TRACK, {
    type: 'customer',
    customer_id: 'old',
    attributes: { name: 'Old', city: 'Pune', tags: ['a'] },
  })
  await app.post(EVENT, {
    type: 'event',
    customer_id: 'old',
    actions: [{ action: 'Viewed' }, { action: 'Bought' }],
  })
  await app.post(EVENT, { type: 'event', customer_id: 'keep', actions: [{ action: 'Opened' }] })
  await app.drain()
  await app.post(DEVICE, {
    type: 'device',
    customer_id: 'old',
    device_id: 'old-phone',
    attributes: { platform: 'ANDROID', push_id: 'p-old' },
  })
}

describe('§7.7 Merge Users', () => {
  it('§7.7 answers {"status":"success","operation":"created"} and applies the pair', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const oldUser = await userRow(app, 'old')
    const res = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    assertAccepted(res, { operation: 'created' })

    const keep = await userRow(app, 'keep')
    assert.ok(keep && oldUser)
    // Retained values win; attributes only the merged user had are copied.
    assert.equal(keep.attributes['u_n'], 'Keep')
    assert.equal(keep.attributes['plan'], 'gold')
    assert.equal(keep.attributes['city'], 'Pune')
    assert.deepEqual(keep.attributes['tags'], ['a'])
    // Every event of the merged user moves; the merge is recorded on both users.
    assert.deepEqual(await eventNames(app, keep.id), [
      'Bought',
      'MOE_USER_MERGED',
      'Opened',
      'Viewed',
    ])
    assert.deepEqual(await eventNames(app, oldUser.id), ['MOE_USER_MERGE_EVENT'])
    const devices = await app.store.profiles.devicesOfUser(WORKSPACE_ID, keep.id)
    assert.deepEqual(
      devices.map((d) => d.deviceId),
      ['old-phone'],
    )
    // The merged user keeps only its internal id; its customer id is free again.
    assert.equal(await userRow(app, 'old'), undefined)
    const [merged] = await app.store.profiles.findUsers(WORKSPACE_ID, {
      customerIds: [],
      ids: [oldUser.id],
    })
    assert.deepEqual(merged?.attributes, {})
    assert.equal(merged?.customerId, null)
  })

  it('§7.7 a failing pair is skipped with its reason; the rest continue', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const res = await app.post(MERGE, {
      merge_data: [
        { merged_user: 'nobody', retained_user: 'keep' },
        { merged_user: 'keep', retained_user: 'keep' },
        { merged_user: 'old', retained_user: 'keep' },
      ],
    })
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.deepEqual(
      report.records.map((r) => r.outcome),
      ['skipped', 'skipped', 'applied'],
    )
    assert.match(report.records[0]?.reason ?? '', /no user has customer_id 'nobody'/)
    assert.match(report.records[1]?.reason ?? '', /cannot be merged into itself/)
    assert.match(report.records[2]?.notes?.[0] ?? '', /^merge \d+: 'old' merged into 'keep'/)
  })

  it('§7.7 no transitive merges: A→B then B→C leaves A’s events with B', async (t) => {
    const app = await createTestApp(t)
    for (const id of ['aa', 'bb', 'cc']) {
      await app.post(EVENT, { type: 'event', customer_id: id, actions: [{ action: `E-${id}` }] })
    }
    const b = await userRow(app, 'bb')
    await app.post(MERGE, { merge_data: [{ merged_user: 'aa', retained_user: 'bb' }] })
    await app.post(MERGE, { merge_data: [{ merged_user: 'bb', retained_user: 'cc' }] })
    const c = await userRow(app, 'cc')
    assert.ok(b && c)
    assert.deepEqual(await eventNames(app, c.id), [
      'E-aa',
      'E-bb',
      'E-cc',
      'MOE_USER_MERGED',
      'MOE_USER_MERGED',
    ])
    assert.equal((await userRow(app, 'bb'))?.id, undefined)
  })

  it('§7.7 merging a user and deleting the retained one in one batch leaves no event behind', async (t) => {
    const app = await createTestApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    await seed(app)
    const keep = await userRow(app, 'keep')
    const old = await userRow(app, 'old')
    assert.ok(keep && old)
    // Applied together (nothing drains in between): the merge gives old's events to keep, then
    // keep is deleted with its events — those it was given included.
    await app.post(MERGE, { merge_data: [{ merged_user: 'old', retained_user: 'keep' }] })
    await app.post(DELETE, {
      identity_type: 'customer_id',
      identity_value: 'keep',
    })
    await app.drain()
    assert.equal(await userRow(app, 'keep'), undefined)
    assert.deepEqual(await eventNames(app, keep.id), [])
    assert.deepEqual(await eventNames(app, old.id), ['MOE_USER_MERGE_EVENT'])
  })

  it('§7.7 a later record for the merged customer_id creates a new user', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const before = await userRow(app, 'old')
    await app.post(MERGE, { merge_data: [{ merged_user: 'old', retained_user: 'keep' }] })
    await app.post(TRACK, { type: 'customer', customer_id: 'old', attributes: { a: 1 } })
    const after = await userRow(app, 'old')
    assert.ok(after && before)
    assert.notEqual(after.id, before.id)
  })

  it('§7.7 validation errors', async (t) => {
    const app = await createTestApp(t)
    const pair = { merged_user: 'a1', retained_user: 'b1' }
    const emptyData = missing('merge_data', 'merge_data can not be empty Array')
    await assertRefusals(app, MERGE, [
      [{}, missing('merge_data', 'merge_data is not found in the payload')],
      [{ merge_data: [] }, emptyData],
      [{ merge_data: 'x' }, emptyData],
      [
        { merge_data: Array(51).fill(pair) },
        { type: 'LimitBreached', message: 'max limit allowed is 50', attribute: 'merge_data' },
      ],
      [
        { merge_data: [{ retained_user: 'b1' }] },
        missing('merged_user', 'merged_user is not found in the payload'),
      ],
      [
        { merge_data: [{ merged_user: 'a1' }] },
        missing('retained_user', 'retained_user is not found in the payload'),
      ],
      // The one error string spec §7.7 documents for a pair.
      [
        { merge_data: [{ merged_user: 5, retained_user: 'b1' }] },
        missing('merged_user', 'merged_user is expected to be String or Unicode String.'),
      ],
    ])
    // Exactly 50 pairs is within the limit.
    assert.equal((await app.post(MERGE, { merge_data: Array(50).fill(pair) })).statusCode, 200)
  })

  it('§5.1 Merge counts pairs against its per-minute quota', async (t) => {
    const app = await createTestApp(t)
    await app.store.workspaces.update(WORKSPACE_ID, {
      settings: { quotas: { merge: 2 } },
      updatedAt: app.clock.now(),
    })
    const pair = { merged_user: 'a1', retained_user: 'b1' }
    const ok = await app.post(MERGE, { merge_data: [pair, pair] })
    assert.equal(ok.statusCode, 200)
    assert.equal(ok.headers['x-ratelimit-limit'], '2; w=60')
    assert.equal(ok.headers['x-ratelimit-remaining'], '0')
    const refused = await app.post(MERGE, { merge_data: [pair] })
    assert.equal(refused.statusCode, 429)
    assert.equal(refused.json<{ error: { type: string } }>().error.type, 'Rate Limit Exceeded')
    app.clock.advance(60_000)
    assert.equal((await app.post(MERGE, { merge_data: [pair] })).statusCode, 200)
  })
  it('§7.7 needs app_id like every Data API endpoint', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post('/v1/customer/merge', { merge_data: [] })
    assertRefusal(res, {
      type: 'ParamsRequired',
      message: 'app_id is required in path/query params.',
    })
  })
})

describe('Inlet merge undo', () => {
  const undo = (app: TestApp, id: string) =>
    app.app.inject({
      method: 'POST',
      url: `/inlet/v1/merges/${id}/undo`,
      headers: { authorization: basicAuth(WORKSPACE_ID, API_KEY) },
    })

  async function mergeIdOf(app: TestApp, requestId: string): Promise<string> {
    const note = (await app.inspect(requestId)).records[0]?.notes?.[0] ?? ''
    const id = /^merge (\d+):/.exec(note)?.[1]
    assert.ok(id, note)
    return id
  }

  it('a merge followed by its undo returns both users to identical exports', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const oldUser = await userRow(app, 'old')
    const keepUser = await userRow(app, 'keep')
    assert.ok(oldUser && keepUser)
    const ids = [
      { identifier_type: 'customer_id', identifier: 'keep' },
      { identifier_type: 'customer_id', identifier: 'old' },
      { identifier_type: 'id', identifier: oldUser.id },
    ]
    const exportBefore = await exportText(app, ids)
    const eventsBefore = [await eventNames(app, keepUser.id), await eventNames(app, oldUser.id)]
    const devicesBefore = await app.store.profiles.devicesOfUser(WORKSPACE_ID, oldUser.id)

    const res = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    const id = await mergeIdOf(app, res.json<{ request_id: string }>().request_id)
    assert.notEqual(await exportText(app, ids), exportBefore)

    const undone = await undo(app, id)
    assert.equal(undone.statusCode, 200)
    const report = await app.inspect(undone.json<{ request_id: string }>().request_id)
    assert.deepEqual(report.records[0]?.notes, [`merge ${id} undone`])
    assert.equal(await exportText(app, ids), exportBefore)
    assert.deepEqual(
      [await eventNames(app, keepUser.id), await eventNames(app, oldUser.id)],
      eventsBefore,
    )
    assert.deepEqual(
      (await app.store.profiles.devicesOfUser(WORKSPACE_ID, oldUser.id)).map((d) => d.deviceId),
      devicesBefore.map((d) => d.deviceId),
    )
    const merge = await app.store.profiles.merge(WORKSPACE_ID, Number(id))
    assert.equal(typeof merge?.undoneAt, 'number')

    // A second undo is refused with a reason.
    const again = await undo(app, id)
    const second = await app.inspect(again.json<{ request_id: string }>().request_id)
    assert.match(second.records[0]?.reason ?? '', /already undone/)
  })

  it('moves a user with many events without loading them, and undo returns each one', async (t) => {
    // The processor's snapshot of each batch holding a merge or an undo, as JSON: what it loads
    // into memory for them.
    const inner = createSqliteStore({ dir: ':memory:', durability: 'os' })
    const snapshots: string[] = []
    const store: Store = {
      ...inner,
      processing: {
        ...inner.processing,
        loadSnapshot: async (records) => {
          const snapshot = await inner.processing.loadSnapshot(records)
          if (records.some((r) => r.kind === 'merge' || r.kind === 'merge_undo')) {
            snapshots.push(JSON.stringify(snapshot))
          }
          return snapshot
        },
      },
    }
    const app = await createTestApp(t, {}, { store })
    await seed(app) // 'old' has 2 events, 'keep' 1
    const many = 3000
    for (let sent = 0; sent < many; sent += 1000) {
      const actions = Array.from({ length: 1000 }, (_, i) => ({ action: `E${sent + i}` }))
      const res = await app.post(EVENT, { type: 'event', customer_id: 'old', actions })
      assert.equal(res.statusCode, 200)
    }
    const old = await userRow(app, 'old')
    const keep = await userRow(app, 'keep')
    assert.ok(old && keep)
    const ownEvents = async (userId: string): Promise<string[]> =>
      (await app.store.profiles.eventsOfUser(WORKSPACE_ID, userId, 10_000)).map((e) => e.name)
    const oldBefore = (await ownEvents(old.id)).sort()
    assert.equal(oldBefore.length, many + 2)

    const res = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    const id = await mergeIdOf(app, res.json<{ request_id: string }>().request_id)
    const report = await app.inspect(res.json<{ request_id: string }>().request_id)
    assert.match(report.records[0]?.notes?.[0] ?? '', /\(3002 events and 1 devices moved\)/)
    assert.equal((await ownEvents(keep.id)).length, many + 2 + 1 + 1) // + its own, MOE_USER_MERGED
    assert.deepEqual(await ownEvents(old.id), ['MOE_USER_MERGE_EVENT'])

    const undone = await undo(app, id)
    const undoReport = await app.inspect(undone.json<{ request_id: string }>().request_id)
    assert.deepEqual(undoReport.records[0]?.notes, [`merge ${id} undone`])
    assert.deepEqual((await ownEvents(old.id)).sort(), oldBefore)
    assert.deepEqual(await ownEvents(keep.id), ['Opened'])

    // Neither batch brought the moved events' ids into memory: a few hundred bytes of users,
    // devices and counts, where one seq per event would be ten times as much.
    assert.equal(snapshots.length, 2)
    for (const snapshot of snapshots) {
      assert.ok(snapshot.length < 3000, `${snapshot.length} bytes: ${snapshot.slice(0, 400)}…`)
    }
  })

  it('undoes a merge logged before the store kept its moved events (their seqs in its image)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-merge-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const app = await createTestApp(t, {}, { store: createSqliteStore({ dir, durability: 'os' }) })
    await seed(app)
    const old = await userRow(app, 'old')
    const keep = await userRow(app, 'keep')
    assert.ok(old && keep)
    const eventsBefore = [await eventNames(app, keep.id), await eventNames(app, old.id)]
    const res = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    const id = await mergeIdOf(app, res.json<{ request_id: string }>().request_id)
    // Rewrite the merge as the previous version logged it: the moved events' seqs in the image,
    // no list in the store.
    const db = new Database(join(dir, 'store.db'))
    try {
      const seqs = db
        .prepare('SELECT seq FROM merge_events WHERE workspace_id = ? AND merge_id = ?')
        .pluck()
        .all(WORKSPACE_ID, Number(id)) as number[]
      assert.equal(seqs.length, 2)
      const row = db
        .prepare('SELECT before FROM merges WHERE workspace_id = ? AND id = ?')
        .pluck()
        .get(WORKSPACE_ID, Number(id)) as string
      const image = JSON.parse(row) as { before: Record<string, unknown>; movedEvents?: number }
      image.before['eventSeqs'] = seqs
      delete image.movedEvents
      db.prepare('UPDATE merges SET before = ? WHERE workspace_id = ? AND id = ?').run(
        JSON.stringify(image),
        WORKSPACE_ID,
        Number(id),
      )
      db.prepare('DELETE FROM merge_events').run()
    } finally {
      db.close()
    }
    const undone = await undo(app, id)
    const report = await app.inspect(undone.json<{ request_id: string }>().request_id)
    assert.deepEqual(report.records[0]?.notes, [`merge ${id} undone`])
    assert.deepEqual([await eventNames(app, keep.id), await eventNames(app, old.id)], eventsBefore)
  })

  it('is refused when a user changed after the merge, and 404 for an unknown merge', async (t) => {
    const app = await createTestApp(t)
    await seed(app)
    const res = await app.post(MERGE, {
      merge_data: [{ merged_user: 'old', retained_user: 'keep' }],
    })
    const id = await mergeIdOf(app, res.json<{ request_id: string }>().request_id)
    await app.post(TRACK, { type: 'customer', customer_id: 'keep', attributes: { plan: 'silver' } })
    const refused = await undo(app, id)
    const report = await app.inspect(refused.json<{ request_id: string }>().request_id)
    assert.equal(report.records[0]?.outcome, 'skipped')
    assert.match(report.records[0]?.reason ?? '', /changed after the merge/)
    assert.equal((await userRow(app, 'keep'))?.attributes['plan'], 'silver')

    for (const unknown of ['999999', 'abc']) {
      const missing = await undo(app, unknown)
      assert.equal(missing.statusCode, 404)
      assert.equal(
        missing.json<{ error: { message: string } }>().error.message,
        `There is no merge ${unknown} in this workspace`,
      )
    }
  })
})
