import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FIRST_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from './backoff.js'

describe('retryDelayMs', () => {
  it('doubles with each attempt, within the upper half of its ceiling', () => {
    assert.equal(retryDelayMs(1, 0), FIRST_RETRY_MS / 2)
    assert.equal(retryDelayMs(1, 0.999999), FIRST_RETRY_MS)
    assert.equal(retryDelayMs(2, 0), FIRST_RETRY_MS)
    assert.equal(retryDelayMs(3, 0.5), FIRST_RETRY_MS * 3)
  })

  it('never waits more than an hour, however many attempts', () => {
    assert.equal(retryDelayMs(40, 0.9999999), MAX_RETRY_MS)
    assert.equal(retryDelayMs(1_000, 0), MAX_RETRY_MS / 2)
  })
})
