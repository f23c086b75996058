/**
 * The file-segment import runner (README, "File segments"): takes the durable import jobs the
 * routes queue (store `segmentLists`), one at a time per process and never one job twice at once
 * (a lease in the store, renewed while the job runs; a job whose process stopped is taken again
 * once its lease runs out, so accepted work resumes after a restart), downloads the CSV
 * (file-source.ts), reads it with csv-parse, matches each value to the user it names (the
 * request's `attribute_name` read as filter names are), applies the members in chunks (a query
 * during the import sees a partial count, as MoEngage says), and posts the callback with the
 * documented bodies, each with retries and backoff. It also archives file segments whose
 * `expiry_time` has passed.
 */
import { createReadStream } from 'node:fs'
import { parse } from 'csv-parse'
import type { Clock } from '../../core/clock.js'
import type { Logger } from '../../core/log.js'
import { createPoller } from '../../core/poller.js'
import { fieldOf } from '../../segments/attribute-names.js'
import type { ImportCounts, ImportJobRow, ImportOutcome, Store } from '../../store/store.js'
import { FILE_LIMIT_BYTES, download, postJson, type SourcePolicy } from './file-source.js'

/** The documented failure messages of the callback (spec §2.1). */
export const IMPORT_FAILURES = {
  tooLarge: 'File size cannot be greater than 150MB. Created custom_segment contains 0 users.',
  downloadFailed: 'File download failed. Created custom_segment contains 0 users.',
  internal: 'Internal Server Error. Contact MoEngage Team.',
} as const

/** How long a claimed job is held without renewal; renewed every third of it. */
export const IMPORT_LEASE_MS = 60_000
/** The first retry's delay; each next one doubles it. */
export const RETRY_BASE_MS = 5_000
/** How often a running runner looks for due jobs. */
export const POLL_MS = 1_000
/** Values looked up and applied together. */
export const CHUNK = 1_000
/**
 * How long a finished import is kept (each segment's latest is kept whatever its age): longer
 * than the day over which imported users are counted against the quota.
 */
export const IMPORT_RETENTION_MS = 30 * 86_400_000
/** How often the runner removes imports older than IMPORT_RETENTION_MS. */
export const PRUNE_EVERY_MS = 3_600_000

export type ImportSettings = SourcePolicy &
  Readonly<{ fetchAttempts: number; callbackAttempts: number; limitBytes?: number }>

export type FileImports = Readonly<{
  /** Runs every job due now, one after the other; answers how many were taken. */
  runDue(): Promise<number>
  /** Runs due jobs every POLL_MS until stopped. */
  start(): void
  /** Stops polling and waits for the job in progress. */
  stop(): Promise<void>
}>

export type ImportDeps = Readonly<{
  store: Store
  clock: Clock
  log: Logger
  /** This runner's lease owner name (unique per process). */
  owner: string
  settings: ImportSettings
}>

/** The delay before attempt `attempts + 1`. */
export const backoff = (attempts: number): number => RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1)

const ZERO: ImportCounts = {
  valuesFound: 0,
  valuesProcessed: 0,
  userCount: 0,
  unmatched: 0,
  ambiguous: 0,
}

/** A value as the file holds it: one column, not empty, a number for `double`. */
function valueOf(record: readonly string[], type: 'string' | 'double'): string | undefined {
  const cells = record.map((c) => c.trim())
  const filled = cells.filter((c) => c !== '')
  if (filled.length !== 1 || cells.length > 2 || (cells.length === 2 && cells[1] !== '')) {
    return undefined // empty, or more than one column (a trailing comma alone is tolerated)
  }
  const value = filled[0] as string // one filled cell: checked above
  if (type === 'double' && !Number.isFinite(Number(value))) return undefined
  return value
}

/** Reads the file's values a chunk at a time, counting rows and the values kept. */
async function* chunksOf(
  file: string,
  job: ImportJobRow,
  counts: { valuesFound: number; valuesProcessed: number },
): AsyncGenerator<string[]> {
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }),
  )
  let chunk: string[] = []
  let first = true
  for await (const record of parser as AsyncIterable<string[]>) {
    // A first row that names the attribute is a header, not a value.
    if (first && record.length === 1 && record[0]?.trim() === job.attributeName) {
      first = false
      continue
    }
    first = false
    if (record.every((c) => c.trim() === '')) continue // an empty row: not a value
    counts.valuesFound += 1
    const value = valueOf(record, job.attributeType)
    if (value === undefined) continue
    counts.valuesProcessed += 1
    chunk.push(value)
    if (chunk.length >= CHUNK) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}

