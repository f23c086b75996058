/**
 * What an operator may change about a workspace — name, state, quota limits and settings — as
 * checked input (the admin API's bodies and the CLI's flags both end up here), how a change is
 * merged into the stored settings, and the one view of a workspace that both show. The view never
 * holds a key or its hash.
 */
import { parseFairUsageRule } from '../governance/fair-usage.js'
import {
  MAX_QUOTA,
  QUOTA_NAMES,
  effectiveLimits,
  isQuotaName,
  isQuotaValue,
  readQuotaOverrides,
  type QuotaLimits,
  type QuotaName,
} from '../governance/quotas.js'
import {
  WORKSPACE_STATES,
  type Workspace,
  type WorkspaceSettings as StoredSettings,
  type WorkspaceState,
} from '../store/store.js'
import {
  identifierKey,
  MAX_IDENTIFIERS,
  readSettings,
  type ConversionGoal,
  type WorkspaceSettings,
} from './settings.js'

export class WorkspaceInputError extends Error {
  override readonly name: string = 'WorkspaceInputError'
  /** The input field at fault (`name`, `limits.track_user`, …). */
  readonly attribute: string
  constructor(message: string, attribute = 'workspace') {
    super(message)
    this.attribute = attribute
  }
}

/** The settings an operator sets (spec §5.3, §6.2, §6.3, §7.3); null resets one to its default. */
export type SettingsChanges = Readonly<{
  bulkStrictElementValidation?: boolean
  projects?: Readonly<Record<string, string>>
  identityResolution?: boolean
  /** spec §6.2: the identifiers besides the ID (at most 4), replacing the list. */
  identifiers?: readonly string[]
  /** spec §6.2 retention rule 1; null removes it. */
  retainByAttribute?: string | null
  /** spec §8.7: replaces the goal list; [] removes every goal. */
  conversionGoals?: readonly ConversionGoal[]
  /** Merged into the stored policy field by field; null: the policy's defaults (off). */
  fairUsage?: Readonly<Record<string, unknown>> | null
  /** spec §7.10: the key GET /v1/installInfo is authenticated by; null removes it. */
  attributionKey?: string | null
  /** Subscription categories: accept plain `user_id`/`cid` besides Inlet's signed link tokens. */
  plainLinkIds?: boolean
}>

export type WorkspaceChanges = Readonly<{
  name?: string
  state?: WorkspaceState
  /** Per-minute quotas; null: back to the documented default. */
  limits?: Readonly<Partial<Record<QuotaName, number | null>>>
  settings?: SettingsChanges
}>

const SETTINGS_KEYS = [
  'bulkStrictElementValidation',
  'projects',
  'identityResolution',
  'identifiers',
  'retainByAttribute',
  'conversionGoals',
  'fairUsage',
  'attributionKey',
  'plainLinkIds',
] as const
const FAIR_USAGE_KEYS = ['enabled', 'rules', 'repeatBreaches', 'repeatBlockSeconds'] as const

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function fail(attribute: string, message: string): never {
  throw new WorkspaceInputError(`${attribute} ${message}`, attribute)
}

function onlyKeys(obj: Record<string, unknown>, keys: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) {
      fail(`${prefix}${key}`, `is not a known field (known: ${keys.join(', ')})`)
    }
  }
}

export function parseState(raw: unknown, attribute = 'state'): WorkspaceState {
  if (typeof raw !== 'string' || !(WORKSPACE_STATES as readonly string[]).includes(raw)) {
    fail(attribute, `should be one of ${WORKSPACE_STATES.join(', ')}`)
  }
  return raw as WorkspaceState // checked against WORKSPACE_STATES above
}

export function parseName(raw: unknown, attribute = 'name'): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 200) {
    fail(attribute, 'should be a non-empty string of at most 200 characters')
  }
  return raw
}

export function parseLimits(raw: unknown): NonNullable<WorkspaceChanges['limits']> {
  if (!isPlainObject(raw)) fail('limits', 'should be an object of quota name to whole number')
  const out: Partial<Record<QuotaName, number | null>> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (!isQuotaName(name)) {
      fail(`limits.${name}`, `is not a quota (quotas: ${QUOTA_NAMES.join(', ')})`)
    }
    if (value !== null && !isQuotaValue(value)) {
      fail(`limits.${name}`, `should be a whole number from 0 to ${MAX_QUOTA}, or null`)
    }
    out[name] = value
  }
  return out
}

