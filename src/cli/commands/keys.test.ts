// `inlet workspaces keys …` on a real data directory: create (shown once), list (never a key),
// rotate with a grace period, remove; the Push key sealed under the data directory's secret.key,
// which the server on the same directory shares, or under INLET_SECRET_KEY; exit codes.
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'
import type { FeatureKeyRow } from '../../store/store.js'
import { sealContext } from '../../workspaces/feature-keys.js'
import { verifyKey } from '../../workspaces/keys.js'
import { SECRET_KEY_FILE, createSecretBox, serverSecret } from '../../workspaces/secret-box.js'

/** `inlet workspaces …args` on `dir`, with `env` on top. */
const run = (dir: string, env: Record<string, string>, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', ...args], env)

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-keys-')

const storedKey = (dir: string, feature: string): Promise<FeatureKeyRow | undefined> =>
  withSqliteStore(dir, (store) => store.keys.get('SHOP0001', feature))

type Issued = {
  workspace_id: string
  feature: string
  api_key: string
  key: { key_set: boolean; previous_key_in_grace: boolean; previous_key_expires_at: string | null }
}

describe('inlet workspaces keys', () => {
  it('creates a Push key once, sealed under the data directory’s secret the server shares', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, {}, 'create', '--id', 'SHOP0001')).code, 0)
    const created = await run(dir, {}, 'keys', 'create', '--id', 'SHOP0001', '--feature', 'push')
    assert.equal(created.code, 0, created.err)
    const key = /Push API key: {2}(\S+)/.exec(created.out)?.[1] ?? ''
    assert.match(created.out, /\(the key is shown only now\)/)
    const row = await storedKey(dir, 'push')
    assert.ok(row !== undefined && verifyKey(key, row))
    const secretFile = join(dir, SECRET_KEY_FILE)
    assert.equal(statSync(secretFile).mode & 0o777, 0o600)
    // A server on this directory (same secret source) opens it.
    const server = createSecretBox(
      serverSecret({ secretKey: undefined, dataDir: dir, databaseUrl: undefined }),
    )
    assert.equal(server.open(row.sealed ?? '', sealContext('SHOP0001', 'push')), key)

    const again = await run(dir, {}, 'keys', 'create', '--id', 'SHOP0001', '--feature', 'push')
    assert.equal(again.code, 1)
    assert.match(again.err, /already has a push key: rotate it instead/)
  })

  it('lists which features have keys, never a key', async (t) => {
    const dir = dataDir(t)
    await run(dir, {}, 'create', '--id', 'SHOP0001', '--key', 'shop-data-key-1')
    const inform = await run(
      dir,
      {},
      'keys',
      'create',
      '--id',
      'SHOP0001',
      '--feature',
      'inform',
      '--key',
      'shop-inform-key-1',
    )
    assert.equal(inform.code, 0, inform.err)
    const text = await run(dir, {}, 'keys', 'list', '--id', 'SHOP0001')
    assert.equal(text.code, 0, text.err)
    assert.match(text.out, /^data {10}set$/m)
    assert.match(text.out, /^inform {8}set {6}created \S+Z$/m)
    assert.match(text.out, /^push {10}not set$/m)
    const listed = await run(dir, {}, 'keys', 'list', '--id', 'SHOP0001', '--json')
    const keys = jsonOf<{ keys: { feature: string; key_set: boolean }[] }>(listed).keys
    assert.deepEqual(
      keys.map((k) => `${k.feature}:${k.key_set}`),
      ['data:true', 'push:false', 'inform:true', 'personalize:false', 'reports:false'],
    )
    for (const out of [text.out, listed.out]) {
      assert.ok(!out.includes('shop-inform-key-1') && !out.includes('shop-data-key-1'))
    }
  })

  it('rotates with a grace period and removes', async (t) => {
    const dir = dataDir(t)
    await run(dir, {}, 'create', '--id', 'SHOP0001')
    const first = jsonOf<Issued>(
      await run(dir, {}, 'keys', 'create', '--id', 'SHOP0001', '--feature', 'reports', '--json'),
    )
    const rotated = await run(
      dir,
      {},
      'keys',
      'rotate',
      '--id',
      'SHOP0001',
      '--feature',
      'reports',
      '--grace-seconds',
      '600',
      '--json',
    )
    assert.equal(rotated.code, 0, rotated.err)
    const issued = jsonOf<Issued>(rotated)
    assert.notEqual(issued.api_key, first.api_key)
    assert.equal(issued.key.previous_key_in_grace, true)
    const row = await storedKey(dir, 'reports')
    assert.ok(row?.previous !== undefined && verifyKey(first.api_key, row.previous))
    const text = await run(dir, {}, 'keys', 'rotate', '--id', 'SHOP0001', '--feature', 'reports')
    assert.match(text.out, /The previous key no longer works\./)
    const removed = await run(dir, {}, 'keys', 'remove', '--id', 'SHOP0001', '--feature', 'reports')
    assert.equal(removed.code, 0, removed.err)
    assert.equal(await storedKey(dir, 'reports'), undefined)
  })

  it('seals under INLET_SECRET_KEY when it is set (no secret.key is made)', async (t) => {
    const dir = dataDir(t)
    const env = { INLET_SECRET_KEY: 'the-configured-server-secret-012345' }
    await run(dir, env, 'create', '--id', 'SHOP0001')
    const created = jsonOf<Issued>(
      await run(dir, env, 'keys', 'create', '--id', 'SHOP0001', '--feature', 'push', '--json'),
    )
    assert.equal(existsSync(join(dir, SECRET_KEY_FILE)), false)
    const row = await storedKey(dir, 'push')
    const box = createSecretBox(() => Buffer.from(env.INLET_SECRET_KEY))
    assert.equal(box.open(row?.sealed ?? '', sealContext('SHOP0001', 'push')), created.api_key)
  })

  it('exits 2 on usage errors and 1 on an unknown workspace', async (t) => {
    const dir = dataDir(t)
    for (const args of [
      ['keys', 'list'],
      ['keys', 'create', '--id', 'SHOP0001'],
      ['keys', 'create', '--id', 'SHOP0001', '--feature', 'campaigns'],
      ['keys', 'create', '--id', 'SHOP0001', '--feature', 'push', '--grace-seconds', '5'],
      ['keys', 'rotate', '--id', 'SHOP0001', '--feature', 'push', '--grace-seconds', 'soon'],
      ['keys', 'show', '--id', 'SHOP0001'],
    ]) {
      assert.equal((await run(dir, {}, ...args)).code, 2, args.join(' '))
    }
    const unknown = await run(dir, {}, 'keys', 'list', '--id', 'NOSUCH0001')
    assert.equal(unknown.code, 1)
    assert.match(unknown.err, /no workspace with id NOSUCH0001/)
  })
})
