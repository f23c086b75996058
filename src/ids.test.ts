// Identifier formats: what MoEngage clients see (8-letter request ids, 24-hex user ids) and what
// the workspace rules accept (20-character upper-case workspace ids, 32-character keys).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createIdGenerator, createSequentialIds } from './ids.js'
import { API_KEY_PATTERN, WORKSPACE_ID_PATTERN } from './workspaces/workspaces.js'

const NOW = Date.parse('2026-11-01T10:00:00Z')
const N = 2000

describe('createIdGenerator', () => {
  const ids = createIdGenerator()

  it('makes request ids of 8 ASCII letters, using the whole alphabet', () => {
    const seen = new Set<string>()
    const chars = new Set<string>()
    for (let i = 0; i < N; i++) {
      const id = ids.requestId()
      assert.match(id, /^[A-Za-z]{8}$/)
      seen.add(id)
      for (const c of id) chars.add(c)
    }
    assert.equal(seen.size, N, 'no repeats')
    // 16,000 draws from 52 letters: every letter appears unless the sampling is broken.
    assert.equal(chars.size, 52)
  })

  it('makes user ids of 24 lower-case hex digits, starting with the time in seconds', () => {
    const seen = new Set<string>()
    for (let i = 0; i < N; i++) {
      const id = ids.userId(NOW)
      assert.match(id, /^[0-9a-f]{24}$/)
      assert.equal(id.slice(0, 8), Math.floor(NOW / 1000).toString(16))
      seen.add(id)
    }
    assert.equal(seen.size, N, 'no repeats within one second')
    assert.equal(ids.userId(0).slice(0, 8), '00000000')
    assert.match(ids.userId(0), /^[0-9a-f]{24}$/)
  })

  it('makes workspace ids of 20 upper-case letters and digits', () => {
    const chars = new Set<string>()
    for (let i = 0; i < N; i++) {
      const id = ids.workspaceId()
      assert.match(id, /^[A-Z0-9]{20}$/)
      assert.match(id, WORKSPACE_ID_PATTERN)
      for (const c of id) chars.add(c)
    }
    assert.equal(chars.size, 36)
  })

  it('makes Data API keys of 32 letters and digits that the key rules accept', () => {
    const seen = new Set<string>()
    for (let i = 0; i < N; i++) {
      const key = ids.apiKey()
      assert.match(key, /^[A-Za-z0-9]{32}$/)
      assert.match(key, API_KEY_PATTERN)
      seen.add(key)
    }
    assert.equal(seen.size, N)
  })

  it('gives two generators independent random streams', () => {
    assert.notEqual(createIdGenerator().requestId(), createIdGenerator().requestId())
  })
})

describe('createSequentialIds', () => {
  it('counts request ids in letters, REQAAAAA first', () => {
    const ids = createSequentialIds()
    assert.deepEqual(
      [ids.requestId(), ids.requestId(), ids.requestId()],
      ['REQAAAAA', 'REQAAAAB', 'REQAAAAC'],
    )
  })

  it('makes ids in the same formats as the random generator', () => {
    const ids = createSequentialIds()
    for (let i = 0; i < 30; i++) {
      assert.match(ids.requestId(), /^[A-Za-z]{8}$/)
      assert.match(ids.userId(NOW), /^[0-9a-f]{24}$/)
      assert.match(ids.workspaceId(), /^[A-Z0-9]{20}$/)
      assert.match(ids.apiKey(), API_KEY_PATTERN)
    }
  })

  it('never repeats an id across kinds or calls', () => {
    const ids = createSequentialIds()
    const seen = new Set<string>()
    for (let i = 0; i < 100; i++) {
      for (const id of [ids.requestId(), ids.userId(NOW), ids.workspaceId(), ids.apiKey()]) {
        assert.ok(!seen.has(id), id)
        seen.add(id)
      }
    }
  })
})
