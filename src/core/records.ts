/**
 * The payload of each ingest-log record kind: what the HTTP layer writes (after validation) and
 * what the processor's steps read. One request becomes one or more records: a Track User body or a
 * Bulk `customer` element is one `customer` record, each action of a Create Event body or Bulk
 * `event` element is one `event` record, a device is one `device` record, and a Bulk element that
 * failed validation (outside strict mode) is one `invalid` record kept with its reason.
 */

export type JsonObject = Record<string, unknown>

/** spec §7.4: the platforms a device may have (matched case-insensitively, stored as written here). */
export const DEVICE_PLATFORMS = ['ANDROID', 'iOS', 'web', 'TV'] as const

export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number]

/** spec §7.12: the documented `identity_type` values. */
export const GDPR_IDENTITY_TYPES = [
  'ID',
  'user_secondary_id',
  'email',
  'mobile',
  'google_advertising_id',
  'advertising_identifier',
] as const

export type GdprIdentityType = (typeof GDPR_IDENTITY_TYPES)[number]

export type GdprIdentity = Readonly<{ identity_type: GdprIdentityType; identity_value: string }>

export function isGdprIdentityType(value: string): value is GdprIdentityType {
  return (GDPR_IDENTITY_TYPES as readonly string[]).includes(value)
}

/** spec §8.6: the matchers of an `unset_attributes` rule. */
export const UNSET_TYPES = ['equals', 'prefix', 'suffix', 'contains'] as const

export type UnsetRule = {
  type: (typeof UNSET_TYPES)[number]
  attr: string
  case_sensitive: boolean
}

export type CustomerPayload = {
  /** null only with Identity Resolution, when the user is named by `identities` (spec §6.2). */
  customer_id: string | null
  update_existing_only: boolean
  attributes: JsonObject
  /** Top-level `platforms` (spec §7.1 documents it beside `attributes` too). */
  platforms?: unknown[]
  /** Validated rules (families/data/bodies/ingest-bodies.ts), `case_sensitive` defaulted to true (spec §8.6). */
  unset_attributes?: UnsetRule[]
  /** spec §6.3: the project name of `project_code`; attributes become project-level. */
  project?: string
  /** spec §6.2: identifier values (stored attribute key → value) the user is resolved by. */
  identities?: Record<string, string>
}

export type EventPayload = {
  /** null only with Identity Resolution, when the user is named by `identities` (spec §6.2). */
  customer_id: string | null
  /** Defaults to `customer_id` (spec §7.2); null when there is neither. */
  device_id: string | null
  action: string
  attributes: JsonObject
  platform?: string
  app_version?: string
  user_time?: string | number
  current_time?: string | number
  user_timezone_offset?: number
  moe_os_type?: string
  /** spec §6.3: the project name of `project_code`, stored as `moe_project_name`. */
  project?: string
  /** spec §6.2: `user_identifiers`, keyed by the stored attribute key. */
  identities?: Record<string, string>
}

export type DevicePayload = {
  customer_id: string
  device_id: string
  attributes: JsonObject
}

/** spec §7.7: one pair of a Merge Users request; `customer_id` of the log record is the retained. */
export type MergePayload = {
  merged_user: string
  retained_user: string
}

/** Inlet: undo the merge whose id (the seq of its `merge` record) is `merge_id`. */
export type MergeUndoPayload = {
  merge_id: number
}

/**
 * spec §7.8: delete one user (found when the request was accepted) once `due_at` has passed — the
 * request time plus INLET_DELETE_BUFFER_SECONDS. The deletion sweeper logs the same record again,
 * with `swept: true`, when a scheduled deletion falls due.
 */
export type DeletePayload = {
  user_id: string
  identity_type: string
  identity_value: string
  due_at: number
  swept?: boolean
}

/**
 * spec §7.5: block or unblock push to some devices of a user (`devices` names each by one key,
 * normalized: `device_id`, `push_id`, `moe_gaid` or `idfv`), or to all of them when absent.
 */
export type DeviceOptOutPayload = {
  customer_id: string
  action: 'block' | 'unblock'
  devices?: { key: 'device_id' | 'push_id' | 'moe_gaid' | 'idfv'; value: string }[]
  reason?: string
  client_reference_id?: string
}

export type InvalidPayload = {
  /**
   * The error code the element failed with (core/errors.ts), or `bulk_row_unreadable` for a record of
   * a Bulk log row that could not be derived from it (families/data/bulk-rows.ts).
   */
  code: string
  /** The wire message that strict mode would have answered with. */
  reason: string
  element: unknown
}

/**
 * spec §7.12: one GDPR / CCPA erasure request as sent (validated by families/data/bodies/gdpr-bodies.ts). The
 * processor carries it out as a batch of its own, then redacts this record too.
 */
export type GdprErasurePayload = {
  request_type: 'erasure'
  submitted_time: string
  api_version: string
  identities: { identity_type: GdprIdentityType; identity_value: string }[]
}

/**
 * spec §7.10: one install attribution. `user_id` is the user owning the device with the given
 * GAID / IDFV when the request arrived; the processor sets the create-only `publisher_name` and
 * `campaign_name` on that user when it has none yet.
 */
export type InstallPayload = {
  user_id: string
  src: string
  campaign_name?: string
  publisher_name?: string
  advertising_id?: string
  idfv?: string
}

/**
 * One record as validation produces it (each family's bodies/) and ingest logs it: its kind, the user it
 * belongs to, and its payload (the shapes above).
 */
export type ParsedRecord =
  | { kind: 'customer'; customerId: string | null; payload: CustomerPayload }
  | { kind: 'event'; customerId: string | null; payload: EventPayload }
  | { kind: 'device'; customerId: string; payload: DevicePayload }
  | { kind: 'merge'; customerId: string; payload: MergePayload }
  | { kind: 'merge_undo'; customerId: string | null; payload: MergeUndoPayload }
  | { kind: 'delete'; customerId: string | null; payload: DeletePayload }
  | { kind: 'device_opt_out'; customerId: string; payload: DeviceOptOutPayload }
  | { kind: 'gdpr_erasure'; customerId: null; payload: GdprErasurePayload }
  | { kind: 'install'; customerId: null; payload: InstallPayload }
  | { kind: 'invalid'; customerId: string | null; payload: InvalidPayload }
