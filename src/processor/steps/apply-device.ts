/**
 * Applies a `device` record (Track Device, Bulk device element) — spec §7.4: devices belong to
 * existing users only; a device is created or its attributes updated (last write wins per key);
 * custom device attributes are dropped, and so are an IDFV on an Android device and a GAID on an
 * iOS device; a `push_id`, `moe_gaid` or `idfv` that already belongs to another device of the user
 * moves to this one (the other device is deleted); a user holds at most 1,000 devices.
 */
import type { DevicePayload } from '../../core/records.js'
import { defineOwn } from '../../profile/attribute-values.js'
import type { AttributeMap, LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

/** spec §7.4: the device attributes MoEngage keeps (its table, plus `brand`, `push_preference` and
 * `active` that its Bulk example and RudderStack send). */
export const DEVICE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'platform',
  'push_id',
  'model',
  'moe_push_opted',
  'moe_push_provisional_opted',
  'app_version',
  'os_version',
  'moe_gaid',
  'idfv',
  'brand',
  'push_preference',
  'active',
])

/** spec §7.4: identifiers that belong to one device of a user at a time. */
const UNIQUE_PER_USER = ['push_id', 'moe_gaid', 'idfv'] as const

/** spec §7.4: devices per user. MoEngage blocks the user at the 1,001st; Inlet refuses that device. */
export const MAX_DEVICES_PER_USER = 1000

export function applyDevice(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<DevicePayload>(record)
  const user = ctx.state.userByCustomerId(record.workspaceId, p.customer_id)
  if (user === undefined) {
    return skipped(
      'no user has this customer_id; devices are created for existing users only (spec §7.4)',
    )
  }
  const notes: string[] = []
  const given = keptAttributes(p.attributes, notes)
  const existing = ctx.state.device(record.workspaceId, p.device_id)
  const own = existing?.userId === user.id ? existing : undefined
  const others = ctx.state
    .devicesOfUser(record.workspaceId, user.id)
    .filter((d) => d.deviceId !== p.device_id)
  if (own === undefined && others.length >= MAX_DEVICES_PER_USER) {
    return skipped(
      `the user already has ${MAX_DEVICES_PER_USER} devices, the most MoEngage allows (spec §7.4)`,
    )
  }
  for (const key of UNIQUE_PER_USER) {
    const value = given[key]
    if (typeof value !== 'string' || value === '') continue
    for (const other of others) {
      if (other.attributes[key] !== value) continue
      ctx.state.deleteDevice(record.workspaceId, other.deviceId)
      notes.push(
        `device '${other.deviceId}' of this user had the same ${key} and was replaced (spec §7.4)`,
      )
    }
  }
  if (existing !== undefined && own === undefined) {
    notes.push(`device '${p.device_id}' moved from another user to this one`)
  }
  const attributes: AttributeMap = { ...(own?.attributes ?? {}) }
  for (const [k, v] of Object.entries(given)) defineOwn(attributes, k, v)
  ctx.state.putDevice({
    workspaceId: record.workspaceId,
    deviceId: p.device_id,
    userId: user.id,
    platform: typeof attributes['platform'] === 'string' ? attributes['platform'] : null,
    pushId: typeof attributes['push_id'] === 'string' ? attributes['push_id'] : null,
    attributes,
    createdAt: own?.createdAt ?? ctx.now,
    updatedAt: ctx.now,
  })
  return applied(notes)
}

function keptAttributes(given: AttributeMap, notes: string[]): AttributeMap {
  const platform = given['platform']
  const out: AttributeMap = {}
  for (const [key, value] of Object.entries(given)) {
    if (!DEVICE_ATTRIBUTES.has(key)) {
      notes.push(`custom device attribute '${key}' dropped (spec §7.4)`)
      continue
    }
    if (key === 'idfv' && platform === 'ANDROID') {
      notes.push(`idfv on an ANDROID device dropped (spec §7.4)`)
      continue
    }
    if (key === 'moe_gaid' && platform === 'iOS') {
      notes.push(`moe_gaid on an iOS device dropped (spec §7.4)`)
      continue
    }
    out[key] = value
  }
  return out
}
