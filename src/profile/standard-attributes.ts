/**
 * MoEngage's user attribute names (spec §8.1): the standard keys with their friendly aliases and
 * create/update rights, the derived keys nobody may write, the blocked names and reserved keywords.
 * Profiles store internal keys; requests may use either form; Get User answers with the friendly
 * form where one exists. `keyRule()` is the one place that decides what a written key may do.
 */

export type StandardAttribute = Readonly<{
  key: string
  friendly?: string
  /** false: set only when the user is created; later updates are ignored (spec §8.1). */
  updatable: boolean
}>

export const STANDARD_ATTRIBUTES: readonly StandardAttribute[] = [
  { key: 'u_n', friendly: 'name', updatable: true },
  { key: 'u_fn', friendly: 'first_name', updatable: true },
  { key: 'u_ln', friendly: 'last_name', updatable: true },
  { key: 'u_em', friendly: 'email', updatable: true },
  { key: 'u_mb', friendly: 'mobile', updatable: true },
  { key: 'u_gd', friendly: 'gender', updatable: true },
  { key: 'u_bd', friendly: 'birthday', updatable: true },
  { key: 'cr_t', friendly: 'created_time', updatable: false },
  { key: 'u_l_a', friendly: 'last_seen', updatable: false },
  { key: 'publisher_name', updatable: false },
  { key: 'campaign_name', updatable: false },
  { key: 'moe_gaid', updatable: false },
  { key: 'advertising_identifier', updatable: false },
  { key: 'moe_mweb', updatable: false },
  { key: 'moe_wa_subscription', updatable: true },
  { key: 'moe_sms_subscription', updatable: true },
  { key: 'moe_em_unsub_categories', updatable: true },
  { key: 'moe_sub_w', updatable: true },
  { key: 'moe_spam', updatable: true },
  { key: 'moe_unsubscribe', updatable: true },
  { key: 'moe_hard_bounce', updatable: true },
  { key: 'moe_email_optin_status', updatable: true },
  { key: 'push_preference', updatable: true },
  { key: 'geo', updatable: true },
]

/** spec §8.1: derived attributes — readable through Get User, never written through the API. */
export const DERIVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  't_rev',
  't_trans',
  'u_s_c',
  'moe_ip_city',
  'moe_ip_pin',
  'moe_ip_subdivision',
  'moe_ip_country',
  'moe_dtzo',
  'locale_language_display',
  'locale_country_display',
  'uninstall_time',
  'installed',
  'moe_cr_from',
  'moe_w_ds',
  'moe_rsp_android',
  'moe_rsp_ios',
  'moe_rsp_web',
  'moe_rsu',
  'moe_ds_bts_push_hour',
  'moe_ds_bts_email_hour',
  'moe_ds_bts_sms_hour',
  'moe_ds_mpc_best_channel',
  'moe_it',
])

/** spec §8.1: blocked as user attribute names. */
export const BLOCKED_NAMES: ReadonlySet<string> = new Set(['id', '_id', ''])

/**
 * spec §8.1 reserved user-attribute keywords. `source` is left out: it is on the list, yet
 * MoEngage's own samples send it as an attribute (open question 10), so Inlet stores it.
 */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set([
  'USER_ATTRIBUTE_UNIQUE_ID',
  'USER_ATTRIBUTE_USER_EMAIL',
  'USER_ATTRIBUTE_USER_MOBILE',
  'USER_ATTRIBUTE_USER_NAME',
  'USER_ATTRIBUTE_USER_GENDER',
  'USER_ATTRIBUTE_USER_FIRST_NAME',
  'USER_ATTRIBUTE_USER_LAST_NAME',
  'USER_ATTRIBUTE_USER_BDAY',
  'USER_ATTRIBUTE_NOTIFICATION_PREF',
  'USER_ATTRIBUTE_OLD_ID',
  'MOE_TIME_FORMAT',
  'MOE_TIME_TIMEZONE',
  'USER_ATTRIBUTE_DND_START_TIME',
  'USER_ATTRIBUTE_DND_END_TIME',
  'MOE_GAID',
  'INSTALL',
  'UPDATE',
  'MOE_ISLAT',
  'status',
  'user_id',
])

const BY_INTERNAL = new Map(STANDARD_ATTRIBUTES.map((a) => [a.key, a]))
const FRIENDLY_TO_INTERNAL = new Map(
  STANDARD_ATTRIBUTES.flatMap((a) => (a.friendly === undefined ? [] : [[a.friendly, a.key]])),
)
const INTERNAL_TO_FRIENDLY = new Map(
  STANDARD_ATTRIBUTES.flatMap((a) => (a.friendly === undefined ? [] : [[a.key, a.friendly]])),
)

/**
 * spec §6.2: the identifier names of Identity Resolution examples (`moe_mobile`) name the standard
 * mobile and email attributes (open question 9: Inlet's reading).
 */
const IDENTIFIER_ALIASES = new Map([
  ['moe_mobile', 'u_mb'],
  ['moe_email', 'u_em'],
])

/** The key a request attribute is stored under: `first_name` and `u_fn` both give `u_fn`. */
export function internalKey(key: string): string {
  return FRIENDLY_TO_INTERNAL.get(key) ?? IDENTIFIER_ALIASES.get(key) ?? key
}

/** The key Get User answers with: `u_fn` gives `first_name`; custom keys are unchanged. */
export function friendlyKey(key: string): string {
  return INTERNAL_TO_FRIENDLY.get(key) ?? key
}

/** false for standard attributes that only creation may set (spec §8.1 "Update via API: no"). */
export function isUpdatable(internal: string): boolean {
  return BY_INTERNAL.get(internal)?.updatable ?? true
}

export function isStandard(internal: string): boolean {
  return BY_INTERNAL.has(internal)
}

/** What writing `internal` does (spec §8.1): store, ignore on update, or drop with a reason. */
export type KeyRule =
  | Readonly<{ kind: 'store'; note?: string }>
  | Readonly<{ kind: 'create_only' }>
  | Readonly<{ kind: 'drop'; reason: string }>

export function keyRule(internal: string): KeyRule {
  if (BLOCKED_NAMES.has(internal)) {
    return { kind: 'drop', reason: `'${internal}' is blocked as a user attribute name (spec §8.1)` }
  }
  if (internal === 'uid' || internal === 'customer_id') {
    return {
      kind: 'drop',
      reason: `'${internal}' is the user's ID; it is set by customer_id, not by attributes (spec §8.1)`,
    }
  }
  if (DERIVED_ATTRIBUTES.has(internal)) {
    return {
      kind: 'drop',
      reason: `'${internal}' is a derived attribute and cannot be written through the API (spec §8.1)`,
    }
  }
  if (RESERVED_KEYWORDS.has(internal)) {
    return {
      kind: 'drop',
      reason: `'${internal}' is a reserved keyword and is not stored (spec §8.1)`,
    }
  }
  const standard = BY_INTERNAL.get(internal)
  if (standard !== undefined)
    return standard.updatable ? { kind: 'store' } : { kind: 'create_only' }
  if (internal.startsWith('moe_')) {
    return {
      kind: 'store',
      note: `'${internal}' uses the moe_ prefix that MoEngage reserves; stored as a custom attribute (spec §8.1)`,
    }
  }
  return { kind: 'store' }
}
