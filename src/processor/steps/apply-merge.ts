/**
 * Applies `merge` records (one pair of Merge Users, spec §7.7) and `merge_undo` records (Inlet's
 * undo). A merge copies the merged user's attributes that the retained user lacks (retained values
 * win), moves its devices, all its events and its list-segment memberships to the retained user, records `MOE_USER_MERGED` on the
 * retained user and `MOE_USER_MERGE_EVENT` on the merged one, and leaves the merged user with only
 * its internal id. The merge log keeps both users and the devices as they were, and the store keeps
 * which events moved (without the processor ever loading them: a user may have millions), so that
 * an undo can put everything back — provided neither user changed since.
 */
import type { MergePayload, MergeUndoPayload } from '../../core/records.js'
import { defineOwn } from '../../profile/attribute-values.js'
import { OPTED_OUT } from '../../profile/subscriptions.js'
import type { DeviceRow, LogRecord, UserRow } from '../../store/store.js'
import { applied, skipped, type Outcome } from '../outcome.js'
import { parsePayload, type StepContext } from './step.js'

/** spec §7.7: the system events a merge records. */
export const MERGED_EVENT = 'MOE_USER_MERGED'
export const MERGE_EVENT = 'MOE_USER_MERGE_EVENT'

/** What the merge log keeps of one merge (MergeRow.before, as JSON). */
type MergeImage = {
  before: {
    retained: UserRow
    merged: UserRow
    devices: DeviceRow[]
    /**
     * Merges logged before the store kept the moved events (EventChange `merge`) list their seqs
     * here; later ones leave it out.
     */
    eventSeqs?: number[]
  }
  /** Both users right after the merge: an undo is refused when either differs from this. */
  after: { retained: string; merged: string }
  /** The seq whose ± keys the merge's two system events, when it recorded them. */
  systemEventSeq?: number
  /** How many events the merge moved (the store has their list). */
  movedEvents?: number
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
  const id = record.seq * MERGES_PER_RECORD
  const moved = mergeUsers(ctx, record, { id, retained, merged, systemEvents: true })
  relink(ctx, ws, [retained, merged])
  return applied([
    `merge ${id}: '${p.merged_user}' merged into '${p.retained_user}' (${moved.events} events and ${moved.devices} devices moved); undo: POST /inlet/v1/merges/${id}/undo`,
  ])
}

/**
 * Merge ids: a record's seq times this, plus the merge's position in the record (an Identity
 * Resolution record can merge several profiles at once; spec §6.2 caps them at 50).
 */
export const MERGES_PER_RECORD = 64

/**
 * Merges `merged` into `retained` (spec §7.7 semantics, also used by Identity Resolution) and
 * writes the merge log row `id`; returns how many events and devices moved.
 */
export function mergeUsers(
  ctx: StepContext,
  record: LogRecord,
  m: Readonly<{ id: number; retained: UserRow; merged: UserRow; systemEvents: boolean }>,
): { events: number; devices: number } {
  const { retained, merged } = m
  const ws = record.workspaceId
  const devices = [
    ...ctx.state.devicesOfUser(ws, merged.id),
    ...ctx.state.devicesOfUser(ws, retained.id),
  ]
  const before = clone({ retained, merged, devices })

  for (const [key, value] of Object.entries(merged.attributes)) {
    if (!Object.hasOwn(retained.attributes, key)) defineOwn(retained.attributes, key, value)
  }
  const movedDevices = ctx.state.devicesOfUser(ws, merged.id)
  for (const d of movedDevices) {
    ctx.state.putDevice({ ...d, userId: retained.id, updatedAt: ctx.now })
  }
  // Every event the merged user holds so far, stored or from this batch: moved by the store.
  const movedEvents = ctx.state.mergeEvents({
    workspaceId: ws,
    mergeId: m.id,
    fromUserId: merged.id,
    toUserId: retained.id,
    beforeSeq: record.seq,
  })
  // Its file-segment and cohort memberships (the store keeps which, for an undo).
  ctx.state.changeMemberships({
    kind: 'carry',
    workspaceId: ws,
    mergeId: m.id,
    fromUserId: merged.id,
    toUserId: retained.id,
    at: ctx.now,
  })
  // The merged user's subscription preferences, withdrawals of consent winning (README, Consent).
  ctx.state.changeSubscriptions({
    kind: 'carry',
    workspaceId: ws,
    fromUserId: merged.id,
    toUserId: retained.id,
    optedOut: OPTED_OUT,
  })
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
  if (m.systemEvents) {
    // One record, two events: the merged user's is keyed by the negated seq.
    system(record.seq, retained.id, MERGED_EVENT, {
      merged_user: before.merged.customerId ?? '',
      merged_moengage_id: merged.id,
    })
    system(-record.seq, merged.id, MERGE_EVENT, {
      retained_user: retained.customerId ?? '',
      retained_moengage_id: retained.id,
    })
  }

  const image: MergeImage = {
    before,
    after: { retained: JSON.stringify(retained), merged: JSON.stringify(merged) },
    ...(m.systemEvents ? { systemEventSeq: record.seq } : {}),
    movedEvents,
  }
  ctx.state.putMerge({
    id: m.id,
    workspaceId: ws,
    requestId: record.requestId,
    retainedUserId: retained.id,
    mergedUserId: merged.id,
    at: ctx.now,
    before: JSON.stringify(image),
    undoneAt: null,
  })
  return { events: movedEvents, devices: movedDevices.length }
}

/** spec §6.2: a user's identity links, from its attributes, when the workspace resolves by them. */
export function relink(ctx: StepContext, workspaceId: string, users: readonly UserRow[]): void {
  const settings = ctx.settings(workspaceId)
  if (!settings.identityResolution) return
  for (const user of users)
    ctx.state.setIdentityLinks(user, identityLinksOf(settings.identifiers, user))
}

/** spec §6.2: a user's values of the workspace's identifiers (numbers as text, blanks never). */
export function identityLinksOf(
  identifiers: readonly string[],
  user: UserRow,
): { name: string; value: string }[] {
  return identifiers.flatMap((name) => {
    const v = user.attributes[name]
    const value = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : ''
    return value.trim() === '' ? [] : [{ name, value }]
  })
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
  // The events the merge moved go back: listed by the store, or (older merges) by the image.
  const listed = image.before.eventSeqs ?? []
  ctx.state.moveEvents(ws, listed, retained.id, merged.id)
  ctx.state.unmergeEvents(
    { workspaceId: ws, mergeId: id, fromUserId: retained.id, toUserId: merged.id },
    image.movedEvents ?? 0,
  )
  ctx.state.changeMemberships({
    kind: 'uncarry',
    workspaceId: ws,
    mergeId: id,
    fromUserId: retained.id,
    toUserId: merged.id,
    at: ctx.now,
  })
  if (image.systemEventSeq !== undefined) {
    ctx.state.deleteEvent(ws, image.systemEventSeq, retained.id)
    ctx.state.deleteEvent(ws, -image.systemEventSeq, merged.id)
  }
  relink(ctx, ws, [retained, merged])
  ctx.state.putMerge({ ...merge, undoneAt: ctx.now })
  return applied([`merge ${id} undone`])
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T // rows are plain JSON data
}
