// Data API keys at rest: a salted SHA-256 that never equals the key, checked in constant time.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { hashKey, verifyKey } from './keys.js'

const KEY = 'mX4fQ2rT9bLk8sVw3nYp6zHc1dJg5aEu'

describe('hashKey', () => {
  it('stores a hex SHA-256 of salt then key, never the key itself', () => {
    const stored = hashKey(KEY, 'a-fixed-salt')
    assert.equal(stored.salt, 'a-fixed-salt')
    assert.equal(stored.hash, createHash('sha256').update(`a-fixed-salt${KEY}`).digest('hex'))
    assert.match(stored.hash, /^[0-9a-f]{64}$/)
    assert.notEqual(stored.hash, KEY)
    assert.ok(!stored.hash.includes(KEY))
  })

  it('draws a fresh random salt each time, so one key hashes differently', () => {
    const a = hashKey(KEY)
    const b = hashKey(KEY)
    assert.match(a.salt, /^[0-9a-f]{32}$/)
    assert.notEqual(a.salt, b.salt)
    assert.notEqual(a.hash, b.hash)
    assert.ok(verifyKey(KEY, a) && verifyKey(KEY, b))
  })

  it('is deterministic for a given salt', () => {
    assert.deepEqual(hashKey(KEY, 'salt'), hashKey(KEY, 'salt'))
    assert.notEqual(hashKey(KEY, 'salt-1').hash, hashKey(KEY, 'salt-2').hash)
  })
})

describe('verifyKey', () => {
  const stored = hashKey(KEY)

  it('accepts the key that was hashed', () => {
    assert.equal(verifyKey(KEY, stored), true)
  })

  it('refuses any other key', () => {
    for (const wrong of ['', KEY.slice(0, -1), `${KEY}x`, KEY.toLowerCase(), ` ${KEY}`]) {
      assert.equal(verifyKey(wrong, stored), false, JSON.stringify(wrong))
    }
  })

  it('refuses the key checked against another salt', () => {
    assert.equal(verifyKey(KEY, { hash: stored.hash, salt: hashKey(KEY).salt }), false)
  })

  it('refuses a stored hash that is malformed instead of throwing', () => {
    assert.equal(verifyKey(KEY, { hash: '', salt: stored.salt }), false)
    assert.equal(verifyKey(KEY, { hash: 'not hex', salt: stored.salt }), false)
    assert.equal(verifyKey(KEY, { hash: stored.hash.slice(0, 62), salt: stored.salt }), false)
  })

  it('refuses the stored hash used as a key', () => {
    assert.equal(verifyKey(stored.hash, stored), false)
  })
})
