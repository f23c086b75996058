/**
 * MoEngage's standard user attributes (spec §8.1): internal keys, the friendly keys that every
 * Data API example sends, and which of them the API may create or update. Profiles store internal
 * keys; requests may use either form; Get User answers with the friendly form where one exists.
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
]

const BY_INTERNAL = new Map(STANDARD_ATTRIBUTES.map((a) => [a.key, a]))
const FRIENDLY_TO_INTERNAL = new Map(
  STANDARD_ATTRIBUTES.flatMap((a) => (a.friendly === undefined ? [] : [[a.friendly, a.key]])),
)
const INTERNAL_TO_FRIENDLY = new Map(
  STANDARD_ATTRIBUTES.flatMap((a) => (a.friendly === undefined ? [] : [[a.key, a.friendly]])),
)

/** The key a request attribute is stored under: `first_name` and `u_fn` both give `u_fn`. */
export function internalKey(key: string): string {
  return FRIENDLY_TO_INTERNAL.get(key) ?? key
}

/** The key Get User answers with: `u_fn` gives `first_name`; custom keys are unchanged. */
export function friendlyKey(key: string): string {
  return INTERNAL_TO_FRIENDLY.get(key) ?? key
}

/** false for standard attributes that only creation may set (spec §8.1 "Update via API: no"). */
export function isUpdatable(internal: string): boolean {
  return BY_INTERNAL.get(internal)?.updatable ?? true
}
