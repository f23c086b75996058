/**
 * GDPR erasure (spec §7.12) on the real process: `inlet serve` (processor in its worker thread)
 * accepts an erasure by mobile, `GET /inlet/v1/gdpr/{id}` turns from pending to done, the user is
 * gone from Get User, and a later Track User naming the mobile is refused with the reason.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startServer, waitForNoLag } from '../helpers/server.js'

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('GDPR erasure on inlet serve', { timeout: 180_000 }, () => {
  it('§7.12 erases through the worker-thread processor and refuses later data', async (t) => {
    const server = await startServer(t)
    const ws = server.workspaceId
    const track = await server.post(`/v1/customer/${ws}`, {
      type: 'customer',
      customer_id: 'srv-erase-1',
      attributes: { mobile: '+4915100001', first_name: 'Srv' },
    })
    assert.equal(track.status, 200)
    await waitForNoLag(server)
    const res = await server.post(`/v1/opengdpr_requests/${ws}`, {
      request_type: 'erasure',
      submitted_time: '2026-11-01T10:00:00Z',
      identities: [{ identity_type: 'mobile', identity_value: '+4915100001' }],
      api_version: '1.0',
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const id = String((res.body as Record<string, unknown>)['request_id'])
    let report: Record<string, unknown> = {}
    for (let i = 0; i < 200; i++) {
      report = (await server.get(`/inlet/v1/gdpr/${id}`)).body as Record<string, unknown>
      if (report['state'] === 'done') break
      await delay(50)
    }
    assert.equal(report['state'], 'done', JSON.stringify(report))
    assert.equal((report['erased'] as Record<string, number>)['users'], 1)
    assert.equal((await server.getUsers(['srv-erase-1'])).size, 0)
    const later = await server.post(`/v1/customer/${ws}`, {
      type: 'customer',
      customer_id: 'srv-other',
      attributes: { mobile: '+4915100001' },
    })
    assert.equal(later.status, 200)
    const requestId = String((later.body as Record<string, unknown>)['request_id'])
    await waitForNoLag(server)
    const inspected = await server.inspect(requestId)
    assert.equal(inspected.records[0]?.outcome, 'skipped')
    assert.match(inspected.records[0]?.reason ?? '', /\(mobile\) erased by a GDPR request/)
  })
})
