/**
 * The SQLite statements a campaign table shares (`live_activity_campaigns`, `card_campaigns`,
 * columns as rows.ts CampaignRow's): campaigns by id in creation order, one read, a write that
 * creates or replaces one in place (createdAt kept; a name another campaign of the workspace
 * holds throws StoreConflictError), a removal. The tables are the callers' (live-activities.ts,
 * cards.ts).
 */
import Database from 'better-sqlite3'
import {
  CAMPAIGN_COLUMNS,
  campaignValues,
  toCampaign,
  type CampaignTableRow,
  type Row,
} from '../rows.js'
import { StoreConflictError, type CampaignTable } from '../store.js'
import { attempt } from './connection.js'

export function sqliteCampaignTable(
  db: Database.Database,
  table: string,
): CampaignTable<CampaignTableRow> {
  const q = {
    campaigns: db.prepare(
      `SELECT * FROM ${table} WHERE workspace_id = ? ORDER BY created_at, campaign_id`,
    ),
    campaign: db.prepare(`SELECT * FROM ${table} WHERE workspace_id = ? AND campaign_id = ?`),
    putCampaign: db.prepare(
      `INSERT INTO ${table} (${CAMPAIGN_COLUMNS.join(', ')})
       VALUES (${CAMPAIGN_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET name = excluded.name,
         version = excluded.version, definition = excluded.definition,
         updated_at = excluded.updated_at`,
    ),
    removeCampaign: db.prepare(`DELETE FROM ${table} WHERE workspace_id = ? AND campaign_id = ?`),
  }
  return {
    campaigns: (workspaceId) =>
      attempt(() => (q.campaigns.all(workspaceId) as Row[]).map(toCampaign)),
    campaign: (workspaceId, campaignId) =>
      attempt(() => {
        const row = q.campaign.get(workspaceId, campaignId) as Row | undefined
        return row === undefined ? undefined : toCampaign(row)
      }),
    putCampaign: (row) =>
      attempt(() => {
        try {
          q.putCampaign.run(...campaignValues(row))
        } catch (err) {
          if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreConflictError(`another campaign of ${row.workspaceId} is '${row.name}'`)
          }
          throw err
        }
      }),
    removeCampaign: (workspaceId, campaignId) =>
      attempt(() => q.removeCampaign.run(workspaceId, campaignId).changes > 0),
  }
}
