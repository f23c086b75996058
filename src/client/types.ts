/**
 * The Data API's request bodies and answers as the client SDK sends and reads them (spec §7). The
 * server validates by hand (families/data/bodies/), so there is no schema to derive these from;
 * where the server has a type or a list of values of its own (device platforms, GDPR identity
 * types, `unset_attributes` rules, the answers of Inlet's read-back endpoints), it is imported from
 * src/core, never copied.
 */
import type { DevicePlatform, GdprIdentityType, JsonObject, UnsetRule } from '../core/records.js'

export type { AcceptedBody, GdprReport, RecordReport, RequestReport } from '../core/reports.js'
export type { DevicePlatform, GdprIdentityType }

/** Attribute name → value (spec §8): strings, numbers, booleans, ISO 8601 datetimes, arrays, objects. */
export type Attributes = JsonObject

/** spec §8.5: one entry of `platforms`. */
export type PlatformEntry = { platform: string; active: boolean | 'true' | 'false' }

/**
 * A user (spec §7.1 Track User, and a Bulk `customer` element without its `type`): `customer_id`
 * may be left out only when the workspace has Identity Resolution on and `attributes` carries an
 * identifier (spec §6.2).
 */
export type UserRecord = {
  customer_id?: string
  update_existing_only?: boolean | 'true' | 'false'
  attributes?: Attributes
  platforms?: PlatformEntry[]
  /** spec §8.6: `case_sensitive` defaults to true. */
  unset_attributes?: (Omit<UnsetRule, 'case_sensitive'> & { case_sensitive?: boolean })[]
}

/** spec §7.2: one event of a Create Event body. */
export type EventAction = {
  action: string
  attributes?: Attributes
  /** `ANDROID`, `iOS`, `web`, `TV` or `unknown`. */
  platform?: DevicePlatform | 'unknown'
  app_version?: string
  /** ISO 8601, or epoch seconds or milliseconds (number or numeric string). */
  user_time?: string | number
  current_time?: string | number
  /** Seconds, -54000..54000. */
  user_timezone_offset?: number
  /** Only with platform `TV`: `ROKU`, `WebOS`, `AndroidTV`, `tvOS`, `Tizen`, `FireOS`, … */
  moe_os_type?: string
}

/** Events of one user (spec §7.2 Create Event, and a Bulk `event` element without its `type`). */
export type EventRecord = {
  customer_id?: string
  /** Defaults to `customer_id`. */
  device_id?: string
  /** spec §6.2: with Identity Resolution and no `customer_id`, e.g. `{"moe_mobile": "+91…"}`. */
  user_identifiers?: Record<string, string | number>
  actions: EventAction[]
}

/** A device of an existing user (spec §7.4 Track Device, and a Bulk `device` element). */
export type DeviceRecord = {
  customer_id: string
  device_id: string
  attributes: {
    platform: DevicePlatform
    push_id: string
    model?: string
    moe_push_opted?: string
    app_version?: string
    os_version?: string
    moe_gaid?: string
    idfv?: string
  } & Attributes
}

/** spec §7.3: one element of a Bulk Import body. */
export type BulkElement =
  | ({ type: 'customer' } & UserRecord)
  | ({ type: 'event' } & EventRecord)
  | ({ type: 'device' } & DeviceRecord)

export type BulkImportBody = { type: 'transition'; elements: BulkElement[] }

/** spec §7.5: a device is named by one of these keys. */
export type DeviceIdentifierKey =
  'unique_id' | 'device_unique_id' | 'push_id' | 'moe_gaid' | 'GAID' | 'IDFV' | 'idfv'

/** spec §7.5 Device Opt-out. Without `device_identifiers`: every device of the user. */
export type DeviceOptOutBody = {
  user_identifier_type: 'customer_id'
  user_identifier_value: string
  action_type: 'block' | 'unblock'
  reason?: string
  client_reference_id?: string
  device_identifiers?: Partial<Record<DeviceIdentifierKey, string>>[]
}

/** spec §7.6: a user named by its ID or its MoEngage id (`id`, or `moengage_id`). */
export type UserIdentifier = {
  identifier_type: 'customer_id' | 'id' | 'moengage_id'
  identifier: string
}

/** spec §7.6 Get User: at most 20 identifiers. */
export type GetUsersBody = {
  data: { identifiers: UserIdentifier[]; user_fields_to_export?: string[] }
}

export type GetUsersAnswer = {
  status: 'success'
  type: 'export_users'
  data: {
    users_not_found: UserIdentifier[]
    users: { user_attributes: Attributes; subscription_preferences?: unknown }[]
  }
  request_id?: string
}

/** spec §7.7 Merge Users: at most 50 pairs of customer ids. */
export type MergeBody = { merge_data: { merged_user: string; retained_user: string }[] }

export type MergeAnswer = { status: 'success'; operation: 'created'; request_id?: string }

/** spec §7.8 Delete Users: one user per request. */
export type DeleteUserBody = {
  identity_type: 'customer_id' | 'id' | 'moengage_id'
  identity_value: string
}

/** spec §7.12 GDPR / CCPA erasure: the answer's `request_id` is a UUID. */
export type GdprErasureBody = {
  request_type: 'erasure'
  /** ISO 8601. */
  submitted_time: string
  identities: { identity_type: GdprIdentityType; identity_value: string }[]
  api_version: string
}

/** spec §7.11 Test connection: what the client does not know itself. */
export type TestConnectionOptions = { source?: string; region?: string }

export type TestConnectionAnswer = { status: 'success'; app_name: string; request_id?: string }

/** spec §7.10 Install attribution (no Basic auth: `appAttributionKey` authenticates it). */
export type InstallInfoParams = {
  src: string
  appAttributionKey: string
  campaign_name?: string
  publisher_name?: string
  advertising_id?: string
  idfv?: string
}
