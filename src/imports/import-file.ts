/**
 * Importing a CSV or JSON-lines file of users or events into a workspace through the client SDK
 * (`inlet import`, docs/imports.md): rows mapped to Bulk Import elements (rows.ts), cut into
 * bodies under the Bulk limit and the batch size, sent one at a time, paced and retried by the
 * SDK (x-ratelimit-remaining, backoff). Each body carries `Idempotency-Key:
 * <import id>-<first row>-<last row>` and the checkpoint moves past a body only once it is
 * acknowledged; since bodies are cut the same way from any checkpoint, a run killed mid-body and
 * resumed sends that very body again under the same key, and an Inlet logs it once — no
 * duplicates. A body refused as invalid is halved down to the rows at fault, which are rejected
 * with the API's reason; rows that cannot become elements are rejected locally. Rejects go to a
 * JSON-lines file (row, line, reason).
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  BULK_BODY_OVERHEAD,
  PayloadTooLargeError,
  ValidationError,
  utf8Length,
  type BulkElement,
  type DataApiClient,
  type DataApiError,
} from '../client/index.js'
import {
  readCheckpoint,
  writeCheckpoint,
  CHECKPOINT_VERSION,
  type Checkpoint,
} from './checkpoint.js'
import {
  firstJsonKeys,
  formatOfName,
  readCsv,
  readCsvHeader,
  readJsonLines,
  type FileFormat,
  type FileRecord,
} from './reader.js'
import {
  EVENT_COLUMNS,
  TIME_COLUMNS,
  looksLikeEvents,
  mapRow,
  type ImportType,
  type RowMapping,
} from './rows.js'

/** spec §3: the Bulk Import body limit. */
export const MAX_BATCH_BYTES = 100 * 1024

/** A failure of the import as a whole (bad file, changed file, a checkpoint of another import). */
export class ImportError extends Error {
  override readonly name: string = 'ImportError'
}

export type ImportSettings = Readonly<{
  file: string
  workspaceId: string
  /** Inferred from the file name when undefined. */
  format?: FileFormat | undefined
  /** Inferred from the header (CSV) or the first record (JSON lines) when undefined. */
  type?: ImportType | undefined
  idColumn?: string | undefined
  eventColumn?: string | undefined
  timeColumn?: string | undefined
  datetimeColumns?: readonly string[] | undefined
  stringColumns?: readonly string[] | undefined
  /** Most rows in one body (default 1000). */
  batchRecords?: number | undefined
  /** Largest body in bytes (default and most 100 KB). */
  batchBytes?: number | undefined
  /** Default: FILE.checkpoint.json. */
  checkpointFile?: string | undefined
  /** Default: FILE.rejects.jsonl. */
  rejectsFile?: string | undefined
  /** Forget an existing checkpoint and start from the first row (with a new import id). */
  restart?: boolean | undefined
  /** A fresh import's id (the CLI draws a random one). */
  newImportId: () => string
  /**
   * Where the checkpoint and the rejected rows are kept instead of the checkpoint and rejects
   * files (a File Imports run keeps them in its row of the store).
   */
  persistence?: ImportPersistence | undefined
}>

/** Keeps an import's checkpoint and rejected rows somewhere other than files. */
export type ImportPersistence = Readonly<{
  /** The checkpoint of an earlier run, or undefined for a fresh import. */
  read(): Promise<Checkpoint | undefined>
  /** Records `checkpoint` and the rows rejected since the last write, durably, in one write. */
  write(checkpoint: Checkpoint, rejects: readonly Reject[]): Promise<void>
}>

/** Where a run records its progress: the checkpoint with the rows rejected since the last save. */
type Sink = Readonly<{
  save(checkpoint: Checkpoint, rejects: readonly Reject[]): Promise<void>
  close(): Promise<void>
}>

export type ImportProgress = Readonly<{
  /** Bytes of the file done (acknowledged or rejected), of `totalBytes`. */
  bytes: number
  totalBytes: number
  rows: number
  accepted: number
  rejected: number
}>

export type ImportSummary = Readonly<{
  importId: string
  file: string
  type: ImportType
  format: FileFormat
  rows: number
  accepted: number
  rejected: number
  batches: number
  /** Rows done before this run, by an earlier run it resumed (0 for a fresh import). */
  resumedAt: number
  /** Whether the checkpoint said the import was already complete (nothing was sent). */
  alreadyDone: boolean
  checkpointFile: string
  rejectsFile: string
}>

