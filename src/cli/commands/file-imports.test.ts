// `inlet workspaces file-imports …` on a real data directory: an import set from flags (a file
// under INLET_SEGMENT_FILE_DIR, then an HTTPS URL on a daily schedule) and from a JSON file,
// replaced as a new version, listed and removed with the admin API's checks; a source outside the
// allowed directory refused; exit codes.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it } from 'node:test'
import { jsonOf, runCli, withSqliteStore, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'

type Listed = { imports: { import_id: string; name: string; version: number; source: string }[] }

describe('inlet workspaces file-imports', () => {
  it('sets an import from flags and from a file, lists and removes it', async (t) => {
    const dir = tempDir(t, 'inlet-cli-file-imports-')
    const files = tempDir(t, 'inlet-cli-file-imports-src-')
    const env = { INLET_SEGMENT_FILE_DIR: files }
    const run = (...args: string[]): Promise<CliRun> =>
      runCli(dir, ['workspaces', 'file-imports', ...args], env)
    assert.equal((await runCli(dir, ['workspaces', 'create', '--id', 'SHOP0001'])).code, 0)
    const source = pathToFileURL(path.join(files, 'users.csv')).href
    const set = await run(
      'set',
      '--id',
      'SHOP0001',
      '--import-id',
      'nightly',
      '--name',
      'Nightly',
      '--source',
      source,
      '--type',
      'users',
      '--daily-at',
      '02:30',
    )
    assert.equal(set.code, 0, set.err)
    assert.match(set.out, /^nightly +v1 +Nightly +users csv +daily 02:30 UTC/m)
    const file = path.join(dir, 'i.json')
    writeFileSync(
      file,
      JSON.stringify({
        import_id: 'nightly',
        name: 'Nightly',
        source: 'https://files.example.com/users.jsonl',
        type: 'users',
        format: 'jsonl',
      }),
    )
    assert.equal((await run('set', '--id', 'SHOP0001', '--file', file)).code, 0)
    const listed = jsonOf<Listed>(await run('list', '--id', 'SHOP0001', '--json'))
    assert.deepEqual(
      listed.imports.map((i) => [i.import_id, i.version, i.source]),
      [['nightly', 2, 'https://files.example.com/users.jsonl']],
    )
    const stored = await withSqliteStore(dir, (store) => store.fileImports.imports('SHOP0001'))
    assert.equal(stored[0]?.scheduleType, 'ONETIME')
    const outside = await run(
      'set',
      '--id',
      'SHOP0001',
      '--name',
      'Passwords',
      '--source',
      'file:///etc/passwd',
      '--type',
      'users',
    )
    assert.equal(outside.code, 2)
    assert.match(outside.err, /not under INLET_SEGMENT_FILE_DIR/)
    assert.equal((await run('remove', '--id', 'SHOP0001', '--import-id', 'nightly')).code, 0)
    assert.match((await run('list', '--id', 'SHOP0001')).out, /No file imports\./)
    assert.equal((await run('frob', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run('remove', '--id', 'SHOP0001')).code, 2)
  })
})
