/**
 * The dashboard's File Imports page (web/src/pages/file-imports.tsx): the workspace's file imports
 * — each definition as the admin API shows it (name, source, kind, format, schedule, next run),
 * its state, kind and source in the File Imports API's terms and its files and rows over its runs
 * (workspaces/file-import-status.ts, which the API's status answer shares) — and the newest
 * MAX_RUNS runs of each: state, file, rows read, stored and rejected, the first MAX_REJECTS
 * rejected rows with their reasons, how far the checkpoint got through the file, the claims, the
 * times and the error. Read as the store keeps them (store/file-import-repo.ts); the checkpoint
 * (imports/checkpoint.ts) is read field by field as plain JSON.
 */
import type { FastifyInstance } from 'fastify'
import type { FileImportRunRow, Store } from '../../../store/store.js'
import {
  IMPORT_RUNS_READ,
  fileNameOf,
  importSourceOf,
  importStatus,
  importTotals,
  importTypeOf,
} from '../../../workspaces/file-import-status.js'
import { fileImportView } from '../../../workspaces/file-imports.js'
import { API_PREFIX, CONFIG, workspaceOf } from '../session-routes.js'

/** The newest runs listed per import. */
export const MAX_RUNS = 20
/** The rejected rows listed per run (the store keeps the first 100). */
export const MAX_REJECTS = 10

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

type Json = Readonly<Record<string, unknown>>
const objectOf = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {} // narrowed above
const numberOf = (v: unknown): number | null => (typeof v === 'number' ? v : null)

/** How far the run's checkpoint got: bytes of the file done of its size, rows done; null before. */
export function progressOf(run: FileImportRunRow) {
  const c = run.checkpoint
  const done = numberOf(c['offset'])
  const size = numberOf(objectOf(c['file'])['size'])
  if (done === null || size === null) return null
  return {
    bytes_done: done,
    bytes_total: size,
    rows: numberOf(c['rows']) ?? 0,
    done: c['done'] === true,
  }
}

/** The first rejected rows the run kept, with their reasons. */
function rejectsOf(run: FileImportRunRow) {
  const sample = run.rejects['sample']
  if (!Array.isArray(sample)) return []
  return sample.slice(0, MAX_REJECTS).map((r) => {
    const o = objectOf(r)
    return {
      row: numberOf(o['row']),
      line: numberOf(o['line']),
      reason: typeof o['reason'] === 'string' ? o['reason'] : '',
    }
  })
}

export function runView(run: FileImportRunRow) {
  return {
    run_id: run.runId,
    file_name: fileNameOf(run),
    file_url: run.fileName,
    origin: run.origin,
    state: run.state,
    status_msg: run.statusMsg,
    scheduled_at: iso(run.scheduledAt),
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    file_size: run.fileSize,
    total_rows: run.totalRows,
    accepted: run.accepted,
    rejected: run.rejected,
    rejects: rejectsOf(run),
    progress: progressOf(run),
    claims: run.claims,
    error: run.state === 'FAILED' && run.statusMsg !== '' ? run.statusMsg : null,
  }
}

export function fileImportRoutes(api: FastifyInstance, deps: Readonly<{ store: Store }>): void {
  const { store } = deps
  api.get(`${API_PREFIX}/w/:ws/file-imports`, { config: CONFIG }, async (request) => {
    const ws = workspaceOf(request).id
    const imports = []
    // One import's runs at a time: only the newest MAX_RUNS of each are kept for the answer.
    for (const row of await store.fileImports.imports(ws)) {
      const runs = await store.fileImports.runs(ws, row.importId, IMPORT_RUNS_READ)
      imports.push({
        ...fileImportView(row),
        status: importStatus(row, runs),
        import_type: importTypeOf(row),
        import_source: importSourceOf(row),
        ...importTotals(runs),
        runs: runs.slice(0, MAX_RUNS).map(runView),
        more_runs: runs.length > MAX_RUNS,
      })
    }
    return { imports }
  })
}
