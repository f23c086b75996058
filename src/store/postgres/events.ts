/**
 * The PostgreSQL adapter's events (the partitioned table `events`; its monthly partitions are
 * partitions.ts's) and the lists of events each merge moved (`merge_events`): a batch's inserts
 * (once per seq), its EventChanges made in SQL in as few statements as their order allows, so
 * that no user's events are ever loaded, counts, and Store `profiles.eventsOfUser`.
 */
import { eventsPageByName } from '../event-pages.js'
import type { ProfileParts } from '../profiles.js'
import type { EventChange, EventCount, EventRow } from '../store.js'
import { eventValues, num, str, toEvent } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import { bySeq, keepFirst, collapse, pairKey, rowsOfKeys, unnest, type Keys } from './unnest.js'
import { jsonColumn } from './unnest.js'

/**
 * inlet export's pages (store/event-pages.ts): the workspace's event names, one index probe each
 * along events_by_name_time (a loose index scan), and one name's next events along it. Exported
 * for bench/explain-events.ts, which records their plans.
 */
export const EXPORT_QUERIES = {
  eventNames: `
    WITH RECURSIVE n(name) AS (
      (SELECT name FROM events WHERE workspace_id = $1 ORDER BY name LIMIT 1)
      UNION ALL
      SELECT (SELECT e.name FROM events e WHERE e.workspace_id = $1 AND e.name > n.name
              ORDER BY e.name LIMIT 1)
      FROM n WHERE n.name IS NOT NULL
    )
    SELECT name FROM n WHERE name IS NOT NULL`,
  eventsOfName: `
    SELECT * FROM events WHERE workspace_id = $1 AND name = $2 AND event_time >= $3
      AND (event_time > $3 OR seq > $4)
    ORDER BY event_time, seq LIMIT $5`,
} as const

const SQL = {
  eventsOfUser: `
    SELECT * FROM events WHERE workspace_id = $1 AND user_id = $2
    ORDER BY event_time DESC, seq DESC LIMIT $3`,
  ...EXPORT_QUERIES,
  eventsInsert: `
    INSERT INTO events (seq, workspace_id, user_id, name, device_id, platform, app_version,
      event_time, user_time, received_at, request_id, attributes)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], ${jsonColumn(12)})
    ON CONFLICT (seq, event_time) DO NOTHING`,
  eventsMove: `
    UPDATE events e SET user_id = k.user_id
    FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(workspace_id, seq, user_id)
    WHERE e.workspace_id = k.workspace_id AND e.seq = k.seq`,
  eventsDelete: `
    DELETE FROM events e USING unnest($1::text[], $2::bigint[]) AS k(workspace_id, seq)
    WHERE e.workspace_id = k.workspace_id AND e.seq = k.seq`,
  // A deleted user's events: after the batch's event changes, which may have given it some.
  usersEventsDelete: `
    DELETE FROM events e USING unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
    WHERE e.workspace_id = k.workspace_id AND e.user_id = k.user_id`,
  // EventChange 'merge', for merges whose users are all distinct: each moves every event of its
  // merged user made before its record, and the merge keeps their seqs.
  eventsMerge: `
    WITH k AS (
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
        AS k(workspace_id, merge_id, from_user, to_user, before_seq)
    ),
    moved AS (
      UPDATE events e SET user_id = k.to_user FROM k
      WHERE e.workspace_id = k.workspace_id AND e.user_id = k.from_user
        AND abs(e.seq) < k.before_seq
      RETURNING e.workspace_id, k.merge_id, e.seq
    )
    INSERT INTO merge_events (workspace_id, merge_id, seq) SELECT * FROM moved
    ON CONFLICT DO NOTHING`,
  // EventChange 'unmerge': the merge's kept events still with the retained user go back.
  eventsUnmerge: `
    WITH forgotten AS (
      DELETE FROM merge_events WHERE workspace_id = $1 AND merge_id = $2 RETURNING seq
    )
    UPDATE events e SET user_id = $4 FROM forgotten f
    WHERE e.workspace_id = $1 AND e.user_id = $3 AND e.seq = f.seq`,
  eventCountsOfUsers: `
    SELECT e.workspace_id, e.user_id, count(*) AS n FROM events e
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON e.workspace_id = k.workspace_id AND e.user_id = k.user_id
    GROUP BY e.workspace_id, e.user_id`,
  eventCount: `
    SELECT count(*) AS n FROM events WHERE workspace_id = $1 AND user_id = ANY($2::text[])`,
} as const

export type PostgresEvents = ReturnType<typeof postgresEvents>

