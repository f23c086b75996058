/**
 * The PostgreSQL adapter's processing (Store `processing`): the processor's state (its cursor in
 * `processor_state`, its lease, the failed attempts of records) and the batch commit — one
 * transaction that moves the cursor first (its row lock orders concurrent commits) and has each
 * repository write its part of the BatchChanges in set-based statements, in the order store.ts
 * gives them, once the events' monthly partitions exist. The rows themselves are the
 * repositories'; this module owns the order and the atomicity.
 */
import {
  StoreConflictError,
  type BatchChanges,
  type CommitResult,
  type ProcessingRepo,
} from '../store.js'
import { num } from '../rows.js'
import { rows, transaction, type PostgresConnection } from './connection.js'
import type { PostgresConsent } from './consent.js'
import type { PostgresDevices } from './devices.js'
import type { PostgresEvents } from './events.js'
import type { PostgresIdentities } from './identities.js'
import type { PostgresLog } from './log.js'
import type { PostgresMergeMemberships } from './merge-memberships.js'
import type { PostgresMerges } from './merges.js'
import type { PostgresCards } from './cards.js'
import type { PostgresOutbox } from './outbox.js'
import type { PostgresOutcomes } from './outcomes.js'
import type { PostgresPartitions } from './partitions.js'
import type { PostgresPrivacy } from './privacy.js'
import { postgresSnapshot } from './snapshot.js'
import type { PostgresUsers } from './users.js'

const SQL = {
  cursor: `SELECT value FROM processor_state WHERE name = 'cursor'`,
  // The failed attempts of the records acked here are forgotten in the same round trip.
  moveCursor: `
    WITH forgotten AS (DELETE FROM processor_failures WHERE seq <= $2)
    UPDATE processor_state SET value = $2 WHERE name = 'cursor' AND value = $1`,
  leaseTake: `
    INSERT INTO processor_leases (name, owner, expires_at) VALUES ('processor', $1, $2)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE processor_leases.owner = excluded.owner OR processor_leases.expires_at <= $3
    RETURNING owner`,
  leaseRelease: `DELETE FROM processor_leases WHERE name = 'processor' AND owner = $1`,
  failureRecord: `
    INSERT INTO processor_failures (seq, attempts, last_error, at) VALUES ($1, 1, $2, $3)
    ON CONFLICT (seq) DO UPDATE SET attempts = processor_failures.attempts + 1,
      last_error = excluded.last_error, at = excluded.at
    RETURNING attempts`,
} as const

/** The repositories a batch writes to. */
export type PostgresRepositories = Readonly<{
  log: PostgresLog
  users: PostgresUsers
  devices: PostgresDevices
  events: PostgresEvents
  partitions: PostgresPartitions
  identities: PostgresIdentities
  merges: PostgresMerges
  mergeMemberships: PostgresMergeMemberships
  outcomes: PostgresOutcomes
  privacy: PostgresPrivacy
  consent: PostgresConsent
  outbox: PostgresOutbox
  cards: PostgresCards
}>

export function postgresProcessing(c: PostgresConnection, r: PostgresRepositories): ProcessingRepo {
  const { pool, open } = c
  const loadSnapshot = postgresSnapshot(c, r)

  function commitOnce(b: BatchChanges): Promise<CommitResult> {
    return transaction(pool, 'BEGIN', async (db) => {
      // Moving the cursor first takes its row lock: a concurrent commit from the same cursor
      // waits here, then finds the cursor moved and fails, before writing anything.
      const moved = await db.query(SQL.moveCursor, [b.fromSeq, b.toSeq])
      if (moved.rowCount !== 1) {
        const cursor = num((await rows(db, SQL.cursor, []))[0]?.['value'])
        throw new StoreConflictError(`cursor moved: expected ${b.fromSeq}, found ${cursor}`)
      }
      // Deletions first: a user created later in the batch may take the deleted one's customer id.
      const deletedUsers = b.deletedUsers ?? []
      await r.cards.removeOfUsers(db, deletedUsers)
      await r.users.remove(db, deletedUsers)
      await r.users.schedule(db, b.scheduledDeletions ?? [])
      await r.users.write(db, b.users)
      // Over the users as written: a user made by this batch can be given preferences.
      await r.consent.change(db, b.subscriptionChanges ?? [])
      await r.devices.write(db, b.deletedDevices, b.devices)
      await r.events.write(db, b.events)
      await r.identities.replace(db, b.identityLinks ?? [])
      await r.events.change(db, b.eventChanges ?? [])
      // Event-triggered cards before the merges' moves: a merge later in the batch moves them too.
      const cardMessages = await r.cards.send(db, b.cardSends ?? [])
      await r.mergeMemberships.change(db, b.membershipChanges ?? [])
      await r.cards.carry(db, b.membershipChanges ?? [])
      await r.events.removeOfUsers(db, deletedUsers)
      await r.merges.write(db, b.merges ?? [])
      await r.outcomes.write(db, b.outcomes)
      // spec §7.12: what an erasure removes, after everything else the batch wrote; the log is
      // in this database, so its redactions commit with the rest.
      await r.merges.remove(db, b.deletedMerges ?? [])
      await r.outcomes.redact(db, b.redactedOutcomes ?? [])
      await r.log.redact(db, b.redactedLog ?? [])
      await r.outbox.redact(db, b.redactedOutbox ?? [])
      await r.privacy.write(db, b.suppressions ?? [], b.gdprRequests ?? [])
      return { cardMessages }
    })
  }

  return {
    recordsHolding: (workspaceId, h) =>
      open(async () => ({
        logSeqs: await r.log.seqsHolding(workspaceId, h),
        outcomeSeqs: await r.outcomes.seqsHolding(workspaceId, h.outcomeTokens),
        events: await r.events.countOf(workspaceId, h.userIds),
        outboxMessages: await r.outbox.countHolding(workspaceId, h.customerIds, h.recipients ?? []),
        cards: await r.cards.repo.countOfUsers(workspaceId, h.userIds),
      })),
    cursor: () => open(async () => num((await rows(pool, SQL.cursor, []))[0]?.['value'] ?? 0)),
    loadSnapshot: (records) => open(() => loadSnapshot(records)),
    commit: (changes) =>
      open(() =>
        r.partitions.writing(
          changes.events.map((e) => e.eventTime),
          () => commitOnce(changes),
        ),
      ),
    dueDeletions: (now, limit) => open(() => r.users.dueDeletions(now, limit)),
    acquireLease: (owner, now, ttlMs) =>
      open(async () => (await rows(pool, SQL.leaseTake, [owner, now + ttlMs, now])).length > 0),
    releaseLease: (owner) =>
      open(async () => {
        await pool.query(SQL.leaseRelease, [owner])
      }),
    recordFailure: (seq, error, now) =>
      open(async () =>
        num((await rows(pool, SQL.failureRecord, [seq, error, now]))[0]?.['attempts'] ?? 1),
      ),
    expireEvents: (before) => open(() => r.partitions.expire(before)),
  }
}
