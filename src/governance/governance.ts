/**
 * Governance on the request path: a route names the quotas it spends; `admit` takes the request's
 * units from every window of the workspace's quotas or refuses it whole with the 429 of spec §4.4,
 * and passes the records through the workspace's fair-usage policy (§5.3). The Data family's
 * quotas (§5.1, with the workspace's overrides) are the governance's own `observe`/`admit`; another
 * family takes a `scope` of its own declared quotas (quotas.ts: windows of a minute, an hour, a
 * day, fixed or rolling). Where the request's quota stands — and whether it was refused — is left
 * on the request (`rateLimit`, `rateLimitRefused`), from which http/rate-limit-headers.ts writes
 * the headers of the family's convention. Knows nothing of HTTP: a request is anything with those
 * slots. With `INLET_RATE_LIMITS=off` nothing is counted and no header is sent.
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
  type Decision,
  type Demand,
  type QuotaCounter,
  type QuotaLimits,
  type QuotaPlan,
  type QuotaStatus,
  WINDOW_MS,
} from './quotas.js'

/**
 * A request as governance sees it: where its quota stands (the window to report), and whether
 * governance refused it — for the headers of its family's convention (Retry-After on a refusal).
 */
export type GovernedRequest = { rateLimit: QuotaStatus | null; rateLimitRefused: boolean }

/** The quotas of one family: the windows they are counted in come from its plan. */
export type QuotaScope = Readonly<{
  /**
   * Before the body is validated: the quota state to report if the request fails validation; a
   * request all of whose quotas are already spent (in some window) is refused here (429, §4.5).
   */
  observe(request: GovernedRequest, workspace: Workspace, quotas: readonly string[]): void
  /**
   * Takes `demands` from every window of their quotas or throws `rate_limit_exceeded` (429);
   * nothing is taken on a refusal. Answers at once from the process's quota leases; a Promise
   * only when a lease must be fetched first.
   */
  admit(
    request: GovernedRequest,
    workspace: Workspace,
    demands: readonly Demand[],
  ): Promise<void> | undefined
}>

/** A family's plan: the same for every workspace, or read from the workspace. */
export type PlanOf = QuotaPlan | ((workspace: Workspace) => QuotaPlan)

/** The Data family's quotas (spec §5.1) are the governance's own scope. */
export type Governance = QuotaScope &
  Readonly<{
    enabled: boolean
    /**
     * Another family's quotas, counted by the same counter (its quota names must differ from the
     * Data API's and from other families'): a plan function is called on every request, so it
     * should return the same plan object for the same workspace settings.
     */
    scope(plan: PlanOf): QuotaScope
    /** The records with those of fair-usage-blocked users turned into skipped (`invalid`) ones. */
    fairUsage(workspace: Workspace, records: readonly ParsedRecord[]): ParsedRecord[]
    /** Stops the fair-usage sweep and waits for the quota counter's background work to end. */
    close(): Promise<void>
  }>

export function createGovernance(deps: {
  clock: Clock
  enabled: boolean
  counter?: QuotaCounter
  fairUsage?: FairUsageTracker
}): Governance {
  const counter = deps.counter ?? createMemoryQuotaCounter()
  const tracker = deps.fairUsage ?? createFairUsageTracker({ clock: deps.clock })
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
    const off: QuotaScope = { observe: () => undefined, admit: () => undefined }
    return {
      enabled: false,
      ...off,
      scope: () => off,
      fairUsage: (_workspace, records) => [...records],
      close: () => Promise.resolve(),
    }
  }

  function scopeOf(planOf: (workspace: Workspace) => QuotaPlan): QuotaScope {
    return {
      observe(request, workspace, quotas) {
        const plan = planOf(workspace)
        const now = deps.clock.now()
        request.rateLimit = counter.peek(workspace.id, quotas, plan, now)
        // spec §4.5: the rate limit comes before field validation. A quota already spent refuses
        // the request before its body is validated; how many units a request needs is known only
        // once its records are counted (admit). With several quotas (Bulk), all must be spent.
        const spent = quotas.every(
          (q) => counter.peek(workspace.id, [q], plan, now).remaining === 0,
        )
        if (quotas.length > 0 && spent) refuse(request, request.rateLimit)
      },
      admit(request, workspace, demands) {
        const decision = counter.take(
          workspace.id,
          byQuota(demands),
          planOf(workspace),
          deps.clock.now(),
        )
        if (decision instanceof Promise) return decision.then((d) => settle(request, d))
        settle(request, decision)
        return undefined
      },
    }
  }

  return {
    enabled: true,
    ...scopeOf(limitsOf),
    scope: (plan) => scopeOf(typeof plan === 'function' ? plan : () => plan),
    fairUsage(workspace, records) {
      const settings = governed(workspace).fairUsage
      if (!settings.enabled) return [...records]
      return tracker.filter(workspace.id, records, settings, deps.clock.now())
    },
    close: () => {
      tracker.close()
      return counter.close?.() ?? Promise.resolve()
    },
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
  if (!decision.allowed) refuse(request, decision.status)
}

/**
 * The 429; its Retry-After, if the family's convention has one, is written from the status. Its
 * params name the window that refused, for the families whose message says it (Segments v3:
 * `Current limit: 50/1 mins`): `quota_limit` and `window_minutes`.
 */
function refuse(request: GovernedRequest, status: QuotaStatus): never {
  request.rateLimit = status
  request.rateLimitRefused = true
  const seconds = status.window?.length ?? WINDOW_MS / 1000
  throw new AppError('rate_limit_exceeded', {
    params: { quota_limit: String(status.limit), window_minutes: String(seconds / 60) },
  })
}
