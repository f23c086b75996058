/**
 * The PostgreSQL adapter's list memberships moved by merges (table `merge_memberships`, migration
 * 30): a batch's MembershipChanges (segment-list-repo.ts), carried out in SQL at commit so that
 * the processor never loads a user's lists. An erased merge's record goes with it (merges.ts).
 */
import type { MembershipChange } from '../store.js'
import type { Queryable } from './connection.js'

/** Only when the user the rows go to ($4) exists (a user deleted in the same batch gets nothing). */
const TO_EXISTS = 'EXISTS (SELECT 1 FROM users WHERE workspace_id = $1 AND id = $4)'

// $1 workspace, $2 merge id, $3 the user the rows leave, $4 the user they go to, $5 the time.
const SQL = {
  carry: `
    WITH kept AS (
      INSERT INTO merge_memberships (workspace_id, merge_id, segment_id, gained)
      SELECT m.workspace_id, $2, m.segment_id, NOT EXISTS (
        SELECT 1 FROM segment_members t WHERE t.workspace_id = m.workspace_id
          AND t.segment_id = m.segment_id AND t.user_id = $4)
      FROM segment_members m WHERE m.workspace_id = $1 AND m.user_id = $3 AND ${TO_EXISTS}
      ON CONFLICT DO NOTHING
    ), given AS (
      INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
      SELECT workspace_id, segment_id, $4, $5 FROM segment_members
      WHERE workspace_id = $1 AND user_id = $3 AND ${TO_EXISTS}
      ON CONFLICT DO NOTHING
    )
    DELETE FROM segment_members WHERE workspace_id = $1 AND user_id = $3 AND ${TO_EXISTS}`,
  uncarry: `
    WITH restored AS (
      INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
      SELECT workspace_id, segment_id, $4, $5 FROM merge_memberships
      WHERE workspace_id = $1 AND merge_id = $2 AND ${TO_EXISTS}
      ON CONFLICT DO NOTHING
    ), ungained AS (
      DELETE FROM segment_members WHERE workspace_id = $1 AND user_id = $3
        AND segment_id IN (SELECT segment_id FROM merge_memberships
          WHERE workspace_id = $1 AND merge_id = $2 AND gained)
    )
    DELETE FROM merge_memberships WHERE workspace_id = $1 AND merge_id = $2`,
} as const

export type PostgresMergeMemberships = ReturnType<typeof postgresMergeMemberships>

export function postgresMergeMemberships() {
  return {
    /** Applies a batch's changes in order (inside the commit's transaction). */
    async change(db: Queryable, changes: readonly MembershipChange[]): Promise<void> {
      for (const c of changes) {
        await db.query(c.kind === 'carry' ? SQL.carry : SQL.uncarry, [
          c.workspaceId,
          c.mergeId,
          c.fromUserId,
          c.toUserId,
          c.at,
        ])
      }
    },
  }
}
