// The body parser's nesting bound: brackets inside strings (escaped quotes included) do not count,
// and a body deeper than MAX_JSON_DEPTH is a 400 body_too_deep, never a stack overflow.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../core/errors.js'
import { MAX_JSON_DEPTH, nestedDeeperThan, parseJsonObject } from './json-body.js'

const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n)

describe('nestedDeeperThan', () => {
  it('counts the levels of arrays and objects, the top level as 1', () => {
    assert.equal(nestedDeeperThan(JSON.parse('{"a":[1,{"b":2}]}'), 3), false)
    assert.equal(nestedDeeperThan(JSON.parse('{"a":[1,{"b":2}]}'), 2), true)
    assert.equal(nestedDeeperThan(JSON.parse('[[],[[]],{"x":{}}]'), 3), false)
    assert.equal(nestedDeeperThan(JSON.parse('[[],[[]],{"x":{"y":[]}}]'), 3), true)
    assert.equal(nestedDeeperThan(JSON.parse(`{"s":"${'['.repeat(50)}"}`), 1), false, 'in a string')
    assert.equal(nestedDeeperThan('text', 0), false)
    assert.equal(nestedDeeperThan(null, 0), false)
  })

  it('walks a value nested far past the stack without overflowing', () => {
    assert.equal(nestedDeeperThan(JSON.parse(nest(200_000)), 199_999), true)
    assert.equal(nestedDeeperThan(JSON.parse(nest(200_000)), 200_000), false)
  })
})

describe('parseJsonObject', () => {
  it('takes a body nested exactly MAX_JSON_DEPTH deep and refuses one level more', () => {
    assert.ok(parseJsonObject(Buffer.from(`{"a":${nest(MAX_JSON_DEPTH - 1)}}`)))
    assert.throws(
      () => parseJsonObject(Buffer.from(`{"a":${nest(MAX_JSON_DEPTH)}}`)),
      (err: unknown) => err instanceof AppError && err.code === 'body_too_deep',
    )
    assert.throws(
      () => parseJsonObject(Buffer.from(`{"a":${nest(60_000)}}`)),
      (err: unknown) => err instanceof AppError && err.code === 'body_too_deep',
    )
  })
})
