/**
 * Applies a `customer` record (Track User, Bulk customer element) to its profile — spec §8.2:
 * attributes upserted key by key (last write wins, absent keys untouched), created when unknown
 * unless `update_existing_only`; names and values through the §8.1 key rules and the §8.3 value
 * rules; array add/remove (§8.4); `platforms` (§8.5); `unset_attributes` (§8.6). The attributes
 * linked to subscription preferences (`moe_unsubscribe`, `moe_email_optin_status`,
 * `moe_em_unsub_categories`: profile/subscriptions.ts) are not stored: they change the user's
 * email preferences at commit, unless a preference request answered after the record was accepted
 * changed them since. Everything a rule dropped or changed becomes a note on the record's outcome.
 */
import type { CustomerPayload, UnsetRule } from '../../core/records.js'
import {
  dateValue,
  defineOwn,
  normalizeName,
  normalizeValue,
  type NormalizedValue,
} from '../../profile/attribute-values.js'
import { parseEventTime } from '../../profile/event-time.js'
import {
  changeLinkedCategories,
  changesPreferences,
  isLinkedAttribute,
  LINKED_ATTRIBUTES,
  noLinkedPreferences,
  readLinkedValue,
  unsetLinked,
  type LinkedPreferences,
} from '../../profile/subscriptions.js'
import {
  friendlyKey,
  internalKey,
  isUpdatable,
  keyRule,
} from '../../profile/standard-attributes.js'
import type { AttributeMap, LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { relink } from './apply-merge.js'
import { resolveUser } from './identity.js'
import { newUser, parsePayload, type StepContext } from './step.js'

const ADD = 'addValueToArrayField'
const REMOVE = 'removeValueFromArrayField'
const PLATFORMS = 'platforms'

/** Standard attributes that hold times: numbers and numeric strings are epoch s/ms (spec §8.1). */
const TIME_KEYS = new Set(['cr_t', 'u_l_a', 'u_bd'])

export function applyCustomer(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<CustomerPayload>(record)
  // spec §6.2: with Identity Resolution the record's identifiers find (and merge) profiles too.
  const resolved = resolveUser(ctx, record, p.customer_id, p.identities)
  const existing = resolved.user
  if (existing === undefined && p.update_existing_only) {
    return skipped('update_existing_only is true and no user has this customer_id (spec §7.1)')
  }
  const user = existing ?? newUser(ctx, record, p.customer_id)
  const isNew = existing === undefined
  const notes: string[] = [...resolved.notes]
  if (existing !== undefined && existing.customerId === null && p.customer_id !== null) {
    existing.customerId = p.customer_id // a profile known by identifiers gets its ID
  }
  const attrs = user.attributes
  const unset = p.unset_attributes ?? []
  // Linked attributes name workspace-level preferences: a Portfolio project's keys are its own.
  const linked = p.project === undefined ? noLinkedPreferences() : undefined

  for (const [given, value] of Object.entries(p.attributes)) {
    if (given === ADD || given === REMOVE) continue
    if (given === PLATFORMS) {
      applyPlatforms(attrs, value, notes)
      continue
    }
    const internal = writableKey(given, isNew, notes, p.project)
    if (internal === undefined) continue
    if (unset.some((rule) => unsetMatches(rule, internal))) {
      notes.push(`'${given}' was also unset in this payload; unset wins (spec §8.6)`)
      continue
    }
    if (linked !== undefined && isLinkedAttribute(internal)) {
      readLinkedValue(internal, value, linked, notes)
      continue
    }
    const epoch = TIME_KEYS.has(internal) ? epochDate(value) : undefined
    const normalized = epoch === undefined ? normalizeValue(given, value) : epoch
    if (!normalized.keep) {
      notes.push(normalized.reason)
      continue
    }
    notes.push(...normalized.notes)
    defineOwn(attrs, internal, normalized.value)
  }
  if (p.platforms !== undefined) applyPlatforms(attrs, p.platforms, notes)
  applyArrayOps(attrs, p.attributes, { isNew, project: p.project, linked }, notes)
  for (const rule of unset) {
    const linkedKeys = linked === undefined ? [] : LINKED_KEYS.filter((k) => unsetMatches(rule, k))
    for (const key of linkedKeys) unsetLinked(key, linked ?? noLinkedPreferences(), notes)
    applyUnset(attrs, rule, notes, linkedKeys.length > 0)
  }
  user.updatedAt = ctx.now
  ctx.state.putUser(user)
  if (linked !== undefined && changesPreferences(linked)) {
    ctx.state.changeSubscriptions({
      kind: 'set',
      update: {
        workspaceId: record.workspaceId,
        userId: user.id,
        channel: 'email',
        // When it was accepted: a preference request answered later wins (store: `set`).
        at: record.receivedAt,
        ...(linked.unsubscribedAll === undefined
          ? {}
          : { unsubscribedAll: linked.unsubscribedAll }),
        ...(linked.optInStatus === undefined ? {} : { optInStatus: linked.optInStatus }),
        categories: linked.categories,
      },
      exclusive: linked.exclusive,
    })
  }
  relink(ctx, record.workspaceId, [user])
  return applied(notes)
}

/**
 * The stored key for a written name, or undefined (with a note) when a rule keeps it out. With a
 * Portfolio project (spec §6.3) the key is project-level: `<friendly key>_<project name>`.
 */
function writableKey(
  given: string,
  isNew: boolean,
  notes: string[],
  project: string | undefined,
): string | undefined {
  const internal = internalKey(normalizeName(given, notes))
  const rule = keyRule(internal)
  const stored = project === undefined ? internal : `${friendlyKey(internal)}_${project}`
  switch (rule.kind) {
    case 'drop':
      notes.push(rule.reason)
      return undefined
    case 'create_only':
      if (isNew) return stored
      notes.push(
        `'${given}' is set only when a user is created; the update was ignored (spec §8.1)`,
      )
      return undefined
    case 'store':
      if (rule.note !== undefined) notes.push(rule.note)
      return stored
  }
}

/** A number or numeric string given for a time attribute (spec §8.1: epoch ms) as a datetime. */
function epochDate(value: unknown): NormalizedValue | undefined {
  if (typeof value !== 'number' && !(typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
    return undefined
  }
  const ms = parseEventTime(value)
  return ms === undefined ? undefined : { keep: true, value: dateValue(ms), notes: [] }
}

/**
 * spec §8.5: `[{"platform": "ANDROID"|"iOS"|"web", "active": "true"|"false"}]`, kept as one entry
 * per platform (a later entry for the same platform replaces the earlier one).
 */
function applyPlatforms(attrs: AttributeMap, value: unknown, notes: string[]): void {
  if (!Array.isArray(value)) {
    notes.push("'platforms' should be an array of {platform, active} and was ignored (spec §8.5)")
    return
  }
  const current = Array.isArray(attrs[PLATFORMS]) ? (attrs[PLATFORMS] as unknown[]) : []
  const byPlatform = new Map<string, { platform: string; active: string }>()
  for (const entry of current) {
    const e = entry as { platform: string; active: string } // written only by this function
    byPlatform.set(e.platform, e)
  }
  for (const [i, entry] of value.entries()) {
    const e = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}
    const given = e['platform']
    const platform =
      typeof given === 'string'
        ? USER_PLATFORMS.find((p) => p.toLowerCase() === given.toLowerCase())
        : undefined
    const active = e['active']
    const activeText =
      typeof active === 'boolean'
        ? String(active)
        : typeof active === 'string' && ['true', 'false'].includes(active.toLowerCase())
          ? active.toLowerCase()
          : undefined
    if (platform === undefined || activeText === undefined) {
      notes.push(
        `platforms[${i}] ignored: platform must be one of ${USER_PLATFORMS.join(', ')} and active "true" or "false" (spec §8.5)`,
      )
      continue
    }
    byPlatform.set(platform, { platform, active: activeText })
  }
  defineOwn(attrs, PLATFORMS, [...byPlatform.values()])
}

const USER_PLATFORMS = ['ANDROID', 'iOS', 'web'] as const

const LINKED_KEYS: readonly string[] = Object.values(LINKED_ATTRIBUTES)

/**
 * spec §8.4: add appends the values not already present (Inlet's answer to the open set-vs-list
 * question), remove takes values out; a scalar already stored counts as a one-element array.
 */
function applyArrayOps(
  attrs: AttributeMap,
  given: Record<string, unknown>,
  user: { isNew: boolean; project: string | undefined; linked: LinkedPreferences | undefined },
  notes: string[],
): void {
  for (const [op, spec] of [
    [ADD, given[ADD]],
    [REMOVE, given[REMOVE]],
  ] as const) {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) continue
    for (const [name, values] of Object.entries(spec as Record<string, unknown>)) {
      const internal = writableKey(name, user.isNew, notes, user.project)
      if (internal === undefined) continue
      if (user.linked !== undefined && isLinkedAttribute(internal)) {
        if (internal === LINKED_ATTRIBUTES.unsubscribedCategories) {
          changeLinkedCategories(
            internal,
            op === ADD ? 'add' : 'remove',
            values,
            user.linked,
            notes,
          )
        } else notes.push(`${op} '${name}': it holds one value, not a list; ignored`)
        continue
      }
      const stored = attrs[internal]
      const current: unknown[] =
        stored === undefined || stored === null ? [] : Array.isArray(stored) ? stored : [stored]
      const list: unknown[] = Array.isArray(values) ? values : [values]
      const next =
        op === ADD
          ? [...current, ...list.filter((v, i) => !current.includes(v) && list.indexOf(v) === i)]
          : current.filter((v) => !list.includes(v))
      const normalized = normalizeValue(name, next)
      if (!normalized.keep) {
        notes.push(`${op} '${name}': ${normalized.reason}`)
        continue
      }
      notes.push(...normalized.notes)
      defineOwn(attrs, internal, normalized.value)
    }
  }
}

