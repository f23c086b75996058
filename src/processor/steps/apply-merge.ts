/**
 * Applies `merge` records (one pair of Merge Users, spec §7.7) and `merge_undo` records (Inlet's
 * undo). A merge copies the merged user's attributes that the retained user lacks (retained values
 * win), moves its devices and all its events to the retained user, records `MOE_USER_MERGED` on the
 * retained user and `MOE_USER_MERGE_EVENT` on the merged one, and leaves the merged user with only
 * its internal id. The merge log keeps both users, the devices and the moved events as they were,
 * so that an undo can put everything back — provided neither user changed since.
 */
import type { MergePayload, MergeUndoPayload } from '../../ingest/record.js'
import { defineOwn } from '../../profile/attribute-values.js'
import type { DeviceRow, LogRecord, UserRow } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

/** spec §7.7: the system events a merge records. */
export const MERGED_EVENT = 'MOE_USER_MERGED'
export const MERGE_EVENT = 'MOE_USER_MERGE_EVENT'

/** What the merge log keeps of one merge (MergeRow.before, as JSON). */
type MergeImage = {
  before: { retained: UserRow; merged: UserRow; devices: DeviceRow[]; eventSeqs: number[] }
  /** Both users right after the merge: an undo is refused when either differs from this. */
  after: { retained: string; merged: string }
}

export function applyMerge(record: LogRecord, ctx: StepContext): Outcome {
  const p = parsePayload<MergePayload>(record)
  const ws = record.workspaceId
  if (p.merged_user === p.retained_user) {
    return skipped(`'${p.merged_user}' cannot be merged into itself (spec §7.7)`)
  }
  const retained = ctx.state.userByCustomerId(ws, p.retained_user)
  const merged = ctx.state.userByCustomerId(ws, p.merged_user)
  if (retained === undefined || merged === undefined) {
    const missing = retained === undefined ? p.retained_user : p.merged_user
    return skipped(
      `no user has customer_id '${missing}'; this pair was skipped (spec §7.7: a failing pair is skipped, the rest continue)`,
    )
  }
  const devices = [
    ...ctx.state.devicesOfUser(ws, merged.id),
    ...ctx.state.devicesOfUser(ws, retained.id),
  ]
  const eventSeqs = ctx.state.eventSeqsOfUser(ws, merged.id)
  const before = clone({ retained, merged, devices, eventSeqs })

  for (const [key, value] of Object.entries(merged.attributes)) {
    if (!Object.hasOwn(retained.attributes, key)) defineOwn(retained.attributes, key, value)
  }
  const movedDevices = ctx.state.devicesOfUser(ws, merged.id)
  for (const d of movedDevices) {
    ctx.state.putDevice({ ...d, userId: retained.id, updatedAt: ctx.now })
  }
  for (const seq of eventSeqs) ctx.state.moveEvent({ workspaceId: ws, seq, userId: retained.id })
  retained.updatedAt = ctx.now
  merged.customerId = null
  merged.attributes = {}
  merged.updatedAt = ctx.now
  ctx.state.putUser(merged)
  ctx.state.putUser(retained)

  const system = (seq: number, userId: string, name: string, attributes: Record<string, string>) =>
    ctx.state.addEvent({
      seq,
      workspaceId: ws,
      userId,
      name,
      deviceId: null,
      platform: null,
      appVersion: null,
      eventTime: record.receivedAt,
      userTime: null,
      receivedAt: record.receivedAt,
      requestId: record.requestId,
      attributes,
    })
  // One record, two events: the merged user's is keyed by the negated seq.
  system(record.seq, retained.id, MERGED_EVENT, {
    merged_user: p.merged_user,
    merged_moengage_id: merged.id,
  })
  system(-record.seq, merged.id, MERGE_EVENT, {
    retained_user: p.retained_user,
    retained_moengage_id: retained.id,
  })

  const image: MergeImage = {
    before,
    after: { retained: JSON.stringify(retained), merged: JSON.stringify(merged) },
  }
  ctx.state.putMerge({
    id: record.seq,
    workspaceId: ws,
    requestId: record.requestId,
    retainedUserId: retained.id,
    mergedUserId: merged.id,
    at: ctx.now,
    before: JSON.stringify(image),
    undoneAt: null,
  })
  return applied([
    `merge ${record.seq}: '${p.merged_user}' merged into '${p.retained_user}' (${eventSeqs.length} events and ${movedDevices.length} devices moved); undo: POST /inlet/v1/merges/${record.seq}/undo`,
  ])
}

export function applyMergeUndo(record: LogRecord, ctx: StepContext): Outcome {
  const { merge_id: id } = parsePayload<MergeUndoPayload>(record)
  const ws = record.workspaceId
  const merge = ctx.state.merge(ws, id)
  if (merge === undefined) return skipped(`there is no merge ${id} in this workspace`)
  if (merge.undoneAt !== null) {
    return skipped(`merge ${id} was already undone at ${new Date(merge.undoneAt).toISOString()}`)
  }
  const image = JSON.parse(merge.before) as MergeImage // written by applyMerge
  const retained = ctx.state.userById(ws, merge.retainedUserId)
  const merged = ctx.state.userById(ws, merge.mergedUserId)
  if (retained === undefined || merged === undefined) {
    return skipped(`merge ${id} cannot be undone: one of its users no longer exists`)
  }
  if (
    JSON.stringify(retained) !== image.after.retained ||
    JSON.stringify(merged) !== image.after.merged
  ) {
    return skipped(
      `merge ${id} cannot be undone: a user changed after the merge, and undoing would lose that change`,
    )
  }
  const { retained: r, merged: m } = image.before
  const holder = m.customerId === null ? undefined : ctx.state.userByCustomerId(ws, m.customerId)
  if (holder !== undefined && holder !== merged) {
    return skipped(
      `merge ${id} cannot be undone: customer_id '${m.customerId}' now belongs to another user`,
    )
  }
  for (const [user, was] of [
    [retained, r],
    [merged, m],
  ] as const) {
    user.customerId = was.customerId
    user.attributes = was.attributes
    user.createdAt = was.createdAt
    user.updatedAt = ctx.now
    ctx.state.putUser(user)
  }
  for (const d of image.before.devices) ctx.state.putDevice(d)
  for (const seq of image.before.eventSeqs) {
    ctx.state.moveEvent({ workspaceId: ws, seq, userId: merged.id })
  }
  ctx.state.deleteEvent(ws, merge.id)
  ctx.state.deleteEvent(ws, -merge.id)
  ctx.state.putMerge({ ...merge, undoneAt: ctx.now })
  return applied([`merge ${id} undone`])
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T // rows are plain JSON data
}
