// The gateway's workspace cache: rows kept for the TTL, dropped by writes through this process,
// failed keys never remembered, a previous key honoured only until its grace period ends; changes
// made by another process (the CLI) seen within the TTL, as the README, CLI help and docs say.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp } from '../../test/helpers/app.js'
import { HELP } from '../cli/cli.js'
import { createSequentialIds } from '../core/ids.js'
import { createSqliteStore } from '../store/sqlite/sqlite-store.js'
import { createWorkspaces } from '../workspaces/workspaces.js'
import { WORKSPACE_CACHE_TTL_MS, WORKSPACE_REREAD_MS, createWorkspaceCache } from './gateway.js'

const TRACK = `/v1/customer/${WORKSPACE_ID}`
const BODY = { type: 'customer', customer_id: 'u1', attributes: { a: 1 } }
const withKey = (key: string) => ({
  headers: { authorization: basicAuth(WORKSPACE_ID, key), 'content-type': 'application/json' },
})

describe('workspace cache', () => {
  it('reads a workspace once per TTL and again after it', async (t) => {
    const app = await createTestApp(t)
    let reads = 0
    const store = {
      ...app.store,
      workspaces: {
        ...app.store.workspaces,
        get: (id: string) => {
          reads++
          return app.store.workspaces.get(id)
        },
      },
    }
    const cache = createWorkspaceCache({ store, clock: app.clock })
    await cache.get(WORKSPACE_ID)
    await cache.get(WORKSPACE_ID)
    assert.equal(reads, 1)
    app.clock.advance(WORKSPACE_CACHE_TTL_MS)
    await cache.get(WORKSPACE_ID)
    assert.equal(reads, 2)
    cache.invalidate(WORKSPACE_ID)
    await cache.get(WORKSPACE_ID)
    assert.equal(reads, 3)
    assert.equal(await cache.get('NOSUCHWORKSPACE'), undefined)
    assert.equal(await cache.get('NOSUCHWORKSPACE'), undefined)
    assert.equal(reads, 5, 'unknown ids are read every time')
  })

  it('sees a change written through the store at once', async (t) => {
    const app = await createTestApp(t)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200)
    const other = createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    })
    await other.update(WORKSPACE_ID, { state: 'suspended' })
    assert.equal((await app.post(TRACK, BODY)).statusCode, 403, 'a write through app.store')
  })

  it('never remembers a refused key, and refuses a rotated-out key at once', async (t) => {
    const app = await createTestApp(t)
    const wrong = withKey('not-the-key-1')
    assert.equal((await app.post(TRACK, BODY, wrong)).statusCode, 401)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200)
    assert.equal((await app.post(TRACK, BODY, wrong)).statusCode, 401)
    const workspaces = createWorkspaces({
      store: app.store,
      clock: app.clock,
      ids: createSequentialIds(),
    })
    const { dataApiKey } = await workspaces.rotateKey(WORKSPACE_ID, { graceSeconds: 1 })
    const rotated = withKey(dataApiKey)
    assert.equal((await app.post(TRACK, BODY, rotated)).statusCode, 200)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200, 'old key within its grace period')
    app.clock.advance(999)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200)
    app.clock.advance(1)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 401, 'old key after its grace period')
    assert.equal((await app.post(TRACK, BODY, rotated)).statusCode, 200)
    assert.notEqual(API_KEY, dataApiKey)
  })

  it('sees another process’s change within the TTL, not at once, as the docs say', async (t) => {
    // Writes through `raw` bypass this app's cache, like the CLI or a second `inlet serve` would.
    const raw = createSqliteStore({ dir: ':memory:', durability: 'os' })
    const app = await createTestApp(t, {}, { store: raw })
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200)
    const cli = createWorkspaces({ store: raw, clock: app.clock, ids: createSequentialIds() })
    const { dataApiKey } = await cli.rotateKey(WORKSPACE_ID)
    const rotated = withKey(dataApiKey)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 200, 'old key: not refused at once')
    assert.equal((await app.post(TRACK, BODY, rotated)).statusCode, 401, 'new key: row just read')
    // A key the cached row refuses reads the row again once it is WORKSPACE_REREAD_MS old, so a
    // new key works long before the TTL ends, rather than failing (and counting as failed auth).
    app.clock.advance(WORKSPACE_REREAD_MS)
    assert.equal((await app.post(TRACK, BODY, rotated)).statusCode, 200, 'new key: row read again')
    assert.equal((await app.post(TRACK, BODY)).statusCode, 401, 'old key: the row read again')
    app.clock.advance(WORKSPACE_CACHE_TTL_MS)
    assert.equal((await app.post(TRACK, BODY)).statusCode, 401, 'old key after the TTL')
    assert.equal((await app.post(TRACK, BODY, rotated)).statusCode, 200, 'new key after the TTL')
    // A flood of wrong keys reads the row at most once per WORKSPACE_REREAD_MS.
    let reads = 0
    const get = raw.workspaces.get.bind(raw.workspaces)
    raw.workspaces.get = (id) => {
      reads++
      return get(id)
    }
    for (let i = 0; i < 20; i++) {
      assert.equal((await app.post(TRACK, BODY, withKey(`wrong-key-${i}00`))).statusCode, 401)
    }
    assert.ok(reads <= 1, `${reads} reads for 20 wrong keys within ${WORKSPACE_REREAD_MS} ms`)
    // What the README, the CLI's help and docs/errors.md promise.
    assert.equal(WORKSPACE_CACHE_TTL_MS, 1_000, 'the docs say "about a second"')
    const doc = (path: string, from: string, to: string): string => {
      const text = readFileSync(new URL(path, import.meta.url), 'utf8')
      const start = text.indexOf(from)
      assert.notEqual(start, -1, `${path}: ${from}`)
      return text.slice(start, text.indexOf(to, start + from.length))
    }
    const claims = {
      README: doc('../../README.md', '### Workspace states and keys', '\n### '),
      'inlet help, rotate-key': doc(
        '../cli/cli.ts',
        'workspaces rotate-key',
        'workspaces remove-key',
      ),
      'docs/errors.md key_mismatch': doc('../../docs/errors.md', '### `key_mismatch`', '\n### '),
    }
    assert.ok(HELP.includes(claims['inlet help, rotate-key'].trim().split('\n')[0] ?? '-'))
    for (const [where, text] of Object.entries(claims)) {
      assert.match(
        text,
        /within\s+about\s+a\s+second/,
        `${where}: other processes within about a second`,
      )
      // "At once" holds only for the admin API's changes, in its own process.
      for (const sentence of text.split(/(?<=\.)\s+/).filter((x) => /at\s+once/.test(x))) {
        assert.match(sentence, /admin\s+API/, `${where}: "${sentence}"`)
      }
    }
  })
})
