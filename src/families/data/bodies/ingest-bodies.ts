/**
 * Validation of the ingest bodies — Track User (spec §7.1), Create Event (§7.2), Track Device (§7.4)
 * and the elements of Bulk Import (§7.3) — in the order and with the error codes the spec
 * documents, and the length bounds of ids and event names (limits.ts). Hand-written rather than schema-driven: MoEngage's rules name one field at a time with
 * field-specific strings, and bulk bodies of 100 KB must validate in well under a millisecond.
 * Each function returns the records to log or throws an AppError; the types of what it returns are
 * the payload types of core/records.ts.
 */
import { AppError } from '../../../core/errors.js'
import { internalKey } from '../../../profile/standard-attributes.js'
import { identifierKey } from '../../../workspaces/settings.js'
import { MAX_EVENT_NAME_LENGTH, MAX_ID_LENGTH, checkLength } from './limits.js'
import type {
  CustomerPayload,
  DevicePayload,
  EventPayload,
  JsonObject,
  ParsedRecord,
  UnsetRule,
} from '../../../core/records.js'
import { DEVICE_PLATFORMS, UNSET_TYPES } from '../../../core/records.js'

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const STRING_TYPE = 'String or Unicode String.'

function expectType(key: string, datatype: string): AppError {
  return new AppError('attribute_type', { params: { key, datatype } })
}

/** spec §6.1: present, a string, not empty; at most MAX_ID_LENGTH characters (limits.ts). */
export function readCustomerId(body: JsonObject): string {
  const id = body['customer_id']
  if (id === undefined || id === null) throw new AppError('customer_id_missing')
  if (typeof id !== 'string') throw expectType('customer_id', STRING_TYPE)
  if (id === '') throw new AppError('customer_id_empty')
  checkLength('customer_id', id, MAX_ID_LENGTH)
  return id
}

/**
 * spec §6.1: ids MoEngage does not allow — the denylist (exact, case as given) and ids of one
 * character. MoEngage documents no synchronous error for them, so such a record is accepted and not
 * processed, with the reason kept (docs/compatibility.md).
 */
export const CUSTOMER_ID_DENYLIST: ReadonlySet<string> = new Set([
  'unknown',
  'guest',
  'null',
  '0',
  '1',
  'true',
  'false',
  'user_attribute_unique_id',
  '(empty)',
  'na',
  'n/a',
  '',
  'dummy_seller_code',
  'user_id',
  'id',
  'customer_id',
  'uid',
  'userid',
  'none',
  '-2',
  '-1',
  '2',
])

function deniedCustomerId(body: JsonObject, customerId: string): ParsedRecord | undefined {
  if (!CUSTOMER_ID_DENYLIST.has(customerId) && customerId.length > 1) return undefined
  return {
    kind: 'invalid',
    customerId,
    payload: {
      code: 'customer_id_denied',
      reason: CUSTOMER_ID_DENYLIST.has(customerId)
        ? `customer_id '${customerId}' is on MoEngage's list of ids that are not allowed (spec §6.1)`
        : `customer_id '${customerId}' is one character long; MoEngage requires more than one (spec §6.1)`,
      element: body,
    },
  }
}

function optionalObject(body: JsonObject, key: string): JsonObject {
  const v = body[key]
  if (v === undefined || v === null) return {}
  if (!isObject(v)) throw expectType(key, 'JSON Object.')
  return v
}

function optionalArray(body: JsonObject, key: string): unknown[] | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw expectType(key, 'Array.')
  return v as unknown[]
}

function optionalString(body: JsonObject, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw expectType(key, STRING_TYPE)
  return v
}

/** spec §7.1: boolean or the strings "true"/"false" (any case). */
function readUpdateExistingOnly(body: JsonObject): boolean {
  const v = body['update_existing_only']
  if (v === undefined || v === null) return false
  const b = parseBooleanish(v)
  if (b === undefined) throw expectType('update_existing_only', 'Boolean.')
  return b
}

/**
 * The `type` rule of spec §7: lowercase and exact. A single-endpoint body with another `type` is
 * accepted and then not processed, as MoEngage does; the record keeps why.
 */
function typeMismatch(body: JsonObject, expected: string): ParsedRecord | undefined {
  if (body['type'] === expected) return undefined
  const id = body['customer_id']
  return {
    kind: 'invalid',
    customerId: typeof id === 'string' && id !== '' ? id : null,
    payload: {
      code: 'type_mismatch',
      reason: `type must be '${expected}' (lowercase); MoEngage accepts such a record and does not process it (spec §7)`,
      element: body,
    },
  }
}

/**
 * How a body is read: `checkType` for single endpoints (§7); `identifiers` when the workspace has
 * Identity Resolution on (§6.2) — then `customer_id` may be left out when an identifier is given.
 */
export type ParseOptions = Readonly<{ checkType: boolean; identifiers?: readonly string[] }>

/** spec §6.2: without Identity Resolution, or with a `customer_id`, the ID as §6.1 reads it. */
function readUserId(body: JsonObject, options: ParseOptions): string | null {
  const id = body['customer_id']
  if (options.identifiers !== undefined && (id === undefined || id === null)) return null
  return readCustomerId(body)
}

