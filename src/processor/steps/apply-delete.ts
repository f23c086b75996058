/**
 * Applies `delete` records (Delete Users, spec §7.8). Before its time the record schedules the
 * deletion (the user stays active and may be updated meanwhile, as documented); once due — a
 * buffer of 0, or the record the deletion sweeper logs when the time comes — the user is removed
 * with its devices and events. A later record for the same customer_id creates a new user with a
 * new internal id.
 */
import type { DeletePayload } from '../../core/records.js'
import type { LogRecord } from '../../store/store.js'
import { applied, retry, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

export function applyDelete(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<DeletePayload>(record)
  const user = ctx.state.userById(record.workspaceId, p.user_id)
  if (user === undefined) {
    return skipped(
      `user ${p.user_id} (${p.identity_type} '${p.identity_value}') was already deleted`,
    )
  }
  if (p.due_at > ctx.now) {
    ctx.state.scheduleDeletion({
      workspaceId: record.workspaceId,
      userId: user.id,
      dueAt: p.due_at,
      requestId: record.requestId,
      seq: record.seq,
    })
    return applied([
      `user ${user.id} will be deleted at ${new Date(p.due_at).toISOString()} (INLET_DELETE_BUFFER_SECONDS; spec §7.8)`,
    ])
  }
  if (ctx.state.carriesSubscriptionsOf(record.workspaceId, user.id)) {
    // A merge earlier in this batch gives the user's preferences to another at commit: the
    // deletion waits for the next batch, so that they are carried before they go.
    return retry('a merge earlier in this batch carries the user’s preferences', 0)
  }
  ctx.state.deleteUser(user)
  return applied([`user ${user.id} deleted with its devices and events (spec §7.8)`])
}
