/**
 * When the client tries a request again: 5xx answers and requests that got no answer are retried
 * after a backoff (the delay of retry n is `delayMs × factor^(n−1)`, at most `maxDelayMs`, spread
 * by ± `jitter`); 429s wait as long as the answer says (pacer.ts) and count apart. The default is
 * spec §4.4's advice, "retry every 2 s, at most 5 times"; `factor: 2` makes it exponential.
 */

export type RetryPolicy = Readonly<{
  /** Retries after a 5xx or a request without an answer (then the request fails). */
  retries: number
  /** Delay before the first retry. */
  delayMs: number
  /** Each further retry waits this many times longer than the one before (1: a fixed delay). */
  factor: number
  /** No retry waits longer than this (before jitter). */
  maxDelayMs: number
  /** Each delay is spread uniformly over ± this fraction of itself (0: exact delays). */
  jitter: number
  /** 429 answers waited out before the request fails (they never count as retries above). */
  rateLimitRetries: number
}>

/** spec §4.4: "MoEngage advises clients to retry every 2 s, max 5 times". */
export const DEFAULT_RETRY: RetryPolicy = {
  retries: 5,
  delayMs: 2000,
  factor: 1,
  maxDelayMs: 60_000,
  jitter: 0.2,
  rateLimitRetries: 10,
}

/** The wait before retry `retry` (1 for the first), `random()` in [0, 1). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.delayMs * policy.factor ** (retry - 1))
  const spread = base * policy.jitter * (2 * random() - 1)
  return Math.max(0, Math.round(base + spread))
}

/** A policy from the defaults and what was given, checked once. */
export function retryPolicy(given: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...given }
  const counts = [policy.retries, policy.rateLimitRetries]
  if (counts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new RangeError('retry: retries and rateLimitRetries must be whole numbers ≥ 0')
  }
  if (!(policy.delayMs >= 0 && policy.factor >= 1 && policy.maxDelayMs >= 0)) {
    throw new RangeError('retry: delayMs and maxDelayMs must be ≥ 0 and factor ≥ 1')
  }
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) {
    throw new RangeError('retry: jitter must be between 0 and 1')
  }
  return policy
}
