/**
 * The PostgreSQL statements a campaign table shares (`live_activity_campaigns`,
 * `card_campaigns`, columns as rows.ts CampaignRow's): campaigns by id in creation order, one
 * read, a write that creates or replaces one in place (createdAt kept; a name another campaign of
 * the workspace holds throws StoreConflictError), a removal. The tables are the callers'
 * (live-activities.ts, cards.ts).
 */
import pg from 'pg'
import { CAMPAIGN_COLUMNS, campaignValues, toCampaign, type CampaignTableRow } from '../rows.js'
import { StoreConflictError, type CampaignTable } from '../store.js'
import type { PostgresConnection } from './connection.js'

export function postgresCampaignTable(
  { pool, open, all, one }: PostgresConnection,
  table: string,
): CampaignTable<CampaignTableRow> {
  const SQL = {
    campaigns: `SELECT * FROM ${table} WHERE workspace_id = $1
      ORDER BY created_at, campaign_id COLLATE "C"`,
    campaign: `SELECT * FROM ${table} WHERE workspace_id = $1 AND campaign_id = $2`,
    putCampaign: `INSERT INTO ${table} (${CAMPAIGN_COLUMNS.join(', ')})
      VALUES (${CAMPAIGN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
      ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET name = excluded.name,
        version = excluded.version, definition = excluded.definition,
        updated_at = excluded.updated_at`,
    removeCampaign: `DELETE FROM ${table} WHERE workspace_id = $1 AND campaign_id = $2`,
  }
  return {
    campaigns: (workspaceId) => all(SQL.campaigns, [workspaceId], toCampaign),
    campaign: (workspaceId, campaignId) => one(SQL.campaign, [workspaceId, campaignId], toCampaign),
    putCampaign: (row) =>
      open(async () => {
        try {
          await pool.query(SQL.putCampaign, campaignValues(row))
        } catch (err) {
          if (err instanceof pg.DatabaseError && err.code === '23505') {
            throw new StoreConflictError(`another campaign of ${row.workspaceId} is '${row.name}'`)
          }
          throw err
        }
      }),
    removeCampaign: (workspaceId, campaignId) =>
      open(
        async () =>
          ((await pool.query(SQL.removeCampaign, [workspaceId, campaignId])).rowCount ?? 0) > 0,
      ),
  }
}
