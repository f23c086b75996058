// `inlet workspaces delivery …` on a real data directory: the mode set from flags and from a file
// (the admin API's checks), a generated webhook secret printed once, the SMTP password never
// shown; exit codes.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { jsonOf, runCli, type CliRun } from '../../../test/helpers/cli.js'
import { tempDir } from '../../../test/helpers/server.js'

const run = (dir: string, ...args: string[]): Promise<CliRun> =>
  runCli(dir, ['workspaces', ...args])

type Shown = { delivery: Record<string, unknown>; webhook_secret?: string }

describe('inlet workspaces delivery', () => {
  it('sets the mode from flags and from a file, and shows it without secrets', async (t) => {
    const dir = tempDir(t, 'inlet-cli-delivery-')
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const shown = await run(dir, 'delivery', 'show', '--id', 'SHOP0001')
    assert.equal(shown.code, 0, shown.err)
    assert.match(shown.out, /^Delivery: +record \(messages are kept in the outbox/m)

    const hook = await run(
      dir,
      'delivery',
      'set',
      '--id',
      'SHOP0001',
      '--mode',
      'webhook',
      '--url',
      'https://bridge.test/inlet',
    )
    assert.equal(hook.code, 0, hook.err)
    assert.match(hook.out, /^Webhook secret: whsec_[A-Za-z0-9_-]{43}$/m)
    const json = await run(dir, 'delivery', 'show', '--id', 'SHOP0001', '--json')
    assert.deepEqual(jsonOf<Shown>(json).delivery, {
      mode: 'webhook',
      webhook: { url: 'https://bridge.test/inlet', secret_set: true },
    })

    const file = path.join(dir, 'smtp.json')
    writeFileSync(
      file,
      JSON.stringify({ mode: 'smtp', smtp: { host: 'mx.test', user: 'u', password: 'pw-secret' } }),
    )
    const smtp = await run(dir, 'delivery', 'set', '--id', 'SHOP0001', '--file', file, '--json')
    assert.equal(smtp.code, 0, smtp.err)
    assert.deepEqual(jsonOf<Shown>(smtp).delivery, {
      mode: 'smtp',
      smtp: {
        host: 'mx.test',
        port: 587,
        secure: false,
        user: 'u',
        password_set: true,
        from: 'inlet@localhost',
      },
    })
    assert.doesNotMatch(smtp.out, /pw-secret/)
  })

  it('refuses bad input with a usage error', async (t) => {
    const dir = tempDir(t, 'inlet-cli-delivery-')
    assert.equal((await run(dir, 'create', '--id', 'SHOP0001')).code, 0)
    const bad = await run(dir, 'delivery', 'set', '--id', 'SHOP0001', '--mode', 'webhook')
    assert.equal(bad.code, 2)
    assert.match(bad.err, /webhook\.url/)
    assert.equal((await run(dir, 'delivery', 'set', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'delivery', 'frob', '--id', 'SHOP0001')).code, 2)
    assert.equal((await run(dir, 'delivery', 'show')).code, 2)
  })
})
