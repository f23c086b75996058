/**
 * What the store contract's cases share: their clock's start, their two workspaces, and the rows
 * they build from defaults and override per case (a user, a device, an outbox message).
 */
import type { DeviceRow, NewOutboxMessage, UserRow } from '../../src/store/store.js'

export const T0 = Date.parse('2026-11-01T10:00:00Z')
/** The workspace every case writes to. */
export const WS = 'CONTRACTWS0000000001'
/** The workspace that must see none of it. */
export const OTHER = 'CONTRACTWS0000000002'

export const contractUser = (id: string, customerId: string): UserRow => ({
  workspaceId: WS,
  id,
  customerId,
  attributes: {},
  createdAt: T0,
  updatedAt: T0,
})

export const contractDevice = (deviceId: string, userId: string, platform: string): DeviceRow => ({
  workspaceId: WS,
  deviceId,
  userId,
  platform,
  pushId: `push-${deviceId}`,
  attributes: {},
  createdAt: T0,
  updatedAt: T0,
})

/** What a family's message names; the rest is a new message's (recorded, once, at T0). */
export type MessageFields = Pick<
  NewOutboxMessage,
  | 'id'
  | 'channel'
  | 'source'
  | 'sourceId'
  | 'customerId'
  | 'recipient'
  | 'platform'
  | 'subject'
  | 'body'
  | 'payload'
  | 'template'
> &
  Partial<NewOutboxMessage>

export const outboxMessage = (fields: MessageFields): NewOutboxMessage => ({
  workspaceId: WS,
  templateVersion: 1,
  transactionId: null,
  requestId: 'REQAAAAA',
  status: 'recorded',
  reason: null,
  attempts: 0,
  createdAt: T0,
  dueAt: null,
  ...fields,
})
