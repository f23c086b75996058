/**
 * The PostgreSQL adapter's File Imports rows (Store `fileImports`, tables `file_imports` and
 * `file_import_runs`, migration 34): definitions upserted by id (a taken name is a conflict, 23505),
 * a trigger's check-and-insert under the definition's row lock, a scheduled occurrence's
 * compare-and-move, open runs claimed with FOR UPDATE SKIP LOCKED (two processes never claim one
 * run; those claimed too often ended FAILED in the same transaction), a run saved only under the
 * claim that wrote it. It owns this SQL only.
 */
import pg from 'pg'
import {
  FILE_IMPORT_COLUMNS,
  FILE_IMPORT_RUN_COLUMNS,
  fileImportRunValues,
  fileImportValues,
  toFileImport,
  toFileImportRun,
} from '../rows.js'
import { FILE_IMPORT_OPEN_STATES, runUpdateColumns } from '../file-import-sql.js'
import { StoreConflictError, type FileImportRepo, type FileImportRunRow } from '../store.js'
import { rows, transaction, type PostgresConnection, type Queryable } from './connection.js'

const marks = (n: number, from = 1): string =>
  Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ')
const OPEN = FILE_IMPORT_OPEN_STATES.map((s) => `'${s}'`).join(', ')
const UPDATED = runUpdateColumns()

export const FILE_IMPORT_SQL = {
  put: `INSERT INTO file_imports (${FILE_IMPORT_COLUMNS.join(', ')})
    VALUES (${marks(FILE_IMPORT_COLUMNS.length)})
    ON CONFLICT (workspace_id, import_id) DO UPDATE SET name = excluded.name,
      version = excluded.version, definition = excluded.definition,
      schedule_type = excluded.schedule_type, next_run_at = excluded.next_run_at,
      updated_at = excluded.updated_at`,
  imports: `SELECT * FROM file_imports WHERE workspace_id = $1
    ORDER BY created_at, import_id COLLATE "C"`,
  one: 'SELECT * FROM file_imports WHERE workspace_id = $1 AND import_id = $2',
  lock: 'SELECT * FROM file_imports WHERE workspace_id = $1 AND import_id = $2 FOR UPDATE',
  remove: 'DELETE FROM file_imports WHERE workspace_id = $1 AND import_id = $2',
  removeRuns: 'DELETE FROM file_import_runs WHERE workspace_id = $1 AND import_id = $2',
  triggered:
    'UPDATE file_imports SET last_triggered_at = $1 WHERE workspace_id = $2 AND import_id = $3',
  insertRun: `INSERT INTO file_import_runs (${FILE_IMPORT_RUN_COLUMNS.join(', ')})
    VALUES (${marks(FILE_IMPORT_RUN_COLUMNS.length)})`,
  due: `SELECT * FROM file_imports WHERE next_run_at IS NOT NULL AND next_run_at <= $1
    ORDER BY next_run_at LIMIT $2`,
  move: `UPDATE file_imports SET next_run_at = $1
    WHERE workspace_id = $2 AND import_id = $3 AND next_run_at = $4`,
  exhaust: `UPDATE file_import_runs SET state = 'FAILED', status_msg = $1, completed_at = $2,
      lease_until = NULL, claims = claims + 1, updated_at = $2
    WHERE (workspace_id, run_id) IN (
      SELECT workspace_id, run_id FROM file_import_runs
      WHERE state IN (${OPEN}) AND (lease_until IS NULL OR lease_until <= $2) AND claims >= $3
      ORDER BY scheduled_at LIMIT $4 FOR UPDATE SKIP LOCKED
    )
    RETURNING *`,
  claim: `UPDATE file_import_runs SET state = 'PROCESSING', lease_until = $1, claims = claims + 1,
      started_at = coalesce(started_at, $2), updated_at = $2
    WHERE (workspace_id, run_id) IN (
      SELECT workspace_id, run_id FROM file_import_runs
      WHERE state IN (${OPEN}) AND (lease_until IS NULL OR lease_until <= $2) AND claims < $3
      ORDER BY scheduled_at LIMIT $4 FOR UPDATE SKIP LOCKED
    )
    RETURNING *`,
  save: `UPDATE file_import_runs SET ${UPDATED.map((c, i) => `${c} = $${i + 1}`).join(', ')}
    WHERE workspace_id = $${UPDATED.length + 1} AND run_id = $${UPDATED.length + 2}
      AND claims = $${UPDATED.length + 3}`,
  run: 'SELECT * FROM file_import_runs WHERE workspace_id = $1 AND run_id = $2',
  runs: `SELECT * FROM file_import_runs WHERE workspace_id = $1 AND import_id = $2
    ORDER BY scheduled_at DESC, run_id COLLATE "C" DESC LIMIT $3`,
  recent: `SELECT * FROM file_import_runs WHERE workspace_id = $1
    ORDER BY scheduled_at DESC, run_id COLLATE "C" DESC LIMIT $2`,
  prune: `DELETE FROM file_import_runs WHERE scheduled_at < $1 AND state NOT IN (${OPEN})`,
}

