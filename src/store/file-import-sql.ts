/**
 * The File Imports SQL pieces written once for both adapters (store/file-import-repo.ts): the
 * states of a run still to be done, and the columns a run's save writes (all but its identity and
 * claim count). The statements around them are each adapter's (sqlite/file-imports.ts,
 * postgres/file-imports.ts).
 */
import { FILE_IMPORT_RUN_COLUMNS } from './rows.js'

/** A run in one of these is claimed by the runner (QUEUED, or PROCESSING whose lease ran out). */
export const FILE_IMPORT_OPEN_STATES = ['QUEUED', 'PROCESSING'] as const

const FIXED = new Set(['workspace_id', 'run_id', 'import_id', 'claims'])

/** The columns a save writes, in FILE_IMPORT_RUN_COLUMNS order. */
export function runUpdateColumns(): string[] {
  return FILE_IMPORT_RUN_COLUMNS.filter((c) => !FIXED.has(c))
}
