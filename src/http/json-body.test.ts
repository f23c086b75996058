// The body parser's nesting bound: brackets inside strings (escaped quotes included) do not count,
// and a body deeper than MAX_JSON_DEPTH is a 400 body_too_deep, never a stack overflow.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../errors.js'
import { MAX_JSON_DEPTH, nestedDeeperThan, parseJsonObject } from './json-body.js'

const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n)

describe('nestedDeeperThan', () => {
  it('counts arrays and objects outside strings only', () => {
    assert.equal(nestedDeeperThan('{"a":[1,{"b":2}]}', 3), false)
    assert.equal(nestedDeeperThan('{"a":[1,{"b":2}]}', 2), true)
    assert.equal(nestedDeeperThan(`{"s":"${'['.repeat(50)}"}`, 1), false)
    assert.equal(nestedDeeperThan(`{"s":"\\"${'{'.repeat(50)}"}`, 1), false, 'escaped quote')
    assert.equal(nestedDeeperThan(`{"s":"\\\\"${'['.repeat(5)}`, 3), true, 'escaped backslash')
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