export function createFileImports(deps: ImportDeps): FileImports {
  const { store, clock, log, owner, settings } = deps
  let running: Promise<number> | undefined
  let prunedAt = -Infinity

  /** Applies the file at `file` to the job's segment; answers the counts. */
  async function apply(job: ImportJobRow, file: string): Promise<ImportCounts> {
    const ws = job.workspaceId
    const field = fieldOf(job.attributeName)
    const counts = { valuesFound: 0, valuesProcessed: 0, userCount: 0, unmatched: 0, ambiguous: 0 }
    if (job.operation === 'replace') await store.segmentLists.clearMembers(ws, job.segmentId)
    for await (const values of chunksOf(file, job, counts)) {
      const unique = [...new Set(values)]
      const matches = await store.segmentLists.match(ws, field, job.attributeType, unique)
      const users = new Map<string, Set<string>>()
      for (const m of matches) users.set(m.value, (users.get(m.value) ?? new Set()).add(m.userId))
      const chosen: string[] = []
      for (const value of values) {
        const found = users.get(value)
        if (found === undefined) counts.unmatched += 1
        else if (found.size > 1) counts.ambiguous += 1
        else {
          counts.userCount += 1
          chosen.push(...found)
        }
      }
      const distinct = [...new Set(chosen)]
      if (job.operation === 'remove') {
        await store.segmentLists.removeMembers(ws, job.segmentId, distinct)
      } else {
        await store.segmentLists.addMembers(ws, job.segmentId, distinct, clock.now())
      }
    }
    return counts
  }

  /** One attempt at a queued or resumed job. */
  async function attempt(job: ImportJobRow): Promise<void> {
    const ws = job.workspaceId
    const fetched = await download(job.fileUrl, settings, settings.limitBytes ?? FILE_LIMIT_BYTES)
    if (!('ok' in fetched)) {
      log.warn({ workspaceId: ws, job: job.id, reason: fetched.reason }, 'file segment download')
      if (fetched.kind === 'too_large') {
        return finish(job, { status: 400, errorMessage: IMPORT_FAILURES.tooLarge, ...ZERO })
      }
      if (fetched.kind === 'retry' && job.attempts < settings.fetchAttempts) {
        const now = clock.now()
        return store.segmentLists.retry(ws, job.id, owner, now + backoff(job.attempts), now)
      }
      return finish(job, { status: 400, errorMessage: IMPORT_FAILURES.downloadFailed, ...ZERO })
    }
    try {
      const counts = await apply(job, fetched.file)
      await finish(job, { status: 201, ...counts })
    } catch (err) {
      log.error({ err, workspaceId: ws, job: job.id }, 'file segment import failed')
      if (job.attempts < settings.fetchAttempts) {
        const now = clock.now()
        await store.segmentLists.retry(ws, job.id, owner, now + backoff(job.attempts), now)
      } else {
        await finish(job, { status: 500, errorMessage: IMPORT_FAILURES.internal, ...ZERO })
      }
    } finally {
      await fetched.dispose()
    }
  }

  function finish(job: ImportJobRow, outcome: ImportOutcome): Promise<void> {
    return store.segmentLists.finish(job.workspaceId, job.id, owner, outcome, clock.now())
  }

  /** The callback's body (spec §2.1), with Inlet's unmatched and ambiguous counts on success. */
  async function callbackBody(job: ImportJobRow) {
    const segment = await store.customSegments.get(job.workspaceId, job.segmentId)
    const head = {
      db_name: job.workspaceId,
      segment_name: segment?.name ?? '',
      request_id: job.id,
      status: job.resultStatus ?? 500,
    }
    return job.resultStatus === 201
      ? {
          ...head,
          values_found: job.valuesFound,
          values_processed: job.valuesProcessed,
          user_count: job.userCount,
          values_unmatched: job.unmatched,
          values_ambiguous: job.ambiguous,
        }
      : { ...head, error_message: job.errorMessage ?? IMPORT_FAILURES.internal }
  }

  async function callback(job: ImportJobRow): Promise<void> {
    const ws = job.workspaceId
    const url = job.callbackUrl
    const now = () => clock.now()
    if (url === null) {
      return store.segmentLists.callbackResult(ws, job.id, owner, { state: 'failed' }, now())
    }
    const sent = await postJson(url, await callbackBody(job), settings)
    if ('ok' in sent) {
      return store.segmentLists.callbackResult(ws, job.id, owner, { state: 'sent' }, now())
    }
    log.warn({ workspaceId: ws, job: job.id, reason: sent.reason }, 'file segment callback')
    const tried = job.callbackAttempts + 1
    const result =
      sent.kind === 'retry' && tried < settings.callbackAttempts
        ? ({ state: 'pending', nextAttemptAt: now() + backoff(tried) } as const)
        : ({ state: 'failed' } as const)
    return store.segmentLists.callbackResult(ws, job.id, owner, result, now())
  }

  /** Runs one claimed job, its lease renewed while it runs. */
  async function run(job: ImportJobRow): Promise<void> {
    const renew = setInterval(() => {
      store.segmentLists
        .renew(job.workspaceId, job.id, owner, clock.now() + IMPORT_LEASE_MS)
        .catch((err: unknown) => log.error({ err }, 'file segment lease renewal failed'))
    }, IMPORT_LEASE_MS / 3)
    renew.unref()
    try {
      if (job.state === 'callback') await callback(job)
      else await attempt(job)
    } finally {
      clearInterval(renew)
    }
  }

  async function runDue(): Promise<number> {
    await store.segmentLists.archiveExpired(clock.now())
    if (clock.now() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = clock.now()
      await store.segmentLists.pruneJobs(prunedAt - IMPORT_RETENTION_MS)
    }
    let taken = 0
    for (;;) {
      const now = clock.now()
      const job = await store.segmentLists.claim(owner, now, now + IMPORT_LEASE_MS)
      if (job === undefined) return taken
      taken += 1
      await run(job)
    }
  }

  /** runDue, never two at once in this process. */
  function tick(): Promise<number> {
    running ??= runDue().finally(() => {
      running = undefined
    })
    return running
  }

  // Every round drains what is due, so it is always followed by a pause of POLL_MS.
  const poller = createPoller(tick, {
    pollMs: POLL_MS,
    batch: Number.POSITIVE_INFINITY,
    log,
    name: 'file segment imports',
  })
  return {
    runDue: tick,
    start: poller.start,
    stop: async () => {
      await poller.stop()
      await running?.catch(() => undefined)
    },
  }
}