/**
 * spec §6.2: the identifier values a body carries — from `source` (a customer's `attributes`, an
 * event's `user_identifiers`), keyed by the stored attribute key; numbers are stringified, blank
 * values never match.
 */
function readIdentities(
  source: JsonObject,
  identifiers: readonly string[] | undefined,
): Record<string, string> | undefined {
  if (identifiers === undefined) return undefined
  const found: Record<string, string> = {}
  for (const [name, value] of Object.entries(source)) {
    const key = identifierKey(internalKey(name))
    if (!identifiers.includes(key)) continue
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''
    // An identifier finds and links users as an id does (spec §6.2): the same bound (limits.ts).
    checkLength(name, text, MAX_ID_LENGTH)
    if (text.trim() !== '') Object.defineProperty(found, key, { value: text, enumerable: true })
  }
  return Object.keys(found).length === 0 ? undefined : found
}

/** Track User body or Bulk `customer` element (spec §7.1). */
export function parseCustomer(body: JsonObject, options: ParseOptions): ParsedRecord {
  const mismatch = options.checkType ? typeMismatch(body, 'customer') : undefined
  const customerId = readUserId(body, options)
  const attributes = optionalObject(body, 'attributes')
  checkArrayOps(attributes)
  const identities = readIdentities(attributes, options.identifiers)
  // spec §6.2: without customer_id, at least one activated identifier is needed.
  if (customerId === null && identities === undefined) throw new AppError('customer_id_missing')
  const payload: CustomerPayload = {
    customer_id: customerId,
    update_existing_only: readUpdateExistingOnly(body),
    attributes,
  }
  if (identities !== undefined) payload.identities = identities
  const platforms = optionalArray(body, 'platforms')
  if (platforms !== undefined) payload.platforms = platforms
  const unset = readUnsetAttributes(body)
  if (unset !== undefined) payload.unset_attributes = unset
  const denied = customerId === null ? undefined : deniedCustomerId(body, customerId)
  return mismatch ?? denied ?? { kind: 'customer', customerId, payload }
}

const ARRAY_OPS = ['addValueToArrayField', 'removeValueFromArrayField'] as const

/**
 * spec §8.4: each array operation is an object of attribute → values; one attribute in both is the
 * documented 400 `ArrayFieldError`. Friendly and internal names of one attribute count as the same.
 */
function checkArrayOps(attributes: JsonObject): void {
  const [add, remove] = ARRAY_OPS.map((op) => {
    const v = attributes[op]
    if (v === undefined || v === null) return {}
    if (!isObject(v)) throw expectType(op, 'JSON Object.')
    return v
  }) as [JsonObject, JsonObject]
  const removed = new Set(Object.keys(remove).map(internalKey))
  for (const key of Object.keys(add)) {
    if (removed.has(internalKey(key))) {
      throw new AppError('array_field_conflict', { params: { key } })
    }
  }
}

/**
 * spec §8.6 `unset_attributes`: an array of `{type, attr, case_sensitive?}`; `type` one of the four
 * matchers, `attr` a non-empty string, `case_sensitive` a boolean (default true). The spec names no
 * error for a malformed rule; Inlet answers a 400 naming the rule and the field.
 */
function readUnsetAttributes(body: JsonObject): UnsetRule[] | undefined {
  const rules = optionalArray(body, 'unset_attributes')
  if (rules === undefined) return undefined
  return rules.map((rule, i) => {
    const at = `unset_attributes[${i}]`
    if (!isObject(rule)) throw unsetError(`${at} should be an object with type and attr`)
    const type = rule['type']
    const match = UNSET_TYPES.find((t) => t === type)
    if (match === undefined) {
      throw unsetError(`${at}.type should be one of ${UNSET_TYPES.join(', ')}`)
    }
    const attr = rule['attr']
    if (typeof attr !== 'string' || attr === '') {
      throw unsetError(`${at}.attr should be a non-empty string`)
    }
    const cs = rule['case_sensitive']
    const caseSensitive = cs === undefined || cs === null ? true : parseBooleanish(cs)
    if (caseSensitive === undefined) throw unsetError(`${at}.case_sensitive should be a boolean`)
    return { type: match, attr, case_sensitive: caseSensitive }
  })
}

const unsetError = (detail: string): AppError =>
  new AppError('unset_attributes_invalid', { params: { detail } })

/** true, false, "true", "false" (any case); undefined for anything else. */
function parseBooleanish(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v !== 'string') return undefined
  const lower = v.toLowerCase()
  return lower === 'true' ? true : lower === 'false' ? false : undefined
}

const EVENT_TIME_KEYS = ['user_time', 'current_time'] as const