/**
 * spec §8.6: removes the user's attributes whose name matches; never the ID or derived keys.
 * `matchedLinked`: the rule named a linked attribute (already applied to the preferences).
 */
function applyUnset(
  attrs: AttributeMap,
  rule: UnsetRule,
  notes: string[],
  matchedLinked: boolean,
): void {
  let matched = matchedLinked
  for (const key of Object.keys(attrs)) {
    if (!unsetMatches(rule, key)) continue
    matched = true
    if (!isUpdatable(key) || keyRule(key).kind === 'drop') {
      notes.push(`'${friendlyKey(key)}' cannot be unset (spec §8.6)`)
      continue
    }
    Reflect.deleteProperty(attrs, key)
  }
  if (!matched) {
    notes.push(
      `unset_attributes ${rule.type} '${rule.attr}' matched no attribute of this user (spec §8.6: only registered attributes can be unset)`,
    )
  }
}

function unsetMatches(rule: UnsetRule, key: string): boolean {
  const names = [key, friendlyKey(key)]
  const attr = rule.case_sensitive ? rule.attr : rule.attr.toLowerCase()
  return names.some((n) => {
    const name = rule.case_sensitive ? n : n.toLowerCase()
    switch (rule.type) {
      case 'equals':
        return name === attr
      case 'prefix':
        return name.startsWith(attr)
      case 'suffix':
        return name.endsWith(attr)
      case 'contains':
        return name.includes(attr)
    }
  })
}
