// The length check of ids and event names (counted by core/characters.ts): exactly the limit
// passes and one more fails, naming the field and the limit.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../../core/errors.js'
import { MAX_EVENT_NAME_LENGTH, MAX_ID_LENGTH, checkLength } from './limits.js'

describe('checkLength', () => {
  it('throws field_too_long naming the field and the limit, only over the limit', () => {
    checkLength('customer_id', 'x'.repeat(MAX_ID_LENGTH), MAX_ID_LENGTH)
    checkLength('action', '😀'.repeat(MAX_EVENT_NAME_LENGTH), MAX_EVENT_NAME_LENGTH)
    assert.throws(
      () => checkLength('device_id', 'x'.repeat(MAX_ID_LENGTH + 1), MAX_ID_LENGTH),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'field_too_long' &&
        err.params['key'] === 'device_id' &&
        err.params['limit'] === '512',
    )
  })
  it('bounds ids and event names at 512 characters', () => {
    assert.equal(MAX_ID_LENGTH, 512)
    assert.equal(MAX_EVENT_NAME_LENGTH, 512)
  })
})
