/**
 * The SQLite adapter's live activities (Store `liveActivities`, tables `live_activity_campaigns`
 * and `live_activity_instances` of store.db, migration 29): campaigns by id (names unique), and
 * each instance's write together with its outbox message (outbox.ts `insert`) in one IMMEDIATE
 * transaction, which checks the instance id is free (a start) or the row unchanged (an update,
 * an end), and the campaign's active instances under the bound. It owns this SQL only; what a
 * campaign allows is families/live-activities'.
 */
import {
  LIVE_ACTIVITY_INSTANCE_COLUMNS,
  liveActivityInstanceValues,
  num,
  toLiveActivityInstance,
  type Row,
} from '../rows.js'
import {
  type LiveActivityRepo,
  type LiveActivityWrite,
  type LiveActivityWriteResult,
} from '../store.js'
import { attempt, type SqliteConnection } from './connection.js'
import { sqliteCampaignTable } from './campaign-table.js'
import type { SqliteOutbox } from './outbox.js'

const marks = (columns: readonly string[]): string => columns.map(() => '?').join(', ')

export function sqliteLiveActivities(
  { db }: SqliteConnection,
  outbox: SqliteOutbox,
): LiveActivityRepo {
  const q = {
    instance: db.prepare(
      'SELECT * FROM live_activity_instances WHERE workspace_id = ? AND instance_id = ?',
    ),
    instances: db.prepare(
      `SELECT * FROM live_activity_instances WHERE workspace_id = ? AND campaign_id = ?
       ORDER BY started_at DESC, instance_id DESC LIMIT ?`,
    ),
    active: db.prepare(
      `SELECT count(*) AS n FROM live_activity_instances
         INDEXED BY live_activity_instances_by_campaign
       WHERE workspace_id = ? AND campaign_id = ? AND state = 'active'
         AND (dismissal_at IS NULL OR dismissal_at > ?)`,
    ),
    insert: db.prepare(
      `INSERT INTO live_activity_instances (${LIVE_ACTIVITY_INSTANCE_COLUMNS.join(', ')})
       VALUES (${marks(LIVE_ACTIVITY_INSTANCE_COLUMNS)})
       ON CONFLICT (workspace_id, instance_id) DO NOTHING`,
    ),
    update: db.prepare(
      `UPDATE live_activity_instances SET state = ?, updated_at = ?, dismissal_at = ?,
         last_request = ?, changes = ?
       WHERE workspace_id = ? AND instance_id = ? AND changes = ?`,
    ),
  }
  const write = db.transaction((w: LiveActivityWrite): LiveActivityWriteResult => {
    const i = w.instance
    if (w.expectedChanges === null) {
      const active = num((q.active.get(i.workspaceId, i.campaignId, i.startedAt) as Row)['n'])
      if (q.instance.get(i.workspaceId, i.instanceId) !== undefined) {
        return { written: false, reason: 'taken' }
      }
      if (active >= w.maxActive) return { written: false, reason: 'full' }
      q.insert.run(...liveActivityInstanceValues(i))
    } else {
      const changed = q.update.run(
        i.state,
        i.updatedAt,
        i.dismissalAt,
        i.lastRequest,
        i.changes,
        i.workspaceId,
        i.instanceId,
        w.expectedChanges,
      )
      if (changed.changes === 0) return { written: false, reason: 'changed' }
    }
    const [message] = outbox.insert([w.message])
    if (message === undefined) throw new Error('the message was not recorded')
    return { written: true, message }
  })
  return {
    ...sqliteCampaignTable(db, 'live_activity_campaigns'),
    instance: (workspaceId, instanceId) =>
      attempt(() => {
        const row = q.instance.get(workspaceId, instanceId) as Row | undefined
        return row === undefined ? undefined : toLiveActivityInstance(row)
      }),
    instances: (workspaceId, campaignId, limit) =>
      attempt(() =>
        (q.instances.all(workspaceId, campaignId, limit) as Row[]).map(toLiveActivityInstance),
      ),
    write: (w) => attempt(() => write.immediate(w)),
  }
}
