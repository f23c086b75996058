/**
 * The File Imports repository of the Store (re-exported by store.ts): a workspace's import
 * definitions (`file_imports`: one per import id, names unique in the workspace, the definition as
 * JSON, the next scheduled run of a periodic one, the time of the last API trigger) and their runs
 * (`file_import_runs`: one per file imported — state, counts, times, the import's checkpoint and a
 * sample of rejected rows, the lease of the process running it and the claim count that fences a
 * process whose lease ran out). A trigger and a scheduled occurrence each write their runs in one
 * transaction with the definition's change, so a trigger inside the five minutes writes nothing
 * and a scheduled occurrence is queued once, whichever process sees it due. What a definition or a
 * state means is the file-imports family's; the store keeps rows.
 */

/** An import definition (`import_id` in its workspace). */
export type FileImportRow = Readonly<{
  workspaceId: string
  importId: string
  name: string
  version: number
  /** The definition as the family parsed it (JSON): source, type, format, mapping, schedule. */
  definition: Readonly<Record<string, unknown>>
  /** `ONETIME` or `PERIODIC`. */
  scheduleType: string
  /** When the next scheduled run is due (epoch ms); null: none. */
  nextRunAt: number | null
  /** When the API last triggered it (the one-per-five-minutes rule); null: never. */
  lastTriggeredAt: number | null
  createdAt: number
  updatedAt: number
}>

/** One file's run of an import. */
export type FileImportRunRow = Readonly<{
  workspaceId: string
  runId: string
  importId: string
  /** The file's name (its URL for a remote source). */
  fileName: string
  /** What queued it: `api`, `schedule` or `admin`. */
  origin: string
  /** QUEUED, PROCESSING, SUCCESSFUL, PARTIAL_SUCCESS or FAILED (the family's meaning). */
  state: string
  statusMsg: string
  scheduledAt: number
  startedAt: number | null
  completedAt: number | null
  /** A process running it holds it until then; null when none does. */
  leaseUntil: number | null
  /**
   * How many times it was claimed (counted by the claim itself, durably, so a claimer killed
   * before any write still counts): a write names the claim it belongs to (fencing).
   */
  claims: number
  fileSize: number | null
  totalRows: number
  accepted: number
  rejected: number
  /** The import's checkpoint (imports/checkpoint.ts) as JSON; {} before the import began. */
  checkpoint: Readonly<Record<string, unknown>>
  /** `{ "sample": [{row, line, reason}, …] }`: the first rejected rows with their reasons. */
  rejects: Readonly<Record<string, unknown>>
  updatedAt: number
}>

/** How often a run may be claimed before a claim ends it instead (FileImportRepo claimRuns). */
export type FileImportClaimCap = Readonly<{ maxClaims: number; statusMsg: string }>

/** The runs a claim took (PROCESSING, leased) and those it ended FAILED, claimed too often. */
export type FileImportClaim = Readonly<{
  claimed: FileImportRunRow[]
  exhausted: FileImportRunRow[]
}>

/** What became of a trigger. */
export type FileImportTrigger = 'triggered' | 'missing' | 'recent'

export interface FileImportRepo {
  /** Creates the import or replaces the one its id names; a name another import holds: conflict. */
  putImport(row: FileImportRow): Promise<void>
  /** The workspace's imports, oldest first. */
  imports(workspaceId: string): Promise<FileImportRow[]>
  import(workspaceId: string, importId: string): Promise<FileImportRow | undefined>
  /** Removes the import and its runs; false when there was none. */
  removeImport(workspaceId: string, importId: string): Promise<boolean>
  /**
   * In one transaction: when the import exists and was last triggered before `now - gapMs` (or
   * never), records `now` as its trigger time and inserts `runs` ('triggered'); otherwise writes
   * nothing ('missing', 'recent').
   */
  trigger(
    workspaceId: string,
    importId: string,
    now: number,
    gapMs: number,
    runs: readonly FileImportRunRow[],
  ): Promise<FileImportTrigger>
  /** Up to `limit` imports of any workspace whose next scheduled run is due at `now`. */
  dueImports(now: number, limit: number): Promise<FileImportRow[]>
  /**
   * In one transaction, while the import's next run is still at `expected`: moves it to `next`
   * and inserts `runs`. False, nothing written, when it has moved (another process queued it).
   */
  enqueueScheduled(
    workspaceId: string,
    importId: string,
    expected: number,
    next: number | null,
    runs: readonly FileImportRunRow[],
  ): Promise<boolean>
  /**
   * In one transaction, over the runs of any workspace that are QUEUED or PROCESSING and held by
   * no live lease: ends up to `limit` of those already claimed `cap.maxClaims` times FAILED with
   * `cap.statusMsg` (each claimer stopped before finishing: a process killed or out of memory
   * mid-run), their claims counted up too, so a late save of their last claimer is refused; then
   * claims up to `limit` of the others: each PROCESSING, held until `now + leaseMs`, its claims
   * counted up, its start time set when unset (no two claimers get one run). The count is the
   * claim's own write, so a claimer that dies before writing anything still used one claim.
   */
  claimRuns(
    now: number,
    leaseMs: number,
    limit: number,
    cap: FileImportClaimCap,
  ): Promise<FileImportClaim>
  /** Writes `row` over the run while its claim count is still `row.claims`; false otherwise. */
  saveRun(row: FileImportRunRow): Promise<boolean>
  run(workspaceId: string, runId: string): Promise<FileImportRunRow | undefined>
  /** The import's runs, newest first, at most `limit`. */
  runs(workspaceId: string, importId: string, limit: number): Promise<FileImportRunRow[]>
  /** The workspace's runs of any import, newest first, at most `limit` (the dashboard). */
  recentRuns(workspaceId: string, limit: number): Promise<FileImportRunRow[]>
  /** Removes finished runs scheduled before `before`; resolves to how many. */
  pruneRuns(before: number): Promise<number>
}
