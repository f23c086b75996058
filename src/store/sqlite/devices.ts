/**
 * The SQLite adapter's devices (table `devices` of store.db): lookups by device id and by user for
 * snapshots, a batch's upserts and removals, and Store `profiles.devicesOfUser`. A user's devices
 * are always found through `devices_by_user`, named in the SQL (docs/query-plans.md: without
 * statistics SQLite searched them by workspace alone).
 */
import type { ProfileParts } from '../profiles.js'
import type { DeviceRow } from '../store.js'
import { deviceValues, toDevice, type Row } from '../rows.js'
import { attempt, type SqliteConnection } from './connection.js'

export type SqliteDevices = ReturnType<typeof sqliteDevices>

export function sqliteDevices({ db }: SqliteConnection) {
  const q = {
    deviceById: db.prepare('SELECT * FROM devices WHERE workspace_id = ? AND device_id = ?'),
    devicesOfUser: db.prepare(
      'SELECT * FROM devices INDEXED BY devices_by_user WHERE workspace_id = ? AND user_id = ? ORDER BY created_at, device_id',
    ),
    deviceUpsert: db.prepare(
      `INSERT INTO devices (workspace_id, device_id, user_id, platform, push_id, attributes,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, device_id) DO UPDATE SET user_id = excluded.user_id,
         platform = excluded.platform, push_id = excluded.push_id,
         attributes = excluded.attributes, updated_at = excluded.updated_at`,
    ),
    // A stored device still of the same user: its other columns only (write below).
    deviceUpdate: db.prepare(
      `UPDATE devices SET platform = ?, push_id = ?, attributes = ?, updated_at = ?
       WHERE workspace_id = ? AND device_id = ? AND user_id = ?`,
    ),
    deviceDelete: db.prepare('DELETE FROM devices WHERE workspace_id = ? AND device_id = ?'),
    userDevicesDelete: db.prepare(
      'DELETE FROM devices INDEXED BY devices_by_user WHERE workspace_id = ? AND user_id = ?',
    ),
  }
  const ofUser = (workspaceId: string, userId: string): DeviceRow[] =>
    (q.devicesOfUser.all(workspaceId, userId) as Row[]).map(toDevice)

  const profiles: ProfileParts['devices']['profiles'] = {
    devicesOfUser: (workspaceId, userId) => attempt(() => ofUser(workspaceId, userId)),
  }

  return {
    profiles,
    byId(workspaceId: string, deviceId: string): DeviceRow | undefined {
      const row = q.deviceById.get(workspaceId, deviceId) as Row | undefined
      return row === undefined ? undefined : toDevice(row)
    },
    ofUser,
    /**
     * A batch's devices: the deleted ones first, then the written ones. As users.ts's write: a
     * device stored before is first updated without SETting `user_id`, which would rewrite its
     * `devices_by_user` entry, and upserted only when it is new or has changed users.
     */
    write(
      deleted: readonly Readonly<{ workspaceId: string; deviceId: string }>[],
      devices: readonly DeviceRow[],
    ): void {
      for (const d of deleted) q.deviceDelete.run(d.workspaceId, d.deviceId)
      for (const d of devices) {
        const values = deviceValues(d)
        const [workspaceId, deviceId, userId, platform, pushId, attributes, createdAt, updatedAt] =
          values
        if (
          createdAt !== updatedAt &&
          q.deviceUpdate.run(platform, pushId, attributes, updatedAt, workspaceId, deviceId, userId)
            .changes === 1
        ) {
          continue
        }
        q.deviceUpsert.run(...values)
      }
    },
    removeOfUser(workspaceId: string, userId: string): void {
      q.userDevicesDelete.run(workspaceId, userId)
    },
  }
}
