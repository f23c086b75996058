/**
 * Workspace governance from the command line against a running server (issue 5 items 4–6): `inlet
 * workspaces …` on the data directory of a real `inlet serve` sets each workspace state, removes
 * and rotates the Data API key (with and without a grace period) and toggles strict bulk mode and
 * Identity Resolution; the server answers each with the exact status, `type` and `message` of
 * spec §4.4 within its workspace cache's second.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { settingProbes } from '../helpers/data-api.js'
import { SPEC, STATE_ANSWERS } from '../helpers/gateway-spec.js'
import { basicAuth, runInlet, startServer, type RunningServer } from '../helpers/server.js'

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Answer = { status: number; type?: string; message?: string }

/** What a Track User with `key` answers: the status and, on a failure, the error's type and message. */
async function trackUser(server: RunningServer, key = server.apiKey): Promise<Answer> {
  const res = await fetch(`${server.baseUrl}/v1/customer/${server.workspaceId}`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(server.workspaceId, key),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ type: 'customer', customer_id: 'john', attributes: {} }),
  })
  const body = (await res.json()) as { error?: { type: string; message: string } }
  return body.error === undefined
    ? { status: res.status }
    : { status: res.status, type: body.error.type, message: body.error.message }
}

/** Polls `ask` until it answers `expected` (the server caches a workspace for 1 s), or fails. */
async function eventually<T>(ask: () => Promise<T>, expected: T, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  let last: T | undefined
  for (;;) {
    last = await ask()
    try {
      assert.deepEqual(last, expected)
      return
    } catch {
      if (Date.now() > deadline) assert.deepEqual(last, expected, what)
    }
    await delay(100)
  }
}

async function cli(server: RunningServer, ...args: string[]): Promise<string> {
  const run = await runInlet(['workspaces', ...args, '--id', server.workspaceId], {
    env: { INLET_DATA_DIR: server.dataDir },
  })
  assert.equal(run.code, 0, `inlet workspaces ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

const KEY_MISMATCH = SPEC.keyMismatch

describe('inlet workspaces against a running server', { timeout: 240_000 }, () => {
  it('sets every workspace state, each answered exactly, and lifts it again', async (t) => {
    const server = await startServer(t)
    const states = { ...STATE_ANSWERS, active: { status: 200 } }
    for (const [state, expected] of Object.entries(states)) {
      await cli(server, 'set-state', '--state', state)
      await eventually(() => trackUser(server), expected, state)
    }
  })

  it('removes and rotates the key: 409 without one, the old key 401, both during a grace period', async (t) => {
    const server = await startServer(t)
    await cli(server, 'remove-key')
    await eventually(
      () => trackUser(server),
      {
        status: 409,
        type: 'Authentication required',
        message: 'App Secret key is not set. Please login to the dashboard to set a key',
      },
      'no key',
    )
    await cli(server, 'rotate-key', '--key', 'cli-second-key-01')
    await eventually(() => trackUser(server, 'cli-second-key-01'), { status: 200 }, 'new key')
    assert.deepEqual(await trackUser(server), KEY_MISMATCH, 'a removed key never comes back')

    await cli(server, 'rotate-key', '--key', 'cli-third-key-001', '--grace-seconds', '600')
    await eventually(() => trackUser(server, 'cli-third-key-001'), { status: 200 }, 'third key')
    assert.deepEqual(await trackUser(server, 'cli-second-key-01'), { status: 200 }, 'grace period')
    await cli(server, 'rotate-key', '--key', 'cli-fourth-key-01')
    await eventually(
      () => trackUser(server, 'cli-second-key-01'),
      KEY_MISMATCH,
      'a rotation without grace ends the previous grace period',
    )
    assert.deepEqual(await trackUser(server, 'cli-fourth-key-01'), { status: 200 })
  })

  it('toggles strict bulk mode and Identity Resolution', async (t) => {
    const server = await startServer(t)
    // [Bulk with an element lacking customer_id, Track User by email alone]: see settingProbes.
    const both = () =>
      settingProbes(
        server.workspaceId,
        async (path, body) => (await server.post(path, body)).status,
      )
    assert.deepEqual(await both(), [200, 400])
    await cli(server, 'update', '--bulk-strict', 'on', '--identity-resolution', 'on')
    await eventually(both, [400, 200], 'both on')
    await cli(server, 'update', '--bulk-strict', 'off', '--identity-resolution', 'off')
    await eventually(both, [200, 400], 'both off')
  })
})