export function postgresEvents({ pool, all }: PostgresConnection) {
  const profiles: ProfileParts['events']['profiles'] = {
    eventsOfUser: (workspaceId, userId, limit) =>
      all(SQL.eventsOfUser, [workspaceId, userId, limit], toEvent),
    eventsPage: async (workspaceId, afterTime, afterSeq, limit) =>
      eventsPageByName(
        await all(SQL.eventNames, [workspaceId], (row) => str(row['name'])),
        (name, time, seq, n) => all(SQL.eventsOfName, [workspaceId, name, time, seq, n], toEvent),
        afterTime,
        afterSeq,
        limit,
      ),
  }

  return {
    profiles,
    /** How many events each of the (workspace, user id) pairs has; users without any are left out. */
    countsOf: (db: Queryable, users: Keys<string>): Promise<EventCount[]> =>
      rowsOfKeys(db, SQL.eventCountsOfUsers, users, (row) => ({
        workspaceId: str(row['workspace_id']),
        userId: str(row['user_id']),
        count: num(row['n']),
      })),
    /** How many events the users of one workspace have together. */
    async countOf(workspaceId: string, userIds: readonly string[]): Promise<number> {
      if (userIds.length === 0) return 0
      return num((await rows(pool, SQL.eventCount, [workspaceId, [...userIds]]))[0]?.['n'] ?? 0)
    },
    /** A batch's new events; a seq already stored is left as it is. */
    async write(db: Queryable, written: readonly EventRow[]): Promise<void> {
      const events = collapse(written, bySeq, keepFirst)
      await unnest(db, SQL.eventsInsert, events, eventValues, [11])
    },
    /** A batch's EventChanges, in order (store.ts EventChange). */
    async change(db: Queryable, changes: readonly EventChange[]): Promise<void> {
      for (const step of eventChangeSteps(changes)) await step(db)
    },
    /** Every event of the users (after the batch's changes, which may have given them some). */
    async removeOfUsers(
      db: Queryable,
      users: readonly Readonly<{ workspaceId: string; userId: string }>[],
    ): Promise<void> {
      await unnest(db, SQL.usersEventsDelete, users, (u) => [u.workspaceId, u.userId])
    },
  }
}

/**
 * A batch's event changes as statements, in order: consecutive merges in one statement as long as
 * no user appears in two of them (a chain A→B, B→C must run in two), consecutive deletions in one,
 * each undo and each listed move on its own.
 */
function eventChangeSteps(
  changes: readonly EventChange[],
): ((db: Queryable) => Promise<unknown>)[] {
  const steps: ((db: Queryable) => Promise<unknown>)[] = []
  let merges: Extract<EventChange, { kind: 'merge' }>[] = []
  let mergedUsers = new Set<string>()
  let deletions: Extract<EventChange, { kind: 'delete' }>[] = []
  const flush = (): void => {
    if (merges.length > 0) {
      const group = merges
      steps.push((db) =>
        db.query(SQL.eventsMerge, [
          group.map((m) => m.workspaceId),
          group.map((m) => m.mergeId),
          group.map((m) => m.fromUserId),
          group.map((m) => m.toUserId),
          group.map((m) => m.beforeSeq),
        ]),
      )
      merges = []
      mergedUsers = new Set()
    }
    if (deletions.length > 0) {
      const group = deletions
      steps.push((db) =>
        db.query(SQL.eventsDelete, [group.map((d) => d.workspaceId), group.map((d) => d.seq)]),
      )
      deletions = []
    }
  }
  for (const e of changes) {
    switch (e.kind) {
      case 'merge': {
        const users = [pairKey(e.workspaceId, e.fromUserId), pairKey(e.workspaceId, e.toUserId)]
        if (deletions.length > 0 || users.some((u) => mergedUsers.has(u))) flush()
        merges.push(e)
        for (const u of users) mergedUsers.add(u)
        break
      }
      case 'delete':
        if (merges.length > 0) flush()
        deletions.push(e)
        break
      case 'unmerge':
        flush()
        // A join of the merge's list with the retained user's events: by hash, whatever the
        // statistics say. Lists written in this very transaction have none, and a nested loop
        // over an underestimated list scans the user's events once per moved event (minutes
        // for 100,000 events, against a second).
        steps.push(async (db) => {
          await db.query('SET LOCAL enable_nestloop = off')
          await db.query(SQL.eventsUnmerge, [e.workspaceId, e.mergeId, e.fromUserId, e.toUserId])
          await db.query('SET LOCAL enable_nestloop TO DEFAULT')
        })
        break
      case 'move':
        flush()
        steps.push((db) =>
          db.query(SQL.eventsMove, [
            e.seqs.map(() => e.workspaceId),
            [...e.seqs],
            e.seqs.map(() => e.toUserId),
          ]),
        )
        break
    }
  }
  flush()
  return steps
}
