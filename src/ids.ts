/**
 * Identifier generation, injectable so tests can predict ids: request ids (8 ASCII letters, as in
 * every documented MoEngage response, spec §4.2), internal user ids (24 hex characters like the
 * MoEngage ids in the spec's Get User examples), workspace ids (MoEngage-style upper-case
 * alphanumerics) and Data API keys.
 */
import { randomFillSync } from 'node:crypto'

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

export function createIdGenerator(): IdGenerator {
  const next = createRandomPool()
  return {
    requestId: () => randomString(next, LETTERS, 8),
    userId: (nowMs) => {
      const seconds = Math.floor(nowMs / 1000)
        .toString(16)
        .padStart(8, '0')
        .slice(-8)
      let rest = ''
      for (let i = 0; i < 8; i++) rest += next().toString(16).padStart(2, '0')
      return seconds + rest
    },
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