async function insertRuns(client: Queryable, runs: readonly FileImportRunRow[]): Promise<void> {
  for (const run of runs) await client.query(FILE_IMPORT_SQL.insertRun, fileImportRunValues(run))
}

export function postgresFileImports({ pool, open, all, one }: PostgresConnection): FileImportRepo {
  return {
    putImport: (row) =>
      open(async () => {
        try {
          await pool.query(FILE_IMPORT_SQL.put, fileImportValues(row))
        } catch (err) {
          if (err instanceof pg.DatabaseError && err.code === '23505') {
            throw new StoreConflictError(`another import of ${row.workspaceId} is '${row.name}'`)
          }
          throw err
        }
      }),
    imports: (workspaceId) => all(FILE_IMPORT_SQL.imports, [workspaceId], toFileImport),
    import: (workspaceId, importId) =>
      one(FILE_IMPORT_SQL.one, [workspaceId, importId], toFileImport),
    removeImport: (workspaceId, importId) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          await client.query(FILE_IMPORT_SQL.removeRuns, [workspaceId, importId])
          const removed = await client.query(FILE_IMPORT_SQL.remove, [workspaceId, importId])
          return (removed.rowCount ?? 0) > 0
        }),
      ),
    trigger: (workspaceId, importId, now, gapMs, runs) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          const [row] = await rows(client, FILE_IMPORT_SQL.lock, [workspaceId, importId])
          if (row === undefined) return 'missing' as const
          const last = toFileImport(row).lastTriggeredAt
          if (last !== null && last > now - gapMs) return 'recent' as const
          await client.query(FILE_IMPORT_SQL.triggered, [now, workspaceId, importId])
          await insertRuns(client, runs)
          return 'triggered' as const
        }),
      ),
    dueImports: (now, limit) => all(FILE_IMPORT_SQL.due, [now, limit], toFileImport),
    enqueueScheduled: (workspaceId, importId, expected, next, runs) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          const moved = await client.query(FILE_IMPORT_SQL.move, [
            next,
            workspaceId,
            importId,
            expected,
          ])
          if (moved.rowCount !== 1) return false
          await insertRuns(client, runs)
          return true
        }),
      ),
    claimRuns: (now, leaseMs, limit, cap) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          const exhausted = await rows(client, FILE_IMPORT_SQL.exhaust, [
            cap.statusMsg,
            now,
            cap.maxClaims,
            limit,
          ])
          const claimed = await rows(client, FILE_IMPORT_SQL.claim, [
            now + leaseMs,
            now,
            cap.maxClaims,
            limit,
          ])
          return {
            claimed: claimed.map(toFileImportRun),
            exhausted: exhausted.map(toFileImportRun),
          }
        }),
      ),
    saveRun: (row) =>
      open(async () => {
        const values = fileImportRunValues(row)
        const byColumn = new Map(FILE_IMPORT_RUN_COLUMNS.map((c, i) => [c, values[i]]))
        const saved = await pool.query(FILE_IMPORT_SQL.save, [
          ...UPDATED.map((c) => byColumn.get(c)),
          row.workspaceId,
          row.runId,
          row.claims,
        ])
        return saved.rowCount === 1
      }),
    run: (workspaceId, runId) => one(FILE_IMPORT_SQL.run, [workspaceId, runId], toFileImportRun),
    runs: (workspaceId, importId, limit) =>
      all(FILE_IMPORT_SQL.runs, [workspaceId, importId, limit], toFileImportRun),
    recentRuns: (workspaceId, limit) =>
      all(FILE_IMPORT_SQL.recent, [workspaceId, limit], toFileImportRun),
    pruneRuns: (before) =>
      open(async () => (await pool.query(FILE_IMPORT_SQL.prune, [before])).rowCount ?? 0),
  }
}
