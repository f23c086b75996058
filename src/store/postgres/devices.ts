/**
 * The PostgreSQL adapter's devices (table `devices`): lookups of many devices at once, by id or by
 * user, for snapshots, a batch's upserts and removals, and Store `profiles.devicesOfUser`.
 */
import type { ProfileParts } from '../profiles.js'
import type { DeviceRow } from '../store.js'
import { deviceValues, toDevice } from '../rows.js'
import type { PostgresConnection, Queryable } from './connection.js'
import { collapseProfiles, pairKey, rowsOfKeys, selectByKeys, unnest, type Keys } from './unnest.js'
import { jsonColumn } from './unnest.js'

const SQL = {
  devicesOfUser: `
    SELECT * FROM devices WHERE workspace_id = $1 AND user_id = $2
    ORDER BY created_at, device_id COLLATE "C"`,
  devicesById: selectByKeys('devices', 'device_id'),
  devicesOfUsers: selectByKeys(
    'devices',
    'user_id',
    'text',
    't.created_at, t.device_id COLLATE "C"',
  ),
  devicesDelete: `
    DELETE FROM devices d USING unnest($1::text[], $2::text[]) AS k(workspace_id, device_id)
    WHERE d.workspace_id = k.workspace_id AND d.device_id = k.device_id`,
  devicesUpsert: `
    INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
      created_at, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
      ${jsonColumn(6)}, $7::bigint[], $8::bigint[])
    ON CONFLICT (workspace_id, device_id) DO UPDATE SET user_id = excluded.user_id,
      platform = excluded.platform, push_id = excluded.push_id,
      attributes = excluded.attributes, updated_at = excluded.updated_at`,
} as const

export type PostgresDevices = ReturnType<typeof postgresDevices>

type DeviceKey = Readonly<{ workspaceId: string; deviceId: string }>

export function postgresDevices({ all }: PostgresConnection) {
  const profiles: ProfileParts['devices']['profiles'] = {
    devicesOfUser: (workspaceId, userId) => all(SQL.devicesOfUser, [workspaceId, userId], toDevice),
  }

  return {
    profiles,
    /** Devices by (workspace, device id). */
    byId: (db: Queryable, ids: Keys<string>) => rowsOfKeys(db, SQL.devicesById, ids, toDevice),
    /** All devices of the users, by (workspace, user id). */
    ofUsers: (db: Queryable, users: Keys<string>) =>
      rowsOfKeys(db, SQL.devicesOfUsers, users, toDevice),
    /** A batch's devices: the deleted ones first, then the written ones. */
    async write(
      db: Queryable,
      deleted: readonly DeviceKey[],
      written: readonly DeviceRow[],
    ): Promise<void> {
      await unnest(db, SQL.devicesDelete, deleted, (d) => [d.workspaceId, d.deviceId])
      const devices = collapseProfiles(written, (d) => pairKey(d.workspaceId, d.deviceId))
      await unnest(db, SQL.devicesUpsert, devices, deviceValues, [5])
    },
  }
}
