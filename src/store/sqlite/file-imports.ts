/**
 * The SQLite adapter's File Imports rows (Store `fileImports`, tables `file_imports` and
 * `file_import_runs` of store.db, migration 34): definitions upserted by id (a taken name is a
 * conflict), a trigger's check-and-insert and a scheduled occurrence's compare-and-move each in
 * one IMMEDIATE transaction, open runs claimed — those claimed too often ended instead — by two
 * UPDATE … RETURNING on the open-runs index in one IMMEDIATE transaction,
 * a run saved only under the claim that wrote it. It owns this SQL only.
 */
import Database from 'better-sqlite3'
import {
  FILE_IMPORT_COLUMNS,
  FILE_IMPORT_RUN_COLUMNS,
  fileImportRunValues,
  fileImportValues,
  toFileImport,
  toFileImportRun,
  type Row,
} from '../rows.js'
import { FILE_IMPORT_OPEN_STATES, runUpdateColumns } from '../file-import-sql.js'
import {
  StoreConflictError,
  type FileImportClaim,
  type FileImportClaimCap,
  type FileImportRepo,
  type FileImportRunRow,
  type FileImportTrigger,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'

const OPEN = FILE_IMPORT_OPEN_STATES.map((s) => `'${s}'`).join(', ')
/** An open run that no runner holds (its lease ended): what claimRuns takes or ends. */
const FREE_OPEN_RUN = `state IN (${OPEN}) AND (lease_until IS NULL OR lease_until <= ?)`
const UPDATED = runUpdateColumns()

export function sqliteFileImports({ db }: SqliteConnection): FileImportRepo {
  const q = {
    put: db.prepare(
      `INSERT INTO file_imports (${FILE_IMPORT_COLUMNS.join(', ')})
       VALUES (${FILE_IMPORT_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (workspace_id, import_id) DO UPDATE SET name = excluded.name,
         version = excluded.version, definition = excluded.definition,
         schedule_type = excluded.schedule_type, next_run_at = excluded.next_run_at,
         updated_at = excluded.updated_at`,
    ),
    imports: db.prepare(
      `SELECT * FROM file_imports INDEXED BY file_imports_by_time WHERE workspace_id = ?
       ORDER BY created_at, import_id`,
    ),
    one: db.prepare('SELECT * FROM file_imports WHERE workspace_id = ? AND import_id = ?'),
    remove: db.prepare('DELETE FROM file_imports WHERE workspace_id = ? AND import_id = ?'),
    removeRuns: db.prepare(
      `DELETE FROM file_import_runs INDEXED BY file_import_runs_by_import
       WHERE workspace_id = ? AND import_id = ?`,
    ),
    triggered: db.prepare(
      'UPDATE file_imports SET last_triggered_at = ? WHERE workspace_id = ? AND import_id = ?',
    ),
    insertRun: db.prepare(
      `INSERT INTO file_import_runs (${FILE_IMPORT_RUN_COLUMNS.join(', ')})
       VALUES (${FILE_IMPORT_RUN_COLUMNS.map(() => '?').join(', ')})`,
    ),
    due: db.prepare(
      `SELECT * FROM file_imports INDEXED BY file_imports_due
       WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?`,
    ),
    move: db.prepare(
      `UPDATE file_imports SET next_run_at = ?
       WHERE workspace_id = ? AND import_id = ? AND next_run_at = ?`,
    ),
    // The runner's look before it takes the write lock (claimRuns below): any open run free.
    anyOpen: db
      .prepare(
        `SELECT 1 FROM file_import_runs INDEXED BY file_import_runs_open
         WHERE ${FREE_OPEN_RUN} LIMIT 1`,
      )
      .pluck(),
    exhaust: db.prepare(
      `UPDATE file_import_runs SET state = 'FAILED', status_msg = ?, completed_at = ?,
         lease_until = NULL, claims = claims + 1, updated_at = ?
       WHERE (workspace_id, run_id) IN (
         SELECT workspace_id, run_id FROM file_import_runs INDEXED BY file_import_runs_open
         WHERE ${FREE_OPEN_RUN} AND claims >= ?
         ORDER BY scheduled_at LIMIT ?)
       RETURNING *`,
    ),
    claim: db.prepare(
      `UPDATE file_import_runs SET state = 'PROCESSING', lease_until = ?, claims = claims + 1,
         started_at = coalesce(started_at, ?), updated_at = ?
       WHERE (workspace_id, run_id) IN (
         SELECT workspace_id, run_id FROM file_import_runs INDEXED BY file_import_runs_open
         WHERE ${FREE_OPEN_RUN} AND claims < ?
         ORDER BY scheduled_at LIMIT ?)
       RETURNING *`,
    ),
    save: db.prepare(
      `UPDATE file_import_runs SET ${UPDATED.map((c) => `${c} = ?`).join(', ')}
       WHERE workspace_id = ? AND run_id = ? AND claims = ?`,
    ),
    run: db.prepare('SELECT * FROM file_import_runs WHERE workspace_id = ? AND run_id = ?'),
    runs: db.prepare(
      `SELECT * FROM file_import_runs WHERE workspace_id = ? AND import_id = ?
       ORDER BY scheduled_at DESC, run_id DESC LIMIT ?`,
    ),
    recent: db.prepare(
      `SELECT * FROM file_import_runs INDEXED BY file_import_runs_by_time WHERE workspace_id = ?
       ORDER BY scheduled_at DESC, run_id DESC LIMIT ?`,
    ),
    prune: db.prepare(
      `DELETE FROM file_import_runs INDEXED BY file_import_runs_finished
       WHERE scheduled_at < ? AND state NOT IN (${OPEN})`,
    ),
  }
  const insertRuns = (runs: readonly FileImportRunRow[]): void => {
    for (const run of runs) q.insertRun.run(...fileImportRunValues(run))
  }
  const trigger = db.transaction(
    (
      workspaceId: string,
      importId: string,
      now: number,
      gapMs: number,
      runs: readonly FileImportRunRow[],
    ): FileImportTrigger => {
      const row = q.one.get(workspaceId, importId) as Row | undefined
      if (row === undefined) return 'missing'
      const last = toFileImport(row).lastTriggeredAt
      if (last !== null && last > now - gapMs) return 'recent'
      q.triggered.run(now, workspaceId, importId)
      insertRuns(runs)
      return 'triggered'
    },
  )
  const enqueue = db.transaction(
    (
      workspaceId: string,
      importId: string,
      expected: number,
      next: number | null,
      runs: readonly FileImportRunRow[],
    ): boolean => {
      if (q.move.run(next, workspaceId, importId, expected).changes !== 1) return false
      insertRuns(runs)
      return true
    },
  )
  const claim = db.transaction(
    (now: number, leaseMs: number, limit: number, cap: FileImportClaimCap): FileImportClaim => {
      const exhausted = q.exhaust.all(cap.statusMsg, now, now, now, cap.maxClaims, limit) as Row[]
      const claimed = q.claim.all(now + leaseMs, now, now, now, cap.maxClaims, limit) as Row[]
      return { claimed: claimed.map(toFileImportRun), exhausted: exhausted.map(toFileImportRun) }
    },
  )
  const remove = db.transaction((workspaceId: string, importId: string): boolean => {
    q.removeRuns.run(workspaceId, importId)
    return q.remove.run(workspaceId, importId).changes > 0
  })
  return {
    putImport: (row) =>
      attempt(() => {
        try {
          q.put.run(...fileImportValues(row))
        } catch (err) {
          if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreConflictError(`another import of ${row.workspaceId} is '${row.name}'`)
          }
          throw err
        }
      }),
    imports: (workspaceId) =>
      attempt(() => (q.imports.all(workspaceId) as Row[]).map(toFileImport)),
    import: (workspaceId, importId) =>
      attempt(() => {
        const row = q.one.get(workspaceId, importId) as Row | undefined
        return row === undefined ? undefined : toFileImport(row)
      }),
    removeImport: (workspaceId, importId) => attempt(() => remove.immediate(workspaceId, importId)),
    trigger: (workspaceId, importId, now, gapMs, runs) =>
      attempt(() => trigger.immediate(workspaceId, importId, now, gapMs, runs)),
    dueImports: (now, limit) => attempt(() => (q.due.all(now, limit) as Row[]).map(toFileImport)),
    enqueueScheduled: (workspaceId, importId, expected, next, runs) =>
      attempt(() => enqueue.immediate(workspaceId, importId, expected, next, runs)),
    // No open run free: no write transaction (outbox.ts claimDue says why).
    claimRuns: (now, leaseMs, limit, cap) =>
      attempt(() =>
        q.anyOpen.get(now) === undefined
          ? { claimed: [], exhausted: [] }
          : claim.immediate(now, leaseMs, limit, cap),
      ),
    saveRun: (row) =>
      attempt(() => {
        const values = fileImportRunValues(row)
        const byColumn = new Map(FILE_IMPORT_RUN_COLUMNS.map((c, i) => [c, values[i]]))
        return (
          q.save.run(...UPDATED.map((c) => byColumn.get(c)), row.workspaceId, row.runId, row.claims)
            .changes === 1
        )
      }),
    run: (workspaceId, runId) =>
      attempt(() => {
        const row = q.run.get(workspaceId, runId) as Row | undefined
        return row === undefined ? undefined : toFileImportRun(row)
      }),
    runs: (workspaceId, importId, limit) =>
      attempt(() => (q.runs.all(workspaceId, importId, limit) as Row[]).map(toFileImportRun)),
    recentRuns: (workspaceId, limit) =>
      attempt(() => (q.recent.all(workspaceId, limit) as Row[]).map(toFileImportRun)),
    pruneRuns: (before) => attempt(() => q.prune.run(before).changes),
  }
}
