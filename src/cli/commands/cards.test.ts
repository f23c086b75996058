// `inlet workspaces cards …` on a real data directory: a campaign set from a JSON file, replaced
// as a new version, listed, sent into the inboxes of its audience (cards and outbox messages in
// the store, the Card Sent events in the log), and removed with the admin API's checks; exit codes.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'

const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', 'cards', ...args])

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-cards-')

const CAMPAIGN = {
  campaign_id: 'offers-1',
  name: 'Offers',
  platforms: ['WEB'],
  audience: { type: 'users', customer_ids: ['ann'] },
  template: { title: 'Hello', message: 'An offer' },
}

describe('inlet workspaces cards', () => {
  it('sets a campaign from a file, lists it, sends it and removes it', async (t) => {
    const dir = dataDir(t)
    assert.equal((await runCli(dir, ['workspaces', 'create', '--id', 'SHOP0001'])).code, 0)
    const file = path.join(dir, 'c.json')
    writeFileSync(file, JSON.stringify(CAMPAIGN))
    const set = await run(dir, 'set', '--id', 'SHOP0001', '--file', file)
    assert.equal(set.code, 0, set.err)
    assert.match(set.out, /^offers-1 +v1 +Offers +WEB +users +General$/m)
    writeFileSync(file, JSON.stringify({ ...CAMPAIGN, pinned: true }))
    const again = await run(dir, 'set', '--id', 'SHOP0001', '--file', file, '--json')
    assert.equal(jsonOf<{ campaign: { version: number } }>(again).campaign.version, 2)
    const listed = jsonOf<{ campaigns: { campaign_id: string; pinned: boolean }[] }>(
      await run(dir, 'list', '--id', 'SHOP0001', '--json'),
    )
    assert.deepEqual(
      listed.campaigns.map((c) => [c.campaign_id, c.pinned]),
      [['offers-1', true]],
    )
    // No user 'ann' yet: the message says so, nothing is in an inbox.
    const sent = await run(dir, 'send', '--id', 'SHOP0001', '--campaign-id', 'offers-1')
    assert.equal(sent.code, 0, sent.err)
    assert.match(sent.out, /^Sent offers-1 v2: 0 recorded, 1 suppressed, 0 failed$/m)
    const messages = await withSqliteStore(dir, (store) =>
      store.outbox.list('SHOP0001', { channel: 'CARDS' }, 10),
    )
    assert.deepEqual(
      messages.map((m) => [m.customerId, m.status, m.reason]),
      [['ann', 'suppressed', "no user has customer_id 'ann'"]],
    )
    const removed = await run(dir, 'remove', '--id', 'SHOP0001', '--campaign-id', 'offers-1')
    assert.equal(removed.code, 0)
    assert.match(removed.out, /Removed\./)
    assert.match((await run(dir, 'list', '--id', 'SHOP0001')).out, /No card campaigns\./)
    const gone = await run(dir, 'send', '--id', 'SHOP0001', '--campaign-id', 'offers-1')
    assert.equal(gone.code, 1)
    assert.match(gone.err, /No such campaign\./)
  })

  it('refuses bad input with exit code 2, and an unknown workspace with 1', async (t) => {
    const dir = dataDir(t)
    assert.equal((await runCli(dir, ['workspaces', 'create', '--id', 'SHOP0001'])).code, 0)
    const file = path.join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ ...CAMPAIGN, platforms: ['TV'] }))
    const bad = await run(dir, 'set', '--id', 'SHOP0001', '--file', file)
    assert.equal(bad.code, 2)
    assert.match(bad.err, /platforms\[0\]: platforms\[0\] should be one of ANDROID, IOS, WEB/)
    writeFileSync(
      file,
      JSON.stringify({ ...CAMPAIGN, audience: { type: 'segment', segment: 'x' } }),
    )
    assert.equal((await run(dir, 'set', '--id', 'SHOP0001', '--file', file)).code, 0)
    const segment = await run(dir, 'send', '--id', 'SHOP0001', '--campaign-id', 'offers-1')
    assert.equal(segment.code, 2)
    assert.match(segment.err, /audience\.segment: no custom segment is named 'x'/)
    assert.equal((await run(dir, 'set', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'remove', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'send', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'frob', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'list')).code, 2)
    assert.equal((await run(dir, 'list', '--id', 'NOPE')).code, 1)
    assert.equal((await run(dir, 'send', '--id', 'NOPE', '--campaign-id', 'x')).code, 1)
  })
})
