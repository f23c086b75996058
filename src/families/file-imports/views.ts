/**
 * File Imports' answers (spec §7.9): the status of a workspace's imports — each with its latest
 * run's state, its runs' files and rows, its times — filtered and paged as the body asks, and the
 * run history of one import (a row per file run). Times are written as the pages show them
 * (`2024-11-13T17:09:30.635000`, UTC). What an import's state, totals, kind and source are is
 * workspaces/file-import-status.ts's, which the dashboard shares.
 */
import { AppError } from '../../core/errors.js'
import type { FileImportRow, FileImportRunRow, Store } from '../../store/store.js'
import {
  IMPORT_RUNS_READ,
  fileNameOf,
  importSourceOf,
  importStatus,
  importTotals,
  importTypeOf,
} from '../../workspaces/file-import-status.js'
import { pageOf, type DateRange, type HistoryQuery, type StatusQuery } from './bodies/queries.js'

/** `2024-11-13T17:09:30.635000` (UTC, microseconds), as the pages write times. */
export function wireTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('Z', '000')
}

const within = (ms: number, range: DateRange | undefined): boolean =>
  range === undefined || (ms >= range.from && ms <= range.to)

function statusItem(row: FileImportRow, runs: readonly FileImportRunRow[]) {
  const latest = runs[0]
  return {
    import_id: row.importId,
    import_name: row.name,
    last_run_status: latest?.state ?? null,
    import_type: importTypeOf(row),
    schedule_type: row.scheduleType,
    import_source: importSourceOf(row),
    custom_segment_config: {},
    aux_data_config: {},
    ...importTotals(runs),
    created_at: wireTime(row.createdAt),
    last_run_at: wireTime(latest === undefined ? null : (latest.startedAt ?? latest.scheduledAt)),
    next_scheduled_at: wireTime(row.nextRunAt),
    created_by_email: '',
    status: importStatus(row, runs),
    time_zone: 'UTC',
  }
}

export async function statusAnswer(store: Store, workspaceId: string, query: StatusQuery) {
  const items = []
  for (const row of await store.fileImports.imports(workspaceId)) {
    if (query.importName !== undefined && row.name !== query.importName) continue
    if (!within(row.createdAt, query.date)) continue
    const runs = await store.fileImports.runs(workspaceId, row.importId, IMPORT_RUNS_READ)
    const item = statusItem(row, runs)
    if (query.importTypes !== undefined && !query.importTypes.includes(item.import_type)) continue
    if (query.scheduleTypes !== undefined && !query.scheduleTypes.includes(item.schedule_type)) {
      continue
    }
    if (query.fileSources !== undefined && !query.fileSources.includes(item.import_source)) continue
    if (query.statuses !== undefined && !query.statuses.includes(item.status)) continue
    items.push(item)
  }
  const { page, more } = pageOf(items, query.offset)
  return {
    status: 'success',
    total_count: items.length,
    data: page,
    offset: query.offset,
    more_files: more,
  }
}

function historyItem(row: FileImportRow, run: FileImportRunRow) {
  return {
    id: run.runId,
    file_name: fileNameOf(run),
    scheduled_at: wireTime(run.scheduledAt),
    completed_at: wireTime(run.completedAt),
    type: importTypeOf(row),
    file_size: run.fileSize === null ? '' : String(run.fileSize),
    file_status: run.state,
    status_msg: run.statusMsg,
    total_rows: run.totalRows,
    skipped_rows: 0,
    updated_rows: 0,
    failed_rows: run.rejected,
    aux_data_added_count: 0,
    aux_data_failed_count: 0,
    added_rows: run.accepted,
  }
}

export async function historyAnswer(store: Store, workspaceId: string, query: HistoryQuery) {
  const row =
    query.importId !== undefined
      ? await store.fileImports.import(workspaceId, query.importId)
      : (await store.fileImports.imports(workspaceId)).find((r) => r.name === query.importName)
  if (row === undefined) throw new AppError('file_import_history_not_found')
  const runs = (await store.fileImports.runs(workspaceId, row.importId, IMPORT_RUNS_READ)).filter(
    (r) =>
      within(r.scheduledAt, query.date) &&
      (query.fileStatuses === undefined || query.fileStatuses.includes(r.state)),
  )
  const { page, more } = pageOf(runs, query.offset)
  return {
    status: 'success',
    total_count: runs.length,
    data: page.map((r) => historyItem(row, r)),
    offset: query.offset,
    more_files: String(more),
  }
}
