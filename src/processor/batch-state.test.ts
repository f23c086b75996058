// A batch's devices per user (batch-state.ts): kept by an index as devices are put, moved between
// users and deleted, and listed in the order the batch first held them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DeviceRow, UserRow } from '../store/store.js'
import { createBatchState } from './batch-state.js'

const WS = 'ws-a'
const user = (id: string, workspaceId = WS): UserRow => ({
  workspaceId,
  id,
  customerId: `c-${id}`,
  attributes: {},
  createdAt: 0,
  updatedAt: 0,
})
const device = (deviceId: string, userId: string, workspaceId = WS): DeviceRow => ({
  workspaceId,
  deviceId,
  userId,
  platform: null,
  pushId: null,
  attributes: {},
  createdAt: 0,
  updatedAt: 0,
})
const ids = (rows: readonly DeviceRow[]): string[] => rows.map((d) => d.deviceId)

test('a user lists the loaded devices and those the batch put, in the order first held', () => {
  const state = createBatchState({
    users: [user('u1'), user('u2')],
    devices: [device('d1', 'u1'), device('d2', 'u2'), device('d3', 'u1')],
  })
  state.putDevice(device('d4', 'u1'))
  // Put again (an update): keeps its place.
  state.putDevice({ ...device('d1', 'u1'), platform: 'ANDROID' })
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u1')), ['d1', 'd3', 'd4'])
  assert.equal(state.devicesOfUser(WS, 'u1')[0]?.platform, 'ANDROID')
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u2')), ['d2'])
  assert.deepEqual(ids(state.devicesOfUser(WS, 'nobody')), [])
})

test('a device that moves to another user leaves the first one', () => {
  const state = createBatchState({
    users: [user('u1'), user('u2')],
    devices: [device('d1', 'u1'), device('d2', 'u2')],
  })
  state.putDevice(device('d1', 'u2'))
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u1')), [])
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u2')), ['d1', 'd2'])
  assert.deepEqual(
    state.changes().devices.map((d) => [d.deviceId, d.userId]),
    [['d1', 'u2']],
  )
})

test('a deleted device is gone from its user, and put again it comes last', () => {
  const state = createBatchState({
    users: [user('u1')],
    devices: [device('d1', 'u1'), device('d2', 'u1')],
  })
  state.deleteDevice(WS, 'd1')
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u1')), ['d2'])
  assert.equal(state.device(WS, 'd1'), undefined)
  state.putDevice(device('d1', 'u1'))
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u1')), ['d2', 'd1'])
  assert.deepEqual(state.changes().deletedDevices, [])
})

test('deleting a user takes its devices, not those of other users or workspaces', () => {
  const u1 = user('u1')
  const state = createBatchState({
    users: [u1, user('u2'), user('u1', 'ws-b')],
    devices: [device('d1', 'u1'), device('d2', 'u2'), device('d3', 'u1', 'ws-b')],
  })
  state.putDevice(device('d4', 'u1'))
  state.deleteUser(u1)
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u1')), [])
  assert.equal(state.device(WS, 'd1'), undefined)
  assert.equal(state.device(WS, 'd4'), undefined)
  assert.deepEqual(ids(state.devicesOfUser(WS, 'u2')), ['d2'])
  assert.deepEqual(ids(state.devicesOfUser('ws-b', 'u1')), ['d3'])
  // The store deletes a deleted user's devices itself: none is left to write.
  assert.deepEqual(state.changes().devices, [])
})
