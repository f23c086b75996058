// Workspace lifecycle on a real in-memory store: creating with a generated or given id and key,
// the input rules, and the start-up bootstrap.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import { StoreConflictError, type Store } from '../store/store.js'
import { verifyKey } from './keys.js'
import { WorkspaceInputError, createWorkspaces } from './workspaces.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')

function setup(t: TestContext): { store: Store; workspaces: ReturnType<typeof createWorkspaces> } {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const workspaces = createWorkspaces({
    store,
    clock: createManualClock(T0),
    ids: createSequentialIds(),
  })
  return { store, workspaces }
}

/** The key the store can verify for workspace `id`. */
async function keyWorks(store: Store, id: string, key: string): Promise<boolean> {
  const ws = await store.workspaces.get(id)
  if (ws === undefined || ws.keyHash === null || ws.keySalt === null) return false
  return verifyKey(key, { hash: ws.keyHash, salt: ws.keySalt })
}

describe('createWorkspaces().create', () => {
  it('creates an active workspace with a generated id and key, storing only a hash', async (t) => {
    const { store, workspaces } = setup(t)
    const { workspace, dataApiKey } = await workspaces.create({})
    assert.equal(workspace.id, 'WS000000000000000000')
    assert.equal(dataApiKey, 'key-00000001')
    assert.deepEqual(await store.workspaces.get(workspace.id), workspace)
    assert.equal(workspace.name, workspace.id)
    assert.equal(workspace.state, 'active')
    assert.deepEqual(workspace.settings, {})
    assert.equal(workspace.createdAt, T0)
    assert.equal(workspace.updatedAt, T0)
    assert.notEqual(workspace.keyHash, dataApiKey)
    assert.ok(!JSON.stringify(workspace).includes(dataApiKey), 'the key is not stored in clear')
    assert.equal(await keyWorks(store, workspace.id, dataApiKey), true)
    assert.equal(await keyWorks(store, workspace.id, 'key-00000002'), false)
  })

  it('creates a workspace with the given id, key, name and state', async (t) => {
    const { store, workspaces } = setup(t)
    const { workspace, dataApiKey } = await workspaces.create({
      id: 'SHOP2026',
      key: 'existing-moengage-key',
      name: 'Shop',
      state: 'suspended',
    })
    assert.equal(dataApiKey, 'existing-moengage-key')
    assert.deepEqual(
      [workspace.id, workspace.name, workspace.state],
      ['SHOP2026', 'Shop', 'suspended'],
    )
    assert.equal(await keyWorks(store, 'SHOP2026', 'existing-moengage-key'), true)
    assert.deepEqual(
      (await workspaces.list()).map((w) => w.id),
      ['SHOP2026'],
    )
  })

  it('refuses an id that is not 4 to 64 upper-case letters or digits', async (t) => {
    const { store, workspaces } = setup(t)
    for (const id of ['shop2026', 'ABC', 'SHOP-2026', 'A'.repeat(65), '']) {
      await assert.rejects(workspaces.create({ id }), WorkspaceInputError, JSON.stringify(id))
    }
    assert.deepEqual(await store.workspaces.list(), [])
  })

  it('refuses a key that is shorter than 8 characters or has spaces', async (t) => {
    const { store, workspaces } = setup(t)
    for (const key of ['short', 'has a space', 'x'.repeat(257)]) {
      await assert.rejects(workspaces.create({ id: 'SHOP', key }), WorkspaceInputError)
    }
    assert.deepEqual(await store.workspaces.list(), [])
  })

  it('refuses an id that is taken, keeping the existing key', async (t) => {
    const { store, workspaces } = setup(t)
    await workspaces.create({ id: 'SHOP', key: 'first-key-1' })
    await assert.rejects(workspaces.create({ id: 'SHOP', key: 'second-key-2' }), StoreConflictError)
    assert.equal(await keyWorks(store, 'SHOP', 'first-key-1'), true)
    assert.equal(await keyWorks(store, 'SHOP', 'second-key-2'), false)
  })
})

