// The snapshot rules on their own: what a batch of log records needs loaded, as data, whatever the
// adapter that runs the queries (the contract suite checks that both load exactly that).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { snapshotNeeds, type SnapshotNeeds } from './snapshot-rules.js'
import type { LogRecord, RecordKind } from './store.js'

const WS = 'RULESWS0000000000001'
const OTHER_WS = 'RULESWS0000000000002'

let seq = 0
function record(
  kind: RecordKind,
  customerId: string | null,
  payload: object,
  workspaceId = WS,
): LogRecord {
  seq++
  return {
    seq,
    workspaceId,
    requestId: 'REQRULES',
    index: 0,
    kind,
    customerId,
    receivedAt: 0,
    payload: JSON.stringify(payload),
  }
}

const NOTHING: SnapshotNeeds = {
  customers: [],
  userIds: [],
  deviceIds: [],
  mergeIds: [],
  identities: [],
  identityLinks: false,
}

describe('snapshot rules', () => {
  it('needs nothing for an empty batch, or for records that name nobody', () => {
    assert.deepEqual(snapshotNeeds([]), NOTHING)
    assert.deepEqual(snapshotNeeds([record('invalid', null, {})]), NOTHING)
  })

  it('needs the user of a customer or event record, without its devices or events', () => {
    assert.deepEqual(
      snapshotNeeds([
        record('customer', 'alice', { attributes: {} }),
        record('event', 'alice', { action: 'x' }),
      ]),
      {
        ...NOTHING,
        customers: [{ workspaceId: WS, customerId: 'alice', devices: false, events: false }],
      },
    )
  })

  it('needs every device of the user of a device, opt-out or merge record', () => {
    for (const kind of ['device', 'device_opt_out'] as const) {
      assert.deepEqual(snapshotNeeds([record(kind, 'bob', {})]).customers, [
        { workspaceId: WS, customerId: 'bob', devices: true, events: false },
      ])
    }
    assert.deepEqual(
      snapshotNeeds([record('device', 'bob', { device_id: 'phone' })]).deviceIds,
      [{ workspaceId: WS, deviceId: 'phone' }],
      'and the device it names',
    )
  })

  it('needs both users of a merge, the merged one with its devices and event count', () => {
    assert.deepEqual(
      snapshotNeeds([record('merge', 'keeper', { merged_user: 'gone', retained_user: 'keeper' })])
        .customers,
      [
        { workspaceId: WS, customerId: 'keeper', devices: true, events: false },
        { workspaceId: WS, customerId: 'gone', devices: true, events: true },
      ],
    )
  })

  it('needs each user once, with everything any of its records asks for', () => {
    const needs = snapshotNeeds([
      record('customer', 'alice', {}),
      record('device', 'alice', {}),
      record('merge', 'keeper', { merged_user: 'alice' }),
      record('customer', 'alice', {}, OTHER_WS),
    ])
    assert.deepEqual(needs.customers, [
      { workspaceId: WS, customerId: 'alice', devices: true, events: true },
      { workspaceId: WS, customerId: 'keeper', devices: true, events: false },
      { workspaceId: OTHER_WS, customerId: 'alice', devices: false, events: false },
    ])
  })

  it('needs the user named by internal id of a delete or install record', () => {
    const needs = snapshotNeeds([
      record('delete', null, { user_id: 'u-1' }),
      record('install', null, { user_id: 'u-2' }),
      record('delete', null, { user_id: 'u-1' }),
      record('delete', null, { user_id: 7 }),
    ])
    assert.deepEqual(needs.userIds, [
      { workspaceId: WS, userId: 'u-1' },
      { workspaceId: WS, userId: 'u-2' },
    ])
  })

  it('needs the merge of each undo record, in record order, repeats kept', () => {
    const needs = snapshotNeeds([
      record('merge_undo', null, { merge_id: 12 }),
      record('merge_undo', null, { merge_id: 9 }),
      record('merge_undo', null, { merge_id: 12 }),
      record('merge_undo', null, { merge_id: '12' }),
    ])
    assert.deepEqual(needs.mergeIds, [
      { workspaceId: WS, mergeId: 12 },
      { workspaceId: WS, mergeId: 9 },
      { workspaceId: WS, mergeId: 12 },
    ])
  })

  it('needs the holders of identity values, their links, and all of the user named by ID', () => {
    const needs = snapshotNeeds([
      record('customer', 'ann', { identities: { u_em: 'a@x.io', u_mb: '+1', bad: 3 } }),
      record('customer', null, { identities: { u_em: 'a@x.io' } }),
      record('customer', null, { identities: { u_em: 'a@x.io' } }, OTHER_WS),
    ])
    assert.deepEqual(needs.identities, [
      { workspaceId: WS, name: 'u_em', value: 'a@x.io' },
      { workspaceId: WS, name: 'u_mb', value: '+1' },
      { workspaceId: OTHER_WS, name: 'u_em', value: 'a@x.io' },
    ])
    assert.equal(needs.identityLinks, true)
    assert.deepEqual(needs.customers, [
      { workspaceId: WS, customerId: 'ann', devices: true, events: true },
    ])
    assert.equal(
      snapshotNeeds([record('customer', 'ann', { identities: {} })]).identityLinks,
      false,
      'no values, no links',
    )
  })
})
