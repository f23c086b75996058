/**
 * The PostgreSQL adapter's live activities (Store `liveActivities`, tables
 * `live_activity_campaigns` and `live_activity_instances`, migration 29): campaigns by id (names
 * unique), and each instance's write together with its outbox message (outbox.ts `insertOutbox`)
 * in one transaction. A start takes a transaction-scoped advisory lock on its campaign, so two
 * concurrent starts count each other's instance against the bound, then inserts unless the id is
 * taken; an update or end changes the row only while it is as read (its `changes`). It owns this
 * SQL only; what a campaign allows is families/live-activities'.
 */
import {
  LIVE_ACTIVITY_INSTANCE_COLUMNS,
  liveActivityInstanceValues,
  num,
  toLiveActivityInstance,
} from '../rows.js'
import type { LiveActivityRepo, LiveActivityWriteResult } from '../store.js'
import { rows, transaction, type PostgresConnection } from './connection.js'
import { postgresCampaignTable } from './campaign-table.js'
import { insertOutbox } from './outbox.js'

const marks = (columns: readonly string[]): string => columns.map((_, i) => `$${i + 1}`).join(', ')

const SQL = {
  instance: 'SELECT * FROM live_activity_instances WHERE workspace_id = $1 AND instance_id = $2',
  instances: `SELECT * FROM live_activity_instances WHERE workspace_id = $1 AND campaign_id = $2
    ORDER BY started_at DESC, instance_id COLLATE "C" DESC LIMIT $3`,
  lock: `SELECT pg_advisory_xact_lock(hashtextextended('live_activity|' || $1 || '|' || $2, 0))`,
  active: `SELECT count(*) AS n FROM live_activity_instances
    WHERE workspace_id = $1 AND campaign_id = $2 AND state = 'active'
      AND (dismissal_at IS NULL OR dismissal_at > $3)`,
  insert: `INSERT INTO live_activity_instances (${LIVE_ACTIVITY_INSTANCE_COLUMNS.join(', ')})
    VALUES (${marks(LIVE_ACTIVITY_INSTANCE_COLUMNS)})
    ON CONFLICT (workspace_id, instance_id) DO NOTHING RETURNING 1`,
  update: `UPDATE live_activity_instances SET state = $1, updated_at = $2, dismissal_at = $3,
      last_request = $4, changes = $5
    WHERE workspace_id = $6 AND instance_id = $7 AND changes = $8 RETURNING 1`,
}

export function postgresLiveActivities(c: PostgresConnection): LiveActivityRepo {
  const { pool, open, all, one } = c
  return {
    ...postgresCampaignTable(c, 'live_activity_campaigns'),
    instance: (workspaceId, instanceId) =>
      one(SQL.instance, [workspaceId, instanceId], toLiveActivityInstance),
    instances: (workspaceId, campaignId, limit) =>
      all(SQL.instances, [workspaceId, campaignId, limit], toLiveActivityInstance),
    write: (w) =>
      open(() =>
        transaction(pool, 'BEGIN', async (client): Promise<LiveActivityWriteResult> => {
          const i = w.instance
          if (w.expectedChanges === null) {
            await client.query(SQL.lock, [i.workspaceId, i.campaignId])
            const [count] = await rows(client, SQL.active, [
              i.workspaceId,
              i.campaignId,
              i.startedAt,
            ])
            const taken = await rows(client, SQL.instance, [i.workspaceId, i.instanceId])
            if (taken.length > 0) return { written: false, reason: 'taken' }
            if (num(count?.['n']) >= w.maxActive) return { written: false, reason: 'full' }
            const inserted = await rows(client, SQL.insert, liveActivityInstanceValues(i))
            if (inserted.length === 0) return { written: false, reason: 'taken' }
          } else {
            const updated = await rows(client, SQL.update, [
              i.state,
              i.updatedAt,
              i.dismissalAt,
              i.lastRequest,
              i.changes,
              i.workspaceId,
              i.instanceId,
              w.expectedChanges,
            ])
            if (updated.length === 0) return { written: false, reason: 'changed' }
          }
          const [message] = await insertOutbox(client, [w.message])
          if (message === undefined) throw new Error('the message was not recorded')
          return { written: true, message }
        }),
      ),
  }
}