describe('createWorkspaces().bootstrap', () => {
  it('creates the workspace named by explicit credentials, once', async (t) => {
    const { store, workspaces } = setup(t)
    const input = { workspaceId: 'MOEAPP01', dataApiKey: 'moengage-data-key', name: 'Imported' }
    const created = await workspaces.bootstrap(input)
    assert.equal(created?.workspace.id, 'MOEAPP01')
    assert.equal(created?.workspace.name, 'Imported')
    assert.equal(await keyWorks(store, 'MOEAPP01', 'moengage-data-key'), true)
    // The key came from the environment: it is not handed back, so nothing can print it.
    assert.ok(created !== undefined && Object.keys(created).length > 0)
    assert.doesNotMatch(JSON.stringify(created), /moengage-data-key/)
    assert.equal(created.generatedKey, undefined)

    assert.equal(await workspaces.bootstrap(input), undefined, 'a second start creates nothing')
    assert.equal((await store.workspaces.list()).length, 1)
  })

  it('leaves an existing workspace as it is, whatever key the credentials give', async (t) => {
    const { store, workspaces } = setup(t)
    await workspaces.create({ id: 'MOEAPP01', key: 'original-key', name: 'Original' })
    const created = await workspaces.bootstrap({
      workspaceId: 'MOEAPP01',
      dataApiKey: 'another-key-9',
      name: 'Renamed',
    })
    assert.equal(created, undefined)
    const ws = await store.workspaces.get('MOEAPP01')
    assert.equal(ws?.name, 'Original')
    assert.equal(await keyWorks(store, 'MOEAPP01', 'original-key'), true)
    assert.equal(await keyWorks(store, 'MOEAPP01', 'another-key-9'), false)
  })

  it('creates the credentials’ workspace even when other workspaces exist', async (t) => {
    const { store, workspaces } = setup(t)
    await workspaces.create({ id: 'OTHER1' })
    const created = await workspaces.bootstrap({
      workspaceId: 'MOEAPP01',
      dataApiKey: 'moengage-data-key',
      name: 'Imported',
    })
    assert.equal(created?.workspace.id, 'MOEAPP01')
    assert.deepEqual((await store.workspaces.list()).map((w) => w.id).sort(), [
      'MOEAPP01',
      'OTHER1',
    ])
  })

  it('refuses explicit credentials that break the workspace rules', async (t) => {
    const { store, workspaces } = setup(t)
    await assert.rejects(
      workspaces.bootstrap({ workspaceId: 'lower', dataApiKey: 'moengage-data-key', name: 'x' }),
      WorkspaceInputError,
    )
    assert.deepEqual(await store.workspaces.list(), [])
  })

  it('without credentials, creates a first workspace only when there is none', async (t) => {
    const { store, workspaces } = setup(t)
    const created = await workspaces.bootstrap({ name: 'Default workspace' })
    assert.ok(created !== undefined)
    assert.match(created.workspace.id, /^[A-Z0-9]{20}$/)
    assert.equal(created.workspace.name, 'Default workspace')
    assert.ok(created.generatedKey !== undefined, 'a generated key is handed back, to print once')
    assert.equal(await keyWorks(store, created.workspace.id, created.generatedKey), true)

    assert.equal(await workspaces.bootstrap({ name: 'Default workspace' }), undefined)
    assert.deepEqual(
      (await store.workspaces.list()).map((w) => w.id),
      [created.workspace.id],
    )
  })

  it('without credentials, creates nothing when any workspace exists', async (t) => {
    const { store, workspaces } = setup(t)
    await workspaces.create({ id: 'EXISTING', state: 'suspended' })
    assert.equal(await workspaces.bootstrap({ name: 'Default workspace' }), undefined)
    assert.deepEqual(
      (await store.workspaces.list()).map((w) => w.id),
      ['EXISTING'],
    )
  })

  it('creates nothing with only half the credentials', async (t) => {
    // loadConfig refuses this pair; bootstrap falls back to the first-workspace rule.
    const { store, workspaces } = setup(t)
    await workspaces.create({ id: 'EXISTING' })
    assert.equal(await workspaces.bootstrap({ workspaceId: 'MOEAPP01', name: 'x' }), undefined)
    assert.equal(await store.workspaces.get('MOEAPP01'), undefined)
  })
})