function parseFairUsage(raw: unknown): Readonly<Record<string, unknown>> | null {
  if (raw === null) return null
  if (!isPlainObject(raw)) fail('settings.fairUsage', 'should be an object or null')
  onlyKeys(raw, FAIR_USAGE_KEYS, 'settings.fairUsage.')
  const { enabled, rules, repeatBreaches, repeatBlockSeconds } = raw
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    fail('settings.fairUsage.enabled', 'should be true or false')
  }
  if (rules !== undefined) {
    if (!Array.isArray(rules) || rules.length === 0) {
      fail('settings.fairUsage.rules', 'should be a non-empty array')
    }
    rules.forEach((rule: unknown, i) => {
      const parsed = parseFairUsageRule(rule, `settings.fairUsage.rules[${i}]`)
      if (typeof parsed === 'string') throw new WorkspaceInputError(parsed, 'settings.fairUsage')
    })
  }
  const whole = (v: unknown, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max
  if (repeatBreaches !== undefined && !whole(repeatBreaches, 1000)) {
    fail('settings.fairUsage.repeatBreaches', 'should be a whole number from 1 to 1000')
  }
  if (repeatBlockSeconds !== undefined && !whole(repeatBlockSeconds, 365 * 86_400)) {
    fail('settings.fairUsage.repeatBlockSeconds', 'should be a whole number from 1 to 31536000')
  }
  return raw
}

export function parseSettingsChanges(raw: unknown): SettingsChanges {
  if (!isPlainObject(raw)) fail('settings', 'should be an object')
  onlyKeys(raw, SETTINGS_KEYS, 'settings.')
  const out: {
    -readonly [K in keyof SettingsChanges]: SettingsChanges[K]
  } = {}
  const { bulkStrictElementValidation: strict, projects, identityResolution: ir } = raw
  if (strict !== undefined) {
    if (typeof strict !== 'boolean') {
      fail('settings.bulkStrictElementValidation', 'should be true or false')
    }
    out.bulkStrictElementValidation = strict
  }
  if (ir !== undefined) {
    if (typeof ir !== 'boolean') fail('settings.identityResolution', 'should be true or false')
    out.identityResolution = ir
  }
  const plain = raw['plainLinkIds']
  if (plain !== undefined) {
    if (typeof plain !== 'boolean') fail('settings.plainLinkIds', 'should be true or false')
    out.plainLinkIds = plain
  }
  if (projects !== undefined) {
    if (!isPlainObject(projects)) {
      fail('settings.projects', 'should be an object of project code to project name')
    }
    for (const [code, name] of Object.entries(projects)) {
      if (code === '' || typeof name !== 'string' || name === '') {
        fail(`settings.projects.${code}`, 'should be a non-empty project name')
      }
    }
    out.projects = projects as Record<string, string> // every value checked to be a string
  }
  if (raw['identifiers'] !== undefined) {
    const ids = raw['identifiers']
    if (
      !Array.isArray(ids) ||
      ids.length > MAX_IDENTIFIERS ||
      !ids.every((n) => typeof n === 'string' && n !== '' && n !== 'customer_id')
    ) {
      fail(
        'settings.identifiers',
        `should be up to ${MAX_IDENTIFIERS} attribute names besides the ID (e.g. ["moe_mobile", "email"])`,
      )
    }
    out.identifiers = [...new Set((ids as string[]).map(identifierKey))]
  }
  if (Object.hasOwn(raw, 'retainByAttribute')) {
    const r = raw['retainByAttribute']
    if (r !== null && (typeof r !== 'string' || r === '')) {
      fail('settings.retainByAttribute', 'should be an attribute name or null')
    }
    out.retainByAttribute = r === null ? null : identifierKey(r)
  }
  if (raw['conversionGoals'] !== undefined) {
    out.conversionGoals = parseConversionGoals(raw['conversionGoals'])
  }
  if (Object.hasOwn(raw, 'fairUsage')) out.fairUsage = parseFairUsage(raw['fairUsage'])
  if (Object.hasOwn(raw, 'attributionKey')) {
    const key = raw['attributionKey']
    if (key !== null && (typeof key !== 'string' || key.trim() === '')) {
      fail('settings.attributionKey', 'should be a non-empty string or null')
    }
    out.attributionKey = key
  }
  return out
}

