// Accepting a request: its parsed records reach the ingest log (a real SQLite store) with the
// request's identity and the clock's time, before the accept resolves.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'
import type { ParsedRecord } from '../core/records.js'
import { createIngest } from './accept.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'ACCEPTWS000000000001'

function memoryStore(t: TestContext): Store {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  return store
}

const customer: ParsedRecord = {
  kind: 'customer',
  customerId: 'john',
  payload: { customer_id: 'john', update_existing_only: false, attributes: { points: 20 } },
}

const event = (action: string): ParsedRecord => ({
  kind: 'event',
  customerId: 'john',
  payload: { customer_id: 'john', device_id: 'john', action, attributes: { sku: 'A1' } },
})

const invalid: ParsedRecord = {
  kind: 'invalid',
  customerId: null,
  payload: { code: 'type_mismatch', reason: 'type must be customer', element: { type: 'x' } },
}

describe('createIngest', () => {
  it('commits the records of a request to the log before resolving', async (t) => {
    const store = memoryStore(t)
    const clock = createManualClock(T0)
    const ingest = createIngest({ log: store.log, clock })
    await ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [
      customer,
      event('Added to Cart'),
      invalid,
    ])
    const records = await store.log.readAfter(0, 10)
    assert.deepEqual(records, [
      {
        workspaceId: WS,
        requestId: 'REQAAAAA',
        index: 0,
        kind: 'customer',
        customerId: 'john',
        receivedAt: T0,
        payload: JSON.stringify(customer.payload),
        seq: records[0]?.seq,
      },
      {
        workspaceId: WS,
        requestId: 'REQAAAAA',
        index: 1,
        kind: 'event',
        customerId: 'john',
        receivedAt: T0,
        payload: JSON.stringify(event('Added to Cart').payload),
        seq: records[1]?.seq,
      },
      {
        workspaceId: WS,
        requestId: 'REQAAAAA',
        index: 2,
        kind: 'invalid',
        customerId: null,
        receivedAt: T0,
        payload: JSON.stringify(invalid.payload),
        seq: records[2]?.seq,
      },
    ])
    assert.deepEqual(JSON.parse(records[1]?.payload ?? ''), event('Added to Cart').payload)
  })

  it('stamps each request with the time it was accepted', async (t) => {
    const store = memoryStore(t)
    const clock = createManualClock(T0)
    const ingest = createIngest({ log: store.log, clock })
    await ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [customer])
    clock.advance(1500)
    await ingest.accept({ workspaceId: WS, requestId: 'REQAAAAB', api: 'event' }, [customer])
    assert.deepEqual(
      (await store.log.readAfter(0, 10)).map((r) => [r.requestId, r.receivedAt]),
      [
        ['REQAAAAA', T0],
        ['REQAAAAB', T0 + 1500],
      ],
    )
  })

  it('commits concurrent requests together, each keeping its own indexes', async (t) => {
    const store = memoryStore(t)
    const ingest = createIngest({ log: store.log, clock: createManualClock(T0) })
    await Promise.all([
      ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [
        event('a'),
        event('b'),
      ]),
      ingest.accept({ workspaceId: WS, requestId: 'REQAAAAB', api: 'event' }, [customer]),
      ingest.accept({ workspaceId: 'ACCEPTWS000000000002', requestId: 'REQAAAAC', api: 'event' }, [
        event('c'),
      ]),
    ])
    assert.deepEqual(ingest.stats(), { batches: 1, records: 4 })
    assert.deepEqual(
      (await store.log.readAfter(0, 10)).map((r) => [
        r.workspaceId.slice(-1),
        r.requestId,
        r.index,
      ]),
      [
        ['1', 'REQAAAAA', 0],
        ['1', 'REQAAAAA', 1],
        ['1', 'REQAAAAB', 0],
        ['2', 'REQAAAAC', 0],
      ],
    )
  })

  it('calls onCommitted after each commit, when the records are readable', async (t) => {
    const store = memoryStore(t)
    const seenAtCommit: number[] = []
    const ingest = createIngest({
      log: store.log,
      clock: createManualClock(T0),
      onCommitted: () => {
        void store.log.lastSeq().then((seq) => seenAtCommit.push(seq))
      },
    })
    await ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [
      customer,
      customer,
    ])
    await ingest.accept({ workspaceId: WS, requestId: 'REQAAAAB', api: 'event' }, [customer])
    await ingest.flushed()
    assert.deepEqual(seenAtCommit, [2, 3])
  })

  it('rejects the request when the log cannot commit, and does not signal a commit', async (t) => {
    const store = memoryStore(t)
    let commits = 0
    const ingest = createIngest({
      log: store.log,
      clock: createManualClock(T0),
      onCommitted: () => commits++,
    })
    await store.close()
    await assert.rejects(
      ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [customer]),
      /not open/,
    )
    assert.equal(commits, 0)
    assert.deepEqual(ingest.stats(), { batches: 0, records: 0 })
  })

  it('flushed() resolves once every accepted request is committed', async (t) => {
    const store = memoryStore(t)
    const ingest = createIngest({ log: store.log, clock: createManualClock(T0) })
    const pending = [
      ingest.accept({ workspaceId: WS, requestId: 'REQAAAAA', api: 'event' }, [customer]),
      ingest.accept({ workspaceId: WS, requestId: 'REQAAAAB', api: 'event' }, [customer]),
    ]
    assert.equal(await store.log.lastSeq(), 0, 'nothing is written inline')
    await ingest.flushed()
    assert.equal(await store.log.lastSeq(), 2)
    await Promise.all(pending)
  })
})
