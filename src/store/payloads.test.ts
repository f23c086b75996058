import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { payloadOf, recordOfPayload, survivesJson } from './payloads.js'
import type { LogRecord } from './store.js'

const fields = {
  seq: 1,
  workspaceId: 'WS',
  requestId: 'R',
  index: 0,
  kind: 'customer',
  customerId: 'u1',
  receivedAt: 0,
} as const
const record = (payload: string): LogRecord => ({ ...fields, payload })

describe('payloads', () => {
  it('parses a record once, and takes an object handed over instead', () => {
    const r = record('{"a":[1,{"b":null}]}')
    const first = payloadOf(r)
    assert.deepEqual(first, { a: [1, { b: null }] })
    assert.equal(payloadOf(r), first)
    const given = { a: [2] }
    const made = recordOfPayload({ ...fields }, given)
    assert.equal(payloadOf(made), given)
    assert.equal(made.payload, '{"a":[2]}')
    assert.equal(made.payload, made.payload)
    // It compares and spreads as a record read from its text.
    assert.deepStrictEqual(made, record('{"a":[2]}'))
    assert.deepStrictEqual({ ...made }, record('{"a":[2]}'))
    assert.throws(() => payloadOf(record('{')), SyntaxError)
  })

  it('tells which values JSON text gives back as they are', () => {
    for (const v of [
      's',
      true,
      null,
      0,
      1.5,
      -2,
      [],
      {},
      [1, ['x', { y: null }]],
      { z: { w: 'v' } },
    ]) {
      assert.equal(survivesJson(v), true, JSON.stringify(v))
    }
    const proto = JSON.parse('{"__proto__":{"a":1}}') as unknown
    assert.equal(survivesJson(proto), true)
    assert.equal(survivesJson(JSON.parse('{"__proto__":{"a":1e400}}')), false)
    for (const v of [
      Infinity,
      -Infinity,
      NaN,
      -0,
      JSON.parse('1e400'),
      JSON.parse('-1e-400'),
      [1, -0],
      { a: { b: [Infinity] } },
      { a: undefined },
      [undefined],
      new Date(0),
      () => 1,
      1n,
    ]) {
      assert.equal(survivesJson(v), false, String(v))
    }
  })
})
