// How many pages the SQLite adapter's user and device writes dirty (users.ts, devices.ts `write`):
// a stored row is rewritten without the indexes on the columns that did not change, counted as
// the frames one commit adds to store.db's WAL, and every case still stores what was written.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it, type TestContext } from 'node:test'
import type { DeviceRow, UserRow } from '../store.js'
import { walProbe } from './checkpointer.js'
import { openSqlite, type SqliteConnection } from './connection.js'
import { sqliteDevices } from './devices.js'
import { sqliteUsers } from './users.js'

const WS = 'WS1'
const T0 = 1_700_000_000_000
const USERS = 3_000

const user = (i: number, patch: Partial<UserRow> = {}): UserRow => ({
  workspaceId: WS,
  id: `u${String(i).padStart(6, '0')}`,
  customerId: `c-${(i * 7_919) % 100_003}`,
  attributes: { u_em: `user${i}@example.com`, u_mb: `+1555${i}`, plan: 'free' },
  createdAt: T0,
  updatedAt: T0,
  ...patch,
})

const device = (i: number, patch: Partial<DeviceRow> = {}): DeviceRow => ({
  workspaceId: WS,
  deviceId: `d-${(i * 7_919) % 100_003}`,
  userId: user(i).id,
  platform: 'ANDROID',
  pushId: `push-${i}`,
  attributes: { app_version: '1.0' },
  createdAt: T0,
  updatedAt: T0,
  ...patch,
})

function setUp(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-row-writes-'))
  const c: SqliteConnection = openSqlite({ dir, durability: 'os' })
  t.after(() => {
    c.close()
    rmSync(dir, { recursive: true, force: true })
  })
  c.db.pragma('wal_autocheckpoint = 0')
  const users = sqliteUsers(c)
  const devices = sqliteDevices(c)
  c.db.transaction(() => {
    users.write(Array.from({ length: USERS }, (_, i) => user(i)))
    devices.write(
      [],
      Array.from({ length: USERS }, (_, i) => device(i)),
    )
  })()
  const probe = walProbe(join(dir, 'store.db'))
  t.after(() => probe.close())
  /** The WAL frames (pages) one transaction running `write` adds. */
  const pagesOf = (write: () => void): number => {
    const before = probe.read()?.frames ?? 0
    c.db.transaction(write)()
    return (probe.read()?.frames ?? 0) - before
  }
  const stored = (i: number): unknown =>
    c.db.prepare('SELECT * FROM users WHERE workspace_id = ? AND id = ?').get(WS, user(i).id)
  const storedDevice = (i: number): unknown =>
    c.db
      .prepare('SELECT * FROM devices WHERE workspace_id = ? AND device_id = ?')
      .get(WS, device(i).deviceId)
  return { c, users, devices, pagesOf, stored, storedDevice }
}

it('rewrites a stored user’s row alone when its customer id and attributes are as stored', (t) => {
  const { users, pagesOf, stored } = setUp(t)
  assert.equal(
    pagesOf(() => users.write([user(1_500, { updatedAt: T0 + 1 })])),
    1,
  )
  assert.deepEqual(stored(1_500), {
    workspace_id: WS,
    id: user(1_500).id,
    customer_id: user(1_500).customerId,
    attributes: JSON.stringify(user(1_500).attributes),
    created_at: T0,
    updated_at: T0 + 1,
  })
})

it('rewrites the attribute indexes, not the customer id’s, when only attributes changed', (t) => {
  const { users, pagesOf, stored } = setUp(t)
  const changed = { ...user(1_500).attributes, plan: 'pro' }
  // The row, and the email and mobile indexes' entries (rewritten in place): leaves of their own.
  assert.equal(
    pagesOf(() => users.write([user(1_500, { attributes: changed, updatedAt: T0 + 1 })])),
    3,
  )
  assert.equal((stored(1_500) as { attributes: string }).attributes, JSON.stringify(changed))
})

it('upserts a new user, a new customer id, and a row changed since it was loaded', (t) => {
  const { c, users, pagesOf, stored } = setUp(t)
  const fresh = user(USERS + 1, { createdAt: T0 + 5, updatedAt: T0 + 5 })
  assert.ok(pagesOf(() => users.write([fresh])) >= 4)
  assert.equal((stored(USERS + 1) as { customer_id: string }).customer_id, fresh.customerId)
  // Created before it was updated, and yet not stored (another writer removed it): inserted.
  c.db.prepare('DELETE FROM users WHERE workspace_id = ? AND id = ?').run(WS, user(7).id)
  users.write([user(7, { updatedAt: T0 + 1 })])
  assert.equal((stored(7) as { updated_at: number }).updated_at, T0 + 1)
  // A new customer id: the customer id's index too.
  assert.ok(
    pagesOf(() => users.write([user(1_500, { customerId: 'renamed', updatedAt: T0 + 2 })])) >= 2,
  )
  assert.equal(users.byCustomer(WS, 'renamed')?.id, user(1_500).id)
  assert.equal(users.byCustomer(WS, user(1_500).customerId ?? ''), undefined)
  // A customer id cleared: matched with IS, so NULL too.
  users.write([user(1_600, { customerId: null, updatedAt: T0 + 3 })])
  users.write([user(1_600, { customerId: null, updatedAt: T0 + 4 })])
  assert.deepEqual(stored(1_600), {
    workspace_id: WS,
    id: user(1_600).id,
    customer_id: null,
    attributes: JSON.stringify(user(1_600).attributes),
    created_at: T0,
    updated_at: T0 + 4,
  })
})

it('rewrites a stored device without its user index entry unless it changed users', (t) => {
  const { devices, pagesOf, storedDevice } = setUp(t)
  assert.equal(
    pagesOf(() => devices.write([], [device(1_500, { pushId: 'push-new', updatedAt: T0 + 1 })])),
    1,
  )
  assert.deepEqual(storedDevice(1_500), {
    workspace_id: WS,
    device_id: device(1_500).deviceId,
    user_id: user(1_500).id,
    platform: 'ANDROID',
    push_id: 'push-new',
    attributes: JSON.stringify({ app_version: '1.0' }),
    created_at: T0,
    updated_at: T0 + 1,
  })
  // To another user: its devices_by_user entry moves.
  assert.ok(
    pagesOf(() => devices.write([], [device(1_500, { userId: user(10).id, updatedAt: T0 + 2 })])) >=
      2,
  )
  assert.equal((storedDevice(1_500) as { user_id: string }).user_id, user(10).id)
  assert.deepEqual(
    devices
      .ofUser(WS, user(10).id)
      .map((d) => d.deviceId)
      .sort(),
    [device(10).deviceId, device(1_500).deviceId].sort(),
  )
  // A new device.
  devices.write([], [device(USERS + 1, { createdAt: T0 + 3, updatedAt: T0 + 3 })])
  assert.equal((storedDevice(USERS + 1) as { updated_at: number }).updated_at, T0 + 3)
})
