/**
 * The runs of a File Import (docs/imports.md, "File Imports"): which files a run of a definition
 * imports — its URL, its `file:` file, or each file of its `file:` directory whose name has the
 * format's extension, in name order — as the QUEUED run rows a trigger or a scheduled occurrence
 * writes (a directory with no such file: one FAILED run saying so), and the states they go
 * through (workspaces/file-import-status.ts). A run's `file_name` column holds its URL; the API
 * shows the file's base name.
 */
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { IdGenerator } from '../../core/ids.js'
import type { FileImportRunRow } from '../../store/store.js'
import type { RunState } from '../../workspaces/file-import-status.js'
import type { FileImportDefinition } from '../../workspaces/file-imports.js'

/** The file names a directory source takes, by format. */
const EXTENSIONS: Readonly<Record<FileImportDefinition['format'], readonly string[]>> = {
  csv: ['.csv'],
  jsonl: ['.jsonl', '.ndjson', '.json'],
}

/** The files one run of `definition` imports (URLs); a message when there are none. */
export async function runFiles(
  definition: FileImportDefinition,
): Promise<{ files: string[] } | { none: string }> {
  const url = new URL(definition.source)
  if (url.protocol !== 'file:') return { files: [definition.source] }
  const local = fileURLToPath(url)
  let info
  try {
    info = await stat(local)
  } catch (err) {
    return { none: `cannot read ${local}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }
  }
  if (!info.isDirectory()) return { files: [definition.source] }
  const names = (await readdir(local, { withFileTypes: true }))
    .filter((e) => e.isFile() && EXTENSIONS[definition.format].includes(path.extname(e.name)))
    .map((e) => e.name)
    .sort()
  if (names.length === 0) {
    return { none: `no ${EXTENSIONS[definition.format].join(' or ')} file in ${local}` }
  }
  return { files: names.map((n) => pathToFileURL(path.join(local, n)).href) }
}

/** The run rows of one run of an import: QUEUED per file, or one FAILED saying why none. */
export async function newRuns(
  target: Readonly<{ workspaceId: string; importId: string; definition: FileImportDefinition }>,
  origin: 'api' | 'schedule',
  now: number,
  ids: IdGenerator,
): Promise<FileImportRunRow[]> {
  const found = await runFiles(target.definition)
  const row = (fileName: string, state: RunState, statusMsg: string): FileImportRunRow => ({
    workspaceId: target.workspaceId,
    runId: ids.userId(now),
    importId: target.importId,
    fileName,
    origin,
    state,
    statusMsg,
    scheduledAt: now,
    startedAt: null,
    completedAt: state === 'FAILED' ? now : null,
    leaseUntil: null,
    claims: 0,
    fileSize: null,
    totalRows: 0,
    accepted: 0,
    rejected: 0,
    checkpoint: {},
    rejects: {},
    updatedAt: now,
  })
  if ('none' in found) return [row(target.definition.source, 'FAILED', found.none)]
  return found.files.map((f) => row(f, 'QUEUED', ''))
}
