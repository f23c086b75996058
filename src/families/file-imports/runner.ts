/**
 * The File Imports runner (docs/imports.md, "File Imports"): a poller (core/poller.ts) over the
 * store's queue that first queues the runs of the periodic and one-time imports that are due
 * (store `enqueueScheduled`: once per occurrence, whichever process sees it), then claims one run
 * at a time (a lease in the store, renewed while the run goes on; a run whose process died is
 * claimed again once its lease runs out) and imports its file through `importFile`
 * (src/imports/import-file.ts), the import `inlet import` runs: the file is copied or downloaded
 * (imports/file-source.ts: the allowed directory, no private addresses unless allowed) to a
 * staging file named by the run, and the import's checkpoint and a sample of its rejected rows are
 * kept in the run's row — every save fenced by the run's claim count, so a process that lost its
 * lease stops at its next save. A resumed run goes on from the checkpoint and sends the body that
 * was in flight again under its Idempotency-Key: the in-process Bulk Import logs it once. A
 * failure worth retrying (a download or store failure) is retried with backoff, at most
 * MAX_CLAIMS claims; anything else ends the run FAILED with the reason. The store counts a claim
 * as it makes it, so a run whose process keeps dying mid-run (SIGKILL, out of memory), which no
 * catch here sees, is ended FAILED by the claim after its MAX_CLAIMS-th instead of being claimed
 * forever.
 */
import { copyFile, rename, rm, stat, utimes, mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Clock } from '../../core/clock.js'
import type { IdGenerator } from '../../core/ids.js'
import type { Logger } from '../../core/log.js'
import { createPoller } from '../../core/poller.js'
import { DataApiError, ServerError, type DataApiClient } from '../../client/index.js'
import type { Checkpoint } from '../../imports/checkpoint.js'
import { IMPORT_FILE_LIMIT_BYTES, download, type SourcePolicy } from '../../imports/file-source.js'
import { ImportError, importFile, type Reject } from '../../imports/import-file.js'
import type { FileImportRunRow, Store } from '../../store/store.js'
import {
  FILE_IMPORT_FORMATS,
  fileImportDefinitionOf,
  nextOccurrence,
  type FileImportDefinition,
} from '../../workspaces/file-imports.js'
import type { RunState } from '../../workspaces/file-import-status.js'
import { newRuns } from './runs.js'

/** How long a claimed run is held without renewal; renewed every third of it. */
export const RUN_LEASE_MS = 60_000
/** How often an idle runner looks for due imports and queued runs. */
export const RUNNER_POLL_MS = 1_000
/**
 * Claims of one run: a failure worth retrying on the last ends it FAILED, and a run whose process
 * stopped mid-run (killed, out of memory) this many times is ended FAILED by the next claim.
 */
export const MAX_CLAIMS = 5
/** The status message of a run ended by the claim cap. */
export const CLAIMS_EXHAUSTED_MSG = `claimed ${MAX_CLAIMS} times without finishing; the process running it last stopped mid-run (killed, out of memory or restarted)`
/** The first retry's delay; each next one doubles it. */
export const RETRY_BASE_MS = 30_000
/** Rejected rows kept with their reasons in a run's row. */
export const REJECT_SAMPLE = 100
/** Finished runs are kept this long (the status and history endpoints look 30 days back). */
export const RUN_RETENTION_MS = 90 * 86_400_000
const PRUNE_EVERY_MS = 3_600_000

export type FileImportRunnerDeps = Readonly<{
  store: Store
  clock: Clock
  ids: IdGenerator
  log: Logger
  /** The allowed directory and private-address rule (INLET_SEGMENT_FILE_DIR, …_FETCH_PRIVATE). */
  policy: SourcePolicy
  /** Bulk Import into a workspace (families/data in-process-bulk.ts). */
  clientFor: (workspaceId: string) => Pick<DataApiClient, 'bulkImport'>
  /** Where files are staged while their runs go on (one file per run, named by it). */
  stageDir: string
  /** How long a claimed run is held without renewal (INLET_FILE_IMPORT_LEASE_SECONDS). */
  leaseMs?: number
  pollMs?: number
}>

