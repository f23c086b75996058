// The one table of attribute names segment filters use: display names of standard attributes
// (as MoEngage's payload generator writes them), the Data API's friendly keys, stored keys as they
// are, and the identifier columns.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { STANDARD_ATTRIBUTES } from '../profile/standard-attributes.js'
import { fieldOf, SEGMENT_ATTRIBUTE_NAMES } from './attribute-names.js'

describe('fieldOf', () => {
  it('maps display names to stored keys', () => {
    const expected: Readonly<Record<string, string>> = {
      Name: 'u_n',
      'First Name': 'u_fn',
      'Last Name': 'u_ln',
      Email: 'u_em',
      'Email (Standard)': 'u_em',
      'Mobile Number (Standard)': 'u_mb',
      Gender: 'u_gd',
      Birthday: 'u_bd',
      'First Seen': 'cr_t',
      'Last Seen': 'u_l_a',
      LTV: 't_rev',
    }
    for (const [name, key] of Object.entries(expected)) {
      assert.deepEqual(fieldOf(name), { kind: 'attribute', key }, name)
    }
  })

  it('maps every friendly key of a standard attribute, and keeps stored keys as they are', () => {
    for (const a of STANDARD_ATTRIBUTES) {
      assert.deepEqual(fieldOf(a.key), { kind: 'attribute', key: a.key }, a.key)
      if (a.friendly !== undefined) {
        assert.deepEqual(fieldOf(a.friendly), { kind: 'attribute', key: a.key }, a.friendly)
      }
    }
    assert.deepEqual(fieldOf('plan'), { kind: 'attribute', key: 'plan' })
    // Display names are compared exactly: another spelling is a custom attribute's key.
    assert.deepEqual(fieldOf('first name'), { kind: 'attribute', key: 'first name' })
  })

  it('reads the user ID and the internal id from their columns', () => {
    for (const name of ['ID', 'uid', 'customer_id']) {
      assert.deepEqual(fieldOf(name), { kind: 'column', column: 'customer_id' })
    }
    for (const name of ['id', 'moengage_id']) {
      assert.deepEqual(fieldOf(name), { kind: 'column', column: 'id' })
    }
  })

  it('maps each display name to a standard or derived attribute, or a column', () => {
    const known = new Set(STANDARD_ATTRIBUTES.map((a) => a.key))
    for (const [name, field] of SEGMENT_ATTRIBUTE_NAMES) {
      assert.ok(field.kind === 'column' || known.has(field.key) || field.key === 't_rev', name)
    }
  })
})
