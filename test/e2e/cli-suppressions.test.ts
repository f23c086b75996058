/**
 * `inlet suppressions list|lift` as a user runs it (a real process from source) on a data
 * directory whose store holds suppressions of an erasure (spec §7.12, Inlet): the list shows types
 * and hashes but no values, `lift --type --value` lifts one identity, `lift --request` the rest of
 * one GDPR request, and bad arguments exit 2 touching nothing.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { suppressionHash } from '../../src/privacy/gdpr.js'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { aWorkspace } from '../store/contract.js'
import { batchChanges } from '../helpers/batches.js'
import { runInlet, tempDir } from '../helpers/server.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

const WS = 'CLIGDPRWS00000000001'

async function seeded(dir: string): Promise<void> {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  await store.workspaces.create(aWorkspace({ id: WS }))
  const row = (type: 'email' | 'ID', value: string) => ({
    workspaceId: WS,
    hash: suppressionHash(WS, type, value),
    identityType: type,
    requestId: 'a7551968-d5d6-44b2-9831-815ac9017798',
    createdAt: Date.parse('2026-11-01T10:00:00Z'),
  })
  await store.processing.commit(
    batchChanges({ suppressions: [row('email', 'gone@example.com'), row('ID', 'gone-1')] }),
  )
  await store.close()
}

describe('inlet suppressions', { timeout: 180_000 }, () => {
  it('lists without values, lifts by identity and by request', async (t) => {
    const dir = tempDir(t)
    await seeded(dir)
    const env = { INLET_DATA_DIR: dir }
    const list = await runInlet(['suppressions', 'list', '--workspace', WS, '--json'], { env })
    assert.equal(list.code, 0, list.stderr)
    const rows = JSON.parse(list.stdout) as { identity_type: string }[] // the view's shape
    assert.deepEqual(rows.map((r) => r.identity_type).sort(), ['ID', 'email'])
    assert.doesNotMatch(list.stdout, /gone/)
    const one = await runInlet(
      ['suppressions', 'lift', '--workspace', WS, '--type', 'email', '--value', 'GONE@example.com'],
      { env },
    )
    assert.equal(one.code, 0, one.stderr)
    assert.equal(one.stdout, 'lifted 1 suppression\n')
    const rest = await runInlet(
      [
        'suppressions',
        'lift',
        '--workspace',
        WS,
        '--request',
        'a7551968-d5d6-44b2-9831-815ac9017798',
        '--json',
      ],
      { env },
    )
    assert.equal(rest.code, 0, rest.stderr)
    assert.deepEqual(JSON.parse(rest.stdout), { lifted: 1 })
    const empty = await runInlet(['suppressions', 'list', '--workspace', WS], { env })
    assert.equal(empty.stdout, '')
  })

  it('bad arguments exit 2 with the reason', async (t) => {
    const env = { INLET_DATA_DIR: tempDir(t) }
    for (const [args, reason] of [
      [['suppressions', 'list'], /needs --workspace/],
      [
        ['suppressions', 'lift', '--workspace', WS, '--type', 'phone', '--value', 'x'],
        /identity_type/,
      ],
      [['suppressions', 'purge', '--workspace', WS], /unknown suppressions command/],
    ] as const) {
      const run = await runInlet([...args], { env })
      assert.equal(run.code, 2, run.stderr)
      assert.match(run.stderr, reason)
    }
  })
})
