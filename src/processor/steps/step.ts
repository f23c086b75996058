/**
 * What every processor step receives besides its record: the batch's in-memory state, the time the
 * record is applied at, the id generator for new users and the workspaces' settings. Also the helper that creates a user the
 * way every step must (spec §8.2: created on first record, First Seen = the time that record was accepted).
 */
import type { IdGenerator } from '../../core/ids.js'
import { dateValue } from '../../profile/attribute-values.js'
import { payloadOf } from '../../store/payloads.js'
import type { CardSend, LogRecord, UserRow } from '../../store/store.js'
import type { WorkspaceSettings } from '../../workspaces/settings.js'
import type { BatchState } from '../batch-state.js'
import type { Outcome } from '../outcome.js'

export type StepContext = Readonly<{
  state: BatchState
  now: number
  ids: IdGenerator
  /** The settings of a workspace of this batch (read once per batch). */
  settings(workspaceId: string): WorkspaceSettings
  /**
   * The cards an event-triggered campaign sends `user` for the event `name` of `record` (none
   * when no campaign of the workspace triggers on it); absent: none ever.
   */
  triggeredCards?(record: LogRecord, name: string, user: UserRow): readonly CardSend[]
}>

export type Step = (record: LogRecord, ctx: StepContext) => Outcome

/** A new user for `record`: created (First Seen) when Inlet accepted the record, not when applied. */
export function newUser(ctx: StepContext, record: LogRecord, customerId: string | null): UserRow {
  const created = record.receivedAt
  return {
    workspaceId: record.workspaceId,
    id: ctx.ids.userId(created),
    customerId,
    attributes: { cr_t: dateValue(created) },
    createdAt: created,
    updatedAt: ctx.now,
  }
}

/**
 * A record's payload, typed by its kind: the log holds JSON written by ingest, parsed once per
 * record (store/payloads.ts) and shared with the snapshot rules, so a step must not change it.
 */
export function parsePayload<T>(record: LogRecord): T {
  return payloadOf(record) as T // written by ingest/accept.ts from the type of this kind
}
