// `inlet workspaces …` on a real data directory: create, get, update, set-state, set-limits,
// rotate-key (with a grace period) and remove-key, their output and exit codes.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'
import { verifyKey } from '../../workspaces/keys.js'

/** `inlet workspaces …args` on `dir`. */
const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', ...args])

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-')

const stored = (dir: string, id: string) =>
  withSqliteStore(dir, (store) => store.workspaces.get(id))

describe('inlet workspaces', () => {
  it('creates with limits and settings, then gets it', async (t) => {
    const dir = dataDir(t)
    const created = await run(
      dir,
      'create',
      '--id',
      'SHOP0001',
      '--key',
      'shop-key-00001',
      '--name',
      'Shop',
      '--limit',
      'track_user=50',
      '--bulk-strict',
      'on',
      '--json',
    )
    assert.equal(created.code, 0, created.err)
    // A key given with --key is never echoed (only one Inlet generates is shown, once).
    assert.deepEqual(jsonOf(created), { workspace_id: 'SHOP0001', name: 'Shop' })
    assert.ok(!created.out.includes('shop-key-00001') && !created.err.includes('shop-key-00001'))
    const text = await run(dir, 'create', '--id', 'SHOP0002', '--key', 'shop-key-00002')
    assert.equal(text.code, 0, text.err)
    assert.match(text.out, /^Data API key: {2}the one given with --key \(not shown\)$/m)
    assert.ok(!text.out.includes('shop-key-00002'))
    const generated = await run(dir, 'create', '--id', 'SHOP0003', '--json')
    assert.match(jsonOf<{ data_api_key: string }>(generated).data_api_key, /^\S{8,}$/)
    const got = await run(dir, 'get', '--id', 'SHOP0001', '--json')
    const view = jsonOf<{ limits: Record<string, number>; settings: Record<string, unknown> }>(got)
    assert.equal(view.limits['track_user'], 50)
    assert.equal(view.settings['bulkStrictElementValidation'], true)
    assert.ok(!got.out.includes('shop-key-00001'), 'get never shows the key')
  })

  it('updates, sets the state and the limits', async (t) => {
    const dir = dataDir(t)
    await run(dir, 'create', '--id', 'SHOP0001')
    const updated = await run(
      dir,
      'update',
      '--id',
      'SHOP0001',
      '--name',
      'Renamed',
      '--identity-resolution',
      'on',
      '--fair-usage',
      'on',
      '--project',
      'p1=Shop',
      '--goal',
      'Purchased=amount',
      '--goal',
      'Subscribed',
      '--json',
    )
    assert.equal(updated.code, 0, updated.err)
    const view = jsonOf<{ name: string; settings: Record<string, unknown> }>(updated)
    assert.equal(view.name, 'Renamed')
    assert.equal(view.settings['identityResolution'], true)
    assert.deepEqual(view.settings['projects'], { p1: 'Shop' })
    assert.deepEqual(view.settings['conversionGoals'], [
      { event: 'Purchased', revenueAttribute: 'amount' },
      { event: 'Subscribed' },
    ])
    const cleared = await run(dir, 'update', '--id', 'SHOP0001', '--goal', 'none', '--json')
    assert.deepEqual(
      jsonOf<{ settings: Record<string, unknown> }>(cleared).settings['conversionGoals'],
      [],
    )

    assert.equal((await run(dir, 'set-state', '--id', 'SHOP0001', '--state', 'suspended')).code, 0)
    assert.equal((await stored(dir, 'SHOP0001'))?.state, 'suspended')
    const limits = await run(dir, 'set-limits', '--id', 'SHOP0001', '--limit', 'get_user=10')
    assert.equal(limits.code, 0, limits.err)
    assert.match(limits.out, /get_user=10/)
    await run(dir, 'set-limits', '--id', 'SHOP0001', '--limit', 'get_user=default')
    assert.equal((await stored(dir, 'SHOP0001'))?.settings['quotas'], undefined)
  })

  it('rotates the key, with or without a grace period, and removes it', async (t) => {
    const dir = dataDir(t)
    await run(dir, 'create', '--id', 'SHOP0001', '--key', 'first-key-0001')
    const rotated = await run(
      dir,
      'rotate-key',
      '--id',
      'SHOP0001',
      '--grace-seconds',
      '600',
      '--json',
    )
    assert.equal(rotated.code, 0, rotated.err)
    const body = jsonOf<{ data_api_key: string; previous_key_expires_at: string | null }>(rotated)
    assert.notEqual(body.previous_key_expires_at, null)
    const ws = await stored(dir, 'SHOP0001')
    assert.ok(ws?.keyHash != null && ws.keySalt != null && ws.previousKey !== undefined)
    assert.equal(verifyKey(body.data_api_key, { hash: ws.keyHash, salt: ws.keySalt }), true)
    assert.equal(verifyKey('first-key-0001', ws.previousKey), true)

    const again = await run(dir, 'rotate-key', '--id', 'SHOP0001', '--key', 'third-key-0001')
    assert.match(again.out, /The previous key no longer works/)
    assert.equal((await stored(dir, 'SHOP0001'))?.previousKey, undefined)

    assert.equal((await run(dir, 'remove-key', '--id', 'SHOP0001')).code, 0)
    assert.equal((await stored(dir, 'SHOP0001'))?.keyHash, null)
  })

  it('answers 2 for bad flags and 1 for an unknown workspace, changing nothing', async (t) => {
    const dir = dataDir(t)
    await run(dir, 'create', '--id', 'SHOP0001')
    assert.equal((await run(dir, 'set-state', '--id', 'SHOP0001', '--state', 'frozen')).code, 2)
    assert.equal((await run(dir, 'set-limits', '--id', 'SHOP0001', '--limit', 'x=1')).code, 2)
    assert.equal((await run(dir, 'update', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'rotate-key', '--grace-seconds', '5')).code, 2)
    const missing = await run(dir, 'set-state', '--id', 'NOPE0001', '--state', 'suspended')
    assert.equal(missing.code, 1)
    assert.match(missing.err, /no workspace with id NOPE0001/)
    assert.equal((await stored(dir, 'SHOP0001'))?.state, 'active')
  })
})
