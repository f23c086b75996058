import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../../../../test/helpers/app.js'
import { createSqliteStore } from '../../../store/sqlite/sqlite-store.js'
import { BULK_ROW_KIND, type NewLogRecord, type Store } from '../../../store/store.js'
import { expandBulkRow } from '../bulk-rows.js'

describe('ingest endpoints', () => {
  it('answers Track User with the success envelope and applies the attributes', async (t) => {
    const { post, drain, store } = await createTestApp(t)
    const res = await post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: 'john',
      attributes: { first_name: 'John', points: 20 },
    })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), {
      status: 'success',
      message: 'Your request has been accepted and will be processed soon.',
      request_id: res.json<{ request_id: string }>().request_id,
    })
    assert.match(res.json<{ request_id: string }>().request_id, /^[A-Za-z]{8}$/)
    await drain()
    const [user] = await store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['john'], ids: [] })
    assert.equal(user?.attributes['u_fn'], 'John')
    assert.equal(user?.attributes['points'], 20)
  })
})

describe('Bulk Import in the log', () => {
  /** The in-memory store, with every append recorded. */
  function recordingStore(): { store: Store; appended: NewLogRecord[] } {
    const sqlite = createSqliteStore({ expandRow: expandBulkRow,  dir: ':memory:', durability: 'os' })
    const appended: NewLogRecord[] = []
    const log = {
      ...sqlite.log,
      append: (records: readonly NewLogRecord[]) => {
        appended.push(...records)
        return sqlite.log.append(records)
      },
    }
    return { store: { ...sqlite, log }, appended }
  }

  it('logs a Bulk request as one row holding its text as sent, read back as its records', async (t) => {
    const { store, appended } = recordingStore()
    const app = await createTestApp(t, {}, { store })
    // Spacing and an escape that JSON.stringify would not write: the text is kept as it came.
    const text = `{ "type": "transition", "elements": [
      {"type": "customer", "customer_id": "ada", "attributes": {"city": "Z\\u00fcrich"}},
      {"type": "event", "customer_id": "ada", "actions": [{"action": "A"}, {"action": "B"}]}
    ] }`
    const res = await app.post(`/v1/transition/${WORKSPACE_ID}?project_code=`, text)
    assert.equal(res.statusCode, 400, 'an empty project_code is refused before anything is logged')
    assert.equal(appended.length, 0)

    const ok = await app.post(`/v1/transition/${WORKSPACE_ID}`, text)
    assert.equal(ok.statusCode, 200)
    assert.equal(appended.length, 1)
    assert.equal(appended[0]?.kind, BULK_ROW_KIND)
    assert.equal(appended[0]?.records, 3)
    assert.ok(appended[0]?.payload.includes(text), appended[0]?.payload)
    assert.equal(app.ingest.stats().records, 3)

    const report = await app.inspect(ok.json<{ request_id: string }>().request_id)
    assert.deepEqual(
      report.records.map((r) => [r.index, r.kind, r.customer_id, r.outcome]),
      [
        [0, 'customer', 'ada', 'applied'],
        [1, 'event', 'ada', 'applied'],
        [2, 'event', 'ada', 'applied'],
      ],
    )
    assert.equal((await app.getUser('ada'))?.['city'], 'Zürich')
  })
})
