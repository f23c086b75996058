/**
 * The wait before a message's next delivery attempt: exponential in the attempts made (10 s,
 * 20 s, 40 s, … up to an hour) with jitter — a random point in the upper half of that wait — so
 * that messages failed together by one outage do not all come back at the same moment.
 */

export const FIRST_RETRY_MS = 10_000
export const MAX_RETRY_MS = 3_600_000

/** The wait after the `attempts`-th attempt failed; `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30)
  const ceiling = Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS)
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}
