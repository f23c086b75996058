/**
 * The PostgreSQL adapter's batch snapshot (Store `processing.loadSnapshot`): runs the lookups for
 * what snapshot-rules.ts says a batch needs, through the repositories of the rows it loads, in one
 * REPEATABLE READ snapshot and a fixed number of round trips whatever the number of records —
 * first what the records name (users by customer id or internal id or identity value, merges,
 * devices), then what those rows lead to (the users of merges, the devices and event counts of
 * users). It decides nothing about which rows a record kind needs.
 */
import type { BatchSnapshot, DeviceRow, LogRecord, MergeRow, UserRow } from '../store.js'
import { snapshotNeeds } from '../snapshot-rules.js'
import { transaction, type PostgresConnection, type Queryable } from './connection.js'
import type { PostgresDevices } from './devices.js'
import type { PostgresEvents } from './events.js'
import type { PostgresIdentities } from './identities.js'
import type { PostgresMerges } from './merges.js'
import { keysOf, pairKey, Pairs } from './unnest.js'
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
  async function load(db: Queryable, records: readonly LogRecord[]): Promise<BatchSnapshot> {
    const needs = snapshotNeeds(records)
    const users = new Map<string, UserRow>()
    const devices = new Map<string, DeviceRow>()
    const withDevices = new Pairs<string>() // (workspace, user id)
    const withEvents = new Pairs<string>()
    const addUsers = (found: readonly UserRow[], allDevices: boolean, count: boolean): void => {
      for (const user of found) {
        users.set(pairKey(user.workspaceId, user.id), user)
        if (allDevices) withDevices.add(user.workspaceId, user.id)
        if (count) withEvents.add(user.workspaceId, user.id)
      }
    }
    const addDevices = (found: readonly DeviceRow[]): void => {
      for (const device of found) devices.set(pairKey(device.workspaceId, device.deviceId), device)
    }

    if (needs.customers.length > 0) {
      const byCustomer = new Map(
        needs.customers.map((c) => [pairKey(c.workspaceId, c.customerId), c]),
      )
      for (const user of await userRows.byCustomer(
        db,
        keysOf(needs.customers, (c) => c.customerId),
      )) {
        const need = byCustomer.get(pairKey(user.workspaceId, user.customerId ?? ''))
        addUsers([user], need?.devices === true, need?.events === true)
      }
    }
    if (needs.userIds.length > 0) {
      addUsers(
        await userRows.byId(
          db,
          keysOf(needs.userIds, (u) => u.userId),
        ),
        false,
        false,
      )
    }
    if (needs.identities.length > 0) {
      addUsers(await identities.holders(db, needs.identities), true, true)
    }
    const mergesById = new Map<string, MergeRow>()
    if (needs.mergeIds.length > 0) {
      const mergeIds = new Pairs<number>()
      for (const m of needs.mergeIds) mergeIds.add(m.workspaceId, m.mergeId)
      const mergeUsers = new Pairs<string>()
      for (const merge of await mergeRows.byId(db, mergeIds)) {
        mergesById.set(pairKey(merge.workspaceId, merge.id), merge)
        mergeUsers.add(merge.workspaceId, merge.retainedUserId)
        mergeUsers.add(merge.workspaceId, merge.mergedUserId)
      }
      if (mergeUsers.size > 0) addUsers(await userRows.byId(db, mergeUsers), true, false)
    }
    if (needs.deviceIds.length > 0) {
      addDevices(
        await deviceRows.byId(
          db,
          keysOf(needs.deviceIds, (d) => d.deviceId),
        ),
      )
    }
    if (withDevices.size > 0) addDevices(await deviceRows.ofUsers(db, withDevices))
    // How many events each user that may be merged away has (one row per user, never its events).
    const eventCounts = withEvents.size > 0 ? await events.countsOf(db, withEvents) : []
    // One per naming record, in record order (snapshot-rules.ts).
    const merges: MergeRow[] = []
    for (const m of needs.mergeIds) {
      const merge = mergesById.get(pairKey(m.workspaceId, m.mergeId))
      if (merge !== undefined) merges.push(merge)
    }
    if (!needs.identityLinks) {
      return { users: [...users.values()], devices: [...devices.values()], eventCounts, merges }
    }
    const loaded = [...users.values()]
    const identityLinks =
      loaded.length > 0
        ? await identities.linksOf(
            db,
            keysOf(loaded, (u) => u.id),
          )
        : []
    return { users: loaded, devices: [...devices.values()], eventCounts, merges, identityLinks }
  }

  // One snapshot for all the reads, as the SQLite adapter's read transaction gives.
  return (records) =>
    transaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (db) => load(db, records))
}