function parseConversionGoals(raw: unknown): ConversionGoal[] {
  if (!Array.isArray(raw)) fail('settings.conversionGoals', 'should be an array of goals')
  return raw.map((goal: unknown, i): ConversionGoal => {
    const at = `settings.conversionGoals[${i}]`
    if (!isPlainObject(goal)) fail(at, 'should be {"event": …, "revenueAttribute"?: …}')
    onlyKeys(goal, ['event', 'revenueAttribute'], `${at}.`)
    const { event, revenueAttribute } = goal
    if (typeof event !== 'string' || event === '') fail(`${at}.event`, 'should be an event name')
    if (revenueAttribute === undefined) return { event }
    if (typeof revenueAttribute !== 'string' || revenueAttribute === '') {
      fail(`${at}.revenueAttribute`, 'should be an event attribute name')
    }
    return { event, revenueAttribute }
  })
}

/** An update body: `name`, `state`, `limits`, `settings`, each optional; nothing else. */
export function parseWorkspaceChanges(raw: unknown): WorkspaceChanges {
  if (!isPlainObject(raw)) fail('body', 'should be a JSON object')
  onlyKeys(raw, ['name', 'state', 'limits', 'settings'], '')
  return {
    ...(raw['name'] === undefined ? {} : { name: parseName(raw['name']) }),
    ...(raw['state'] === undefined ? {} : { state: parseState(raw['state']) }),
    ...(raw['limits'] === undefined ? {} : { limits: parseLimits(raw['limits']) }),
    ...(raw['settings'] === undefined ? {} : { settings: parseSettingsChanges(raw['settings']) }),
  }
}

/** The stored settings with `changes` merged in; keys of other features are kept as they are. */
export function applySettingsChanges(
  stored: StoredSettings,
  changes: WorkspaceChanges,
): StoredSettings {
  const out: Record<string, unknown> = { ...stored }
  if (changes.limits !== undefined) {
    const quotas: Partial<Record<QuotaName, number>> = { ...readQuotaOverrides(stored['quotas']) }
    for (const [name, value] of Object.entries(changes.limits)) {
      if (!isQuotaName(name)) continue
      if (value === null || value === undefined) delete quotas[name]
      else quotas[name] = value
    }
    if (Object.keys(quotas).length === 0) delete out['quotas']
    else out['quotas'] = quotas
  }
  const s = changes.settings
  if (s !== undefined) {
    if (s.bulkStrictElementValidation !== undefined) {
      out['bulkStrictElementValidation'] = s.bulkStrictElementValidation
    }
    if (s.identityResolution !== undefined) out['identityResolution'] = s.identityResolution
    if (s.plainLinkIds !== undefined) out['plainLinkIds'] = s.plainLinkIds
    if (s.projects !== undefined) out['projects'] = s.projects
    if (s.conversionGoals !== undefined) out['conversionGoals'] = s.conversionGoals
    if (s.identifiers !== undefined) out['identifiers'] = s.identifiers
    if (s.retainByAttribute === null) delete out['retainByAttribute']
    else if (s.retainByAttribute !== undefined) out['retainByAttribute'] = s.retainByAttribute
    if (s.attributionKey === null) delete out['attributionKey']
    else if (s.attributionKey !== undefined) out['attributionKey'] = s.attributionKey
    if (s.fairUsage === null) delete out['fairUsage']
    else if (s.fairUsage !== undefined) {
      const before = isPlainObject(stored['fairUsage']) ? stored['fairUsage'] : {}
      out['fairUsage'] = { ...before, ...s.fairUsage }
    }
  }
  return out
}

export type WorkspaceView = {
  workspace_id: string
  name: string
  state: WorkspaceState
  key_set: boolean
  /** When the key replaced by the last rotation stops working; null when there is none. */
  previous_key_expires_at: string | null
  /** The effective per-minute quotas (spec §5.1). */
  limits: QuotaLimits
  settings: Pick<
    WorkspaceSettings,
    | 'bulkStrictElementValidation'
    | 'projects'
    | 'identityResolution'
    | 'identifiers'
    | 'conversionGoals'
    | 'fairUsage'
  >
  created_at: string
  updated_at: string
}

export function workspaceView(w: Workspace): WorkspaceView {
  const settings = readSettings(w.settings)
  return {
    workspace_id: w.id,
    name: w.name,
    state: w.state,
    key_set: w.keyHash !== null,
    previous_key_expires_at:
      w.previousKey === undefined ? null : new Date(w.previousKey.expiresAt).toISOString(),
    limits: effectiveLimits(settings.quotas),
    settings: {
      bulkStrictElementValidation: settings.bulkStrictElementValidation,
      projects: settings.projects,
      identityResolution: settings.identityResolution,
      identifiers: settings.identifiers,
      conversionGoals: settings.conversionGoals,
      fairUsage: settings.fairUsage,
    },
    created_at: new Date(w.createdAt).toISOString(),
    updated_at: new Date(w.updatedAt).toISOString(),
  }
}
