/**
 * The PostgreSQL adapter's merge log (table `merges`): many merges by id for snapshots, a batch's
 * merges recorded, undone or erased (with the list of events each moved, `merge_events`, and of
 * list memberships, `merge_memberships`), and
 * Store `profiles.merge` / `mergesOfUsers`.
 */
import type { ProfileParts } from '../profiles.js'
import type { MergeRow } from '../store.js'
import { mergeValues, toMerge } from '../rows.js'
import type { PostgresConnection, Queryable } from './connection.js'
import { collapse, pairKey, rowsOfKeys, selectByKeys, unnest, type Keys } from './unnest.js'

const SQL = {
  mergesById: selectByKeys('merges', 'id', 'bigint'),
  mergesUpsert: `
    INSERT INTO merges (workspace_id, id, request_id, retained_user_id, merged_user_id, at, before,
      undone_at)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
      $6::bigint[], $7::text[], $8::bigint[])
    ON CONFLICT (workspace_id, id) DO UPDATE SET undone_at = excluded.undone_at`,
  mergesDelete: `
    WITH k AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS k(workspace_id, id)),
      moved_gone AS (
        DELETE FROM merge_events x USING k
        WHERE x.workspace_id = k.workspace_id AND x.merge_id = k.id
      ),
      memberships_gone AS (
        DELETE FROM merge_memberships x USING k
        WHERE x.workspace_id = k.workspace_id AND x.merge_id = k.id
      )
    DELETE FROM merges m USING k WHERE m.workspace_id = k.workspace_id AND m.id = k.id`,
  mergesOfUsers: `
    SELECT * FROM merges WHERE workspace_id = $1
      AND (retained_user_id = ANY($2::text[]) OR merged_user_id = ANY($2::text[]))
    ORDER BY id`,
} as const

export type PostgresMerges = ReturnType<typeof postgresMerges>

export function postgresMerges({ open, all, one }: PostgresConnection) {
  const profiles: ProfileParts['merges']['profiles'] = {
    merge: (workspaceId, id) =>
      one('SELECT * FROM merges WHERE workspace_id = $1 AND id = $2', [workspaceId, id], toMerge),
    mergesOfUsers: (workspaceId, userIds) =>
      userIds.length === 0
        ? open(() => Promise.resolve([]))
        : all(SQL.mergesOfUsers, [workspaceId, [...userIds]], toMerge),
  }

  return {
    profiles,
    /** Merges by (workspace, id). */
    byId: (db: Queryable, ids: Keys<number>) => rowsOfKeys(db, SQL.mergesById, ids, toMerge),
    /** Merges recorded, or (undoneAt set) undone. */
    async write(db: Queryable, written: readonly MergeRow[]): Promise<void> {
      const merges = collapse(
        written,
        (m) => pairKey(m.workspaceId, m.id),
        (first, later) => ({ ...first, undoneAt: later.undoneAt }),
      )
      await unnest(db, SQL.mergesUpsert, merges, mergeValues)
    },
    /** spec §7.12: merges erased, with the lists of events and memberships they moved. */
    async remove(
      db: Queryable,
      merges: readonly Readonly<{ workspaceId: string; id: number }>[],
    ): Promise<void> {
      await unnest(db, SQL.mergesDelete, merges, (m) => [m.workspaceId, m.id])
    },
  }
}
