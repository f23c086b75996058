import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { payloadOf } from '../../store/payloads.js'
import type { BulkLogRow, LogRecord } from '../../store/store.js'
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

  it('hands each payload over as the object its text would parse to, and only such objects', () => {
    // Numbers JSON text does not give back: 1e400 parses as Infinity (written as null), -0 and
    // -1e-400 as -0 (written as 0). A record holding one is read from its text, as before.
    const text =
      '{"type":"transition","elements":[' +
      '{"type":"customer","customer_id":"u1","attributes":{"n":[1,2],"o":{"a":-0.5},"__proto__":{"x":1}}},' +
      '{"type":"customer","customer_id":"u2","attributes":{"big":1e400,"neg":-1e400}},' +
      '{"type":"customer","customer_id":"u3","attributes":{"z":-0,"tiny":-1e-400,"t":[-0.0]}},' +
      '{"type":"event","customer_id":"u4","actions":[{"action":"A","attributes":{"p":1e400}},{"action":"B"}]},' +
      '{"type":"customer","customer_id":"u5","attributes":"not an object"}]}'
    const records = expandBulkRow(row(bulkRowPayload(text, { strict: false }), 6))
    assert.deepEqual(
      records.map((r) => r.kind),
      ['customer', 'customer', 'customer', 'event', 'event', 'invalid'],
    )
    for (const r of records) {
      // The object the steps read is exactly what the text parses to (-0 and 0 told apart).
      assert.deepStrictEqual(payloadOf(r), JSON.parse(r.payload), r.payload)
    }
    const attributes = (i: number): Record<string, unknown> =>
      (payloadOf(records[i] as LogRecord) as { attributes: Record<string, unknown> }).attributes
    assert.deepEqual(attributes(1), { big: null, neg: null })
    assert.ok(Object.is(attributes(2)['z'], 0) && Object.is(attributes(2)['tiny'], 0))
    assert.deepStrictEqual(attributes(2)['t'], [0])
    assert.equal(attributes(3)['p'], null)
    // A prototype key stays data, as JSON.parse keeps it.
    assert.ok(Object.hasOwn(attributes(0), '__proto__'))
    assert.equal(Object.getPrototypeOf(attributes(0)), Object.prototype)
    // Only the records whose text would not give their object back carry it as text.
    assert.deepEqual(
      records.map((r) => Object.getOwnPropertyDescriptor(r, 'payload')?.get === undefined),
      [false, true, true, true, false, false],
    )
  })
})
