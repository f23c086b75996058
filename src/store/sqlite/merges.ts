/**
 * The SQLite adapter's merge log (table `merges` of store.db): merges by id for snapshots, a
 * batch's merges recorded, undone or erased, and Store `profiles.merge` / `mergesOfUsers`. Which
 * events a merge moved is events.ts's (`merge_events`).
 */
import type { ProfileParts } from '../profiles.js'
import type { MergeRow } from '../store.js'
import { mergeValues, toMerge, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteMerges = ReturnType<typeof sqliteMerges>

export function sqliteMerges({ db }: SqliteConnection) {
  const q = {
    mergeGet: db.prepare('SELECT * FROM merges WHERE workspace_id = ? AND id = ?'),
    mergeUpsert: db.prepare(
      `INSERT INTO merges (workspace_id, id, request_id, retained_user_id, merged_user_id, at,
         before, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET undone_at = excluded.undone_at`,
    ),
    mergesByRetained: db.prepare(
      'SELECT * FROM merges INDEXED BY merges_by_retained WHERE workspace_id = ? AND retained_user_id = ? ORDER BY id',
    ),
    mergesByMerged: db.prepare(
      'SELECT * FROM merges INDEXED BY merges_by_merged WHERE workspace_id = ? AND merged_user_id = ? ORDER BY id',
    ),
    mergeDelete: db.prepare('DELETE FROM merges WHERE workspace_id = ? AND id = ?'),
  }
  const get = (workspaceId: string, id: number): MergeRow | undefined => {
    const row = q.mergeGet.get(workspaceId, id) as Row | undefined
    return row === undefined ? undefined : toMerge(row)
  }

  const profiles: ProfileParts['merges']['profiles'] = {
    merge: (workspaceId, id) => attempt(() => get(workspaceId, id)),
    mergesOfUsers: (workspaceId, userIds) =>
      attempt(() => {
        const found = new Map<number, MergeRow>()
        for (const id of userIds) {
          for (const query of [q.mergesByRetained, q.mergesByMerged]) {
            for (const row of query.all(workspaceId, id) as Row[]) {
              const m = toMerge(row)
              found.set(m.id, m)
            }
          }
        }
        return [...found.values()].sort((a, b) => a.id - b.id)
      }),
  }

  return {
    profiles,
    get,
    /** Merges recorded, or (undoneAt set) undone. */
    write(merges: readonly MergeRow[]): void {
      for (const m of merges) q.mergeUpsert.run(...mergeValues(m))
    },
    remove(workspaceId: string, id: number): void {
      q.mergeDelete.run(workspaceId, id)
    },
  }
}
