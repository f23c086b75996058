// Feature-scoped keys on a real store: created once (then rotated), each a salted hash, Push's and
// reports' also sealed so their signatures can be checked, rotated with a grace period like the
// Data key, removed; the Data key keeps living on the workspace row; no view ever holds a key.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createManualClock, type ManualClock } from '../core/clock.js'
import { createSequentialIds } from '../core/ids.js'
import { expandBulkRow } from '../families/data/bulk-rows.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import {
  FEATURES,
  FeatureKeyExistsError,
  createFeatureKeys,
  openFeatureKeys,
  sealContext,
  type FeatureKeys,
} from './feature-keys.js'
import { verifyKey } from './keys.js'
import { SealedValueError, createSecretBox, type SecretBox } from './secret-box.js'
import { WorkspaceNotFoundError, createWorkspaces } from './workspaces.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'FEATUREKEYS000000001'
const DATA_KEY = 'the-data-api-key-1'

type Setup = { store: Store; clock: ManualClock; keys: FeatureKeys; secrets: SecretBox }

async function setUp(t: TestContext): Promise<Setup> {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir: ':memory:', durability: 'os' })
  t.after(() => store.close())
  const clock = createManualClock(T0)
  const ids = createSequentialIds()
  const secrets = createSecretBox(() => Buffer.from('feature-keys-test-server-secret-0123'))
  await createWorkspaces({ store, clock, ids }).create({ id: WS, key: DATA_KEY })
  return { store, clock, keys: createFeatureKeys({ store, clock, ids, secrets }), secrets }
}

