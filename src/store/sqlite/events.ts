/**
 * The SQLite adapter's events (table `events` of store.db) and the lists of events each merge
 * moved (`merge_events`): a batch's inserts (once per seq), its EventChanges made in SQL so that no
 * user's events are ever loaded, counts, retention by whole months, and Store
 * `profiles.eventsOfUser`.
 */
import type { ProfileParts } from '../profiles.js'
import type { EventChange, EventRow } from '../store.js'
import { eventValues, num, toEvent, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteEvents = ReturnType<typeof sqliteEvents>

export function sqliteEvents({ db }: SqliteConnection) {
  const q = {
    eventInsert: db.prepare(
      `INSERT OR IGNORE INTO events (seq, workspace_id, user_id, name, device_id, platform,
         app_version, event_time, user_time, received_at, request_id, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventsOfUser: db.prepare(
      `SELECT * FROM events WHERE workspace_id = ? AND user_id = ?
       ORDER BY event_time DESC, seq DESC LIMIT ?`,
    ),
    // events_by_workspace_time holds seq too (the rowid): the page is one index range.
    eventsPage: db.prepare(
      `SELECT * FROM events WHERE workspace_id = ? AND event_time >= ?
         AND (event_time > ? OR seq > ?)
       ORDER BY event_time, seq LIMIT ?`,
    ),
    eventCountOfUser: db
      .prepare('SELECT count(*) FROM events WHERE workspace_id = ? AND user_id = ?')
      .pluck(),
    userEventsDelete: db.prepare('DELETE FROM events WHERE workspace_id = ? AND user_id = ?'),
    // EventChange 'merge': the moved events' seqs are kept first, then the events move.
    mergeEventsKeep: db.prepare(
      `INSERT OR IGNORE INTO merge_events (workspace_id, merge_id, seq)
       SELECT workspace_id, ?, seq FROM events
       WHERE workspace_id = ? AND user_id = ? AND abs(seq) < ?`,
    ),
    mergeEventsMove: db.prepare(
      `UPDATE events SET user_id = ?
       WHERE workspace_id = ? AND user_id = ? AND abs(seq) < ?`,
    ),
    // EventChange 'unmerge': the kept events still with the retained user go back, then the list.
    unmergeEventsMove: db.prepare(
      `UPDATE events SET user_id = ?
       WHERE workspace_id = ? AND user_id = ?
         AND seq IN (SELECT seq FROM merge_events WHERE workspace_id = ? AND merge_id = ?)`,
    ),
    mergeEventsForget: db.prepare(
      'DELETE FROM merge_events WHERE workspace_id = ? AND merge_id = ?',
    ),
    eventMove: db.prepare('UPDATE events SET user_id = ? WHERE workspace_id = ? AND seq = ?'),
    eventDelete: db.prepare('DELETE FROM events WHERE workspace_id = ? AND seq = ?'),
    eventsExpire: db.prepare('DELETE FROM events WHERE event_time < ?'),
  }

  const profiles: ProfileParts['events']['profiles'] = {
    eventsOfUser: (workspaceId, userId, limit) =>
      attempt(() => (q.eventsOfUser.all(workspaceId, userId, limit) as Row[]).map(toEvent)),
    eventsPage: (workspaceId, afterTime, afterSeq, limit) =>
      attempt(() =>
        (q.eventsPage.all(workspaceId, afterTime, afterTime, afterSeq, limit) as Row[]).map(
          toEvent,
        ),
      ),
  }

  return {
    profiles,
    /** How many events the user has. */
    countOf: (workspaceId: string, userId: string): number =>
      num(q.eventCountOfUser.get(workspaceId, userId)),
    /** A batch's new events; a seq already stored is left as it is. */
    write(events: readonly EventRow[]): void {
      for (const e of events) q.eventInsert.run(...eventValues(e))
    },
    /** A batch's EventChanges, in order (store.ts EventChange). */
    change(changes: readonly EventChange[]): void {
      for (const e of changes) {
        switch (e.kind) {
          case 'merge':
            q.mergeEventsKeep.run(e.mergeId, e.workspaceId, e.fromUserId, e.beforeSeq)
            q.mergeEventsMove.run(e.toUserId, e.workspaceId, e.fromUserId, e.beforeSeq)
            break
          case 'unmerge':
            q.unmergeEventsMove.run(
              e.toUserId,
              e.workspaceId,
              e.fromUserId,
              e.workspaceId,
              e.mergeId,
            )
            q.mergeEventsForget.run(e.workspaceId, e.mergeId)
            break
          case 'move':
            for (const seq of e.seqs) q.eventMove.run(e.toUserId, e.workspaceId, seq)
            break
          case 'delete':
            q.eventDelete.run(e.workspaceId, e.seq)
            break
        }
      }
    },
    removeOfUser(workspaceId: string, userId: string): void {
      q.userEventsDelete.run(workspaceId, userId)
    },
    /** Forgets which events a merge moved (the merge is erased). */
    forgetMerge(workspaceId: string, mergeId: number): void {
      q.mergeEventsForget.run(workspaceId, mergeId)
    },
    /** Removes the events of every UTC month that ended before the month of `before` began. */
    expire(before: number): void {
      const d = new Date(before)
      q.eventsExpire.run(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
    },
  }
}
