/**
 * Governance on the request path: a route names the quotas it spends (spec §5.1); `admit` takes
 * the request's units from the workspace's quotas or refuses it whole with the 429 of §4.4, and
 * passes the records through the workspace's fair-usage policy (§5.3). Where the request's quota
 * stands is left on the request (`rateLimit`), from which http/rate-limit-headers.ts writes the
 * `x-ratelimit-*` headers of §5.2. Knows nothing of HTTP: a request is anything with a
 * `rateLimit` slot. With `INLET_RATE_LIMITS=off` nothing is counted and no header is sent.
 */
import type { Clock } from '../core/clock.js'
import { AppError } from '../core/errors.js'
import type { Workspace } from '../store/store.js'
import type { ParsedRecord } from '../core/records.js'
import {
  createFairUsageTracker,
  readFairUsage,
  type FairUsageSettings,
  type FairUsageTracker,
} from './fair-usage.js'
import {
  createMemoryQuotaCounter,
  effectiveLimits,
  readQuotaOverrides,
  retryAfterSeconds,
  type Decision,
  type Demand,
  type QuotaCounter,
  type QuotaLimits,
  type QuotaName,
  type QuotaStatus,
} from './quotas.js'

/** A request as governance sees it: where its quota stands, for the §5.2 headers. */
export type GovernedRequest = { rateLimit: QuotaStatus | null }

export type Governance = Readonly<{
  enabled: boolean
  /**
   * Before the body is validated: the quota state to report if the request fails validation; a
   * request whose quotas are already spent is refused here (429, spec §4.5).
   */
  observe(request: GovernedRequest, workspace: Workspace, quotas: readonly QuotaName[]): void
  /**
   * Takes `demands` or throws `rate_limit_exceeded` (429); nothing is taken on a refusal. Answers
   * at once from the process's quota lease; a Promise only when a lease must be fetched first.
   */
  admit(
    request: GovernedRequest,
    workspace: Workspace,
    demands: readonly Demand[],
  ): Promise<void> | undefined
  /** The records with those of fair-usage-blocked users turned into skipped (`invalid`) ones. */
  fairUsage(workspace: Workspace, records: readonly ParsedRecord[]): ParsedRecord[]
  /** Waits for the quota counter's background work to end. */
  close(): Promise<void>
}>

export function createGovernance(deps: {
  clock: Clock
  enabled: boolean
  counter?: QuotaCounter
  fairUsage?: FairUsageTracker
}): Governance {
  const counter = deps.counter ?? createMemoryQuotaCounter()
  const tracker = deps.fairUsage ?? createFairUsageTracker()
  // Read once per settings object: the gateway's cache hands out the same workspace row for a
  // second, so the hot path does not re-read the settings (about 10 µs each) on every request.
  const read = new WeakMap<object, { limits: QuotaLimits; fairUsage: FairUsageSettings }>()
  const governed = (workspace: Workspace) => {
    let found = read.get(workspace.settings)
    if (found === undefined) {
      // The two settings of workspaces/settings.ts that are governance's, read by their own readers.
      found = {
        limits: effectiveLimits(readQuotaOverrides(workspace.settings['quotas'])),
        fairUsage: readFairUsage(workspace.settings['fairUsage']),
      }
      read.set(workspace.settings, found)
    }
    return found
  }
  const limitsOf = (workspace: Workspace) => governed(workspace).limits
  if (!deps.enabled) {
    return {
      enabled: false,
      observe: () => undefined,
      admit: () => undefined,
      fairUsage: (_workspace, records) => [...records],
      close: () => Promise.resolve(),
    }
  }
  return {
    enabled: true,
    observe(request, workspace, quotas) {
      const limits = limitsOf(workspace)
      const now = deps.clock.now()
      request.rateLimit = counter.peek(workspace.id, quotas, limits, now)
      // spec §4.5: the rate limit comes before field validation. A quota already spent refuses
      // the request before its body is validated; how many units a request needs is known only
      // once its records are counted (admit). With several quotas (Bulk), all must be spent.
      const spent = quotas.every(
        (q) => counter.peek(workspace.id, [q], limits, now).remaining === 0,
      )
      if (quotas.length > 0 && spent) refuse(request.rateLimit)
    },
    admit(request, workspace, demands) {
      const decision = counter.take(
        workspace.id,
        byQuota(demands),
        limitsOf(workspace),
        deps.clock.now(),
      )
      if (decision instanceof Promise) return decision.then((d) => settle(request, d))
      settle(request, decision)
      return undefined
    },
    fairUsage(workspace, records) {
      const settings = governed(workspace).fairUsage
      if (!settings.enabled) return [...records]
      return tracker.filter(workspace.id, records, settings, deps.clock.now())
    },
    close: () => counter.close?.() ?? Promise.resolve(),
  }
}

/** One demand per quota (two on one quota would each be checked alone, then both taken). */
function byQuota(demands: readonly Demand[]): readonly Demand[] {
  if (demands.length < 2) return demands
  const sums = new Map<string, number>()
  for (const d of demands) sums.set(d.quota, (sums.get(d.quota) ?? 0) + d.amount)
  return sums.size === demands.length
    ? demands
    : [...sums].map(([quota, amount]) => ({ quota, amount }))
}

function settle(request: GovernedRequest, decision: Decision): void {
  request.rateLimit = decision.status
  if (!decision.allowed) {
    throw new AppError('rate_limit_exceeded', {
      headers: { 'retry-after': String(retryAfterSeconds(decision.status)) },
    })
  }
}

function refuse(status: QuotaStatus): never {
  throw new AppError('rate_limit_exceeded', {
    headers: { 'retry-after': String(retryAfterSeconds(status)) },
  })
}
