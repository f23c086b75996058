// Identifier formats: what MoEngage clients see (8-letter request ids, 24-hex user ids) and what
// the workspace rules accept (20-character upper-case workspace ids, 32-character keys).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createManualClock } from './clock.js'
import { createIdGenerator, createSequentialIds, REQUEST_ID_SLOT_MS } from './ids.js'
import { API_KEY_PATTERN, WORKSPACE_ID_PATTERN } from '../workspaces/workspaces.js'

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

  it('makes the user ids of one second sort in the order they were made (one generator)', () => {
    // The store's users table and user-led indexes then take new users at one place.
    const made = Array.from({ length: N }, () => ids.userId(NOW + 999))
    // The 6-hex counter starts at random and may wrap once: at most one step down.
    let descents = 0
    for (let i = 1; i < made.length; i++) if ((made[i] ?? '') < (made[i - 1] ?? '')) descents++
    assert.ok(descents <= 1, `${descents} steps down`)
    const other = createIdGenerator().userId(NOW)
    assert.notEqual(other.slice(8, 18), (made[0] ?? '').slice(8, 18), 'another generator differs')
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

  it('starts request ids with the time: three letters counting tenths of a second', () => {
    const clock = createManualClock(0)
    const timed = createIdGenerator(clock)
    assert.equal(timed.requestId().slice(0, 3), 'AAA')
    clock.set(REQUEST_ID_SLOT_MS)
    assert.equal(timed.requestId().slice(0, 3), 'AAB')
    clock.set(52 * REQUEST_ID_SLOT_MS)
    assert.equal(timed.requestId().slice(0, 3), 'ABA')
    clock.set(52 ** 3 * REQUEST_ID_SLOT_MS - 1)
    assert.equal(timed.requestId().slice(0, 3), 'zzz')
    clock.set(52 ** 3 * REQUEST_ID_SLOT_MS) // a 3.9-hour cycle
    assert.equal(timed.requestId().slice(0, 3), 'AAA')
  })

  it('makes request ids that sort in the order they were made, slot by slot', () => {
    const clock = createManualClock(NOW)
    const timed = createIdGenerator(clock)
    const made: string[] = []
    for (let i = 0; i < 50; i++) {
      made.push(timed.requestId())
      clock.advance(REQUEST_ID_SLOT_MS)
    }
    assert.deepEqual([...made].sort(), made)
  })

  it('never repeats a request id within a process, nor goes back when the clock does', () => {
    const clock = createManualClock(NOW)
    const timed = createIdGenerator(clock)
    const seen = new Set<string>()
    const first = timed.requestId()
    seen.add(first)
    clock.advance(-60_000)
    for (let i = 0; i < 20_000; i++) seen.add(timed.requestId())
    assert.equal(seen.size, 20_001)
    assert.ok([...seen].every((id) => id.slice(0, 3) === first.slice(0, 3)))
  })

  it('takes the next slot early once one slot has handed out 100,000 ids', () => {
    const clock = createManualClock(NOW)
    const timed = createIdGenerator(clock)
    const prefixes = new Map<string, number>()
    for (let i = 0; i < 100_001; i++) {
      const p = timed.requestId().slice(0, 3)
      prefixes.set(p, (prefixes.get(p) ?? 0) + 1)
    }
    assert.deepEqual([...prefixes.values()], [100_000, 1])
    const [a, b] = [...prefixes.keys()]
    assert.ok(a !== undefined && b !== undefined && a < b)
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
