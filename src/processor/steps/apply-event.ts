/**
 * Applies an `event` record (one action of Create Event or a Bulk event element): the event is
 * stored with its user, device, platform and times (spec §7.2), and a user that does not exist yet
 * is created (spec §8.2: events create users too). The log seq is the event's id, so a record
 * applied twice could never store two events.
 */
import type { EventPayload } from '../../ingest/record.js'
import { deriveEventTimes, parseEventTime } from '../../profile/event-time.js'
import type { LogRecord } from '../../store/store.js'
import { applied, type Outcome } from '../outcome.js'
import { newUser, parsePayload, type StepContext } from './step.js'

export function applyEvent(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<EventPayload>(record)
  let user = ctx.state.userByCustomerId(record.workspaceId, p.customer_id)
  if (user === undefined) {
    user = newUser(ctx, record.workspaceId, p.customer_id)
    ctx.state.putUser(user)
  }
  const times = deriveEventTimes({
    currentTime: parseEventTime(p.current_time),
    userTime: parseEventTime(p.user_time),
    offsetSeconds: p.user_timezone_offset,
    receivedAt: record.receivedAt,
  })
  ctx.state.addEvent({
    seq: record.seq,
    workspaceId: record.workspaceId,
    userId: user.id,
    name: p.action,
    deviceId: p.device_id,
    platform: p.platform ?? null,
    appVersion: p.app_version ?? null,
    eventTime: times.eventTime,
    userTime: times.userTime,
    receivedAt: record.receivedAt,
    requestId: record.requestId,
    attributes: p.attributes,
  })
  return applied()
}
