/**
 * Validation of Device Opt-out bodies (spec §7.5): who (`user_identifier_type` `customer_id`,
 * `user_identifier_value`), what (`action_type` `block` / `unblock`) and, optionally, which
 * devices — each object of `device_identifiers` names devices by `unique_id` /
 * `device_unique_id` (the device id), `push_id`, `moe_gaid` / `GAID` or `IDFV` (open question 8:
 * the schema's and the validation message's names are both accepted). The customer id and device
 * ids are bounded like everywhere else (limits.ts); push ids, GAIDs and IDFVs, which Track Device
 * does not bound either, are not.
 */
import { AppError } from '../../../core/errors.js'
import type { DeviceOptOutPayload } from '../../../core/records.js'
import { MAX_ID_LENGTH, checkLength } from './limits.js'

type DeviceKey = NonNullable<DeviceOptOutPayload['devices']>[number]['key']

const DEVICE_KEYS: Readonly<Record<string, DeviceKey>> = {
  unique_id: 'device_id',
  device_unique_id: 'device_id',
  push_id: 'push_id',
  moe_gaid: 'moe_gaid',
  GAID: 'moe_gaid',
  IDFV: 'idfv',
  idfv: 'idfv',
}

export function parseDeviceOptOut(body: Record<string, unknown>): DeviceOptOutPayload {
  const type = body['user_identifier_type']
  if (type === undefined || type === null) throw new AppError('opt_out_user_type_missing')
  const value = body['user_identifier_value']
  if (value === undefined || value === null || value === '') {
    throw new AppError('field_missing', { params: { key: 'user_identifier_value' } })
  }
  if (typeof value !== 'string') throw stringExpected('user_identifier_value')
  if (type !== 'customer_id') throw new AppError('opt_out_user_type_invalid')
  checkLength('user_identifier_value', value, MAX_ID_LENGTH)
  const action = body['action_type']
  if (action === undefined || action === null || action === '') {
    throw new AppError('opt_out_action_missing')
  }
  if (action !== 'block' && action !== 'unblock') throw new AppError('opt_out_action_invalid')
  const payload: DeviceOptOutPayload = { customer_id: value, action }
  for (const key of ['reason', 'client_reference_id'] as const) {
    const v = body[key]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw stringExpected(key)
    payload[key] = v
  }
  const identifiers = body['device_identifiers']
  if (identifiers === undefined || identifiers === null) return payload // every device
  if (!Array.isArray(identifiers) || identifiers.length === 0) {
    throw new AppError('opt_out_devices_missing')
  }
  payload.devices = identifiers.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new AppError('opt_out_device_key_invalid')
    }
    const pairs = Object.entries(entry as Record<string, unknown>)
    if (pairs.length === 0) throw new AppError('opt_out_device_key_invalid')
    return pairs.map(([given, v]) => {
      const key = Object.hasOwn(DEVICE_KEYS, given) ? DEVICE_KEYS[given] : undefined
      if (key === undefined) throw new AppError('opt_out_device_key_invalid')
      if (typeof v !== 'string' || v === '') throw stringExpected(given)
      if (key === 'device_id') checkLength(given, v, MAX_ID_LENGTH)
      return { key, value: v }
    })
  })
  return payload
}

function stringExpected(key: string): AppError {
  return new AppError('attribute_type', { params: { key, datatype: 'String or Unicode String.' } })
}
