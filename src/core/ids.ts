/**
 * Identifier generation, injectable so tests can predict ids: request ids (8 ASCII letters, as in
 * every documented MoEngage response, spec §4.2), internal user ids (24 hex characters like the
 * MoEngage ids in the spec's Get User examples, time-ordered: createUserIds), workspace ids (MoEngage-style upper-case
 * alphanumerics) and Data API keys.
 */
import { randomFillSync } from 'node:crypto'
import { systemClock, type Clock } from './clock.js'

export interface IdGenerator {
  requestId(): string
  userId(nowMs: number): string
  workspaceId(): string
  apiKey(): string
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A refilled pool of random bytes: one getrandom call serves hundreds of ids. */
function createRandomPool(size = 4096): () => number {
  const pool = Buffer.allocUnsafe(size)
  let pos = size
  return () => {
    if (pos >= size) {
      randomFillSync(pool)
      pos = 0
    }
    return pool[pos++] ?? 0
  }
}

/** `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias). */
function randomString(next: () => number, alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    const b = next()
    if (b < limit) out += alphabet[b % alphabet.length]
  }
  return out
}

/** A request id's leading letters count tenths of a second (modulo 52³: a 3.9-hour cycle). */
export const REQUEST_ID_SLOT_MS = 100
const SLOT_LETTERS = 3
const SLOTS = LETTERS.length ** SLOT_LETTERS
/** Ids one slot may hand out before the next slot is taken early (bounds the slot's set). */
const MAX_IDS_PER_SLOT = 100_000

/**
 * Request ids: 3 letters of time (REQUEST_ID_SLOT_MS slots) and 5 random ones, still 8 letters
 * (spec §4.2). Ids made close in time sort together, so the ingest log's request-id index grows
 * at one place: fully random ids put each insert on another B-tree page, which doubled the log
 * writer's CPU per record (docs/benchmarks.md). The letters keep ASCII order (A–Z before a–z), so
 * ids sort as their slots do within a cycle. Within a process no id repeats in its slot (the
 * slot's suffixes are kept until the next slot), and slots never go backwards, even when the
 * clock does; across processes and cycles, ids collide no more often than random 8-letter ids.
 */
function createRequestIds(clock: Clock, next: () => number): () => string {
  let slot = -1
  let prefix = ''
  let used = new Set<string>()
  return () => {
    const now = Math.floor(clock.now() / REQUEST_ID_SLOT_MS)
    if (now > slot || used.size >= MAX_IDS_PER_SLOT) {
      slot = Math.max(now, slot + 1)
      let rest = slot % SLOTS
      prefix = ''
      for (let i = 0; i < SLOT_LETTERS; i++) {
        prefix = (LETTERS[rest % LETTERS.length] ?? 'A') + prefix
        rest = Math.floor(rest / LETTERS.length)
      }
      used = new Set()
    }
    let suffix = randomString(next, LETTERS, 8 - SLOT_LETTERS)
    while (used.has(suffix)) suffix = randomString(next, LETTERS, 8 - SLOT_LETTERS)
    used.add(suffix)
    return prefix + suffix
  }
}

const USER_ID_COUNTER_SPAN = 0x1000000

/**
 * Internal user ids laid out like MongoDB's ObjectId (the shape of MoEngage's ids): 8 hex of the
 * creation's seconds, 10 hex drawn once per generator, 6 hex of a counter that starts at random
 * and counts up. A process's ids of one second therefore sort in the order they were made, so the
 * users table and every index led by a user id (events_by_user, devices_by_user) take new users
 * at one place instead of anywhere in that second's range: with 16 random hex after the seconds,
 * a Bulk drain rewrote ~240 pages of store.db per batch of 1,000 records, most of them users and
 * events_by_user pages (docs/benchmarks.md, 2026-12-04). Ids of other generators (processes)
 * differ in the 10 hex drawn once (40 bits); one generator repeats an id only after 16,777,216
 * ids in the same second.
 */
function createUserIds(next: () => number): (nowMs: number) => string {
  let middle = ''
  for (let i = 0; i < 5; i++) middle += next().toString(16).padStart(2, '0')
  let counter = ((next() << 16) | (next() << 8) | next()) % USER_ID_COUNTER_SPAN
  return (nowMs) => {
    const seconds = Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8)
    counter = (counter + 1) % USER_ID_COUNTER_SPAN
    return seconds + middle + counter.toString(16).padStart(6, '0')
  }
}

export function createIdGenerator(clock: Clock = systemClock): IdGenerator {
  const next = createRandomPool()
  return {
    requestId: createRequestIds(clock, next),
    userId: createUserIds(next),
    workspaceId: () => randomString(next, UPPER_ALNUM, 20),
    apiKey: () => randomString(next, ALNUM, 32),
  }
}

/** Predictable ids for tests: REQAAAAA, REQAAAAB, … and counters for the rest. */
export function createSequentialIds(): IdGenerator {
  let n = 0
  const letters = (i: number): string => {
    let s = ''
    for (let k = 0; k < 5; k++) {
      s = String.fromCharCode(65 + (i % 26)) + s
      i = Math.floor(i / 26)
    }
    return s
  }
  return {
    requestId: () => `REQ${letters(n++)}`,
    userId: () => (n++).toString(16).padStart(24, '0'),
    workspaceId: () => `WS${(n++).toString().padStart(18, '0')}`,
    apiKey: () => `key-${(n++).toString().padStart(8, '0')}`,
  }
}
