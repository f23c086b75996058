// `inlet workspaces live-activities …` on a real data directory: a campaign set from flags and
// from a JSON file, replaced as a new version, listed and removed with the admin API's checks;
// exit codes.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'

const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', 'live-activities', ...args])

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-live-activities-')

type Listed = { campaigns: { campaign_id: string; name: string; version: number }[] }

describe('inlet workspaces live-activities', () => {
  it('sets a campaign from flags and from a file, lists and removes it', async (t) => {
    const dir = dataDir(t)
    assert.equal((await runCli(dir, ['workspaces', 'create', '--id', 'SHOP0001'])).code, 0)
    const set = await run(
      dir,
      'set',
      '--id',
      'SHOP0001',
      '--campaign-id',
      'match-1',
      '--name',
      'Final',
      '--max-instances',
      '3',
    )
    assert.equal(set.code, 0, set.err)
    assert.match(set.out, /^match-1 +v1 +Final +p8 +max 3$/m)
    const file = path.join(dir, 'c.json')
    writeFileSync(
      file,
      JSON.stringify({ campaign_id: 'match-1', name: 'Final', attribute_type: 'Score' }),
    )
    const again = await run(dir, 'set', '--id', 'SHOP0001', '--file', file, '--json')
    assert.equal(jsonOf<{ campaign: { version: number } }>(again).campaign.version, 2)
    const listed = jsonOf<Listed>(await run(dir, 'list', '--id', 'SHOP0001', '--json'))
    assert.deepEqual(
      listed.campaigns.map((c) => [c.campaign_id, c.name, c.version]),
      [['match-1', 'Final', 2]],
    )
    const stored = await withSqliteStore(dir, (store) =>
      store.liveActivities.campaign('SHOP0001', 'match-1'),
    )
    assert.deepEqual(stored?.definition, {
      attribute_type: 'Score',
      ios_auth: 'p8',
      max_instances: 10,
    })
    const removed = await run(dir, 'remove', '--id', 'SHOP0001', '--campaign-id', 'match-1')
    assert.equal(removed.code, 0)
    assert.match(removed.out, /Removed\./)
    assert.match((await run(dir, 'list', '--id', 'SHOP0001')).out, /No live-activity campaigns\./)
  })

  it('refuses bad input with exit code 2, and an unknown workspace with 1', async (t) => {
    const dir = dataDir(t)
    assert.equal((await runCli(dir, ['workspaces', 'create', '--id', 'SHOP0001'])).code, 0)
    const bad = await run(dir, 'set', '--id', 'SHOP0001', '--name', 'X', '--ios-auth', 'p10')
    assert.equal(bad.code, 2)
    assert.match(bad.err, /ios_auth: ios_auth should be one of p8, p12/)
    const many = await run(dir, 'set', '--id', 'SHOP0001', '--name', 'X', '--max-instances', 'x')
    assert.equal(many.code, 2)
    assert.equal((await run(dir, 'set', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'remove', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'frob', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'list')).code, 2)
    assert.equal((await run(dir, 'list', '--id', 'NOPE')).code, 1)
  })
})
