/**
 * The processor's outcomes as a caller sees them (issue 2, item 9): a record whose step keeps
 * failing is retried, then kept as `dead` with its reason and request id while the records after
 * it are applied; a record the store refuses to commit (PostgreSQL and a NUL) is narrowed down from
 * its batch and kept dead the same way; the ingestion lag is reported by `GET /healthz` until the
 * records are applied.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { expandBulkRow } from '../src/families/data/bulk-rows.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'
import { START_TIME, WORKSPACE_ID, createTestApp } from './helpers/app.js'
import { startPostgres } from './helpers/postgres.js'

const postgres = await startPostgres()

type Health = { status: string; lag: { records: number; oldest_ms: number } }

describe('processor outcomes', () => {
  it('retries a failing record, keeps it dead with its reason and request id, applies the rest', async (t) => {
    const app = await createTestApp(t, { INLET_PROCESSOR_MAX_ATTEMPTS: '2' })
    const requestId = 'DEADRECQ'
    const record = (index: number, customerId: string, payload: string) => ({
      workspaceId: WORKSPACE_ID,
      requestId,
      index,
      kind: 'customer' as const,
      api: 'customer',
      customerId,
      receivedAt: START_TIME,
      payload,
    })
    // A record no step can read (the log was damaged), then a good one of the same request.
    await app.store.log.append([
      record(0, 'broken', '{"customer_id": "broken", "attributes": '),
      record(
        1,
        'fine',
        JSON.stringify({ customer_id: 'fine', update_existing_only: false, attributes: { a: 1 } }),
      ),
    ])
    const report = await app.inspect(requestId)
    assert.deepEqual(report.summary, { pending: 0, applied: 1, skipped: 0, dead: 1 })
    const [dead, applied] = report.records
    assert.equal(dead?.outcome, 'dead')
    assert.match(dead?.reason ?? '', /^failed 2 times: /)
    // the inspector shows the damaged record as its text rather than failing (500)
    assert.equal(dead?.payload, '{"customer_id": "broken", "attributes": ')
    assert.equal(applied?.outcome, 'applied')
    assert.equal((await app.getUser('fine'))?.['a'], 1)
    const failures = app.log.lines.filter(
      (l) => l.includes('"step failed"') && l.includes(requestId),
    )
    assert.equal(failures.length, 2, 'each failed attempt is logged with the request id')
  })

  it('reports the ingestion lag on GET /healthz until the records are applied', async (t) => {
    const app = await createTestApp(t)
    const health = async (): Promise<Health> =>
      (await app.app.inject({ method: 'GET', url: '/healthz' })).json<Health>()
    assert.equal((await health()).lag.records, 0)
    for (const id of ['lag-1', 'lag-2']) {
      const res = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
        type: 'customer',
        customer_id: id,
      })
      assert.equal(res.statusCode, 200)
    }
    app.clock.advance(1500)
    const behind = await health()
    assert.equal(behind.status, 'ok')
    assert.equal(behind.lag.records, 2, 'accepted, not applied yet')
    assert.equal(behind.lag.oldest_ms, 1500)
    await app.drain()
    assert.deepEqual((await health()).lag, { records: 0, oldest_ms: 0 })
  })

  it(
    'narrows a batch the store refuses down to its one record, keeps it dead, applies the rest (PostgreSQL)',
    postgres === undefined ? { skip: 'no PostgreSQL' } : {},
    async (t) => {
      if (postgres === undefined) return
      const store = await createPostgresStore({
        expandRow: expandBulkRow,
        url: await postgres.freshUrl(),
        durability: 'fsync',
        maxConnections: 4,
      })
      const app = await createTestApp(t, { INLET_PROCESSOR_MAX_ATTEMPTS: '2' }, { store })
      const requestId = 'NULRECRQ'
      // Written past the HTTP edge (which refuses NUL: body_has_nul), as a log from before that
      // rule or another writer could hold it: PostgreSQL cannot store the NUL of record 5.
      await app.store.log.append(
        Array.from({ length: 9 }, (_, index) => ({
          workspaceId: WORKSPACE_ID,
          requestId,
          index,
          kind: 'customer' as const,
          api: 'customer',
          customerId: `user-${index}`,
          receivedAt: START_TIME,
          payload: JSON.stringify({
            customer_id: `user-${index}`,
            update_existing_only: false,
            attributes: { note: index === 5 ? 'a\u0000b' : `fine ${index}` },
          }),
        })),
      )
      const report = await app.inspect(requestId)
      assert.deepEqual(report.summary, { pending: 0, applied: 8, skipped: 0, dead: 1 })
      const dead = report.records[5]
      assert.equal(dead?.outcome, 'dead')
      assert.match(dead?.reason ?? '', /^failed 2 times: the store refused it: /)
      for (const index of [0, 4, 6, 8]) {
        assert.equal((await app.getUser(`user-${index}`))?.['note'], `fine ${index}`)
      }
      assert.equal(await app.getUser('user-5'), undefined)
      const refused = app.log.lines.filter((l) => l.includes('"commit refused"'))
      assert.equal(refused.length, 2, 'each refused attempt is logged')
    },
  )
})