export type Reject = Readonly<{ row: number; line: number; reason: string }>

type Element = Readonly<{
  element: BulkElement
  json: string
  bytes: number
  row: number
  line: number
}>

type Batch = {
  elements: Element[]
  bytes: number
  rejects: Reject[]
  firstRow: number
  lastRow: number
  end: number
  line: number
}

type Client = Pick<DataApiClient, 'bulkImport'>

/** The checkpoint a run goes on from: the existing one, or a fresh one for these settings. */
async function startingPoint(
  settings: ImportSettings,
  checkpointFile: string,
): Promise<Checkpoint> {
  const file = resolve(settings.file)
  let info
  try {
    info = await stat(file)
  } catch (err) {
    throw new ImportError(`cannot read ${settings.file}: ${(err as Error).message}`)
  }
  if (!info.isFile()) throw new ImportError(`${settings.file} is not a file`)
  const existing =
    settings.restart === true
      ? undefined
      : settings.persistence !== undefined
        ? await settings.persistence.read()
        : await readCheckpoint(checkpointFile)
  if (existing !== undefined) {
    if (existing.file.size !== info.size || existing.file.mtime_ms !== info.mtimeMs) {
      throw new ImportError(
        `${settings.file} changed since its checkpoint ${checkpointFile} was written: run with --restart to import it from the first row`,
      )
    }
    if (existing.workspace_id !== settings.workspaceId) {
      throw new ImportError(
        `the checkpoint ${checkpointFile} is of an import into workspace ${existing.workspace_id}: run with --restart to import into ${settings.workspaceId}`,
      )
    }
    if (settings.type !== undefined && settings.type !== existing.type) {
      throw new ImportError(
        `the checkpoint ${checkpointFile} is of an import of ${existing.type}: run with --restart to import ${settings.type}`,
      )
    }
    return existing
  }
  const format = settings.format ?? formatOfName(file)
  if (format === undefined) {
    throw new ImportError(
      `cannot tell the format of ${settings.file} from its name: give --format csv or --format jsonl`,
    )
  }
  let columns: string[] | undefined
  let position = { offset: 0, line: 0 }
  let keys: string[]
  if (format === 'csv') {
    const header = await readCsvHeader(file).catch((err: unknown) => {
      throw new ImportError((err as Error).message)
    })
    columns = header.columns
    position = header.after
    keys = columns
  } else {
    keys = await firstJsonKeys(file)
  }
  const type = settings.type ?? (looksLikeEvents(keys) ? 'events' : 'users')
  const idColumn = settings.idColumn ?? 'customer_id'
  const eventColumn =
    settings.eventColumn ?? EVENT_COLUMNS.find((c) => keys.includes(c)) ?? EVENT_COLUMNS[0]
  const timeColumn = settings.timeColumn ?? TIME_COLUMNS.find((c) => keys.includes(c))
  if (columns !== undefined) {
    const missing = [
      idColumn,
      ...(type === 'events' ? [eventColumn] : []),
      ...(settings.timeColumn === undefined ? [] : [settings.timeColumn]),
      ...(settings.datetimeColumns ?? []),
    ].filter((c) => !columns.includes(c))
    if (missing.length > 0) {
      throw new ImportError(
        `${settings.file}'s header has no column ${missing.join(', ')} (its columns: ${columns.join(', ')})`,
      )
    }
  }
  const batchBytes = settings.batchBytes ?? MAX_BATCH_BYTES
  const batchRecords = settings.batchRecords ?? 1000
  if (!Number.isInteger(batchBytes) || batchBytes < 1024 || batchBytes > MAX_BATCH_BYTES) {
    throw new ImportError(`the batch size in bytes must be from 1024 to ${MAX_BATCH_BYTES}`)
  }
  if (!Number.isInteger(batchRecords) || batchRecords < 1 || batchRecords > 10_000) {
    throw new ImportError('the batch size in rows must be from 1 to 10000')
  }
  return {
    version: CHECKPOINT_VERSION,
    import_id: settings.newImportId(),
    workspace_id: settings.workspaceId,
    file: { path: file, size: info.size, mtime_ms: info.mtimeMs },
    format,
    type,
    columns,
    mapping: {
      id_column: idColumn,
      event_column: eventColumn,
      time_column: timeColumn,
      datetime_columns: [...(settings.datetimeColumns ?? [])],
      string_columns: [...(settings.stringColumns ?? [])],
    },
    batch_records: batchRecords,
    batch_bytes: batchBytes,
    offset: position.offset,
    line: position.line,
    rows: 0,
    accepted: 0,
    rejected: 0,
    batches: 0,
    rejects_bytes: 0,
    done: false,
  }
}

