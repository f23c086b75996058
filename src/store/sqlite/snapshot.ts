/**
 * The SQLite adapter's batch snapshot (Store `processing.loadSnapshot`): runs, in one read
 * transaction of store.db, the lookups for what snapshot-rules.ts says a batch needs, through the
 * repositories of the rows it loads. It decides nothing about which rows a record kind needs.
 */
import type {
  BatchSnapshot,
  DeviceRow,
  EventCount,
  LogRecord,
  MergeRow,
  UserRow,
} from '../store.js'
import { snapshotNeeds } from '../snapshot-rules.js'
import type { SqliteConnection } from './connection.js'
import type { SqliteDevices } from './devices.js'
import type { SqliteEvents } from './events.js'
import type { SqliteIdentities } from './identities.js'
import type { SqliteMerges } from './merges.js'
import type { SqliteUsers } from './users.js'

export type SnapshotSources = Readonly<{
  users: SqliteUsers
  devices: SqliteDevices
  events: SqliteEvents
  identities: SqliteIdentities
  merges: SqliteMerges
}>

export function sqliteSnapshot(
  { db }: SqliteConnection,
  { users: userRows, devices: deviceRows, events, identities, merges: mergeRows }: SnapshotSources,
): (records: readonly LogRecord[]) => BatchSnapshot {
  return db.transaction((records: readonly LogRecord[]): BatchSnapshot => {
    const needs = snapshotNeeds(records)
    const users = new Map<string, UserRow>()
    const devices = new Map<string, DeviceRow>()
    const eventCounts = new Map<string, EventCount>()
    const withDevices = new Set<string>()
    const counted = new Set<string>()
    const addDevice = (device: DeviceRow | undefined): void => {
      if (device !== undefined) devices.set(`${device.workspaceId}\u0000${device.deviceId}`, device)
    }
    /** A user found, with all its devices and how many events it has where asked for. */
    const addUser = (user: UserRow | undefined, allDevices: boolean, count: boolean): void => {
      if (user === undefined) return
      const key = `${user.workspaceId}\u0000${user.id}`
      users.set(key, user)
      if (allDevices && !withDevices.has(key)) {
        withDevices.add(key)
        for (const d of deviceRows.ofUser(user.workspaceId, user.id)) addDevice(d)
      }
      if (count && !counted.has(key)) {
        counted.add(key)
        const n = events.countOf(user.workspaceId, user.id)
        if (n > 0)
          eventCounts.set(key, { workspaceId: user.workspaceId, userId: user.id, count: n })
      }
    }
    for (const c of needs.customers) {
      addUser(userRows.byCustomer(c.workspaceId, c.customerId), c.devices, c.events)
    }
    for (const u of needs.userIds) addUser(userRows.byId(u.workspaceId, u.userId), false, false)
    for (const i of needs.identities) {
      for (const userId of identities.holders(i.workspaceId, i.name, i.value)) {
        addUser(userRows.byId(i.workspaceId, userId), true, true)
      }
    }
    const merges: MergeRow[] = []
    for (const m of needs.mergeIds) {
      const merge = mergeRows.get(m.workspaceId, m.mergeId)
      if (merge === undefined) continue
      merges.push(merge)
      for (const userId of [merge.retainedUserId, merge.mergedUserId]) {
        addUser(userRows.byId(m.workspaceId, userId), true, false)
      }
    }
    for (const d of needs.deviceIds) addDevice(deviceRows.byId(d.workspaceId, d.deviceId))
    const snapshot = {
      users: [...users.values()],
      devices: [...devices.values()],
      eventCounts: [...eventCounts.values()],
      merges,
    }
    if (!needs.identityLinks) return snapshot
    const identityLinks = snapshot.users.flatMap((u) => identities.linksOf(u.workspaceId, u.id))
    return { ...snapshot, identityLinks }
  })
}
