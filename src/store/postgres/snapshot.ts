/**
 * The PostgreSQL adapter's batch snapshot (Store `processing.loadSnapshot`): runs the lookups for
 * what snapshot-rules.ts says a batch needs, through the repositories of the rows it loads, in one
 * REPEATABLE READ snapshot and a fixed number of round trips whatever the number of records —
 * first what the records name (users by customer id or internal id or identity value, merges,
 * devices), then what those rows lead to (the users of merges, the devices and event counts of
 * users). It decides nothing about which rows a record kind needs.
 */
import type {
  BatchSnapshot,
  DeviceRow,
  EventCount,
  IdentityLink,
  LogRecord,
  MergeRow,
  UserRow,
} from '../store.js'
import { snapshotNeeds } from '../snapshot-rules.js'
import { transaction, type PostgresConnection } from './connection.js'
import type { PostgresDevices } from './devices.js'
import type { PostgresEvents } from './events.js'
import type { PostgresIdentities } from './identities.js'
import type { PostgresMerges } from './merges.js'
import { pairKey, Pairs } from './unnest.js'
import type { PostgresUsers } from './users.js'

export type SnapshotSources = Readonly<{
  users: PostgresUsers
  devices: PostgresDevices
  events: PostgresEvents
  identities: PostgresIdentities
  merges: PostgresMerges
}>

export function postgresSnapshot(
  { pool }: PostgresConnection,
  { users: userRows, devices: deviceRows, events, identities, merges: mergeRows }: SnapshotSources,
): (records: readonly LogRecord[]) => Promise<BatchSnapshot> {
  // One snapshot for all the reads, as the SQLite adapter's read transaction gives.
  return (records) =>
    transaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (db) => {
      const needs = snapshotNeeds(records)
      const customers = new Map(
        needs.customers.map((c) => [pairKey(c.workspaceId, c.customerId), c]),
      )
      const users = new Map<string, UserRow>()
      const devices = new Map<string, DeviceRow>()
      const withDevices = new Pairs<string>() // (workspace, user id)
      const withEvents = new Pairs<string>()
      const addUser = (user: UserRow): void => {
        users.set(pairKey(user.workspaceId, user.id), user)
      }
      const addDevice = (device: DeviceRow): void => {
        devices.set(pairKey(device.workspaceId, device.deviceId), device)
      }

      if (needs.customers.length > 0) {
        for (const user of await userRows.byCustomer(
          db,
          needs.customers.map((c) => c.workspaceId),
          needs.customers.map((c) => c.customerId),
        )) {
          addUser(user)
          const need = customers.get(pairKey(user.workspaceId, user.customerId ?? ''))
          if (need?.devices === true) withDevices.add(user.workspaceId, user.id)
          if (need?.events === true) withEvents.add(user.workspaceId, user.id)
        }
      }
      if (needs.userIds.length > 0) {
        const found = await userRows.byId(
          db,
          needs.userIds.map((u) => u.workspaceId),
          needs.userIds.map((u) => u.userId),
        )
        for (const user of found) addUser(user)
      }
      if (needs.identities.length > 0) {
        for (const user of await identities.holders(db, needs.identities)) {
          addUser(user)
          withDevices.add(user.workspaceId, user.id)
          withEvents.add(user.workspaceId, user.id)
        }
      }
      const mergesById = new Map<string, MergeRow>()
      if (needs.mergeIds.length > 0) {
        const mergeIds = new Pairs<number>()
        for (const m of needs.mergeIds) mergeIds.add(m.workspaceId, m.mergeId)
        const byId = new Pairs<string>()
        for (const merge of await mergeRows.byId(db, mergeIds.workspaceIds, mergeIds.keys)) {
          mergesById.set(pairKey(merge.workspaceId, merge.id), merge)
          byId.add(merge.workspaceId, merge.retainedUserId)
          byId.add(merge.workspaceId, merge.mergedUserId)
        }
        if (byId.size > 0) {
          for (const user of await userRows.byId(db, byId.workspaceIds, byId.keys)) {
            addUser(user)
            withDevices.add(user.workspaceId, user.id)
          }
        }
      }
      if (needs.deviceIds.length > 0) {
        const found = await deviceRows.byId(
          db,
          needs.deviceIds.map((d) => d.workspaceId),
          needs.deviceIds.map((d) => d.deviceId),
        )
        for (const device of found) addDevice(device)
      }
      if (withDevices.size > 0) {
        const found = await deviceRows.ofUsers(db, withDevices.workspaceIds, withDevices.keys)
        for (const device of found) addDevice(device)
      }
      // How many events each user that may be merged away has (one row per user, never its events).
      const eventCounts: EventCount[] =
        withEvents.size > 0
          ? await events.countsOf(db, withEvents.workspaceIds, withEvents.keys)
          : []
      // One per naming record, in record order (snapshot-rules.ts).
      const merges: MergeRow[] = []
      for (const m of needs.mergeIds) {
        const merge = mergesById.get(pairKey(m.workspaceId, m.mergeId))
        if (merge !== undefined) merges.push(merge)
      }
      const identityLinks: IdentityLink[] =
        needs.identityLinks && users.size > 0
          ? await identities.linksOf(db, [...users.values()])
          : []
      return {
        users: [...users.values()],
        devices: [...devices.values()],
        eventCounts,
        merges,
        ...(needs.identityLinks ? { identityLinks } : {}),
      }
    })
}
