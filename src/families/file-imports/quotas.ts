/**
 * The File Imports family's quotas (spec §7.9): status and run history "You can create 50
 * requests per minute", counted per workspace in fixed minutes, one request one unit; the trigger
 * has its own rule (one per import per five minutes, the `file_import_recent` 400 of the store's
 * trigger) and, as Inlet's guard against a client looping on other imports, the same 50 a minute.
 * No rate-limit headers (the pages document none). docs/quotas.md lists them.
 */
import { MINUTE, quotaWindows, type QuotaPlan } from '../../governance/quotas.js'

export const FILE_IMPORT_QUOTAS = {
  file_imports_trigger: quotaWindows({ length: MINUTE, limit: 50, kind: 'fixed' }),
  file_imports_status: quotaWindows({ length: MINUTE, limit: 50, kind: 'fixed' }),
  file_imports_history: quotaWindows({ length: MINUTE, limit: 50, kind: 'fixed' }),
} as const satisfies QuotaPlan
