/**
 * The SQLite adapter's processing (Store `processing`): the processor's state in store.db (its
 * cursor in `processor_state`, its lease, the failed attempts of records) and the batch commit —
 * one IMMEDIATE transaction that checks and moves the cursor and has each repository write its
 * part of the BatchChanges, in the order store.ts gives them. The rows themselves are the
 * repositories'; this module owns the order and the atomicity.
 */
import {
  StoreConflictError,
  type BatchChanges,
  type CommitResult,
  type ProcessingRepo,
} from '../store.js'
import { num } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'
import type { SqliteConsent } from './consent.js'
import type { SqliteDevices } from './devices.js'
import type { SqliteEvents } from './events.js'
import type { SqliteIdentities } from './identities.js'
import type { SqliteLog } from './log.js'
import type { SqliteMergeMemberships } from './merge-memberships.js'
import type { SqliteMerges } from './merges.js'
import type { SqliteOutbox } from './outbox.js'
import type { SqliteCards } from './cards.js'
import type { SqliteOutcomes } from './outcomes.js'
import type { SqlitePrivacy } from './privacy.js'
import { sqliteSnapshot } from './snapshot.js'
import type { SqliteUsers } from './users.js'

/** The repositories a batch writes to. */
export type SqliteRepositories = Readonly<{
  log: SqliteLog
  users: SqliteUsers
  devices: SqliteDevices
  events: SqliteEvents
  identities: SqliteIdentities
  merges: SqliteMerges
  mergeMemberships: SqliteMergeMemberships
  outcomes: SqliteOutcomes
  privacy: SqlitePrivacy
  consent: SqliteConsent
  outbox: SqliteOutbox
  cards: SqliteCards
}>

export function sqliteProcessing(c: SqliteConnection, r: SqliteRepositories): ProcessingRepo {
  const { db } = c
  const q = {
    cursorGet: db.prepare("SELECT value FROM processor_state WHERE name = 'cursor'").pluck(),
    cursorSet: db.prepare("UPDATE processor_state SET value = ? WHERE name = 'cursor'"),
    failuresForget: db.prepare('DELETE FROM processor_failures WHERE seq <= ?'),
    failureRecord: db
      .prepare(
        `INSERT INTO processor_failures (seq, attempts, last_error, at) VALUES (?, 1, ?, ?)
         ON CONFLICT (seq) DO UPDATE SET attempts = attempts + 1,
           last_error = excluded.last_error, at = excluded.at
         RETURNING attempts`,
      )
      .pluck(),
    leaseTake: db
      .prepare(
        `INSERT INTO processor_leases (name, owner, expires_at) VALUES ('processor', ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE processor_leases.owner = excluded.owner OR processor_leases.expires_at <= ?
         RETURNING owner`,
      )
      .pluck(),
    leaseRelease: db.prepare("DELETE FROM processor_leases WHERE name = 'processor' AND owner = ?"),
  }
  const loadSnapshot = sqliteSnapshot(c, r)

  const commit = db.transaction((b: BatchChanges): CommitResult => {
    r.events.beginBatch()
    const cursor = num(q.cursorGet.get())
    if (cursor !== b.fromSeq) {
      throw new StoreConflictError(`cursor moved: expected ${b.fromSeq}, found ${cursor}`)
    }
    // Deletions first: a user created later in the batch may take the deleted one's customer id.
    // (Their events go after the batch's event changes, below.)
    const deletedUsers = b.deletedUsers ?? []
    for (const u of deletedUsers) {
      r.devices.removeOfUser(u.workspaceId, u.userId)
      r.identities.removeOfUser(u.workspaceId, u.userId)
      r.cards.removeOfUser(u.workspaceId, u.userId)
      r.users.remove(u)
    }
    r.users.write(b.users)
    // Over the users as written: a user made by this batch can be given preferences.
    r.consent.change(b.subscriptionChanges ?? [])
    r.devices.write(b.deletedDevices, b.devices)
    r.events.write(b.events)
    r.users.schedule(b.scheduledDeletions ?? [])
    r.identities.replace(b.identityLinks ?? [])
    r.events.change(b.eventChanges ?? [])
    // Event-triggered cards before the merges' moves: a merge later in the batch moves them too.
    const cardMessages = r.cards.send(b.cardSends ?? [])
    r.mergeMemberships.change(b.membershipChanges ?? [])
    r.cards.carry(b.membershipChanges ?? [])
    // A deleted user's events, those the batch's changes gave it included.
    for (const u of deletedUsers) r.events.removeOfUser(u.workspaceId, u.userId)
    r.merges.write(b.merges ?? [])
    r.outcomes.write(b.outcomes)
    // spec §7.12: what an erasure removes, after everything else the batch wrote.
    for (const m of b.deletedMerges ?? []) {
      r.merges.remove(m.workspaceId, m.id)
      r.events.forgetMerge(m.workspaceId, m.id)
      r.mergeMemberships.forgetMerge(m.workspaceId, m.id)
    }
    r.outcomes.redact(b.redactedOutcomes ?? [])
    r.log.queueRedactions(b.redactedLog ?? [])
    r.outbox.redact(b.redactedOutbox ?? [])
    r.privacy.write(b.suppressions ?? [], b.gdprRequests ?? [])
    q.cursorSet.run(b.toSeq)
    q.failuresForget.run(b.toSeq)
    return { cardMessages }
  })

  return {
    cursor: () => attempt(() => num(q.cursorGet.get())),
    dueDeletions: (now, limit) => attempt(() => r.users.dueDeletions(now, limit)),
    loadSnapshot: (records) => attempt(() => loadSnapshot(records)),
    recordsHolding: (workspaceId, h) =>
      attempt(() => {
        const logSeqs = r.log.seqsHolding(workspaceId, h)
        const outcomeSeqs = r.outcomes.seqsHolding(workspaceId, h.outcomeTokens)
        let events = 0
        for (const id of h.userIds) events += r.events.countOf(workspaceId, id)
        const order = (a: number, b: number): number => a - b
        return {
          logSeqs: [...logSeqs].sort(order),
          outcomeSeqs: [...outcomeSeqs].sort(order),
          events,
          outboxMessages: r.outbox.countHolding(workspaceId, h.customerIds, h.recipients ?? []),
          cards: r.cards.countOfUsers(workspaceId, h.userIds),
        }
      }),
    commit: (changes) =>
      attempt(() => {
        const result = commit.immediate(changes)
        if ((changes.redactedLog ?? []).length > 0) r.log.flushRedactions()
        return result
      }),
    acquireLease: (owner, now, ttlMs) =>
      attempt(() => q.leaseTake.get(owner, now + ttlMs, now) !== undefined),
    releaseLease: (owner) =>
      attempt(() => {
        q.leaseRelease.run(owner)
      }),
    recordFailure: (seq, error, now) => attempt(() => num(q.failureRecord.get(seq, error, now))),
    expireEvents: (before) => attempt(() => r.events.expire(before)),
  }
}
