/**
 * The `inlet` command line as a user runs it (a real process from source): `workspaces create`
 * prints the new workspace's credentials once (`--json`: `{"workspace_id","data_api_key","name"}`)
 * and honours `--id`, `--key` and `--name`; `workspaces list` shows workspaces without their keys;
 * bad arguments and bad environment values stop with a non-zero exit and a message saying what
 * is wrong. A workspace created here works against `inlet serve` on the same data directory.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runInlet, startServer, tempDir } from '../helpers/server.js'

type Created = { workspace_id: string; data_api_key: string; name: string }

function parseCreated(stdout: string): Created {
  const lines = stdout.trim().split('\n')
  assert.equal(lines.length, 1, `one JSON line: ${stdout}`)
  return JSON.parse(lines[0] ?? '') as Created // the shape is asserted by the caller
}

describe('inlet workspaces', { timeout: 180_000 }, () => {
  it('create --json prints a generated workspace id and Data API key', async (t) => {
    const dir = tempDir(t)
    const run = await runInlet(['workspaces', 'create', '--json'], { env: { INLET_DATA_DIR: dir } })
    assert.equal(run.code, 0, run.stderr)
    const created = parseCreated(run.stdout)
    assert.deepEqual(Object.keys(created).sort(), ['data_api_key', 'name', 'workspace_id'])
    assert.match(created.workspace_id, /^[A-Z0-9]{20}$/)
    assert.match(created.data_api_key, /^\S{8,256}$/)
    assert.equal(typeof created.name, 'string')
  })

  it('create honours --id, --key and --name, and list shows the workspace without its key', async (t) => {
    const dir = tempDir(t)
    const env = { INLET_DATA_DIR: dir }
    const key = 'cli-chosen-key-0001'
    const run = await runInlet(
      ['workspaces', 'create', '--id', 'CLISHOP2026', '--key', key, '--name', 'CLI Shop', '--json'],
      { env },
    )
    assert.equal(run.code, 0, run.stderr)
    // The key was given: it is stored, never echoed (only a generated key is shown, once).
    assert.deepEqual(parseCreated(run.stdout), { workspace_id: 'CLISHOP2026', name: 'CLI Shop' })
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(key), 'create never echoes a given key')

    const text = await runInlet(['workspaces', 'list'], { env })
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /CLISHOP2026/)
    assert.match(text.stdout, /CLI Shop/)
    assert.doesNotMatch(text.stdout + text.stderr, new RegExp(key), 'list never shows the key')

    const json = await runInlet(['workspaces', 'list', '--json'], { env })
    assert.equal(json.code, 0, json.stderr)
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[] // the list shape, checked below
    assert.equal(rows.length, 1)
    assert.equal(rows[0]?.['workspace_id'], 'CLISHOP2026')
    assert.equal(rows[0]?.['name'], 'CLI Shop')
    assert.equal(rows[0]?.['key_set'], true)
    assert.equal(rows[0]?.['data_api_key'], undefined)
    assert.doesNotMatch(json.stdout, new RegExp(key), 'list --json never shows the key')

    // Those credentials work against the server on the same data directory, which creates no
    // workspace of its own because one exists.
    const server = await startServer(t, {
      dataDir: dir,
      credentials: { workspaceId: 'CLISHOP2026', apiKey: key },
    })
    assert.doesNotMatch(server.stdout(), /Created a workspace/)
    const res = await server.post('/v1/customer/CLISHOP2026', {
      type: 'customer',
      customer_id: 'from-cli',
      attributes: { first_name: 'Cli' },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  })

  it('create without --json prints the credentials as text: a generated key once, a given one never', async (t) => {
    const env = { INLET_DATA_DIR: tempDir(t) }
    const given = await runInlet(
      ['workspaces', 'create', '--id', 'TEXTSHOP', '--key', 'text-key-0001'],
      {
        env,
      },
    )
    assert.equal(given.code, 0, given.stderr)
    assert.match(given.stdout, /Workspace ID: +TEXTSHOP\n/)
    assert.match(given.stdout, /Data API key: +the one given with --key \(not shown\)\n/)
    assert.doesNotMatch(given.stdout, /text-key-0001/)
    const generated = await runInlet(['workspaces', 'create', '--id', 'TEXTSHOP2'], { env })
    assert.equal(generated.code, 0, generated.stderr)
    assert.match(
      generated.stdout,
      /Data API key: +[A-Za-z0-9]{32}\n\(the key is shown only now\)\n/,
    )
  })

  it('refuses bad arguments with a non-zero exit and a message naming the problem', async (t) => {
    const dir = tempDir(t)
    const env = { INLET_DATA_DIR: dir }
    const cases: [string[], RegExp][] = [
      [['workspaces', 'create', '--bogus'], /Unknown option '--bogus'/],
      [['workspaces', 'frobnicate'], /unknown workspaces command: frobnicate/],
      [['workspaces', 'create', '--id', 'lower-case'], /workspace id must be 4 to 64 upper-case/],
      [['workspaces', 'create', '--id', 'SHORTKEY', '--key', 'short'], /data API key must be 8/],
      [['workspaces', 'get'], /needs --id/],
      [['frobnicate'], /unknown command: frobnicate/],
      [['serve', '--bogus'], /Unknown option '--bogus'/],
    ]
    for (const [args, message] of cases) {
      const run = await runInlet(args, { env })
      assert.notEqual(run.code, 0, `inlet ${args.join(' ')} exits non-zero`)
      assert.match(run.stderr, message, `inlet ${args.join(' ')}: ${run.stderr}`)
      assert.equal(run.stdout, '', `inlet ${args.join(' ')} prints nothing on stdout`)
    }

    const first = await runInlet(['workspaces', 'create', '--id', 'TAKEN01'], { env })
    assert.equal(first.code, 0, first.stderr)
    const again = await runInlet(['workspaces', 'create', '--id', 'TAKEN01'], { env })
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /TAKEN01 already exists/)
    const list = await runInlet(['workspaces', 'list', '--json'], { env })
    const rows = JSON.parse(list.stdout) as unknown[] // a JSON array of workspaces
    assert.equal(rows.length, 1, 'the refused commands created nothing')
  })

  it('stops start-up on a bad environment value with a message naming the variable', async (t) => {
    const dir = join(tempDir(t), 'never-created')
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /PORT="abc": must be a whole number/],
      [{ PORT: '70000' }, /PORT="70000": must be between 0 and 65535/],
      [{ INLET_DURABILITY: 'sometimes' }, /INLET_DURABILITY="sometimes": must be one of fsync, os/],
      [{ INLET_WORKSPACE_ID: 'ONLYTHEID' }, /INLET_WORKSPACE_ID and INLET_DATA_API_KEY/],
      // A secret is named, never shown.
      [
        { INLET_ADMIN_TOKEN: 'leaked-token', DATABASE_URL: 'mysql://u:leaked-pw@db/inlet' },
        /DATABASE_URL="mysql:\/\/u:\*\*\*@db\/inlet"[^]*INLET_ADMIN_TOKEN \(value not shown\): must be 16/,
      ],
    ]
    for (const [bad, message] of cases) {
      const run = await runInlet(['serve'], { env: { INLET_DATA_DIR: dir, ...bad } })
      const what = `serve with ${JSON.stringify(bad)}`
      assert.equal(run.code, 2, `${what} exits 2: ${run.stderr}`)
      assert.match(run.stderr, message, what)
      assert.doesNotMatch(run.stdout + run.stderr, /leaked/, `${what} shows no secret`)
      assert.doesNotMatch(run.stdout, /Inlet is serving/, what)
      assert.equal(existsSync(dir), false, `${what} touched no data directory`)
    }
    const create = await runInlet(['workspaces', 'create'], {
      env: { INLET_DATA_DIR: dir, INLET_DURABILITY: 'sometimes' },
    })
    assert.notEqual(create.code, 0)
    assert.match(create.stderr, /INLET_DURABILITY/)
  })
})
