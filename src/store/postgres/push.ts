/**
 * The PostgreSQL adapter's Push rows (Store `push`, tables `push_campaigns` and `push_runs`,
 * migration 28): a campaign claimed by name with INSERT … ON CONFLICT DO NOTHING; due sends
 * claimed with FOR UPDATE SKIP LOCKED (two processes never claim one send); a send's step — its
 * messages inserted into the outbox (outbox.ts, many rows per statement) and the send moved on —
 * in one transaction that first locks the send's row and checks it is still where the step
 * began. The devices of many users read with `user_id = ANY($2)`. It owns this SQL only.
 */
import {
  PUSH_CAMPAIGN_COLUMNS,
  PUSH_RUN_COLUMNS,
  pushCampaignValues,
  pushRunValues,
  toDevice,
  toPushCampaign,
  toPushRun,
} from '../rows.js'
import { stepApplies, stepValues } from '../push-sql.js'
import type { PushRepo } from '../store.js'
import { rows, transaction, type PostgresConnection } from './connection.js'
import type { PostgresOutbox } from './outbox.js'

const marks = (n: number): string => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ')

export const PUSH_SQL = {
  claimCampaign: `INSERT INTO push_campaigns (${PUSH_CAMPAIGN_COLUMNS.join(', ')})
    VALUES (${marks(PUSH_CAMPAIGN_COLUMNS.length)})
    ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id`,
  campaign: 'SELECT * FROM push_campaigns WHERE workspace_id = $1 AND name = $2',
  devicesOfUsers: `SELECT * FROM devices WHERE workspace_id = $1 AND user_id = ANY($2::text[])
    ORDER BY user_id, created_at, device_id`,
  createRun: `INSERT INTO push_runs (${PUSH_RUN_COLUMNS.join(', ')})
    VALUES (${marks(PUSH_RUN_COLUMNS.length)})`,
  claimDue: `UPDATE push_runs SET lease_until = $1
    WHERE (workspace_id, id) IN (
      SELECT workspace_id, id FROM push_runs
      WHERE next_at IS NOT NULL AND next_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
      ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED
    )
    RETURNING *`,
  lock: `SELECT occurrence, cursor, next_at FROM push_runs WHERE workspace_id = $1 AND id = $2
    FOR UPDATE`,
  move: `UPDATE push_runs SET occurrence = $1, cursor = $2, next_at = $3, lease_until = $4,
      messages = messages + $5, updated_at = $6
    WHERE workspace_id = $7 AND id = $8`,
  release: 'UPDATE push_runs SET lease_until = NULL WHERE workspace_id = $1 AND id = $2',
  run: 'SELECT * FROM push_runs WHERE workspace_id = $1 AND id = $2',
  runs: `SELECT * FROM push_runs WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC
    LIMIT $2`,
}

export function postgresPush(
  { pool, open, all, one }: PostgresConnection,
  outbox: PostgresOutbox,
): PushRepo {
  return {
    claimCampaign: (row) =>
      open(async () => {
        const made = await rows(pool, PUSH_SQL.claimCampaign, pushCampaignValues(row))
        if (made.length === 1) return { created: true, row }
        const [held] = await rows(pool, PUSH_SQL.campaign, [row.workspaceId, row.name])
        if (held === undefined) throw new Error(`push campaign '${row.name}' vanished`)
        return { created: false, row: toPushCampaign(held) }
      }),
    campaign: (workspaceId, name) => one(PUSH_SQL.campaign, [workspaceId, name], toPushCampaign),
    devicesOfUsers: (workspaceId, userIds) =>
      all(PUSH_SQL.devicesOfUsers, [workspaceId, userIds], toDevice),
    createRun: (row) =>
      open(async () => {
        await pool.query(PUSH_SQL.createRun, pushRunValues(row))
      }),
    claimDueRuns: (now, leaseMs, limit) =>
      all(PUSH_SQL.claimDue, [now + leaseMs, now, limit], toPushRun),
    advance: (step, messages) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client) => {
          const [at] = await rows(client, PUSH_SQL.lock, [step.workspaceId, step.id])
          if (!stepApplies(at, step)) return false
          await outbox.insert(client, messages)
          await client.query(PUSH_SQL.move, stepValues(at, step, messages.length))
          return true
        }),
      ),
    release: (workspaceId, id) =>
      open(async () => {
        await pool.query(PUSH_SQL.release, [workspaceId, id])
      }),
    run: (workspaceId, id) => one(PUSH_SQL.run, [workspaceId, id], toPushRun),
    runs: (workspaceId, limit) => all(PUSH_SQL.runs, [workspaceId, limit], toPushRun),
  }
}