describe('feature keys', () => {
  it('lists every feature, only the Data key set at first', async (t) => {
    const { keys } = await setUp(t)
    const list = await keys.list(WS)
    assert.deepEqual(
      list.map((k) => [k.feature, k.key_set]),
      FEATURES.map((f) => [f, f === 'data']),
    )
    assert.deepEqual(list[1], {
      feature: 'push',
      label: 'Push',
      key_set: false,
      created_at: null,
      rotated_at: null,
      previous_key_in_grace: false,
      previous_key_expires_at: null,
    })
  })

  it('creates a key, stored as a salted hash; Push and reports also sealed, the others not', async (t) => {
    const { keys, store, secrets } = await setUp(t)
    const push = await keys.create(WS, 'push')
    assert.match(push.apiKey, /^\S{8,}$/)
    assert.equal(push.view.key_set, true)
    assert.equal(push.view.created_at, new Date(T0).toISOString())
    const row = await store.keys.get(WS, 'push')
    assert.ok(row !== undefined)
    assert.ok(verifyKey(push.apiKey, row), 'the hash verifies the key')
    assert.ok(row.sealed !== null && !row.sealed.includes(push.apiKey))
    assert.equal(secrets.open(row.sealed, sealContext(WS, 'push')), push.apiKey)
    assert.notEqual(row.hash, push.apiKey)

    const given = await keys.create(WS, 'reports', { key: 'my-existing-reports-key' })
    assert.equal(given.apiKey, 'my-existing-reports-key', 'an existing MoEngage key can be kept')
    assert.notEqual((await store.keys.get(WS, 'reports'))?.sealed, null)
    for (const feature of ['inform', 'personalize'] as const) {
      const { apiKey } = await keys.create(WS, feature)
      const stored = await store.keys.get(WS, feature)
      assert.equal(stored?.sealed, null, `${feature}: a hash only`)
      assert.ok(stored !== undefined && verifyKey(apiKey, stored))
    }
    const views = JSON.stringify(await keys.list(WS))
    for (const k of [push.apiKey, 'my-existing-reports-key', row.hash]) {
      assert.ok(!views.includes(k), 'no view holds a key or its hash')
    }
  })

  it('refuses to create a key twice (rotate replaces one), the Data key included', async (t) => {
    const { keys, store } = await setUp(t)
    const { apiKey } = await keys.create(WS, 'inform')
    await assert.rejects(keys.create(WS, 'inform'), FeatureKeyExistsError)
    assert.ok(verifyKey(apiKey, (await store.keys.get(WS, 'inform')) ?? { hash: '', salt: '' }))
    await assert.rejects(keys.create(WS, 'data'), FeatureKeyExistsError)
    await keys.remove(WS, 'data')
    const data = await keys.create(WS, 'data', { key: 'a-new-data-key' })
    const ws = await store.workspaces.get(WS)
    assert.ok(
      ws?.keyHash != null && verifyKey(data.apiKey, { hash: ws.keyHash, salt: ws.keySalt ?? '' }),
    )
  })

  it('rotates with a grace period: the previous key (and its sealed copy) works until it ends', async (t) => {
    const { keys, store, clock, secrets } = await setUp(t)
    const first = await keys.create(WS, 'push')
    clock.advance(1_000)
    const second = await keys.rotate(WS, 'push', { graceSeconds: 60 })
    assert.notEqual(second.apiKey, first.apiKey)
    assert.deepEqual(second.view, {
      feature: 'push',
      label: 'Push',
      key_set: true,
      created_at: new Date(T0).toISOString(),
      rotated_at: new Date(T0 + 1_000).toISOString(),
      previous_key_in_grace: true,
      previous_key_expires_at: new Date(T0 + 61_000).toISOString(),
    })
    const row = await store.keys.get(WS, 'push')
    assert.ok(row?.previous !== undefined && verifyKey(first.apiKey, row.previous))
    assert.deepEqual(openFeatureKeys(row, secrets, clock.now()), [second.apiKey, first.apiKey])
    clock.advance(60_000)
    assert.deepEqual(openFeatureKeys(row, secrets, clock.now()), [second.apiKey], 'grace over')
    const push = (await keys.list(WS)).find((k) => k.feature === 'push')
    assert.equal(push?.previous_key_in_grace, false)
    assert.equal(push?.previous_key_expires_at, null)

    const third = await keys.rotate(WS, 'push')
    const after = await store.keys.get(WS, 'push')
    assert.equal(after?.previous, undefined, 'no grace: the replaced key stops at once')
    assert.ok(after !== undefined && verifyKey(third.apiKey, after))
  })

  it('after a server secret change, leaves out a previous key it cannot open (not the current)', async (t) => {
    const { keys, store, clock, secrets } = await setUp(t)
    await keys.create(WS, 'push')
    // The server secret changes; the operator rotates the key (with a grace period by habit).
    const renewed = createSecretBox(() => Buffer.from('the-replacing-server-secret-0123456'))
    const { apiKey } = await createFeatureKeys({
      store,
      clock,
      ids: createSequentialIds(),
      secrets: renewed,
    }).rotate(WS, 'push', { graceSeconds: 60 })
    const row = await store.keys.get(WS, 'push')
    assert.ok(row !== undefined)
    assert.deepEqual(openFeatureKeys(row, renewed, clock.now()), [apiKey])
    assert.throws(() => openFeatureKeys(row, secrets, clock.now()), SealedValueError)
  })

  it('rotates the Data key on the workspace row, as rotate-key does', async (t) => {
    const { keys, store, clock } = await setUp(t)
    const { apiKey, view } = await keys.rotate(WS, 'data', { graceSeconds: 30 })
    const ws = await store.workspaces.get(WS)
    assert.ok(
      ws?.keyHash != null && verifyKey(apiKey, { hash: ws.keyHash, salt: ws.keySalt ?? '' }),
    )
    assert.ok(ws.previousKey !== undefined && verifyKey(DATA_KEY, ws.previousKey))
    assert.equal(view.previous_key_expires_at, new Date(clock.now() + 30_000).toISOString())
    assert.deepEqual(await store.keys.list(WS), [], 'nothing in the feature key table')
  })

  it('gives a feature without a key its first one on rotate', async (t) => {
    const { keys } = await setUp(t)
    const { view } = await keys.rotate(WS, 'personalize', { graceSeconds: 30 })
    assert.equal(view.key_set, true)
    assert.equal(view.rotated_at, null)
    assert.equal(view.previous_key_in_grace, false)
  })

  it('removes a key and its previous one', async (t) => {
    const { keys, store } = await setUp(t)
    await keys.create(WS, 'push')
    await keys.rotate(WS, 'push', { graceSeconds: 600 })
    const view = await keys.remove(WS, 'push')
    assert.equal(view.key_set, false)
    assert.equal(view.previous_key_in_grace, false)
    assert.equal(await store.keys.get(WS, 'push'), undefined)
    assert.equal((await keys.remove(WS, 'push')).key_set, false, 'again: nothing to remove')
    assert.equal((await keys.remove(WS, 'data')).key_set, false)
    assert.equal((await store.workspaces.get(WS))?.keyHash, null)
  })

  it('checks its input and the workspace', async (t) => {
    const { keys } = await setUp(t)
    const invalid = (attribute: string) => (err: unknown) =>
      err instanceof WorkspaceInputError && err.attribute === attribute
    await assert.rejects(keys.create(WS, 'push', { key: 'short' }), invalid('api_key'))
    await assert.rejects(keys.create(WS, 'push', { key: 'has a space' }), invalid('api_key'))
    await assert.rejects(keys.rotate(WS, 'push', { graceSeconds: -1 }), invalid('grace_seconds'))
    await assert.rejects(keys.rotate(WS, 'push', { graceSeconds: 1.5 }), invalid('grace_seconds'))
    await assert.rejects(
      keys.rotate(WS, 'data', { graceSeconds: 31 * 86_400 }),
      invalid('grace_seconds'),
    )
    await assert.rejects(keys.create('NOSUCHWORKSPACE', 'push'), WorkspaceNotFoundError)
    await assert.rejects(keys.rotate('NOSUCHWORKSPACE', 'push'), WorkspaceNotFoundError)
    await assert.rejects(keys.remove('NOSUCHWORKSPACE', 'push'), WorkspaceNotFoundError)
    await assert.rejects(keys.list('NOSUCHWORKSPACE'), WorkspaceNotFoundError)
  })
})