function mappingOf(c: Checkpoint): RowMapping {
  return {
    type: c.type,
    idColumn: c.mapping.id_column,
    eventColumn: c.mapping.event_column,
    timeColumn: c.mapping.time_column,
    datetimeColumns: new Set(c.mapping.datetime_columns),
    stringColumns: new Set(c.mapping.string_columns),
  }
}

function recordsOf(c: Checkpoint): AsyncGenerator<FileRecord> {
  const from = { offset: c.offset, line: c.line }
  return c.format === 'csv'
    ? readCsv(c.file.path, c.columns ?? [], from)
    : readJsonLines(c.file.path, from)
}

const reasonOf = (err: DataApiError): string =>
  `${err.status} ${err.type}: ${err.message}${err.attribute === undefined ? '' : ` (${err.attribute})`}`

/**
 * Sends `elements` as one body under `key`; a body refused as invalid is halved (keys `<key>a`,
 * `<key>b`) down to the elements at fault, which go to `rejects`. Resolves to how many were
 * accepted; any other failure (authentication, quota, retries spent) throws.
 */
async function deliver(
  client: Client,
  elements: readonly Element[],
  key: string,
  rejects: Reject[],
): Promise<number> {
  try {
    await client.bulkImport(
      elements.map((e) => e.element),
      { idempotencyKey: key },
    )
    return elements.length
  } catch (err) {
    if (!(err instanceof ValidationError || err instanceof PayloadTooLargeError)) throw err
    if (elements.length === 1) {
      const [only] = elements
      if (only !== undefined)
        rejects.push({ row: only.row, line: only.line, reason: reasonOf(err) })
      return 0
    }
    const half = Math.ceil(elements.length / 2)
    const first = await deliver(client, elements.slice(0, half), `${key}a`, rejects)
    const second = await deliver(client, elements.slice(half), `${key}b`, rejects)
    return first + second
  }
}

/**
 * Imports `settings.file` through `client`, from its checkpoint when it has one. Resolves to the
 * summary once every row is acknowledged or rejected; throws (the checkpoint kept at the last
 * acknowledged body) when the API refuses the import as a whole or its retries run out.
 */
