/**
 * Dispatches a log record to the step for its kind. `invalid` records (Bulk elements that failed
 * validation outside strict mode, single bodies with a wrong-case `type`) are skipped with the
 * reason they were logged with.
 */
import type { InvalidPayload } from '../../core/records.js'
import type { LogRecord } from '../../store/store.js'
import { skipped, type Outcome } from '../outcome.js'
import { applyCustomer } from './apply-customer.js'
import { applyDelete } from './apply-delete.js'
import { applyDevice } from './apply-device.js'
import { applyEvent } from './apply-event.js'
import { applyInstall } from './apply-install.js'
import { applyDeviceOptOut } from './apply-opt-out.js'
import { applyMerge, applyMergeUndo } from './apply-merge.js'
import { parsePayload, type StepContext } from './step.js'

export function applyRecord(record: LogRecord, ctx: StepContext): Outcome {
  switch (record.kind) {
    case 'customer':
      return applyCustomer(record, ctx)
    case 'event':
      return applyEvent(record, ctx)
    case 'device':
      return applyDevice(record, ctx)
    case 'merge':
      return applyMerge(record, ctx)
    case 'merge_undo':
      return applyMergeUndo(record, ctx)
    case 'delete':
      return applyDelete(record, ctx)
    case 'device_opt_out':
      return applyDeviceOptOut(record, ctx)
    case 'install':
      return applyInstall(record, ctx)
    case 'identity_reindex':
    case 'gdpr_erasure':
      // The processor carries erasures out as batches of their own (processor/erasure.ts).
      return skipped(`a ${record.kind} record is not applied as a step`)
    case 'invalid':
      return skipped(parsePayload<InvalidPayload>(record).reason)
  }
}