/** Create Event body or Bulk `event` element (spec §7.2): one record per action. */
export function parseEvent(body: JsonObject, options: ParseOptions): ParsedRecord[] {
  const mismatch = options.checkType ? typeMismatch(body, 'event') : undefined
  const customerId = readUserId(body, options)
  const identities = readIdentities(optionalObject(body, 'user_identifiers'), options.identifiers)
  // spec §6.2: `user_identifiers` is required only when customer_id is absent.
  if (customerId === null && identities === undefined) throw new AppError('customer_id_missing')
  const givenDeviceId = optionalString(body, 'device_id')
  if (givenDeviceId !== undefined) checkLength('device_id', givenDeviceId, MAX_ID_LENGTH)
  const deviceId = givenDeviceId ?? customerId
  const actions = body['actions']
  if (!Array.isArray(actions) || actions.length === 0) throw new AppError('actions_empty')
  const records: ParsedRecord[] = []
  for (const action of actions) {
    if (!isObject(action)) throw new AppError('action_not_object')
    const name = action['action']
    if (name === undefined || name === null || typeof name !== 'string') {
      throw new AppError('action_missing')
    }
    if (name.trim() === '') throw new AppError('action_empty')
    // spec §8.3: a name over 200 characters is truncated when applied; over 512 it is refused.
    checkLength('action', name, MAX_EVENT_NAME_LENGTH)
    const payload: EventPayload = {
      customer_id: customerId,
      device_id: deviceId,
      action: name,
      attributes: optionalObject(action, 'attributes'),
    }
    if (identities !== undefined) payload.identities = identities
    const platform = optionalString(action, 'platform')
    if (platform !== undefined) payload.platform = platform
    const appVersion = action['app_version']
    if (typeof appVersion === 'string' || typeof appVersion === 'number') {
      payload.app_version = String(appVersion)
    }
    for (const key of EVENT_TIME_KEYS) {
      const t = action[key]
      if (t === undefined || t === null) continue
      if (typeof t !== 'string' && typeof t !== 'number') throw expectType(key, 'String or Number.')
      payload[key] = t
    }
    const offset = action['user_timezone_offset']
    if (offset !== undefined && offset !== null) {
      if (typeof offset !== 'number' || !Number.isFinite(offset)) {
        throw expectType('user_timezone_offset', 'Number.')
      }
      payload.user_timezone_offset = offset
    }
    const osType = optionalString(action, 'moe_os_type')
    if (osType !== undefined) payload.moe_os_type = osType
    records.push({ kind: 'event', customerId, payload })
  }
  if (mismatch !== undefined) return [mismatch]
  const denied = customerId === null ? undefined : deniedCustomerId(body, customerId)
  return denied === undefined ? records : [denied]
}

/** Track Device body or Bulk `device` element (spec §7.4). */
export function parseDevice(body: JsonObject, options: { checkType: boolean }): ParsedRecord {
  const mismatch = options.checkType ? typeMismatch(body, 'device') : undefined
  const customerId = readCustomerId(body)
  const deviceId = body['device_id']
  if (deviceId === undefined || deviceId === null || deviceId === '') {
    throw new AppError('device_id_missing')
  }
  if (typeof deviceId !== 'string') throw expectType('device_id', STRING_TYPE)
  checkLength('device_id', deviceId, MAX_ID_LENGTH)
  const attributes = body['attributes']
  if (!isObject(attributes)) throw new AppError('device_attributes_missing')
  const platform = attributes['platform']
  if (platform === undefined || platform === null || platform === '') {
    throw new AppError('device_platform_missing')
  }
  const canonical =
    typeof platform === 'string'
      ? DEVICE_PLATFORMS.find((p) => p.toLowerCase() === platform.toLowerCase())
      : undefined
  if (canonical === undefined) throw new AppError('device_platform_invalid')
  const pushId = attributes['push_id']
  if (pushId === undefined || pushId === null || pushId === '') {
    throw new AppError('device_push_id_missing')
  }
  if (typeof pushId !== 'string') throw expectType('push_id', STRING_TYPE)
  const payload: DevicePayload = {
    customer_id: customerId,
    device_id: deviceId,
    attributes: { ...attributes, platform: canonical },
  }
  return mismatch ?? deniedCustomerId(body, customerId) ?? { kind: 'device', customerId, payload }
}

/** The Bulk envelope (spec §7.3): `type` must be `transition`, `elements` a non-empty array. */
export function readBulkElements(body: JsonObject): unknown[] {
  const elements = body['elements']
  if (!Array.isArray(elements) || elements.length === 0) throw new AppError('elements_empty')
  if (body['type'] !== 'transition') throw new AppError('bulk_type_invalid')
  return elements
}

/** One Bulk element, validated like its single endpoint (spec §7.3). */
export function parseBulkElement(
  element: unknown,
  identifiers?: readonly string[],
): ParsedRecord[] {
  if (!isObject(element)) throw new AppError('element_not_object')
  const options =
    identifiers === undefined ? { checkType: false } : { checkType: false, identifiers }
  switch (element['type']) {
    case 'customer':
      return [parseCustomer(element, options)]
    case 'event':
      return parseEvent(element, options)
    case 'device':
      return [parseDevice(element, { checkType: false })]
    default:
      throw new AppError('element_type_invalid')
  }
}
