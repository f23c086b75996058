/**
 * What applying one log record came to, as a value (PostHog's pipeline results): applied, skipped
 * with the rule that dropped it, retry after a delay, or dead after repeated failures. Expected
 * drops are values, never throws; a throw from a step is a bug or an infrastructure failure. And
 * the outcome row the store keeps of a record.
 */
import type { LogRecord, OutcomeKind, RecordOutcomeRow } from '../store/store.js'

export type Outcome =
  /** `notes`: what the rules changed on the way in (a dropped or truncated attribute). */
  | Readonly<{ kind: 'applied'; notes?: readonly string[] }>
  | Readonly<{ kind: 'skipped'; reason: string }>
  | Readonly<{ kind: 'retry'; reason: string; afterMs: number }>
  | Readonly<{ kind: 'dead'; reason: string; error?: unknown }>

const APPLIED: Outcome = Object.freeze({ kind: 'applied' })

export const applied = (notes: readonly string[] = []): Outcome =>
  notes.length === 0 ? APPLIED : { kind: 'applied', notes }
export const skipped = (reason: string): Outcome => ({ kind: 'skipped', reason })
export const retry = (reason: string, afterMs: number): Outcome => ({
  kind: 'retry',
  reason,
  afterMs,
})
export const dead = (reason: string, error?: unknown): Outcome =>
  error === undefined ? { kind: 'dead', reason } : { kind: 'dead', reason, error }

/** The outcome row of `record`. */
export function outcomeRow(
  record: LogRecord,
  outcome: OutcomeKind,
  reason: string,
  at: number,
): RecordOutcomeRow {
  return {
    seq: record.seq,
    workspaceId: record.workspaceId,
    requestId: record.requestId,
    index: record.index,
    kind: record.kind,
    outcome,
    reason,
    at,
  }
}
