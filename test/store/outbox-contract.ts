/**
 * The contract of Store `alerts` and `outbox` (store/alert-repo.ts, store/outbox-repo.ts), run by
 * storeContract on every adapter: alerts per workspace found by each of their names, a name held
 * by another alert refused; messages recorded with increasing seqs, a transaction claim counting
 * once in its window (also when two requests race), pages newest first under every filter, the
 * tail oldest first, and every row as it was written after the store is reopened.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  StoreConflictError,
  type InformAlertRow,
  type NewOutboxMessage,
  type Store,
} from '../../src/store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'
const WINDOW = 300_000

const alert = (id: string, o: Partial<InformAlertRow> = {}): InformAlertRow => ({
  workspaceId: WS,
  alertId: id,
  testAlertId: `test-${id}`,
  referenceName: `Ref ${id}`,
  testReferenceName: null,
  version: 1,
  definition: { channels: { SMS: { body: 'Hi {{firstname}}' } } },
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

const message = (o: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
  id: 'msg-1',
  workspaceId: WS,
  channel: 'SMS',
  source: 'inform',
  sourceId: 'alert-1',
  customerId: 'john',
  recipient: '+15550001111',
  platform: null,
  subject: null,
  body: 'Hi John',
  payload: { sender: 'SHOP', personalized_attributes: { firstname: 'John' } },
  template: 'alert-1/SMS',
  templateVersion: 1,
  transactionId: 'TXN-1',
  requestId: 'REQAAAAA',
  status: 'recorded',
  reason: null,
  attempts: 0,
  createdAt: T0,
  ...o,
})

const claim = (key: string, at = T0) => ({ key, at, windowMs: WINDOW })

export function outboxContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopen: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('inform alerts (store/alert-repo.ts)', () => {
    it('keeps alerts per workspace, found by each of their names, replaced in place', async (t) => {
      const store = await fresh(t)
      await store.alerts.put(alert('a2', { createdAt: T0 + 1, testReferenceName: 'Test a2' }))
      await store.alerts.put(alert('a1'))
      await store.alerts.put(alert('a1', { workspaceId: OTHER }))
      assert.deepEqual(
        (await store.alerts.list(WS)).map((a) => a.alertId),
        ['a1', 'a2'],
      )
      assert.equal((await store.alerts.find(WS, 'alert_id', 'a2'))?.alertId, 'a2')
      assert.equal((await store.alerts.find(WS, 'test_alert_id', 'test-a2'))?.alertId, 'a2')
      assert.equal((await store.alerts.find(WS, 'reference_name', 'Ref a2'))?.alertId, 'a2')
      assert.equal((await store.alerts.find(WS, 'test_reference_name', 'Test a2'))?.alertId, 'a2')
      assert.equal(await store.alerts.find(WS, 'alert_id', 'test-a2'), undefined)
      assert.equal(await store.alerts.find(WS, 'reference_name', 'ref a2'), undefined, 'exact')
      const changed = alert('a1', {
        version: 2,
        referenceName: 'Renamed',
        definition: { channels: {} },
        createdAt: T0 + 50,
        updatedAt: T0 + 9,
      })
      await store.alerts.put(changed)
      assert.deepEqual(await store.alerts.find(WS, 'alert_id', 'a1'), { ...changed, createdAt: T0 })
      assert.equal(await store.alerts.find(WS, 'reference_name', 'Ref a1'), undefined)
      assert.equal((await store.alerts.find(OTHER, 'alert_id', 'a1'))?.referenceName, 'Ref a1')
    })

    it('refuses a name another alert of the workspace holds, and removes one alert', async (t) => {
      const store = await fresh(t)
      await store.alerts.put(alert('a1', { testReferenceName: 'T' }))
      await assert.rejects(
        store.alerts.put(alert('a2', { referenceName: 'Ref a1' })),
        StoreConflictError,
      )
      await assert.rejects(
        store.alerts.put(alert('a2', { testAlertId: 'test-a1' })),
        StoreConflictError,
      )
      await assert.rejects(
        store.alerts.put(alert('a2', { testReferenceName: 'T' })),
        StoreConflictError,
      )
      await store.alerts.put(alert('a2'))
      assert.equal(await store.alerts.remove(WS, 'a1'), true)
      assert.equal(await store.alerts.remove(WS, 'a1'), false)
      assert.deepEqual(
        (await store.alerts.list(WS)).map((a) => a.alertId),
        ['a2'],
      )
    })
  })

  describe('outbox (store/outbox-repo.ts)', () => {
    it('records messages with increasing seqs and reads them back as written', async (t) => {
      const store = await fresh(t)
      assert.equal(await store.outbox.lastSeq(WS), 0)
      const first = await store.outbox.record(WS, [
        message(),
        message({
          id: 'msg-2',
          channel: 'EMAIL',
          subject: 'Order',
          status: 'suppressed',
          reason: 'unsubscribed',
        }),
      ])
      assert.equal(first.duplicate, false)
      const rows = first.duplicate ? [] : first.rows
      assert.equal(rows.length, 2)
      assert.ok(rows[0]!.seq < rows[1]!.seq)
      assert.deepEqual(rows[0], { seq: rows[0]!.seq, ...message() })
      assert.deepEqual(await store.outbox.list(WS, {}, 10), [...rows].reverse())
      assert.equal(await store.outbox.lastSeq(WS), rows[1]!.seq)
      assert.deepEqual(await store.outbox.list(OTHER, {}, 10), [])
    })

    it('counts a claimed key once within its window, and again after it', async (t) => {
      const store = await fresh(t)
      assert.equal((await store.outbox.record(WS, [message()], claim('TXN-1'))).duplicate, false)
      const again = await store.outbox.record(
        WS,
        [message({ id: 'msg-2' })],
        claim('TXN-1', T0 + WINDOW - 1),
      )
      assert.equal(again.duplicate, true)
      assert.equal((await store.outbox.list(WS, {}, 10)).length, 1, 'a duplicate records nothing')
      assert.equal(
        (await store.outbox.record(OTHER, [message({ workspaceId: OTHER })], claim('TXN-1')))
          .duplicate,
        false,
        'per workspace',
      )
      assert.equal((await store.outbox.record(WS, [], claim('TXN-2', T0 + 1))).duplicate, false)
      const later = await store.outbox.record(
        WS,
        [message({ id: 'msg-3' })],
        claim('TXN-1', T0 + WINDOW),
      )
      assert.equal(later.duplicate, false, 'the window has passed')
      const soon = await store.outbox.record(WS, [], claim('TXN-1', T0 + WINDOW + 1))
      assert.equal(soon.duplicate, true, 'the new claim counts from its own time')
    })

    it('lets one of two racing requests with one key through', async (t) => {
      const store = await fresh(t)
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          store.outbox.record(WS, [message({ id: `msg-${i}` })], claim('TXN-RACE', T0 + i)),
        ),
      )
      assert.equal(results.filter((r) => !r.duplicate).length, 1)
      assert.equal((await store.outbox.list(WS, {}, 10)).length, 1)
    })

    it('pages newest first under each filter, and follows the tail oldest first', async (t) => {
      const store = await fresh(t)
      const recorded = await store.outbox.record(WS, [
        message({ id: 'm1', customerId: 'john', channel: 'SMS', createdAt: T0 }),
        message({ id: 'm2', customerId: 'jane', channel: 'EMAIL', createdAt: T0 + 10 }),
        message({
          id: 'm3',
          customerId: 'john',
          channel: 'EMAIL',
          status: 'suppressed',
          createdAt: T0 + 20,
        }),
        message({ id: 'm4', customerId: null, channel: 'PUSH', createdAt: T0 + 30 }),
      ])
      assert.equal(recorded.duplicate, false)
      await store.outbox.record(OTHER, [message({ id: 'x', workspaceId: OTHER })])
      const ids = async (filter: Parameters<Store['outbox']['list']>[1], limit = 10) =>
        (await store.outbox.list(WS, filter, limit)).map((m) => m.id)
      assert.deepEqual(await ids({}), ['m4', 'm3', 'm2', 'm1'])
      assert.deepEqual(await ids({ customerId: 'john' }), ['m3', 'm1'])
      assert.deepEqual(await ids({ channel: 'EMAIL' }), ['m3', 'm2'])
      assert.deepEqual(await ids({ status: 'suppressed' }), ['m3'])
      assert.deepEqual(await ids({ since: T0 + 10, until: T0 + 30 }), ['m3', 'm2'])
      assert.deepEqual(await ids({ customerId: 'john', channel: 'EMAIL', status: 'recorded' }), [])
      const page = await store.outbox.list(WS, {}, 2)
      assert.deepEqual(
        page.map((m) => m.id),
        ['m4', 'm3'],
      )
      assert.deepEqual(await ids({ beforeSeq: page[1]!.seq }), ['m2', 'm1'])
      const all = await store.outbox.after(WS, 0, 10)
      assert.deepEqual(
        all.map((m) => m.id),
        ['m1', 'm2', 'm3', 'm4'],
      )
      assert.deepEqual(
        (await store.outbox.after(WS, all[1]!.seq, 1)).map((m) => m.id),
        ['m3'],
      )
      assert.deepEqual(await store.outbox.after(WS, all[3]!.seq, 10), [])
    })

    it(
      'keeps alerts, messages and claims when reopened',
      { skip: reopen === undefined },
      async (t) => {
        if (reopen === undefined) return
        const store = await fresh(t)
        await store.alerts.put(alert('a1'))
        const first = await store.outbox.record(WS, [message()], claim('TXN-1'))
        const again = await reopen(t, store)
        assert.deepEqual(await again.alerts.list(WS), [alert('a1')])
        assert.deepEqual(await again.outbox.list(WS, {}, 10), first.duplicate ? [] : first.rows)
        assert.equal((await again.outbox.record(WS, [], claim('TXN-1', T0 + 1))).duplicate, true)
        const next = await again.outbox.record(WS, [message({ id: 'msg-2' })])
        assert.ok(!next.duplicate && next.rows[0]!.seq > (first.duplicate ? 0 : first.rows[0]!.seq))
      },
    )
  })
}