export type FileImportRunner = Readonly<{
  /**
   * Queues the due imports' runs, claims one run and imports it; resolves to the runs claimed or
   * ended by the claim cap.
   */
  runOnce(): Promise<number>
  start(): void
  /** Stops; resolves once the run in progress has finished or `timeoutMs` passed. */
  stop(timeoutMs?: number): Promise<boolean>
}>

const CLAIM_CAP = { maxClaims: MAX_CLAIMS, statusMsg: CLAIMS_EXHAUSTED_MSG } as const

/** A staged file's extension by the import's format. */
const STAGED_EXTENSIONS: Readonly<Record<FileImportDefinition['format'], string>> = {
  csv: '.csv',
  jsonl: '.jsonl',
}

/** The run's claim was lost (its lease ran out and another process claimed it). */
class LostClaim extends Error {}

/** A failure of the run's file itself: `retry` when another attempt may succeed. */
class SourceFailure extends Error {
  readonly retry: boolean
  constructor(message: string, retry: boolean) {
    super(message)
    this.retry = retry
  }
}

/** Whether a failure of a run is worth another claim. */
function retryable(err: unknown): boolean {
  if (err instanceof SourceFailure) return err.retry
  if (err instanceof ImportError) return false
  if (err instanceof DataApiError) return err instanceof ServerError || err.status === 429
  return true // the store, the file system: worth another attempt
}

