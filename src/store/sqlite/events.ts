/**
 * The SQLite adapter's events (table `events` of store.db) and the lists of events each merge
 * moved (`merge_events`): a batch's inserts (once per seq), its EventChanges made in SQL so that no
 * user's events are ever loaded, counts, retention by whole months, and Store
 * `profiles.eventsOfUser`. An event names its user and its name by number (migration 37): a
 * user's number is in `user_nums`, a name's in `event_names`, each assigned by `write` the first
 * time it meets them; a user's goes with its events when it is deleted (SQLite may then give the
 * number again: nothing holds it any more). Every read maps them back to the text the API speaks.
 */
import { eventsPageByName } from '../event-pages.js'
import type { ProfileParts } from '../profiles.js'
import type { EventChange, EventRow } from '../store.js'
import { eventValues, num, toEvent, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteEvents = ReturnType<typeof sqliteEvents>

/**
 * Events as EventRows read them (`e`, with its user and name as text): FROM and the columns.
 * CROSS JOIN keeps the events first, as the statements that use it search them.
 */
export const EVENT_ROWS = `SELECT e.seq, e.workspace_id, u.user_id, n.name, e.device_id, e.platform,
    e.app_version, e.event_time, e.user_time, e.received_at, e.request_id, e.attributes
  FROM events e CROSS JOIN user_nums u ON u.num = e.user_num
    CROSS JOIN event_names n ON n.num = e.name_num`

/** The number of the user (workspace_id = ?, user_id = ?); NULL when it has no events. */
export const USER_NUM = '(SELECT num FROM user_nums WHERE workspace_id = ? AND user_id = ?)'

export function sqliteEvents({ db }: SqliteConnection) {
  const q = {
    eventInsert: db.prepare(
      `INSERT OR IGNORE INTO events (seq, workspace_id, user_num, name_num, device_id, platform,
         app_version, event_time, user_time, received_at, request_id, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    userNum: db.prepare('SELECT num FROM user_nums WHERE workspace_id = ? AND user_id = ?').pluck(),
    userNumAdd: db.prepare('INSERT INTO user_nums (workspace_id, user_id) VALUES (?, ?)'),
    userNumDrop: db.prepare('DELETE FROM user_nums WHERE num = ?'),
    nameNum: db.prepare('SELECT num FROM event_names WHERE workspace_id = ? AND name = ?').pluck(),
    nameNumAdd: db.prepare('INSERT INTO event_names (workspace_id, name) VALUES (?, ?)'),
    eventsOfUser: db.prepare(
      `${EVENT_ROWS} WHERE e.user_num = ${USER_NUM}
       ORDER BY e.event_time DESC, e.seq DESC LIMIT ?`,
    ),
    // inlet export's pages (store/event-pages.ts): the workspace's names, and one name's next
    // events along events_by_name_time.
    namesOf: db.prepare('SELECT num FROM event_names WHERE workspace_id = ?').pluck(),
    eventsOfName: db.prepare(
      `${EVENT_ROWS} WHERE e.name_num = ? AND e.event_time >= ?
         AND (e.event_time > ? OR e.seq > ?)
       ORDER BY e.event_time, e.seq LIMIT ?`,
    ),
    eventCountOfUser: db.prepare('SELECT count(*) FROM events WHERE user_num = ?').pluck(),
    userEventsDelete: db.prepare('DELETE FROM events WHERE user_num = ?'),
    // EventChange 'merge': the moved events' seqs are kept first, then the events move.
    mergeEventsKeep: db.prepare(
      `INSERT OR IGNORE INTO merge_events (workspace_id, merge_id, seq)
       SELECT workspace_id, ?, seq FROM events WHERE user_num = ? AND abs(seq) < ?`,
    ),
    mergeEventsMove: db.prepare(
      'UPDATE events SET user_num = ? WHERE user_num = ? AND abs(seq) < ?',
    ),
    // EventChange 'unmerge': the kept events still with the retained user go back, then the list.
    unmergeEventsMove: db.prepare(
      `UPDATE events SET user_num = ?
       WHERE user_num = ?
         AND seq IN (SELECT seq FROM merge_events WHERE workspace_id = ? AND merge_id = ?)`,
    ),
    mergeEventsForget: db.prepare(
      'DELETE FROM merge_events WHERE workspace_id = ? AND merge_id = ?',
    ),
    eventMove: db.prepare('UPDATE events SET user_num = ? WHERE workspace_id = ? AND seq = ?'),
    eventDelete: db.prepare('DELETE FROM events WHERE workspace_id = ? AND seq = ?'),
    eventsExpire: db.prepare('DELETE FROM events WHERE event_time < ?'),
  }

  /**
   * The numbers met in the batch being committed, so that a user's or a name's is looked up once
   * a batch; cleared when a batch begins, so that none outlives a transaction rolled back.
   */
  const userNums = new Map<string, number>()
  const nameNums = new Map<string, number>()

  /** The user's number, if it has one. */
  function userNumOf(workspaceId: string, userId: string): number | undefined {
    const key = `${workspaceId}\u0000${userId}`
    const known = userNums.get(key)
    if (known !== undefined) return known
    const found = q.userNum.get(workspaceId, userId) as number | undefined
    if (found !== undefined) userNums.set(key, found)
    return found
  }

  /** The user's number, given one now if it has none. */
  function userNumFor(workspaceId: string, userId: string): number {
    const found = userNumOf(workspaceId, userId)
    if (found !== undefined) return found
    const n = Number(q.userNumAdd.run(workspaceId, userId).lastInsertRowid)
    userNums.set(`${workspaceId}\u0000${userId}`, n)
    return n
  }

  function nameNumFor(workspaceId: string, name: string): number {
    const key = `${workspaceId}\u0000${name}`
    const known = nameNums.get(key)
    if (known !== undefined) return known
    const n =
      (q.nameNum.get(workspaceId, name) as number | undefined) ??
      Number(q.nameNumAdd.run(workspaceId, name).lastInsertRowid)
    nameNums.set(key, n)
    return n
  }

  const profiles: ProfileParts['events']['profiles'] = {
    eventsOfUser: (workspaceId, userId, limit) =>
      attempt(() => (q.eventsOfUser.all(workspaceId, userId, limit) as Row[]).map(toEvent)),
    eventsPage: async (workspaceId, afterTime, afterSeq, limit) =>
      eventsPageByName(
        await attempt(() => q.namesOf.all(workspaceId) as number[]),
        (name, time, seq, n) =>
          attempt(() => (q.eventsOfName.all(name, time, time, seq, n) as Row[]).map(toEvent)),
        afterTime,
        afterSeq,
        limit,
      ),
  }

  return {
    profiles,
    /** Forgets the numbers met by the batch before, whether it committed or not. */
    beginBatch(): void {
      userNums.clear()
      nameNums.clear()
    },
    /** How many events the user has. */
    countOf: (workspaceId: string, userId: string): number => {
      const n = userNumOf(workspaceId, userId)
      return n === undefined ? 0 : num(q.eventCountOfUser.get(n))
    },
    /** A batch's new events; a seq already stored is left as it is. */
    write(events: readonly EventRow[]): void {
      for (const e of events) {
        // eventValues' columns are EVENTS' (rows.ts): the user and the name are the 3rd and 4th.
        const values = eventValues(e)
        values[2] = userNumFor(e.workspaceId, e.userId)
        values[3] = nameNumFor(e.workspaceId, e.name)
        q.eventInsert.run(...values)
      }
    },
    /** A batch's EventChanges, in order (store.ts EventChange). */
    change(changes: readonly EventChange[]): void {
      for (const e of changes) {
        switch (e.kind) {
          case 'merge': {
            const from = userNumOf(e.workspaceId, e.fromUserId)
            if (from === undefined) break // no events to move
            const to = userNumFor(e.workspaceId, e.toUserId)
            q.mergeEventsKeep.run(e.mergeId, from, e.beforeSeq)
            q.mergeEventsMove.run(to, from, e.beforeSeq)
            break
          }
          case 'unmerge': {
            const from = userNumOf(e.workspaceId, e.fromUserId)
            if (from !== undefined) {
              const to = userNumFor(e.workspaceId, e.toUserId)
              q.unmergeEventsMove.run(to, from, e.workspaceId, e.mergeId)
            }
            q.mergeEventsForget.run(e.workspaceId, e.mergeId)
            break
          }
          case 'move': {
            const to = userNumFor(e.workspaceId, e.toUserId)
            for (const seq of e.seqs) q.eventMove.run(to, e.workspaceId, seq)
            break
          }
          case 'delete':
            q.eventDelete.run(e.workspaceId, e.seq)
            break
        }
      }
    },
    /** Removes the user's events, and its number. */
    removeOfUser(workspaceId: string, userId: string): void {
      const n = userNumOf(workspaceId, userId)
      if (n === undefined) return
      q.userEventsDelete.run(n)
      q.userNumDrop.run(n)
      userNums.delete(`${workspaceId}\u0000${userId}`)
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
