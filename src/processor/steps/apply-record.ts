/**
 * Dispatches a log record to the step for its kind. `invalid` records (Bulk elements that failed
 * validation outside strict mode, single bodies with a wrong-case `type`) are skipped with the
 * reason they were logged with.
 */
import type { InvalidPayload } from '../../core/records.js'
import type { LogRecord, RecordKind } from '../../store/store.js'
import { skipped, type Outcome } from '../outcome.js'
import { applyCustomer } from './apply-customer.js'
import { applyDelete } from './apply-delete.js'
import { applyDevice } from './apply-device.js'
import { applyEvent } from './apply-event.js'
import { applyInstall } from './apply-install.js'
import { applyDeviceOptOut } from './apply-opt-out.js'
import { applyMerge, applyMergeUndo } from './apply-merge.js'
import { parsePayload, type StepContext } from './step.js'

type Step = (record: LogRecord, ctx: StepContext) => Outcome

/** The processor carries erasures out as batches of their own (processor/erasure.ts). */
const notAStep: Step = (record) => skipped(`a ${record.kind} record is not applied as a step`)

/** The step of each record kind: a kind added to RECORD_KINDS does not compile until it has one. */
const STEPS: Readonly<Record<RecordKind, Step>> = {
  customer: applyCustomer,
  event: applyEvent,
  device: applyDevice,
  merge: applyMerge,
  merge_undo: applyMergeUndo,
  delete: applyDelete,
  device_opt_out: applyDeviceOptOut,
  install: applyInstall,
  identity_reindex: notAStep,
  gdpr_erasure: notAStep,
  invalid: (record) => skipped(parsePayload<InvalidPayload>(record).reason),
}

export function applyRecord(record: LogRecord, ctx: StepContext): Outcome {
  return STEPS[record.kind](record, ctx)
}
