import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BulkLogRow } from '../../store/store.js'
import { bulkRowPayload, expandBulkRow, parseBulk, withProject } from './bulk-rows.js'

const body = {
  type: 'transition',
  elements: [
    { type: 'customer', customer_id: 'u1', attributes: { first_name: 'Ada', 'a\u00e9': 'x/y' } },
    { type: 'event', customer_id: 'u1', actions: [{ action: 'A' }, { action: 'B' }] },
    { type: 'device', customer_id: 'u1', device_id: 'd1', attributes: {} }, // no platform: invalid
    { type: 'customer' },
  ],
}

function row(payload: string, records: number, seq = 110): BulkLogRow {
  return { seq, records, workspaceId: 'WS', requestId: 'REQ', receivedAt: 5, payload }
}

describe('Bulk rows', () => {
  it('expands to the records the request thread validated, with the same options', () => {
    // The text as a client may send it: escapes and spacing JSON.stringify would not write.
    const text = JSON.stringify(body, null, 2).replace('x/y', 'x\\/y').replace('\u00e9', '\\u00e9')
    const options = { strict: false, identifiers: ['email'], project: 'p1' }
    const expected = parseBulk(JSON.parse(text) as Record<string, unknown>, options)
    for (const r of expected) withProject(r, options.project)
    assert.equal(expected.length, 5)
    const records = expandBulkRow(row(bulkRowPayload(text, options), expected.length))
    assert.deepEqual(
      records.map((r) => [r.seq, r.index, r.kind, r.customerId, r.requestId, r.receivedAt]),
      [
        [106, 0, 'customer', 'u1', 'REQ', 5],
        [107, 1, 'event', 'u1', 'REQ', 5],
        [108, 2, 'event', 'u1', 'REQ', 5],
        [109, 3, 'invalid', 'u1', 'REQ', 5],
        [110, 4, 'invalid', null, 'REQ', 5],
      ],
    )
    assert.deepEqual(
      records.map((r) => JSON.parse(r.payload) as unknown),
      expected.map((r) => r.payload),
    )
    // The project (spec §6.3) reaches the user's and the event's records.
    assert.equal((JSON.parse(records[0]?.payload ?? '{}') as { project?: string }).project, 'p1')
    assert.equal((JSON.parse(records[1]?.payload ?? '{}') as { project?: string }).project, 'p1')
  })

  it('always yields the reserved number of records, saying why when the row does not', () => {
    const text = JSON.stringify(body)
    const short = expandBulkRow(row(bulkRowPayload(text, { strict: false }), 7))
    assert.deepEqual(
      short.map((r) => r.kind),
      ['customer', 'event', 'event', 'invalid', 'invalid', 'invalid', 'invalid'],
    )
    const padding = JSON.parse(short[6]?.payload ?? '{}') as { code: string; reason: string }
    assert.equal(padding.code, 'bulk_row_unreadable')
    assert.match(padding.reason, /the body yields 5 records, the row reserved 7/)

    const long = expandBulkRow(row(bulkRowPayload(text, { strict: false }), 2))
    assert.deepEqual(
      long.map((r) => [r.seq, r.kind]),
      [
        [109, 'customer'],
        [110, 'event'],
      ],
    )

    for (const damaged of ['{"v":1,"body":', '{"v":2,"body":{}}', '{"v":1,"body":[1]}']) {
      const records = expandBulkRow(row(damaged, 3))
      assert.deepEqual(
        records.map((r) => [r.seq, r.kind, r.customerId]),
        [
          [108, 'invalid', null],
          [109, 'invalid', null],
          [110, 'invalid', null],
        ],
        damaged,
      )
      assert.match(records[0]?.payload ?? '', /Bulk log row unreadable/)
    }
  })
})
