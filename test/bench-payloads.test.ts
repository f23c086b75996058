/**
 * The benchmark's Bulk bodies with new times (bench/payloads.ts bulkBodiesWithNewTimes): each
 * round of the pool moves every event's time on, and changes nothing else.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { bulkBodiesWithNewTimes, bulkBody } from '../bench/payloads.js'

type Element = { type: string; customer_id: string; actions?: { user_time: number }[] }
const elements = (body: Buffer): Element[] =>
  (JSON.parse(body.toString('utf8')) as { elements: Element[] }).elements
const times = (body: Buffer): number[] =>
  elements(body).flatMap((e) => (e.actions ?? []).map((a) => a.user_time))

it('moves every user_time on by a day per round of the pool, and nothing else', () => {
  const pool = [bulkBody(0, 4_000), bulkBody(1, 4_000)]
  const body = bulkBodiesWithNewTimes(pool)
  const [first, again, later] = [body(1), body(3), body(5)]
  const original = (pool[1] as { body: Buffer }).body
  assert.equal(first.length, original.length)
  assert.equal(again.length, original.length)
  const base = times(original)
  assert.ok(base.length > 0)
  assert.deepEqual(
    times(first),
    base.map((t) => t - 95_000_000),
  )
  assert.deepEqual(
    times(again),
    base.map((t) => t - 95_000_000 + 86_400),
  )
  assert.deepEqual(
    times(later),
    base.map((t) => t - 95_000_000 + 2 * 86_400),
  )
  // The rest of each element is the pool's.
  const strip = (b: Buffer): string => b.toString('utf8').replace(/"user_time":\d+/g, '')
  assert.equal(strip(again), strip(original))
  assert.equal(strip(body(0)), strip((pool[0] as { body: Buffer }).body))
  // The pool's own bodies are not changed.
  assert.deepEqual(times((pool[1] as { body: Buffer }).body), base)
})
