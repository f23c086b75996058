/**
 * Data API keys at rest: stored as a salted SHA-256, compared in constant time. A fast hash is the
 * right tool here, unlike for passwords: generated keys carry 190 bits of entropy, and the check
 * runs on every request. Keys are never logged or stored in clear.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export type KeyHash = Readonly<{ hash: string; salt: string }>

export function hashKey(key: string, salt: string = randomBytes(16).toString('hex')): KeyHash {
  return { hash: createHash('sha256').update(salt).update(key).digest('hex'), salt }
}

/** True when `key` hashes to `stored`; the comparison takes the same time wherever they differ. */
export function verifyKey(key: string, stored: KeyHash): boolean {
  const candidate = Buffer.from(hashKey(key, stored.salt).hash, 'hex')
  const expected = Buffer.from(stored.hash, 'hex')
  return candidate.length === expected.length && timingSafeEqual(candidate, expected)
}
