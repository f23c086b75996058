/**
 * The in-memory view of the profile store that one processor batch works on: loaded once from a
 * BatchSnapshot, owned by this batch (rows are fresh from the store), read and changed by the steps synchronously, and turned into BatchChanges that the
 * store writes in one transaction with the cursor. Steps never touch the store directly, so they are
 * plain functions of (record, state) and the batch commits all or nothing.
 */
import type {
  BatchSnapshot,
  DeviceRow,
  EventRow,
  RecordOutcomeRow,
  UserRow,
} from '../store/store.js'

export type BatchState = Readonly<{
  userByCustomerId(workspaceId: string, customerId: string): UserRow | undefined
  /** Adds or replaces a user; the row is written at commit. */
  putUser(user: UserRow): void
  device(workspaceId: string, deviceId: string): DeviceRow | undefined
  devicesOfUser(workspaceId: string, userId: string): DeviceRow[]
  putDevice(device: DeviceRow): void
  deleteDevice(workspaceId: string, deviceId: string): void
  addEvent(event: EventRow): void
  addOutcome(outcome: RecordOutcomeRow): void
  changes(): Readonly<{
    users: UserRow[]
    devices: DeviceRow[]
    deletedDevices: { workspaceId: string; deviceId: string }[]
    events: EventRow[]
    outcomes: RecordOutcomeRow[]
  }>
}>

const k = (a: string, b: string): string => `${a}\u0000${b}`

export function createBatchState(snapshot: BatchSnapshot): BatchState {
  const users = new Map<string, UserRow>()
  for (const u of snapshot.users) {
    if (u.customerId !== null) users.set(k(u.workspaceId, u.customerId), u)
  }
  const devices = new Map<string, DeviceRow>()
  for (const d of snapshot.devices) devices.set(k(d.workspaceId, d.deviceId), d)
  const dirtyUsers = new Set<UserRow>()
  const dirtyDevices = new Map<string, DeviceRow>()
  const deleted = new Map<string, { workspaceId: string; deviceId: string }>()
  const events: EventRow[] = []
  const outcomes: RecordOutcomeRow[] = []

  return {
    userByCustomerId: (workspaceId, customerId) => users.get(k(workspaceId, customerId)),
    putUser: (user) => {
      if (user.customerId !== null) users.set(k(user.workspaceId, user.customerId), user)
      dirtyUsers.add(user)
    },
    device: (workspaceId, deviceId) => devices.get(k(workspaceId, deviceId)),
    devicesOfUser: (workspaceId, userId) =>
      [...devices.values()].filter((d) => d.workspaceId === workspaceId && d.userId === userId),
    putDevice: (device) => {
      const key = k(device.workspaceId, device.deviceId)
      devices.set(key, device)
      dirtyDevices.set(key, device)
      deleted.delete(key)
    },
    deleteDevice: (workspaceId, deviceId) => {
      const key = k(workspaceId, deviceId)
      devices.delete(key)
      dirtyDevices.delete(key)
      deleted.set(key, { workspaceId, deviceId })
    },
    addEvent: (event) => {
      events.push(event)
    },
    addOutcome: (outcome) => {
      outcomes.push(outcome)
    },
    changes: () => ({
      users: [...dirtyUsers],
      devices: [...dirtyDevices.values()],
      deletedDevices: [...deleted.values()],
      events,
      outcomes,
    }),
  }
}
