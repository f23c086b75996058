// Text lengths in characters (core/characters.ts): counted in code points (not UTF-16 units, not
// bytes); exactly the limit passes and one more fails, on each path (short, long, in between);
// a cut never splits a surrogate pair.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { characterCount, truncateCharacters, withinLength } from './characters.js'

describe('characterCount', () => {
  it('counts code points: a surrogate pair is one character, a lone surrogate one too', () => {
    assert.equal(characterCount(''), 0)
    assert.equal(characterCount('abc'), 3)
    assert.equal(characterCount('é中文'), 3) // 2, 3 and 3 bytes of UTF-8
    assert.equal(characterCount('😀'), 1) // two UTF-16 units, four bytes
    assert.equal(characterCount('a😀b😀'), 4)
    assert.equal(characterCount('\ud800'), 1)
    assert.equal(characterCount('\udc00\ud800'), 2) // reversed: two lone surrogates
    assert.equal(characterCount('x\ud800'), 2) // a high surrogate at the end
    assert.equal(characterCount('😀'.repeat(512)), [...'😀'.repeat(512)].length)
  })
})

describe('withinLength', () => {
  it('accepts exactly the limit and refuses one more, whatever the characters', () => {
    for (const unit of ['a', 'é', '中', '😀']) {
      assert.equal(withinLength(unit.repeat(10), 10), true, `10 × ${unit}`)
      assert.equal(withinLength(unit.repeat(11), 10), false, `11 × ${unit}`)
    }
    // 10 emoji are 20 UTF-16 units (= 2 × limit); 11 are 22 (> 2 × limit: refused uncounted).
    assert.equal(withinLength('😀'.repeat(5) + 'a'.repeat(5), 10), true)
    assert.equal(withinLength('😀'.repeat(6) + 'a'.repeat(5), 10), false)
    assert.equal(withinLength('', 0), true)
    assert.equal(withinLength('a', 0), false)
  })
})

describe('truncateCharacters', () => {
  it('keeps the first characters, cutting at a character boundary, never inside a pair', () => {
    assert.equal(truncateCharacters('😀'.repeat(5), 3), '😀'.repeat(3))
    assert.equal(truncateCharacters('ab😀cd', 3), 'ab😀')
    assert.equal(truncateCharacters('abc', 5), 'abc')
    assert.equal(truncateCharacters('abc', 3), 'abc')
    assert.equal(truncateCharacters('x'.repeat(199) + '😀yz', 200), 'x'.repeat(199) + '😀')
    assert.equal(characterCount(truncateCharacters('é中😀'.repeat(100), 200)), 200)
  })
})
