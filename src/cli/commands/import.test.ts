// `inlet import` and `inlet export`'s command lines: what each refuses as a usage error (exit code
// 2, the reason on stderr) before anything is sent or read, where the API is and whose key is
// used, and an export of a workspace the data directory does not hold (exit code 1).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runCli } from '../../../test/helpers/cli.js'
import { ROOT, cleanEnv, tempDir } from '../../../test/helpers/server.js'
import { credentialsOf, endpointOf } from './import.js'

const CREDENTIALS = { MOENGAGE_WORKSPACE_ID: 'WS1', MOENGAGE_API_KEY: 'key-1' }

describe('inlet import and export: flags', () => {
  it('refuses a missing file, workspace or key, and a bad endpoint, as usage errors', async (t) => {
    const dir = tempDir(t, 'inlet-cli-import-')
    const file = join(dir, 'users.csv')
    writeFileSync(file, 'customer_id\nada\n')
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], CREDENTIALS, /import needs a FILE/],
      [[file, 'extra'], CREDENTIALS, /import takes one FILE/],
      [[file], { MOENGAGE_API_KEY: 'k' }, /needs --workspace/],
      [[file], { MOENGAGE_WORKSPACE_ID: 'W' }, /MOENGAGE_API_KEY/],
      [[file, '--data-center', '07'], CREDENTIALS, /--data-center must be one of 01, 02/],
      [[file, '--data-center', '01', '--base-url', 'http://x'], CREDENTIALS, /not both/],
      [[file, '--base-url', 'ftp://x'], CREDENTIALS, /http:\/\/ or https:\/\//],
      [[file, '--type', 'devices'], CREDENTIALS, /--type must be users or events/],
      [[file, '--batch-size', 'many'], CREDENTIALS, /--batch-size expects a whole number/],
      [[file, '--batch-size', '0'], CREDENTIALS, /batch size in rows must be from 1/],
      [[file, '--id-column', 'uid'], CREDENTIALS, /has no column uid/],
      [[join(dir, 'missing.csv')], CREDENTIALS, /cannot read/],
      [[join(dir)], CREDENTIALS, /is not a file/],
      [[file, '--bogus'], CREDENTIALS, /Unknown option '--bogus'/],
    ]
    for (const [args, env, message] of cases) {
      const run = await runCli(dir, ['import', ...args], env)
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`)
      assert.match(run.err, message)
    }
  })

  it('sends to a data centre, a base URL or the local port; flags win over the environment', () => {
    assert.deepEqual(endpointOf({ 'data-center': '02' }, {}), { dataCenter: '02' })
    assert.deepEqual(endpointOf({}, { MOENGAGE_DATA_CENTER: '101' }), { dataCenter: '101' })
    assert.deepEqual(
      endpointOf({ 'base-url': 'https://a.example' }, { MOENGAGE_DATA_CENTER: '01' }),
      {
        baseUrl: 'https://a.example',
      },
    )
    assert.deepEqual(endpointOf({}, { PORT: '9090' }), { baseUrl: 'http://127.0.0.1:9090' })
    assert.deepEqual(credentialsOf({ workspace: 'W2' }, CREDENTIALS, 'import'), {
      workspaceId: 'W2',
      apiKey: 'key-1',
    })
  })

  it('fails an import whose API cannot be reached with the checkpoint kept (exit code 1)', async (t) => {
    const dir = tempDir(t, 'inlet-cli-import-')
    const file = join(dir, 'users.csv')
    writeFileSync(file, 'customer_id\nada\n')
    // Port 9 (discard) refuses at once; the SDK retries 5 times, 2 s apart, then gives up. Its own
    // process: runCli would hold this process's stdout (the test reporter's) for that long.
    const run = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'import', file, '--base-url', 'http://127.0.0.1:9'],
        { cwd: ROOT, env: { ...cleanEnv(), ...CREDENTIALS } },
        (error, _stdout, stderr) =>
          resolve({ code: error === null ? 0 : (error.code as number), err: stderr }),
      )
    })
    assert.equal(run.code, 1, run.err)
    assert.match(run.err, /no answer/)
    assert.match(run.err, /run the same command again to resume/)
    assert.ok(existsSync(`${file}.checkpoint.json`), 'the checkpoint was written first')
  })

  it('refuses export usage errors, and a workspace the store does not hold', async (t) => {
    const dir = tempDir(t, 'inlet-cli-export-')
    const cases: [string[], RegExp][] = [
      [['export'], /export needs users or events/],
      [['export', 'devices'], /export needs users or events/],
      [['export', 'users'], /export users needs --workspace/],
      [['export', 'users', '--workspace', 'W', '--format', 'xml'], /--format must be jsonl or csv/],
      [['export', 'users', '--workspace', 'W', '--page-size', '0'], /--page-size must be from 1/],
    ]
    for (const [args, message] of cases) {
      const run = await runCli(dir, args)
      assert.equal(run.code, 2, args.join(' '))
      assert.match(run.err, message)
    }
    const unknown = await runCli(dir, ['export', 'events', '--workspace', 'NOPE'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.err, /no workspace with id 'NOPE'/)
  })
})
