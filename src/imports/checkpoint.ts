/**
 * An import's checkpoint file: the settings of its first run and how far it got — the byte offset
 * and line just past the last row whose body was acknowledged (or that was rejected), the counts,
 * and the length of the rejects file then. Written whole to a temporary file, synced and renamed
 * over the old one, so a kill at any moment leaves the previous checkpoint or the new one, never a
 * torn one.
 */
import { open, readFile, rename } from 'node:fs/promises'
import type { FileFormat } from './reader.js'
import type { ImportType } from './rows.js'

export const CHECKPOINT_VERSION = 1

export type Checkpoint = {
  version: number
  /** Names this import's bodies (`Idempotency-Key: <import_id>-<first row>-<last row>`). */
  import_id: string
  workspace_id: string
  file: Readonly<{ path: string; size: number; mtime_ms: number }>
  format: FileFormat
  type: ImportType
  /** CSV: the header's columns. */
  columns: string[] | undefined
  mapping: Readonly<{
    id_column: string
    event_column: string
    time_column: string | undefined
    datetime_columns: string[]
    string_columns: string[]
  }>
  batch_records: number
  batch_bytes: number
  /** Just past the last row done (acknowledged or rejected). */
  offset: number
  line: number
  /** Rows done (data rows, the header not counted). */
  rows: number
  accepted: number
  rejected: number
  batches: number
  /** The rejects file's length when this was written (a resumed run cuts it back to this). */
  rejects_bytes: number
  done: boolean
}

/** The checkpoint at `path`, or undefined when there is none; a file that is not one throws. */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${path} is not an import checkpoint (not JSON); remove it or use --restart`)
  }
  const c = value as Partial<Checkpoint> // checked below, field by field that is read
  if (
    typeof value !== 'object' ||
    value === null ||
    c.version !== CHECKPOINT_VERSION ||
    typeof c.import_id !== 'string' ||
    typeof c.offset !== 'number' ||
    typeof c.rows !== 'number' ||
    typeof c.file !== 'object'
  ) {
    throw new Error(
      `${path} is not an import checkpoint of this version; remove it or use --restart`,
    )
  }
  return value as Checkpoint
}

/** Replaces the checkpoint at `path` with `checkpoint`, durably (write, sync, rename). */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${path}.tmp`
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(JSON.stringify(checkpoint, null, 2) + '\n')
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, path)
}
