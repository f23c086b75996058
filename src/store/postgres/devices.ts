/**
 * The PostgreSQL adapter's devices (table `devices`): lookups of many devices at once, by id or by
 * user, for snapshots, a batch's upserts and removals, and Store `profiles.devicesOfUser`.
 */
import type { DeviceRow, ProfileRepo } from '../store.js'
import { toDevice } from '../rows.js'
import { rows, type PostgresConnection, type Queryable } from './connection.js'
import { collapse, pairKey, unnest } from './unnest.js'

const SQL = {
  devicesById: `
    SELECT d.* FROM devices d
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, device_id)
      ON d.workspace_id = k.workspace_id AND d.device_id = k.device_id`,
  devicesOfUsers: `
    SELECT d.* FROM devices d
    JOIN unnest($1::text[], $2::text[]) AS k(workspace_id, user_id)
      ON d.workspace_id = k.workspace_id AND d.user_id = k.user_id
    ORDER BY d.created_at, d.device_id COLLATE "C"`,
  devicesDelete: `
    DELETE FROM devices d USING unnest($1::text[], $2::text[]) AS k(workspace_id, device_id)
    WHERE d.workspace_id = k.workspace_id AND d.device_id = k.device_id`,
  devicesUpsert: `
    INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
      created_at, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::bigint[], $8::bigint[])
    ON CONFLICT (workspace_id, device_id) DO UPDATE SET user_id = excluded.user_id,
      platform = excluded.platform, push_id = excluded.push_id,
      attributes = excluded.attributes, updated_at = excluded.updated_at`,
} as const

export type PostgresDevices = ReturnType<typeof postgresDevices>

type DeviceKey = Readonly<{ workspaceId: string; deviceId: string }>

export function postgresDevices({ pool, open }: PostgresConnection) {
  const profiles: Pick<ProfileRepo, 'devicesOfUser'> = {
    devicesOfUser: (workspaceId, userId) =>
      open(async () =>
        (
          await rows(
            pool,
            `SELECT * FROM devices WHERE workspace_id = $1 AND user_id = $2
             ORDER BY created_at, device_id COLLATE "C"`,
            [workspaceId, userId],
          )
        ).map(toDevice),
      ),
  }

  return {
    profiles,
    /** Devices by (workspace, device id) pairs, as parallel arrays. */
    byId: async (
      db: Queryable,
      workspaceIds: readonly string[],
      deviceIds: readonly string[],
    ): Promise<DeviceRow[]> =>
      (await rows(db, SQL.devicesById, [workspaceIds, deviceIds])).map(toDevice),
    /** All devices of the (workspace, user id) pairs, as parallel arrays. */
    ofUsers: async (
      db: Queryable,
      workspaceIds: readonly string[],
      userIds: readonly string[],
    ): Promise<DeviceRow[]> =>
      (await rows(db, SQL.devicesOfUsers, [workspaceIds, userIds])).map(toDevice),
    /** A batch's devices: the deleted ones first, then the written ones. */
    async write(
      db: Queryable,
      deleted: readonly DeviceKey[],
      written: readonly DeviceRow[],
    ): Promise<void> {
      await unnest(db, SQL.devicesDelete, deleted, [(d) => d.workspaceId, (d) => d.deviceId])
      const devices = collapse(
        written,
        (d) => pairKey(d.workspaceId, d.deviceId),
        (first, later) => ({ ...later, createdAt: first.createdAt }),
      )
      await unnest(db, SQL.devicesUpsert, devices, [
        (d) => d.workspaceId,
        (d) => d.deviceId,
        (d) => d.userId,
        (d) => d.platform,
        (d) => d.pushId,
        (d) => JSON.stringify(d.attributes),
        (d) => d.createdAt,
        (d) => d.updatedAt,
      ])
    },
  }
}
