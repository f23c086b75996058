/**
 * `inlet import FILE`: a CSV or JSON-lines file of users or events into a workspace, over the Data
 * API of an Inlet or of MoEngage itself (`--base-url` / `--data-center`), through the client SDK
 * (imports/import-file.ts; docs/imports.md). Credentials by flag or environment
 * (MOENGAGE_WORKSPACE_ID, MOENGAGE_API_KEY; the key is better kept off the command line). A
 * progress bar on a terminal (cli-progress, on stderr; nothing when stderr is not one), then a
 * summary: rows, accepted, rejected, and where the rejects and the checkpoint are. A rerun of the
 * same command resumes from the checkpoint.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { SingleBar } from 'cli-progress'
import { DATA_CENTERS, DataApiClient, type DataCenter, type Endpoint } from '../../client/index.js'
import {
  ImportError,
  importFile,
  type ImportProgress,
  type ImportSettings,
} from '../../imports/import-file.js'
import type { FileFormat } from '../../imports/reader.js'
import type { ImportType } from '../../imports/rows.js'
import { UsageError, print, usage, wholeNumber } from '../command.js'
import type { Command } from '../command.js'

const OPTIONS = {
  type: { type: 'string' },
  format: { type: 'string' },
  workspace: { type: 'string' },
  'api-key': { type: 'string' },
  'base-url': { type: 'string' },
  'data-center': { type: 'string' },
  'id-column': { type: 'string' },
  'event-column': { type: 'string' },
  'time-column': { type: 'string' },
  'datetime-columns': { type: 'string' },
  'string-columns': { type: 'string' },
  'batch-size': { type: 'string' },
  'batch-bytes': { type: 'string' },
  checkpoint: { type: 'string' },
  rejects: { type: 'string' },
  restart: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  json: { type: 'boolean' },
} as const

/** Where the API is: `--data-center`, else `--base-url`, else the environment, else a local Inlet. */
export function endpointOf(
  values: Readonly<{ 'base-url'?: string | undefined; 'data-center'?: string | undefined }>,
  env: NodeJS.ProcessEnv,
): Endpoint {
  const dataCenter = values['data-center'] ?? env['MOENGAGE_DATA_CENTER']
  const baseUrl = values['base-url'] ?? env['MOENGAGE_BASE_URL']
  if (values['data-center'] !== undefined && values['base-url'] !== undefined) {
    throw new UsageError('give --base-url or --data-center, not both')
  }
  if (dataCenter !== undefined && values['base-url'] === undefined) {
    if (!(DATA_CENTERS as readonly string[]).includes(dataCenter)) {
      throw new UsageError(`--data-center must be one of ${DATA_CENTERS.join(', ')}: ${dataCenter}`)
    }
    return { dataCenter: dataCenter as DataCenter } // one of DATA_CENTERS, checked above
  }
  const url = baseUrl ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http')
  } catch {
    throw new UsageError(`--base-url must be an http:// or https:// URL: ${url}`)
  }
  return { baseUrl: url }
}

/** The workspace id and Data API key: flags, else MOENGAGE_WORKSPACE_ID and MOENGAGE_API_KEY. */
export function credentialsOf(
  values: Readonly<{ workspace?: string | undefined; 'api-key'?: string | undefined }>,
  env: NodeJS.ProcessEnv,
  command: string,
): { workspaceId: string; apiKey: string } {
  const workspaceId = values.workspace ?? env['MOENGAGE_WORKSPACE_ID']
  const apiKey = values['api-key'] ?? env['MOENGAGE_API_KEY']
  if (workspaceId === undefined || workspaceId === '') {
    throw new UsageError(`${command} needs --workspace (or MOENGAGE_WORKSPACE_ID)`)
  }
  if (apiKey === undefined || apiKey === '') {
    throw new UsageError(`${command} needs the Data API key: MOENGAGE_API_KEY (or --api-key)`)
  }
  return { workspaceId, apiKey }
}

const list = (raw: string | undefined): string[] | undefined =>
  raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '')

