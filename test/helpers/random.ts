/**
 * Seeded randomness for tests (mulberry32): the same sequence every run, so a generated case that
 * fails fails again.
 */

/** Numbers in [0, 1), the same sequence for the same `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Whole numbers below `n`, the same sequence for the same `seed`. */
export function randomOf(seed: number): (n: number) => number {
  const next = seededRandom(seed)
  return (n) => Math.floor(next() * n)
}
