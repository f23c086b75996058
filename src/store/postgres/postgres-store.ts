/**
 * The PostgreSQL store: the Store interface over one `pg.Pool` (connection.ts), for deployments
 * that outgrow one machine's SQLite files, assembled from one repository per domain, each of which
 * owns its tables' SQL in this dialect. Storage semantics are the contract's
 * (test/store/contract.ts), shared with the SQLite adapter. This module only puts the
 * repositories together; a new repository is one more line here.
 *
 * Round trips are what cost here, so each operation is a few set-based statements (arrays through
 * `unnest`, unnest.ts) whatever the number of rows: an append is one statement, a batch commit
 * about ten.
 */
import { profilesOf } from '../profiles.js'
import type { Store } from '../store.js'
import { openPostgres, transaction, type PostgresStoreOptions } from './connection.js'
import { postgresDevices } from './devices.js'
import { postgresEvents } from './events.js'
import { postgresIdentities } from './identities.js'
import { postgresKeyRepo } from './keys.js'
import { postgresLog } from './log.js'
import { postgresBrowse } from './browse.js'
import { postgresConsent } from './consent.js'
import { postgresCustomSegments } from './custom-segments.js'
import { postgresSegmentLists } from './segment-lists.js'
import { postgresSessionRepo } from './sessions.js'
import { postgresRefusalRepo } from './refusals.js'
import { postgresAlerts } from './alerts.js'
import { postgresOutbox } from './outbox.js'
import { postgresPush } from './push.js'
import { postgresFileImports } from './file-imports.js'
import { postgresMergeMemberships } from './merge-memberships.js'
import { postgresLiveActivities } from './live-activities.js'
import { postgresCards } from './cards.js'
import { postgresMerges } from './merges.js'
import { postgresOutcomes } from './outcomes.js'
import { postgresPartitions } from './partitions.js'
import { postgresQuotaRepo } from './quotas.js'
import { postgresPrivacy } from './privacy.js'
import { postgresSegments } from './segments.js'
import { postgresProcessing } from './processing.js'
import { postgresUsers } from './users.js'
import { postgresWorkspaces } from './workspaces.js'

export { migrate, type PostgresStoreOptions } from './connection.js'
export { monthStart, partitionName } from './partitions.js'

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const c = await openPostgres(options)
  // The same domains as sqlite-store.ts assembles, alike on purpose: one repository each, in
  // either dialect, each adapter's wiring spelled out where its dialect-specific parts join in.
  const log = postgresLog(c)
  const users = postgresUsers(c)
  const devices = postgresDevices(c)
  const events = postgresEvents(c)
  const partitions = postgresPartitions(c)
  const identities = postgresIdentities()
  const merges = postgresMerges(c)
  const outcomes = postgresOutcomes(c)
  const privacy = postgresPrivacy(c)
  const consent = postgresConsent(c)
  const outbox = postgresOutbox(c)
  const cards = postgresCards(c)
  return {
    kind: 'postgres',
    workspaces: postgresWorkspaces(c),
    log: log.repo,
    profiles: profilesOf({ users, devices, events, outcomes, merges, privacy }),
    processing: postgresProcessing(c, {
      log,
      users,
      devices,
      events,
      partitions,
      identities,
      merges,
      mergeMemberships: postgresMergeMemberships(),
      outcomes,
      privacy,
      consent,
      outbox,
      cards,
    }),
    quotas: postgresQuotaRepo(c.pool, c.open, (fn) => transaction(c.pool, 'BEGIN', fn)),
    keys: postgresKeyRepo(c.pool, c.open),
    browse: postgresBrowse(c),
    consent: consent.repo,
    segments: postgresSegments(c),
    customSegments: postgresCustomSegments(c),
    segmentLists: postgresSegmentLists(c),
    sessions: postgresSessionRepo(c),
    refusals: postgresRefusalRepo(c),
    alerts: postgresAlerts(c),
    outbox: outbox.repo,
    push: postgresPush(c, outbox),
    fileImports: postgresFileImports(c),
    liveActivities: postgresLiveActivities(c),
    cards: cards.repo,
    close: c.close,
  }
}