function oneOf<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[]) {
  if (raw === undefined) return undefined
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${flag} must be ${allowed.join(' or ')}: ${raw}`)
  }
  return raw as T // one of `allowed`, checked above
}

/** A progress bar on stderr when it is a terminal; otherwise nothing. */
function progressBar(enabled: boolean): {
  update(p: ImportProgress): void
  stop(): void
} {
  if (!enabled || process.stderr.isTTY !== true) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      'importing [{bar}] {percentage}% | {rows} rows, {accepted} accepted, {rejected} rejected | {rate} rows/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
  })
  const started = Date.now()
  let first: number | undefined
  let startedBar = false
  return {
    update(p) {
      first ??= p.rows
      const seconds = (Date.now() - started) / 1000
      const payload = {
        rows: p.rows,
        accepted: p.accepted,
        rejected: p.rejected,
        rate: seconds > 0 ? Math.round((p.rows - first) / seconds) : 0,
      }
      if (!startedBar) {
        bar.start(Math.max(p.totalBytes, 1), p.bytes, payload)
        startedBar = true
      } else bar.update(p.bytes, payload)
    },
    stop() {
      if (startedBar) bar.stop()
    },
  }
}

export const importCommand: Command = async (args, env) => {
  const { values, positionals } = usage(() =>
    parseArgs({ args: [...args], strict: true, allowPositionals: true, options: OPTIONS }),
  )
  const [file, ...extra] = positionals
  if (file === undefined) throw new UsageError('import needs a FILE')
  if (extra.length > 0) throw new UsageError(`import takes one FILE: ${positionals.join(' ')}`)
  const endpoint = endpointOf(values, env)
  const { workspaceId, apiKey } = credentialsOf(values, env, 'import')
  const settings: ImportSettings = {
    file,
    workspaceId,
    format: oneOf<FileFormat>('format', values.format, ['csv', 'jsonl']),
    type: oneOf<ImportType>('type', values.type, ['users', 'events']),
    idColumn: values['id-column'],
    eventColumn: values['event-column'],
    timeColumn: values['time-column'],
    datetimeColumns: list(values['datetime-columns']),
    stringColumns: list(values['string-columns']),
    batchRecords: wholeNumber('batch-size', values['batch-size']),
    batchBytes: wholeNumber('batch-bytes', values['batch-bytes']),
    checkpointFile: values.checkpoint,
    rejectsFile: values.rejects,
    restart: values.restart,
    newImportId: () => `imp-${randomBytes(8).toString('hex')}`,
  }
  const client = new DataApiClient(endpoint, workspaceId, apiKey)
  const bar = progressBar(values['no-progress'] !== true && values.json !== true)
  let summary
  try {
    summary = await importFile(settings, client, (p) => bar.update(p))
  } catch (err) {
    bar.stop()
    if (err instanceof ImportError) throw new UsageError(err.message)
    throw new Error(
      `${err instanceof Error ? err.message : String(err)} (rows acknowledged so far are in the checkpoint; run the same command again to resume)`,
      { cause: err },
    )
  } finally {
    await client.close().catch(() => {})
  }
  bar.stop()
  if (values.json === true) {
    print({
      import_id: summary.importId,
      type: summary.type,
      format: summary.format,
      rows: summary.rows,
      accepted: summary.accepted,
      rejected: summary.rejected,
      batches: summary.batches,
      resumed_at: summary.resumedAt,
      already_done: summary.alreadyDone,
      checkpoint: summary.checkpointFile,
      rejects: summary.rejectsFile,
    })
  } else if (summary.alreadyDone) {
    process.stdout.write(
      `${file} was already imported (${summary.rows} rows, ${summary.accepted} accepted, ${summary.rejected} rejected; checkpoint ${summary.checkpointFile}); --restart imports it again\n`,
    )
  } else {
    process.stdout.write(
      `imported ${file} (${summary.type}): ${summary.rows} rows, ${summary.accepted} accepted, ${summary.rejected} rejected` +
        `${summary.resumedAt > 0 ? ` (resumed after row ${summary.resumedAt})` : ''}\n` +
        `rejected rows and reasons: ${summary.rejectsFile}\ncheckpoint: ${summary.checkpointFile}\n`,
    )
  }
  return 0
}
