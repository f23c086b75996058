/**
 * The SQLite adapter's Push rows (Store `push`, tables `push_campaigns` and `push_runs` of
 * store.db, migration 28): a campaign claimed by name with INSERT … ON CONFLICT DO NOTHING; due
 * sends claimed in an IMMEDIATE transaction on the due index; a send's step — its messages
 * inserted into the outbox (outbox.ts, multi-row INSERTs) and the send moved on — in one IMMEDIATE
 * transaction that first checks the send is still where the step began, written here or by the
 * outbox writer thread (PushStepper). The devices of many users read through
 * `devices_by_user`, a few hundred ids per statement. It owns this SQL only.
 */
import type Database from 'better-sqlite3'
import {
  PUSH_CAMPAIGN_COLUMNS,
  PUSH_RUN_COLUMNS,
  outboxValues,
  pushCampaignValues,
  pushRunValues,
  toDevice,
  toPushCampaign,
  toPushRun,
  type Row,
} from '../rows.js'
import { stepApplies, stepValues } from '../push-sql.js'
import type { DeviceRow, PushRepo, PushRunStep } from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'
import { encodedInserter } from './outbox.js'

/**
 * Where a send's steps are written: in this thread (pushStepWriter on the store's connection), or
 * — the server's store — by the outbox writer thread (outbox-writer.ts), so that the next page is
 * read and rendered while a step's INSERTs and COMMIT run. `values`: each message's outboxValues.
 */
export type PushStepper = (step: PushRunStep, values: readonly unknown[][]) => Promise<boolean>

/**
 * A send's step in one IMMEDIATE transaction on `db`: false, writing nothing, unless the send is
 * still where the step began; else its messages inserted (each the next rev) and the send moved
 * on. Used in this thread and by the outbox writer thread (outbox-writer-worker.ts).
 */
export function pushStepWriter(
  db: Database.Database,
): (step: PushRunStep, values: readonly unknown[][]) => boolean {
  const where = db.prepare(
    'SELECT occurrence, cursor, next_at FROM push_runs WHERE workspace_id = ? AND id = ?',
  )
  const move = db.prepare(
    `UPDATE push_runs SET occurrence = ?, cursor = ?, next_at = ?, lease_until = ?,
       messages = messages + ?, updated_at = ?
     WHERE workspace_id = ? AND id = ?`,
  )
  const insert = encodedInserter(db)
  const step = db.transaction((s: PushRunStep, values: readonly unknown[][]): boolean => {
    const at = where.get(s.workspaceId, s.id) as Row | undefined
    if (!stepApplies(at, s)) return false
    insert(values)
    move.run(...stepValues(at, s, values.length))
    return true
  })
  return (s, values) => step.immediate(s, values)
}

/** User ids per device statement. */
const IDS_PER_STATEMENT = 500

/** A run whose next step is due and that no scheduler holds: what claimDueRuns takes. */
const DUE_RUN = 'next_at IS NOT NULL AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?)'

export function sqlitePush({ db }: SqliteConnection, stepper?: PushStepper): PushRepo {
  const q = {
    claimCampaign: db.prepare(
      `INSERT INTO push_campaigns (${PUSH_CAMPAIGN_COLUMNS.join(', ')})
       VALUES (${PUSH_CAMPAIGN_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (workspace_id, name) DO NOTHING`,
    ),
    campaign: db.prepare('SELECT * FROM push_campaigns WHERE workspace_id = ? AND name = ?'),
    createRun: db.prepare(
      `INSERT INTO push_runs (${PUSH_RUN_COLUMNS.join(', ')})
       VALUES (${PUSH_RUN_COLUMNS.map(() => '?').join(', ')})`,
    ),
    // The scheduler's look before it takes the write lock (claimDueRuns below).
    anyDue: db
      .prepare(
        `SELECT 1 FROM push_runs INDEXED BY push_runs_due
         WHERE ${DUE_RUN} LIMIT 1`,
      )
      .pluck(),
    claimDue: db.prepare(
      `UPDATE push_runs SET lease_until = ?
       WHERE (workspace_id, id) IN (
         SELECT workspace_id, id FROM push_runs INDEXED BY push_runs_due
         WHERE ${DUE_RUN}
         ORDER BY next_at LIMIT ?)
       RETURNING *`,
    ),
    release: db.prepare(
      'UPDATE push_runs SET lease_until = NULL WHERE workspace_id = ? AND id = ?',
    ),
    run: db.prepare('SELECT * FROM push_runs WHERE workspace_id = ? AND id = ?'),
    runs: db.prepare(
      'SELECT * FROM push_runs WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
    ),
  }
  const devices = new Map<number, Database.Statement>()
  const devicesOf = (n: number): Database.Statement => {
    let statement = devices.get(n)
    if (statement === undefined) {
      statement = db.prepare(
        `SELECT * FROM devices INDEXED BY devices_by_user
         WHERE workspace_id = ? AND user_id IN (${Array.from({ length: n }, () => '?').join(', ')})
         ORDER BY user_id, created_at, device_id`,
      )
      if (devices.size < 8) devices.set(n, statement)
    }
    return statement
  }
  const claimDue = db.transaction((now: number, leaseMs: number, limit: number) =>
    (q.claimDue.all(now + leaseMs, now, now, limit) as Row[]).map(toPushRun),
  )
  const inline = pushStepWriter(db)
  const advance: PushStepper = stepper ?? ((step, values) => attempt(() => inline(step, values)))
  return {
    claimCampaign: (row) =>
      attempt(() => {
        const created = q.claimCampaign.run(...pushCampaignValues(row)).changes === 1
        if (created) return { created, row }
        return { created, row: toPushCampaign(q.campaign.get(row.workspaceId, row.name) as Row) }
      }),
    campaign: (workspaceId, name) =>
      attempt(() => {
        const row = q.campaign.get(workspaceId, name) as Row | undefined
        return row === undefined ? undefined : toPushCampaign(row)
      }),
    devicesOfUsers: (workspaceId, userIds) =>
      attempt(() => {
        const found: DeviceRow[] = []
        for (let i = 0; i < userIds.length; i += IDS_PER_STATEMENT) {
          const ids = userIds.slice(i, i + IDS_PER_STATEMENT)
          for (const r of devicesOf(ids.length).all(workspaceId, ...ids) as Row[]) {
            found.push(toDevice(r))
          }
        }
        return found
      }),
    createRun: (row) =>
      attempt(() => {
        q.createRun.run(...pushRunValues(row))
      }),
    // Nothing due: no write transaction (outbox.ts claimDue says why).
    claimDueRuns: (now, leaseMs, limit) =>
      attempt(() =>
        q.anyDue.get(now, now) === undefined ? [] : claimDue.immediate(now, leaseMs, limit),
      ),
    advance: (step, messages) => advance(step, messages.map(outboxValues)),
    release: (workspaceId, id) =>
      attempt(() => {
        q.release.run(workspaceId, id)
      }),
    run: (workspaceId, id) =>
      attempt(() => {
        const row = q.run.get(workspaceId, id) as Row | undefined
        return row === undefined ? undefined : toPushRun(row)
      }),
    runs: (workspaceId, limit) =>
      attempt(() => (q.runs.all(workspaceId, limit) as Row[]).map(toPushRun)),
  }
}
