/**
 * The embedded store: the Store interface over two SQLite files (connection.ts), assembled from
 * one repository per domain, each of which owns its tables' statements. This module only puts
 * them together; a new repository is one more line here.
 */
import { profilesOf } from '../profiles.js'
import type { Store } from '../store.js'
import { attempt, openSqlite, type SqliteStoreOptions } from './connection.js'
import { sqliteBrowse } from './browse.js'
import { sqliteConsent } from './consent.js'
import { sqliteCustomSegments } from './custom-segments.js'
import { sqliteSegmentLists } from './segment-lists.js'
import { sqliteDevices } from './devices.js'
import { sqliteEvents } from './events.js'
import { sqliteIdentities } from './identities.js'
import { sqliteKeyRepo } from './keys.js'
import { sqliteSessionRepo } from './sessions.js'
import { sqliteRefusalRepo } from './refusals.js'
import { sqliteAlerts } from './alerts.js'
import { sqliteOutbox } from './outbox.js'
import { startOutboxWriter } from './outbox-writer.js'
import { startStoreCheckpoints } from './checkpointer.js'
import { sqlitePush } from './push.js'
import { sqliteFileImports } from './file-imports.js'
import { sqliteLiveActivities } from './live-activities.js'
import { sqliteCards } from './cards.js'
import { sqliteLog } from './log.js'
import { sqliteMergeMemberships } from './merge-memberships.js'
import { sqliteMerges } from './merges.js'
import { sqliteOutcomes } from './outcomes.js'
import { sqlitePrivacy } from './privacy.js'
import { sqliteProcessing } from './processing.js'
import { sqliteQuotaRepo } from './quotas.js'
import { sqliteSegments } from './segments.js'
import { sqliteUsers } from './users.js'
import { sqliteWorkspaces } from './workspaces.js'

export { migrate, type SqliteStoreOptions } from './connection.js'
export { LOG_WRITER_AUTOCHECKPOINT_PAGES, openSqliteLogAppender } from './log-append.js'

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const c = openSqlite(options)
  // The same domains as postgres-store.ts assembles, alike on purpose: one repository each, in
  // either dialect, each adapter's wiring spelled out where its dialect-specific parts join in.
  const log = sqliteLog(c, () => checkpointer?.checkpointsLog() === true)
  const users = sqliteUsers(c)
  const devices = sqliteDevices(c)
  const events = sqliteEvents(c)
  const identities = sqliteIdentities(c)
  const merges = sqliteMerges(c)
  const outcomes = sqliteOutcomes(c)
  const privacy = sqlitePrivacy(c)
  const consent = sqliteConsent(c)
  const writer =
    options.outboxWriterThread === true && options.dir !== ':memory:'
      ? startOutboxWriter(options.dir, options.durability)
      : undefined
  const checkpointer =
    options.checkpointer !== undefined && options.dir !== ':memory:'
      ? startStoreCheckpoints(c.db, options.dir, options.durability, options.checkpointer.log)
      : undefined
  const outbox = writer === undefined ? sqliteOutbox(c) : sqliteOutbox(c, writer.record)
  const cards = sqliteCards(c, outbox)
  return {
    kind: 'sqlite',
    workspaces: sqliteWorkspaces(c),
    log: log.repo,
    profiles: profilesOf({ users, devices, events, outcomes, merges, privacy }),
    processing: sqliteProcessing(c, {
      log,
      users,
      devices,
      events,
      identities,
      merges,
      mergeMemberships: sqliteMergeMemberships(c),
      outcomes,
      privacy,
      consent,
      outbox,
      cards,
    }),
    quotas: sqliteQuotaRepo(c.db, attempt),
    keys: sqliteKeyRepo(c.db, attempt),
    browse: sqliteBrowse(c),
    consent: consent.repo,
    segments: sqliteSegments(c),
    customSegments: sqliteCustomSegments(c),
    segmentLists: sqliteSegmentLists(c),
    sessions: sqliteSessionRepo(c.db, attempt),
    refusals: sqliteRefusalRepo(c.db, attempt),
    alerts: sqliteAlerts(c),
    outbox: outbox.repo,
    push: sqlitePush(c, writer?.step),
    fileImports: sqliteFileImports(c),
    liveActivities: sqliteLiveActivities(c, outbox),
    cards: cards.repo,
    close: async () => {
      await writer?.close()
      await checkpointer?.close()
      await attempt(c.close)
    },
  }
}
