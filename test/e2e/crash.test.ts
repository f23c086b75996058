/**
 * Crash durability on the real process: a 200 means the record is on disk. A burst of concurrent
 * Track User and Create Event requests is acknowledged, the process is SIGKILLed (no shutdown code
 * runs), and after a restart on the same data directory every acknowledged record is applied
 * exactly once — the user with its counter, one log record with outcome `applied` per request,
 * and one stored event per Create Event request — while an unacknowledged one is applied at most
 * once. Which records the processor had applied at the moment of the kill is left to chance; the
 * `--no-processor` case pins the one where none had been.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  assertProbesApplied,
  probes,
  restartAfterExit,
  sendAll,
  startServer,
} from '../helpers/server.js'

/** How a SIGKILLed process exits: killed, not exited. */
const KILLED = { code: null, signal: 'SIGKILL' } as const

describe('SIGKILL after acknowledged requests', { timeout: 240_000 }, () => {
  it('applies every request acknowledged before the kill exactly once after a restart', async (t) => {
    const server = await startServer(t)
    const list = probes(server.workspaceId, 'crash', { users: 200, events: 100 })
    const sent = await sendAll(server, list, (settled) => {
      // Killed synchronously on the last answer: nothing of the server runs after the last 200.
      if (settled === list.length) server.kill('SIGKILL')
    })
    const refused = sent.filter((s) => s.status !== 200)
    assert.deepEqual(
      refused.map((s) => [s.probe.customerId, s.status]),
      [],
      'every request of the burst was acknowledged before the kill',
    )
    assert.equal(new Set(sent.map((s) => s.requestId)).size, list.length, 'distinct request ids')

    const again = await restartAfterExit(t, server, KILLED)
    await assertProbesApplied(again, sent)
  })

  it('applies what was acknowledged when the kill lands in the middle of a burst, the rest at most once', async (t) => {
    const server = await startServer(t)
    const list = probes(server.workspaceId, 'midburst', { users: 200, events: 100 })
    let acks = 0
    const sent = await sendAll(server, list, (_settled, s) => {
      if (s.status === 200 && ++acks === 150) server.kill('SIGKILL')
    })
    const acked = sent.filter((s) => s.status === 200)
    assert.ok(acked.length >= 150, `${acked.length} acknowledged`)
    for (const s of sent) {
      assert.ok(s.status === 200 || s.status === 'error', `${s.probe.customerId}: ${s.status}`)
    }

    const again = await restartAfterExit(t, server, KILLED)
    await assertProbesApplied(again, sent)
  })

  it('keeps records accepted while the processor is off and applies them after the restart', async (t) => {
    const server = await startServer(t, { args: ['--no-processor'] })
    const list = probes(server.workspaceId, 'pending', { users: 60, events: 40 })
    const sent = await sendAll(server, list)
    assert.deepEqual(
      sent.filter((s) => s.status !== 200).map((s) => [s.probe.customerId, s.status]),
      [],
    )
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as {
      lag: { records: number }
    } // the /healthz shape
    assert.equal(health.lag.records, list.length, 'nothing was applied before the kill')
    server.kill('SIGKILL')

    const again = await restartAfterExit(t, server, KILLED)
    await assertProbesApplied(again, sent)
  })
})
