// A workspace's keys written by a server under one INLET_SECRET_KEY and read by a server under
// another, on one SQLite store on disk: Push v2 and v2.1, whose key is kept sealed, answer their
// documented 200 `Fail` (`Signature not verified`) with a warning in the log that names neither
// key nor secret, until the key is rotated under the new secret; Live Activities (Basic auth with
// the Push key) and Inform check hashes only, so they go on working.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { admin } from '../../../test/helpers/admin.js'
import { ADMIN_TOKEN } from '../../../test/helpers/admin.js'
import { WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { DEMO_ALERT, INFORM_KEY, defineAlert, send } from '../../../test/helpers/inform.js'
import {
  DEMO_CAMPAIGN,
  broadcastRequest,
  defineCampaign,
  startBody,
} from '../../../test/helpers/live-activities.js'
import { ADMIN_BASE, PUSH_KEY, sendPush, toUser } from '../../../test/helpers/push.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js'

const SECRET_A = 'the-first-server-secret-0123456789ab'
const SECRET_B = 'the-second-server-secret-0123456789a'

/** A server on the SQLite store in `dir`, under the server secret `secret`. */
function serverOn(t: TestContext, dir: string, secret: string): Promise<TestApp> {
  const store = createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' })
  return createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN, INLET_SECRET_KEY: secret }, { store })
}

const NOT_VERIFIED = { status: 'Fail', Error_Message: 'Signature not verified', requestId: '' }

describe('a Push key sealed under another server secret', () => {
  it('fails Push v2 and v2.1 as documented, warns without the key, and leaves LA and Inform working', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-sealed-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const first = await serverOn(t, dir, SECRET_A)
    for (const [feature, key] of [
      ['push', PUSH_KEY],
      ['inform', INFORM_KEY],
    ] as const) {
      const res = await admin(first, 'POST', `${ADMIN_BASE}/keys/${feature}`, { api_key: key })
      assert.equal(res.statusCode, 200, res.body)
    }
    await defineCampaign(first, DEMO_CAMPAIGN)
    await defineAlert(first, DEMO_ALERT)
    assert.equal(
      (await sendPush(first, toUser('ann'))).json<{ status: string }>().status,
      'Success',
    )

    const second = await serverOn(t, dir, SECRET_B)
    for (const version of ['v2', 'v2.1'] as const) {
      const res = await sendPush(second, toUser('ann', { campaignName: `Sealed ${version}` }), {
        version,
      })
      assert.equal(res.statusCode, 200, res.body)
      const { responseId, ...rest } = res.json<Record<string, string>>()
      assert.deepEqual(rest, NOT_VERIFIED)
      assert.equal(typeof responseId, 'string')
    }
    const warnings = second.log.lines.filter((l) => l.includes('"level":"warn"'))
    assert.equal(warnings.length, 1, second.log.lines.join('\n'))
    assert.match(warnings[0] ?? '', new RegExp(`"workspaceId":"${WORKSPACE_ID}"`))
    assert.match(warnings[0] ?? '', /sealed under server secret [0-9a-f]{8}/)
    const logged = second.log.lines.join('\n')
    for (const secret of [PUSH_KEY, SECRET_A, SECRET_B]) assert.ok(!logged.includes(secret))
    assert.ok(!logged.includes('"level":"error"'), logged)

    // Live Activities (the Push key, hashed) and Inform (its key, hashed) do not open a seal.
    const started = await broadcastRequest(second, 'start', startBody(), {
      authorization: basicAuth(WORKSPACE_ID, PUSH_KEY),
    })
    assert.equal(started.statusCode, 200, started.body)
    const alert = await send(second, {
      alert_id: DEMO_ALERT.alert_id,
      user_id: 'john',
      transaction_id: 'TXN-SEALED',
      payloads: { SMS: { recipient: '+15550001111' } },
    })
    assert.equal(alert.statusCode, 200, alert.body)

    // Rotating the Push key under the new secret mends it.
    const rotated = await admin(second, 'POST', `${ADMIN_BASE}/keys/push/rotate`, {
      api_key: PUSH_KEY,
    })
    assert.equal(rotated.statusCode, 200, rotated.body)
    const mended = await sendPush(second, toUser('ann', { campaignName: 'Sealed mended' }))
    assert.equal(mended.json<{ status: string }>().status, 'Success', mended.body)
  })
})
