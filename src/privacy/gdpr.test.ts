// GDPR semantics (spec §7.12): what each identity type matches, the suppression hash (email in any
// case, per workspace, never the value itself) and the identities each kind of log record names.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LogRecord, RecordKind } from '../store/store.js'
import { identitiesOfRecord, suppressionHash, userMatchOf } from './gdpr.js'

function record(kind: RecordKind, payload: unknown): LogRecord {
  return {
    seq: 1,
    workspaceId: 'WS',
    requestId: 'REQAAAAA',
    index: 0,
    kind,
    customerId: null,
    receivedAt: 0,
    payload: JSON.stringify(payload),
  }
}

describe('GDPR identities (spec §7.12)', () => {
  it('maps each identity type to what it matches', () => {
    assert.deepEqual(
      userMatchOf([
        { identity_type: 'ID', identity_value: 'c1' },
        { identity_type: 'user_secondary_id', identity_value: 'u1' },
        { identity_type: 'email', identity_value: 'A@b.c' },
        { identity_type: 'mobile', identity_value: '+1' },
        { identity_type: 'google_advertising_id', identity_value: 'g' },
        { identity_type: 'advertising_identifier', identity_value: 'i' },
      ]),
      {
        customerIds: ['c1'],
        userIds: ['u1'],
        userAttributes: [
          { key: 'u_em', value: 'A@b.c', caseInsensitive: true },
          { key: 'u_mb', value: '+1' },
          { key: 'moe_gaid', value: 'g' },
          { key: 'advertising_identifier', value: 'i' },
        ],
        deviceAttributes: [{ key: 'moe_gaid', value: 'g' }],
      },
    )
  })

  it('hashes emails in any case alike, other values exactly, and per workspace', () => {
    const h = suppressionHash('WS', 'email', 'A@B.c')
    assert.equal(h, suppressionHash('WS', 'email', 'a@b.C'))
    assert.notEqual(h, suppressionHash('WS2', 'email', 'a@b.c'))
    assert.notEqual(suppressionHash('WS', 'ID', 'Abc'), suppressionHash('WS', 'ID', 'abc'))
    assert.notEqual(suppressionHash('WS', 'ID', 'x'), suppressionHash('WS', 'mobile', 'x'))
    assert.match(h, /^[0-9a-f]{64}$/)
  })

  it('reads the identities each kind of record names', () => {
    const types = (r: LogRecord): string[] =>
      identitiesOfRecord(r).map((i) => `${i.identity_type}=${i.identity_value}`)
    assert.deepEqual(
      types(
        record('customer', {
          customer_id: 'c1',
          attributes: { email: 'e@x', u_mb: 5, moe_gaid: 'g', first_name: 'F', blank: ' ' },
          identities: { u_em: 'e2@x' },
        }),
      ),
      ['ID=c1', 'email=e@x', 'mobile=5', 'google_advertising_id=g', 'email=e2@x'],
    )
    assert.deepEqual(types(record('event', { customer_id: null, identities: { u_mb: '9' } })), [
      'mobile=9',
    ])
    assert.deepEqual(
      types(record('device', { customer_id: 'c', attributes: { moe_gaid: 'g', push_id: 'p' } })),
      ['ID=c', 'google_advertising_id=g'],
    )
    assert.deepEqual(types(record('install', { user_id: 'u', advertising_id: 'g' })), [
      'google_advertising_id=g',
    ])
    assert.deepEqual(types(record('merge', { merged_user: 'a', retained_user: 'b' })), [
      'ID=a',
      'ID=b',
    ])
    assert.deepEqual(
      types(record('delete', { user_id: 'u', identity_type: 'customer_id', identity_value: 'c' })),
      ['ID=c'],
    )
    assert.deepEqual(types(record('invalid', { element: { customer_id: 'c' } })), [])
    assert.deepEqual(types(record('gdpr_erasure', { identities: [] })), [])
  })
})