export function createFileImportRunner(deps: FileImportRunnerDeps): FileImportRunner {
  const { store, clock, ids, log } = deps
  const repo = store.fileImports
  const leaseMs = deps.leaseMs ?? RUN_LEASE_MS
  let lastPrune = Number.NEGATIVE_INFINITY

  /** Queues the runs of imports whose scheduled time has come. */
  async function queueDue(now: number): Promise<void> {
    for (const row of await repo.dueImports(now, 16)) {
      const due = row.nextRunAt
      if (due === null) continue
      const definition = fileImportDefinitionOf(row)
      const runs = await newRuns(
        { workspaceId: row.workspaceId, importId: row.importId, definition },
        'schedule',
        now,
        ids,
      )
      const next = nextOccurrence(definition.schedule, due, now)
      await repo.enqueueScheduled(row.workspaceId, row.importId, due, next, runs)
    }
  }

  /** Where the run's file is staged while it goes on. */
  const stagedFile = (run: FileImportRunRow, format: FileImportDefinition['format']): string =>
    path.join(deps.stageDir, `${run.workspaceId}-${run.runId}${STAGED_EXTENSIONS[format]}`)

  /** The run's file staged locally (kept from an earlier claim when it is there). */
  async function stage(
    run: FileImportRunRow,
    definition: FileImportDefinition,
  ): Promise<{ file: string; bytes: number }> {
    const file = stagedFile(run, definition.format)
    const kept = await stat(file).catch(() => undefined)
    if (kept !== undefined) return { file, bytes: kept.size }
    const got = await download(run.fileName, deps.policy, IMPORT_FILE_LIMIT_BYTES)
    if (!('ok' in got)) throw new SourceFailure(got.reason, got.kind === 'retry')
    try {
      await mkdir(deps.stageDir, { recursive: true })
      await rename(got.file, file).catch(() => copyFile(got.file, file))
    } finally {
      await got.dispose()
    }
    // A run resumed on a fresh copy (another host, a cleaned temporary directory): the copy takes
    // the checkpoint's modification time, and the import compares sizes.
    const saved = run.checkpoint as Partial<Checkpoint> // a Checkpoint, or {} before the import began
    if (saved.file !== undefined) {
      const seconds = saved.file.mtime_ms / 1000
      await utimes(file, seconds, seconds)
    }
    return { file, bytes: got.bytes }
  }

  async function execute(claimed: FileImportRunRow): Promise<void> {
    let current = claimed
    let saving: Promise<void> = Promise.resolve()
    /** Writes the run (its lease renewed) after the writes before it; LostClaim when fenced. */
    const save = (patch: Partial<FileImportRunRow>): Promise<void> => {
      const next = saving.then(async () => {
        const now = clock.now()
        current = { ...current, ...patch, leaseUntil: now + leaseMs, updatedAt: now }
        if (!(await repo.saveRun(current))) throw new LostClaim()
      })
      saving = next.catch(() => {})
      return next
    }
    const finish = async (state: RunState, statusMsg: string): Promise<void> => {
      await save({})
      const now = clock.now()
      current = { ...current, state, statusMsg, completedAt: now, leaseUntil: null, updatedAt: now }
      if (!(await repo.saveRun(current))) throw new LostClaim()
    }
    const renew = setInterval(() => {
      save({}).catch(() => {})
    }, leaseMs / 3)
    let staged: string | undefined
    try {
      const row = await repo.import(claimed.workspaceId, claimed.importId)
      if (row === undefined) {
        await finish('FAILED', 'the import was removed')
        return
      }
      const definition = fileImportDefinitionOf(row)
      const got = await stage(claimed, definition)
      staged = got.file
      await save({ fileSize: got.bytes })
      let sample = (current.rejects['sample'] as Reject[] | undefined) ?? [] // written below only
      const summary = await importFile(
        {
          file: got.file,
          workspaceId: claimed.workspaceId,
          format: definition.format,
          type: definition.type,
          idColumn: definition.id_column,
          eventColumn: definition.event_column,
          timeColumn: definition.time_column,
          datetimeColumns: definition.datetime_columns,
          stringColumns: definition.string_columns,
          newImportId: () => `fi-${claimed.runId}`,
          persistence: {
            read: () =>
              Promise.resolve(
                Object.keys(current.checkpoint).length === 0
                  ? undefined
                  : (current.checkpoint as Checkpoint), // written by write() below
              ),
            write: async (c, rejects) => {
              sample = [...sample, ...rejects].slice(0, REJECT_SAMPLE)
              await save({
                checkpoint: { ...c },
                totalRows: c.rows,
                accepted: c.accepted,
                rejected: c.rejected,
                rejects: { sample },
              })
            },
          },
        },
        deps.clientFor(claimed.workspaceId),
      )
      const first = sample[0]
      const state: RunState =
        summary.rejected === 0
          ? 'SUCCESSFUL'
          : summary.accepted === 0
            ? 'FAILED'
            : 'PARTIAL_SUCCESS'
      await finish(
        state,
        first === undefined
          ? ''
          : `${summary.rejected} of ${summary.rows} rows rejected; row ${first.row}: ${first.reason}`,
      )
      await rm(got.file, { force: true })
    } catch (err) {
      if (err instanceof LostClaim) return
      const message = err instanceof Error ? err.message : String(err)
      if (retryable(err) && current.claims < MAX_CLAIMS) {
        log.warn({ err, run: claimed.runId }, 'file import run failed; retried later')
        const delay = RETRY_BASE_MS * 2 ** (current.claims - 1)
        await saving
        const now = clock.now()
        current = { ...current, statusMsg: message, leaseUntil: now + delay, updatedAt: now }
        await repo.saveRun(current)
        return
      }
      // A claimer fenced out leaves the staged file to the run's current claimer.
      const ended = await finish('FAILED', message).then(
        () => true,
        () => false,
      )
      if (ended && staged !== undefined) await rm(staged, { force: true })
    } finally {
      clearInterval(renew)
    }
  }

  async function runOnce(): Promise<number> {
    const now = clock.now()
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now
      await repo.pruneRuns(now - RUN_RETENTION_MS)
    }
    await queueDue(now)
    const { claimed, exhausted } = await repo.claimRuns(clock.now(), leaseMs, 1, CLAIM_CAP)
    for (const run of exhausted) {
      log.warn({ run: run.runId, claims: MAX_CLAIMS }, 'file import run claimed too often: FAILED')
      for (const format of FILE_IMPORT_FORMATS) await rm(stagedFile(run, format), { force: true })
    }
    for (const run of claimed) await execute(run)
    return claimed.length + exhausted.length
  }

  const poller = createPoller(runOnce, {
    pollMs: deps.pollMs ?? RUNNER_POLL_MS,
    batch: 1,
    log,
    name: 'file import runner',
  })
  return { runOnce, start: poller.start, stop: poller.stop }
}
