/**
 * Where a workspace's file imports stand, as both the File Imports API (families/file-imports
 * views.ts, spec §7.9) and the dashboard's File Imports page (families/dashboard
 * routes/file-imports.ts) show it: the states a run goes through, an import's state from its
 * runs and schedule, its files and rows over its runs, the names MoEngage gives its kind
 * (`USERS`/`EVENTS`) and its source (`SFTP` for a `file:` source, a server directory; `S3` for a
 * URL), and a run's file by its base name. It reads the store's rows; running imports is the
 * File Imports family's, defining them file-imports.ts's.
 */
import path from 'node:path'
import type { FileImportRow, FileImportRunRow } from '../store/store.js'
import { fileImportDefinitionOf } from './file-imports.js'

/**
 * The runs of one import (newest first) its state and totals are computed over: more than the
 * 30 days a status query can span.
 */
export const IMPORT_RUNS_READ = 5_000

/** A run's states (spec §7.9 `file_status`): queued, running, and the three ends. */
export const RUN_STATES = [
  'QUEUED',
  'PROCESSING',
  'SUCCESSFUL',
  'PARTIAL_SUCCESS',
  'FAILED',
] as const
export type RunState = (typeof RUN_STATES)[number]

const FINISHED: ReadonlySet<string> = new Set<RunState>(['SUCCESSFUL', 'PARTIAL_SUCCESS', 'FAILED'])

/** Whether the run has ended (SUCCESSFUL, PARTIAL_SUCCESS or FAILED). */
export const runFinished = (run: FileImportRunRow): boolean => FINISHED.has(run.state)

/**
 * The import's state from its runs (newest first): a run going on or queued, else `SCHEDULED`
 * while a scheduled run is to come, else its latest run's end (`SCHEDULED` before any run).
 */
export function importStatus(row: FileImportRow, runs: readonly FileImportRunRow[]): string {
  if (runs.some((r) => r.state === 'PROCESSING')) return 'PROCESSING'
  if (runs.some((r) => r.state === 'QUEUED')) return 'QUEUED'
  if (row.nextRunAt !== null) return 'SCHEDULED'
  return runs[0]?.state ?? 'SCHEDULED'
}

/** MoEngage's name of what the import's rows are (`import_type`). */
export function importTypeOf(row: FileImportRow): 'USERS' | 'EVENTS' {
  return fileImportDefinitionOf(row).type === 'users' ? 'USERS' : 'EVENTS'
}

/** MoEngage's name of where the import's files come from (`import_source`). */
export function importSourceOf(row: FileImportRow): 'SFTP' | 'S3' {
  return fileImportDefinitionOf(row).source.startsWith('file:') ? 'SFTP' : 'S3'
}

/** The import's files and rows over `runs`: files run and finished, rows read and stored. */
export function importTotals(runs: readonly FileImportRunRow[]) {
  return {
    total_files: runs.length,
    processed_files: runs.filter(runFinished).length,
    total_rows: runs.reduce((n, r) => n + r.totalRows, 0),
    processed_rows: runs.reduce((n, r) => n + r.accepted, 0),
  }
}

/** The base name of a run's file (its URL's last path segment). */
export function fileNameOf(run: FileImportRunRow): string {
  try {
    const name = path.posix.basename(decodeURIComponent(new URL(run.fileName).pathname))
    return name === '' ? run.fileName : name
  } catch {
    return run.fileName
  }
}
