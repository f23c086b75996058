/**
 * Applies `device_opt_out` records (Device Opt-out, spec §7.5): blocks or unblocks push to the
 * named devices of the user, or to all of its devices. A blocked device carries
 * `push_blocked: true` with the reason and client reference it was blocked with; unblocking
 * removes them. The outcome notes list the devices changed; names that match no device of the
 * user are noted too.
 */
import type { DeviceOptOutPayload } from '../../core/records.js'
import { defineOwn } from '../../profile/attribute-values.js'
import type { DeviceRow, LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

const BLOCK_KEYS = ['push_blocked', 'push_block_reason', 'push_block_reference', 'push_blocked_at']

export function applyDeviceOptOut(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<DeviceOptOutPayload>(record)
  const user = ctx.state.userByCustomerId(record.workspaceId, p.customer_id)
  if (user === undefined) return skipped(`no user has customer_id '${p.customer_id}' (spec §7.5)`)
  const devices = ctx.state.devicesOfUser(record.workspaceId, user.id)
  const notes: string[] = []
  const chosen = new Set<DeviceRow>()
  if (p.devices === undefined) for (const d of devices) chosen.add(d)
  for (const { key, value } of p.devices ?? []) {
    const matches = devices.filter((d) => deviceValue(d, key) === value)
    if (matches.length === 0) notes.push(`no device of this user has ${key} '${value}'`)
    for (const d of matches) chosen.add(d)
  }
  for (const device of chosen) {
    const attributes = { ...device.attributes }
    for (const key of BLOCK_KEYS) Reflect.deleteProperty(attributes, key)
    if (p.action === 'block') {
      defineOwn(attributes, 'push_blocked', true)
      if (p.reason !== undefined) defineOwn(attributes, 'push_block_reason', p.reason)
      if (p.client_reference_id !== undefined) {
        defineOwn(attributes, 'push_block_reference', p.client_reference_id)
      }
      defineOwn(attributes, 'push_blocked_at', new Date(record.receivedAt).toISOString())
    }
    ctx.state.putDevice({ ...device, attributes, updatedAt: ctx.now })
  }
  const ids = [...chosen].map((d) => d.deviceId)
  notes.unshift(
    ids.length === 0
      ? `no device ${p.action === 'block' ? 'blocked' : 'unblocked'}`
      : `${p.action === 'block' ? 'blocked' : 'unblocked'} ${ids.length} device(s): ${ids.join(', ')}`,
  )
  return applied(notes)
}

function deviceValue(device: DeviceRow, key: string): unknown {
  if (key === 'device_id') return device.deviceId
  if (key === 'push_id') return device.pushId
  return device.attributes[key]
}
