// `inlet workspaces categories …` and `inlet workspaces link` on a real data directory: categories
// set, changed, listed and removed with the admin API's checks; link ids signed under the data
// directory's secret.key, which a server on the same directory accepts; exit codes.
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'
import { createLinkTokens } from '../../workspaces/link-tokens.js'
import { createSecretBox, serverSecret } from '../../workspaces/secret-box.js'

const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', ...args])

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-categories-')

type Listed = { categories: { name: string; description: string; active: boolean }[] }

const DAY = 86_400_000

describe('inlet workspaces categories and link', () => {
  it('sets, changes, lists and removes categories', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const set = await run(dir, 'categories', 'set', '--id', 'SHOP0001', '--name', 'Promotional')
    assert.equal(set.code, 0, set.err)
    assert.match(set.out, /^active +Promotional$/m)
    const more = ['categories', 'set', '--id', 'SHOP0001', '--name', 'Newsletter']
    assert.equal((await run(dir, ...more, '--description', 'Weekly')).code, 0)
    assert.equal((await run(dir, ...more, '--active', 'off')).code, 0)
    const listed = jsonOf<Listed>(
      await run(dir, 'categories', 'list', '--id', 'SHOP0001', '--json'),
    )
    assert.deepEqual(
      listed.categories.map((c) => [c.name, c.description, c.active]),
      [
        ['Promotional', '', true],
        ['Newsletter', 'Weekly', false],
      ],
    )
    const removed = await run(
      dir,
      'categories',
      'remove',
      '--id',
      'SHOP0001',
      '--name',
      'Newsletter',
      '--json',
    )
    assert.deepEqual(jsonOf(removed), { workspace_id: 'SHOP0001', removed: true })
    const again = await run(dir, 'categories', 'remove', '--id', 'SHOP0001', '--name', 'Newsletter')
    assert.match(again.out, /No category Newsletter/)
  })

  it('refuses bad input with exit code 2, and an unknown workspace with 1', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const blank = await run(dir, 'categories', 'set', '--id', 'SHOP0001', '--name', ' x ')
    assert.equal(blank.code, 2)
    assert.match(blank.err, /name: a category name/)
    assert.equal((await run(dir, 'categories', 'set', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'categories', 'frob', '--id', 'SHOP0001')).code, 2)
    const unknown = await run(dir, 'categories', 'list', '--id', 'NOPE')
    assert.equal(unknown.code, 1)
    assert.match(unknown.err, /no workspace with id NOPE/)
  })

  it('prints link ids signed under the data directory’s secret', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const userId = await withSqliteStore(dir, async (store) => {
      await store.processing.commit({
        fromSeq: 0,
        toSeq: 0,
        users: [
          {
            workspaceId: 'SHOP0001',
            id: 'u-1',
            customerId: 'ann',
            attributes: {},
            createdAt: 1,
            updatedAt: 1,
          },
        ],
        devices: [],
        deletedDevices: [],
        events: [],
        outcomes: [],
      })
      return 'u-1'
    })
    const link = jsonOf<{ user_id: string; cid: string; expires_at: string; user: { id: string } }>(
      await run(
        dir,
        'link',
        '--id',
        'SHOP0001',
        '--customer-id',
        'ann',
        '--cid',
        'spring',
        '--json',
      ),
    )
    assert.equal(link.user.id, userId)
    const tokens = createLinkTokens(
      createSecretBox(serverSecret({ secretKey: undefined, dataDir: dir, databaseUrl: undefined })),
    )
    const now = Date.now()
    assert.equal(tokens.read('SHOP0001', 'user', link.user_id, now), userId)
    assert.equal(tokens.read('SHOP0001', 'campaign', link.cid, now), 'spring')
    assert.equal(tokens.read('OTHER', 'user', link.user_id, now), undefined)
    // INLET_LINK_TOKEN_TTL_DAYS' default: 90 days (to the second, rounded up).
    const lasts = Date.parse(link.expires_at) - now
    assert.ok(lasts > 90 * DAY - 5_000 && lasts <= 90 * DAY + 1_000, link.expires_at)
    assert.equal(tokens.read('SHOP0001', 'user', link.user_id, now + 90 * DAY + 1_000), undefined)
    const linkFor = (days: string) =>
      run(
        dir,
        'link',
        '--id',
        'SHOP0001',
        '--user-id',
        'u-1',
        '--cid',
        'spring',
        '--expires-in-days',
        days,
      )
    // The expiry counts from when the CLI ran: between these two instants (a busy machine may
    // take seconds to start a process), rounded up to the second.
    const before = Date.now()
    const text = await linkFor('3')
    const after = Date.now()
    assert.match(text.out, /^user_id: {2}it2\./)
    const expires = Date.parse(/Expires: {2}(\S+)/.exec(text.out)?.[1] ?? '')
    assert.ok(expires >= before + 3 * DAY - 1_000 && expires <= after + 3 * DAY + 1_000, text.out)
    for (const bad of ['0', '3651', 'soon']) assert.equal((await linkFor(bad)).code, 2, bad)
    assert.equal(
      (await run(dir, 'link', '--id', 'SHOP0001', '--customer-id', 'zed', '--cid', 'c')).code,
      2,
    )
    assert.equal((await run(dir, 'link', '--id', 'SHOP0001', '--cid', 'c')).code, 2)
  })
})
