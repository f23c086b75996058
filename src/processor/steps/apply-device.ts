/**
 * Applies a `device` record (Track Device, Bulk device element) — spec §7.4: devices belong to
 * existing users only; a device is created or its attributes updated (last write wins per key).
 */
import type { DevicePayload } from '../../ingest/record.js'
import type { LogRecord } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

export function applyDevice(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<DevicePayload>(record)
  const user = ctx.state.userByCustomerId(record.workspaceId, p.customer_id)
  if (user === undefined) {
    return skipped(
      'no user has this customer_id; devices are created for existing users only (spec §7.4)',
    )
  }
  const existing = ctx.state.device(record.workspaceId, p.device_id)
  const attributes = {
    ...(existing?.userId === user.id ? existing.attributes : {}),
    ...p.attributes,
  }
  ctx.state.putDevice({
    workspaceId: record.workspaceId,
    deviceId: p.device_id,
    userId: user.id,
    platform: typeof attributes['platform'] === 'string' ? attributes['platform'] : null,
    pushId: typeof attributes['push_id'] === 'string' ? attributes['push_id'] : null,
    attributes,
    createdAt: existing?.createdAt ?? ctx.now,
    updatedAt: ctx.now,
  })
  return applied()
}
