// `inlet workspaces alerts …` on a real data directory: an alert set from a JSON file, replaced
// as a new version, listed and removed with the admin API's checks; exit codes.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { DEMO_ALERT } from '../../../test/helpers/inform.js'
import { tempDir } from '../../../test/helpers/server.js'

const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', ...args])

const dataDir = (t: TestContext): string => tempDir(t, 'inlet-cli-alerts-')

type Listed = { alerts: { alert_id: string; reference_name: string; version: number }[] }

/** `definition` written as a JSON file in `dir`; its path. */
function file(dir: string, name: string, definition: unknown): string {
  const at = path.join(dir, name)
  writeFileSync(at, typeof definition === 'string' ? definition : JSON.stringify(definition))
  return at
}

/** `inlet workspaces alerts set --id SHOP0001 --file <definition as a file>`, `extra` after. */
function setFrom(dir: string, name: string, definition: unknown, ...extra: string[]) {
  return run(
    dir,
    'alerts',
    'set',
    '--id',
    'SHOP0001',
    '--file',
    file(dir, name, definition),
    ...extra,
  )
}

describe('inlet workspaces alerts', () => {
  it('sets an alert from a file, replaces it as a new version, lists and removes it', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const set = await setFrom(dir, 'a.json', DEMO_ALERT)
    assert.equal(set.code, 0, set.err)
    assert.match(
      set.out,
      /^636b77e6e2cf83277195fb60 +test 636b77e6e2cf83277195fb61 +v1 +Demo_ID +\[SMS, EMAIL, PUSH\]$/m,
    )
    const changed = { ...DEMO_ALERT, channels: { SMS: { body: 'Hi', enabled: false } } }
    const again = await setFrom(dir, 'b.json', changed, '--json')
    assert.equal(jsonOf<{ alert: { version: number } }>(again).alert.version, 2)
    const listed = jsonOf<Listed>(await run(dir, 'alerts', 'list', '--id', 'SHOP0001', '--json'))
    assert.deepEqual(
      listed.alerts.map((a) => [a.alert_id, a.reference_name, a.version]),
      [[DEMO_ALERT.alert_id, 'Demo_ID', 2]],
    )
    const text = await run(dir, 'alerts', 'list', '--id', 'SHOP0001')
    assert.match(text.out, /\[SMS \(off\)\]/)
    const stored = await withSqliteStore(dir, (store) => store.alerts.list('SHOP0001'))
    assert.equal(stored.length, 1)
    const removed = await run(
      dir,
      'alerts',
      'remove',
      '--id',
      'SHOP0001',
      '--alert-id',
      DEMO_ALERT.alert_id,
      '--json',
    )
    assert.deepEqual(jsonOf(removed), { workspace_id: 'SHOP0001', removed: true })
    const none = await run(dir, 'alerts', 'list', '--id', 'SHOP0001')
    assert.match(none.out, /No Inform alerts\./)
  })

  it('refuses bad input with exit code 2, and an unknown workspace with 1', async (t) => {
    const dir = dataDir(t)
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const bad = await setFrom(dir, 'bad.json', {
      reference_name: 'A',
      channels: { SMS: { body: '{{ x' } },
    })
    assert.equal(bad.code, 2)
    assert.match(bad.err, /channels\.SMS\.body: channels\.SMS\.body does not compile/)
    const notJson = await setFrom(dir, 'x.json', '{nope')
    assert.equal(notJson.code, 2)
    assert.equal((await run(dir, 'alerts', 'set', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'alerts', 'remove', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'alerts', 'frob', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'alerts', 'list')).code, 2)
    const unknown = await run(dir, 'alerts', 'list', '--id', 'NOPE')
    assert.equal(unknown.code, 1)
  })
})