export async function importFile(
  settings: ImportSettings,
  client: Client,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportSummary> {
  const checkpointFile = settings.checkpointFile ?? `${settings.file}.checkpoint.json`
  const rejectsFile = settings.rejectsFile ?? `${settings.file}.rejects.jsonl`
  const checkpoint = await startingPoint(settings, checkpointFile)
  const resumedAt = checkpoint.rows
  const summary = (alreadyDone: boolean): ImportSummary => ({
    importId: checkpoint.import_id,
    file: settings.file,
    type: checkpoint.type,
    format: checkpoint.format,
    rows: checkpoint.rows,
    accepted: checkpoint.accepted,
    rejected: checkpoint.rejected,
    batches: checkpoint.batches,
    resumedAt,
    alreadyDone,
    checkpointFile,
    rejectsFile,
  })
  if (checkpoint.done) return summary(true)
  const progress = (): void =>
    onProgress({
      bytes: checkpoint.offset,
      totalBytes: checkpoint.file.size,
      rows: checkpoint.rows,
      accepted: checkpoint.accepted,
      rejected: checkpoint.rejected,
    })
  const persistence = settings.persistence
  const sink: Sink =
    persistence === undefined
      ? await fileSink(checkpointFile, rejectsFile, checkpoint)
      : { save: (c, rejects) => persistence.write(c, rejects), close: async () => {} }
  try {
    await sink.save(checkpoint, [])
    progress()
    await run(client, checkpoint, sink, progress)
    checkpoint.done = true
    await sink.save(checkpoint, [])
    progress()
  } finally {
    await sink.close()
  }
  return summary(false)
}

/**
 * The checkpoint file and the rejects file (rejects written, synced, then the checkpoint). Rejects
 * written after the checkpoint by a killed run are cut off: they are written again.
 */
async function fileSink(
  checkpointFile: string,
  rejectsFile: string,
  checkpoint: Checkpoint,
): Promise<Sink> {
  const handle = await openRejects(rejectsFile, checkpoint)
  let rejectsBytes = checkpoint.rejects_bytes
  return {
    save: async (c, rejects) => {
      if (rejects.length > 0) {
        const text = rejects.map((r) => JSON.stringify(r) + '\n').join('')
        await handle.write(text, rejectsBytes)
        await handle.sync()
        rejectsBytes += Buffer.byteLength(text)
      }
      c.rejects_bytes = rejectsBytes
      await writeCheckpoint(checkpointFile, c)
    },
    close: () => handle.close(),
  }
}

/** The rejects file, cut back to the checkpoint's length (a fresh import empties it). */
async function openRejects(path: string, checkpoint: Checkpoint): Promise<FileHandle> {
  if (checkpoint.rows > 0) {
    try {
      const handle = await open(path, 'r+')
      await handle.truncate(checkpoint.rejects_bytes)
      return handle
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  checkpoint.rejects_bytes = 0
  return open(path, 'w')
}

async function run(
  client: Client,
  checkpoint: Checkpoint,
  sink: Sink,
  progress: () => void,
): Promise<void> {
  const mapping = mappingOf(checkpoint)
  const maxBytes = checkpoint.batch_bytes
  let row = checkpoint.rows
  const fresh = (): Batch => ({
    elements: [],
    bytes: BULK_BODY_OVERHEAD - 1,
    rejects: [],
    firstRow: row + 1,
    lastRow: row, // no row yet: lastRow < firstRow
    end: checkpoint.offset,
    line: checkpoint.line,
  })

  /** Sends a batch, then records its rejects and moves the checkpoint past it. */
  const ship = async (batch: Batch): Promise<void> => {
    const key = `${checkpoint.import_id}-${batch.firstRow}-${batch.lastRow}`
    const accepted =
      batch.elements.length === 0 ? 0 : await deliver(client, batch.elements, key, batch.rejects)
    batch.rejects.sort((a, b) => a.row - b.row)
    checkpoint.offset = batch.end
    checkpoint.line = batch.line
    checkpoint.rows = batch.lastRow
    checkpoint.accepted += accepted
    checkpoint.rejected += batch.rejects.length
    checkpoint.batches += batch.elements.length === 0 ? 0 : 1
    await sink.save(checkpoint, batch.rejects)
    progress()
  }

  let sending: Promise<void> = Promise.resolve()
  const cut = async (batch: Batch): Promise<void> => {
    await sending // one body in flight at a time; the next is read meanwhile
    sending = ship(batch)
    sending.catch(() => {}) // awaited at the next cut or the end
  }

  let batch = fresh()
  for await (const record of recordsOf(checkpoint)) {
    row++
    const reject = (reason: string): void => {
      batch.rejects.push({ row, line: record.line, reason })
    }
    if (record.values === undefined) {
      reject(record.error ?? 'unreadable')
    } else {
      const mapped = mapRow(mapping, {
        values: record.values,
        typed: checkpoint.format === 'jsonl',
      })
      if ('reason' in mapped) reject(mapped.reason)
      else {
        const json = JSON.stringify(mapped.element)
        const bytes = utf8Length(json)
        if (BULK_BODY_OVERHEAD + bytes > maxBytes) {
          reject(
            `the row's element is ${bytes} bytes: a Bulk Import body holds at most ${maxBytes}`,
          )
        } else {
          const full =
            batch.elements.length >= checkpoint.batch_records || batch.bytes + 1 + bytes > maxBytes
          if (full) {
            await cut(batch)
            batch = fresh()
            batch.firstRow = row
          }
          batch.elements.push({ element: mapped.element, json, bytes, row, line: record.line })
          batch.bytes += 1 + bytes
        }
      }
    }
    batch.lastRow = row
    batch.end = record.end
    batch.line = record.line
  }
  if (batch.lastRow >= batch.firstRow) await cut(batch)
  await sending
}
