/**
 * The SQLite adapter's list memberships moved by merges (table `merge_memberships` of store.db,
 * migration 30): a batch's MembershipChanges (segment-list-repo.ts), carried out in SQL at commit
 * so that the processor never loads a user's lists, and the record of a merge erased with it.
 */
import type { MembershipChange } from '../store.js'
import type { SqliteConnection } from './connection.js'

export type SqliteMergeMemberships = ReturnType<typeof sqliteMergeMemberships>

/** Only when the user the rows go to exists (a user deleted in the same batch gets nothing). */
const TO_EXISTS = 'EXISTS (SELECT 1 FROM users WHERE workspace_id = @ws AND id = @to)'

export function sqliteMergeMemberships({ db }: SqliteConnection) {
  const q = {
    keep: db.prepare(
      `INSERT INTO merge_memberships (workspace_id, merge_id, segment_id, gained)
       SELECT m.workspace_id, @merge, m.segment_id, NOT EXISTS (
         SELECT 1 FROM segment_members t WHERE t.workspace_id = m.workspace_id
           AND t.segment_id = m.segment_id AND t.user_id = @to)
       FROM segment_members m WHERE m.workspace_id = @ws AND m.user_id = @from AND ${TO_EXISTS}
       ON CONFLICT DO NOTHING`,
    ),
    give: db.prepare(
      `INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
       SELECT workspace_id, segment_id, @to, @at FROM segment_members
       WHERE workspace_id = @ws AND user_id = @from AND ${TO_EXISTS}
       ON CONFLICT DO NOTHING`,
    ),
    leave: db.prepare(
      `DELETE FROM segment_members WHERE workspace_id = @ws AND user_id = @from AND ${TO_EXISTS}`,
    ),
    restore: db.prepare(
      `INSERT INTO segment_members (workspace_id, segment_id, user_id, added_at)
       SELECT workspace_id, segment_id, @to, @at FROM merge_memberships
       WHERE workspace_id = @ws AND merge_id = @merge AND ${TO_EXISTS}
       ON CONFLICT DO NOTHING`,
    ),
    ungain: db.prepare(
      `DELETE FROM segment_members WHERE workspace_id = @ws AND user_id = @from
         AND segment_id IN (SELECT segment_id FROM merge_memberships
           WHERE workspace_id = @ws AND merge_id = @merge AND gained = 1)`,
    ),
    forget: db.prepare('DELETE FROM merge_memberships WHERE workspace_id = ? AND merge_id = ?'),
  }
  return {
    /** Applies a batch's changes in order (inside the commit's transaction). */
    change(changes: readonly MembershipChange[]): void {
      for (const c of changes) {
        const names = {
          ws: c.workspaceId,
          merge: c.mergeId,
          from: c.fromUserId,
          to: c.toUserId,
          at: c.at,
        }
        if (c.kind === 'carry') {
          q.keep.run(names)
          q.give.run(names)
          q.leave.run({ ws: names.ws, from: names.from, to: names.to })
        } else {
          q.restore.run(names)
          q.ungain.run({ ws: names.ws, merge: names.merge, from: names.from })
          q.forget.run(c.workspaceId, c.mergeId)
        }
      }
    },
    /** spec §7.12: an erased merge's record of the memberships it moved. */
    forgetMerge(workspaceId: string, mergeId: number): void {
      q.forget.run(workspaceId, mergeId)
    },
  }
}
