/**
 * A workspace's settings, typed: the store keeps them as one JSON object (so that new settings
 * need no migration) and this module is the only reader. Unknown keys are ignored and a value of
 * the wrong type reads as the default, so an old or hand-edited row never breaks a request.
 */
import {
  DEFAULT_FAIR_USAGE,
  readFairUsage,
  type FairUsageSettings,
} from '../governance/fair-usage.js'
import { readQuotaOverrides, type QuotaOverrides } from '../governance/quotas.js'
import type { WorkspaceSettings as StoredSettings } from '../store/store.js'

export type WorkspaceSettings = Readonly<{
  /**
   * spec §7.3 `bulkStrictElementValidation`: answer a Bulk element that fails validation with the
   * documented 400 instead of accepting the request and skipping the element (default false).
   */
  bulkStrictElementValidation: boolean
  /**
   * spec §6.3 Portfolio: project code → project name. Empty: any `project_code` is accepted and
   * used as the project name; otherwise an unknown code is a 400.
   */
  projects: Readonly<Record<string, string>>
  /**
   * spec §8.7: the workspace's conversion goals — MoEngage's dashboard goal mapping. Each applied
   * event named `event` adds 1 to the user's transactions (`t_trans`) and, when the event carries
   * a number under `revenueAttribute`, that number to the user's lifetime value (`t_rev`).
   */
  conversionGoals: readonly ConversionGoal[]
  /** spec §5.1: per-minute quotas that differ from the documented defaults (governance/quotas.ts). */
  quotas: QuotaOverrides
  /** spec §5.3: the per-user Fair Usage Policy (off by default; governance/fair-usage.ts). */
  fairUsage: FairUsageSettings
  /** spec §6.2: the workspace's User Identity Resolution feature flag (default false). */
  identityResolution: boolean
  /**
   * spec §6.2: the identifiers besides the ID that Identity Resolution matches on (at most 4), as
   * stored attribute keys: `u_em` (email), `u_mb` (mobile) or custom keys. Default: mobile, email.
   */
  identifiers: readonly string[]
  /** spec §6.2 retention rule 1: prefer the profile that has a value for this attribute. */
  retainByAttribute?: string
  /**
   * spec §7.10: the attribution key (MoEngage: Settings > Analytics > Acquisition Tracking) that
   * authenticates GET /v1/installInfo; unset, install attribution answers 409.
   */
  attributionKey?: string
  /**
   * Subscription categories (families/consent): besides Inlet's signed link tokens
   * (workspaces/link-tokens.ts), accept a plain `user_id` (a customer_id, else an internal id)
   * and `cid`: for development and for links made by the workspace's own code (default false).
   */
  plainLinkIds: boolean
}>

/** spec §6.2: "up to 5 identifiers per workspace; ID is always one of them". */
export const MAX_IDENTIFIERS = 4

/**
 * An identifier name as the stored attribute key: `moe_mobile`, `mobile` and `u_mb` are the
 * mobile number; `moe_email`, `email` and `u_em` the email (open question 9); other names are
 * custom attribute keys.
 */
export function identifierKey(name: string): string {
  if (['moe_mobile', 'mobile', 'u_mb'].includes(name)) return 'u_mb'
  if (['moe_email', 'email', 'u_em'].includes(name)) return 'u_em'
  return name
}

export type ConversionGoal = Readonly<{ event: string; revenueAttribute?: string }>

export const DEFAULT_SETTINGS: WorkspaceSettings = Object.freeze({
  bulkStrictElementValidation: false,
  projects: Object.freeze({}),
  conversionGoals: Object.freeze([]),
  quotas: Object.freeze({}),
  fairUsage: DEFAULT_FAIR_USAGE,
  identityResolution: false,
  identifiers: Object.freeze(['u_mb', 'u_em']),
  plainLinkIds: false,
})

export function readSettings(raw: StoredSettings): WorkspaceSettings {
  const strict = raw['bulkStrictElementValidation']
  const projects = raw['projects']
  return {
    bulkStrictElementValidation:
      typeof strict === 'boolean' ? strict : DEFAULT_SETTINGS.bulkStrictElementValidation,
    projects:
      typeof projects === 'object' && projects !== null && !Array.isArray(projects)
        ? Object.fromEntries(
            Object.entries(projects).filter((e): e is [string, string] => typeof e[1] === 'string'),
          )
        : DEFAULT_SETTINGS.projects,
    conversionGoals: readGoals(raw['conversionGoals']),
    quotas: readQuotaOverrides(raw['quotas']),
    fairUsage: readFairUsage(raw['fairUsage']),
    identityResolution:
      typeof raw['identityResolution'] === 'boolean'
        ? raw['identityResolution']
        : DEFAULT_SETTINGS.identityResolution,
    identifiers: readIdentifiers(raw['identifiers']),
    plainLinkIds: raw['plainLinkIds'] === true,
    ...(typeof raw['retainByAttribute'] === 'string' && raw['retainByAttribute'] !== ''
      ? { retainByAttribute: identifierKey(raw['retainByAttribute']) }
      : {}),
    ...(typeof raw['attributionKey'] === 'string' && raw['attributionKey'] !== ''
      ? { attributionKey: raw['attributionKey'] }
      : {}),
  }
}

/** Well-formed goals only: `{event: non-empty string, revenueAttribute?: string}`. */
function readGoals(raw: unknown): readonly ConversionGoal[] {
  if (!Array.isArray(raw)) return DEFAULT_SETTINGS.conversionGoals
  return raw.flatMap((g: unknown): ConversionGoal[] => {
    if (typeof g !== 'object' || g === null) return []
    const { event, revenueAttribute } = g as Record<string, unknown> // checked field by field
    if (typeof event !== 'string' || event === '') return []
    return typeof revenueAttribute === 'string' && revenueAttribute !== ''
      ? [{ event, revenueAttribute }]
      : [{ event }]
  })
}

/** spec §6.3: the project name a `project_code` stands for, or undefined when it is unknown. */
export function projectName(settings: WorkspaceSettings, code: string): string | undefined {
  const names = Object.entries(settings.projects)
  if (names.length === 0) return code
  return Object.hasOwn(settings.projects, code) ? settings.projects[code] : undefined
}

function readIdentifiers(raw: unknown): readonly string[] {
  if (!Array.isArray(raw)) return DEFAULT_SETTINGS.identifiers
  const keys = raw
    .filter((n): n is string => typeof n === 'string' && n !== '' && n !== 'customer_id')
    .map(identifierKey)
  return [...new Set(keys)].slice(0, MAX_IDENTIFIERS)
}
