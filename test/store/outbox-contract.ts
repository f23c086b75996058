/**
 * The contract of Store `alerts` and `outbox` (store/alert-repo.ts, store/outbox-repo.ts), run by
 * storeContract on every adapter: alerts per workspace found by each of their names, a name held
 * by another alert refused; messages recorded with increasing seqs, a transaction claim counting
 * once in its window (also when two requests race), pages newest first under every filter, the
 * tail by rev, every row as it was written after the store is reopened; due deliveries claimed
 * once each with their lease, settled only while pending (each change a new rev on the tail);
 * an erasure's redaction keeping metadata and cancelling delivery.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import {
  StoreConflictError,
  type InformAlertRow,
  type BatchChanges,
  type NewOutboxMessage,
  type OutboxMessageRow,
  type Store,
} from '../../src/store/store.js'
import { OTHER, outboxMessage, T0, WS } from './fixtures.js'

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

/** A new outbox message of the contract (its tests and the SQLite outbox writer's). */
export const message = (o: Partial<NewOutboxMessage> = {}): NewOutboxMessage =>
  outboxMessage({
    id: 'msg-1',
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
    transactionId: 'TXN-1',
    ...o,
  })

/** A recorded message as the store answers it: the store's seq and rev, its updatedAt. */
const stored = (m: NewOutboxMessage, seq: number, rev: number): OutboxMessageRow => ({
  seq,
  ...m,
  rev,
  updatedAt: m.createdAt,
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
      assert.equal(await store.outbox.lastRev(WS), 0)
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
      assert.ok(rows[0]!.rev < rows[1]!.rev)
      assert.deepEqual(rows[0], stored(message(), rows[0]!.seq, rows[0]!.rev))
      assert.deepEqual(await store.outbox.list(WS, {}, 10), [...rows].reverse())
      assert.equal(await store.outbox.lastRev(WS), rows[1]!.rev)
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

    it('records concurrent requests each on its own: one that fails fails alone, claim included', async (t) => {
      const store = await fresh(t)
      const settled = await Promise.allSettled(
        [0, 1, 2, 3, 4, 5].map((i) =>
          store.outbox.record(
            WS,
            [
              message({
                id: `msg-${i}`,
                // A NOT NULL column left empty: the store refuses this one request.
                ...(i === 2 ? { body: null as unknown as string } : {}),
              }),
            ],
            claim(`TXN-${i}`),
          ),
        ),
      )
      assert.deepEqual(
        settled.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
      )
      const listed = await store.outbox.list(WS, {}, 10)
      assert.deepEqual(listed.map((m) => m.id).sort(), [
        'msg-0',
        'msg-1',
        'msg-3',
        'msg-4',
        'msg-5',
      ])
      assert.equal(new Set(listed.map((m) => m.rev)).size, 5, 'a rev each')
      // The failed request's claim was not kept: its transaction id is free.
      const retried = await store.outbox.record(WS, [message({ id: 'msg-2' })], claim('TXN-2'))
      assert.equal(retried.duplicate, false)
    })

    it('counts the messages an erasure redacts: of its customers or to its identities', async (t) => {
      const store = await fresh(t)
      await store.outbox.record(WS, [
        message({ id: 'a', customerId: 'erin', recipient: '+1555' }),
        message({ id: 'b', customerId: null, recipient: 'erin@shop.test' }),
        message({ id: 'c', customerId: 'erin', recipient: 'erin@shop.test' }),
        message({ id: 'd', customerId: 'ann', recipient: 'ann@shop.test' }),
      ])
      await store.outbox.record(OTHER, [message({ workspaceId: OTHER, customerId: 'erin' })])
      const held = (customerIds: string[], recipients: string[]) =>
        store.processing.recordsHolding(WS, {
          beforeSeq: 1,
          userIds: [],
          customerIds,
          logTokens: [],
          outcomeTokens: [],
          recipients,
        })
      assert.equal((await held(['erin'], ['erin@shop.test'])).outboxMessages, 3)
      assert.equal((await held(['erin'], [])).outboxMessages, 2)
      assert.equal((await held([], ['ann@shop.test', '+1555'])).outboxMessages, 2)
      assert.equal((await held(['nobody'], [])).outboxMessages, 0)
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
        message({
          id: 'm4',
          customerId: null,
          channel: 'PUSH',
          source: 'push',
          sourceId: 'cid-1',
          createdAt: T0 + 30,
        }),
      ])
      assert.equal(recorded.duplicate, false)
      await store.outbox.record(OTHER, [message({ id: 'x', workspaceId: OTHER })])
      const ids = async (filter: Parameters<Store['outbox']['list']>[1], limit = 10) =>
        (await store.outbox.list(WS, filter, limit)).map((m) => m.id)
      assert.deepEqual(await ids({}), ['m4', 'm3', 'm2', 'm1'])
      assert.deepEqual(await ids({ customerId: 'john' }), ['m3', 'm1'])
      assert.deepEqual(await ids({ channel: 'EMAIL' }), ['m3', 'm2'])
      assert.deepEqual(await ids({ status: 'suppressed' }), ['m3'])
      assert.deepEqual(await ids({ source: 'push', sourceId: 'cid-1' }), ['m4'])
      assert.deepEqual(await ids({ sourceId: 'alert-1' }), ['m3', 'm2', 'm1'])
      assert.deepEqual(await ids({ source: 'push', sourceId: 'alert-1' }), [])
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
        (await store.outbox.after(WS, all[1]!.rev, 1)).map((m) => m.id),
        ['m3'],
      )
      assert.deepEqual(await store.outbox.after(WS, all[3]!.rev, 10), [])
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
        assert.ok(!next.duplicate && next.rows[0]!.rev > (first.duplicate ? 0 : first.rows[0]!.rev))
      },
    )

    it('claims due messages once each, with one more attempt and the lease as due time', async (t) => {
      const store = await fresh(t)
      await store.outbox.record(WS, [
        message({ id: 'due-1', dueAt: T0 }),
        message({ id: 'later', dueAt: T0 + 60_000 }),
        message({ id: 'kept', dueAt: null }),
        message({ id: 'due-2', dueAt: T0 - 5 }),
      ])
      await store.outbox.record(OTHER, [message({ id: 'other', workspaceId: OTHER, dueAt: T0 })])
      const claimed = await store.outbox.claimDue(T0, 30_000, 10)
      assert.deepEqual(claimed.map((m) => [m.id, m.attempts, m.dueAt]).sort(), [
        ['due-1', 1, T0 + 30_000],
        ['due-2', 1, T0 + 30_000],
        ['other', 1, T0 + 30_000],
      ])
      assert.deepEqual(
        await store.outbox.claimDue(T0 + 29_999, 30_000, 10),
        [],
        'held by the lease',
      )
      const again = await store.outbox.claimDue(T0 + 30_000, 30_000, 1)
      assert.equal(again.length, 1, 'the limit')
      assert.equal(again[0]!.attempts, 2, 'a lease over: claimed again, one more attempt')
      const racing = await Promise.all(
        [1, 2, 3].map(() => store.outbox.claimDue(T0 + 30_000, 30_000, 10)),
      )
      assert.equal(racing.flat().length, 2, 'concurrent claimers share nothing')
    })

    it('settles only the pending attempt, and shows each change on the tail', async (t) => {
      const store = await fresh(t)
      const recorded = await store.outbox.record(WS, [
        message({ id: 'a', dueAt: T0 }),
        message({ id: 'b', dueAt: T0 }),
      ])
      const before = await store.outbox.lastRev(WS)
      const [a, b] = (await store.outbox.claimDue(T0, 1_000, 10)).sort((x, y) => x.seq - y.seq)
      const attemptOf = (m: OutboxMessageRow) => ({
        workspaceId: WS,
        seq: m.seq,
        attempts: m.attempts,
      })
      assert.equal(await store.outbox.settle(attemptOf(a!), { status: 'sent' }, T0 + 10), true)
      assert.equal(
        await store.outbox.settle(attemptOf(a!), { status: 'sent' }, T0 + 11),
        false,
        'settled already',
      )
      const retry = {
        status: 'retry',
        dueAt: T0 + 5_000,
        reason: 'webhook answered HTTP 503',
      } as const
      assert.equal(await store.outbox.settle(attemptOf(b!), retry, T0 + 20), true)
      assert.equal(
        await store.outbox.settle({ ...attemptOf(b!), workspaceId: OTHER }, { status: 'sent' }, T0),
        false,
        'per workspace',
      )
      const tail = await store.outbox.after(WS, before, 10)
      assert.deepEqual(
        tail.map((m) => [m.id, m.status, m.reason, m.attempts, m.dueAt, m.updatedAt]),
        [
          ['a', 'sent', null, 1, null, T0 + 10],
          ['b', 'recorded', retry.reason, 1, T0 + 5_000, T0 + 20],
        ],
      )
      assert.ok(tail[0]!.rev > before && tail[1]!.rev > tail[0]!.rev)
      assert.equal(await store.outbox.lastRev(WS), tail[1]!.rev)
      assert.deepEqual(await store.outbox.claimDue(T0 + 4_999, 1_000, 10), [], 'not yet due')
      const [b2] = await store.outbox.claimDue(T0 + 5_000, 1_000, 10)
      assert.equal(b2?.attempts, 2)
      assert.equal(
        await store.outbox.settle(attemptOf(b!), { status: 'sent' }, T0),
        false,
        'an attempt whose lease ran out and was claimed again is not the pending one',
      )
      const fail = { status: 'failed', reason: 'webhook answered HTTP 410' } as const
      assert.equal(await store.outbox.settle(attemptOf(b2), fail, T0 + 5_100), true)
      const [last] = await store.outbox.list(WS, { status: 'failed' }, 10)
      assert.deepEqual([last?.id, last?.reason, last?.dueAt], ['b', fail.reason, null])
      assert.equal(recorded.duplicate, false)
    })

    it("redacts an erased user's messages, keeping their metadata, and cancels their delivery", async (t) => {
      const store = await fresh(t)
      await store.outbox.record(WS, [
        message({ id: 'by-user', customerId: 'erin', status: 'sent' }),
        message({ id: 'to-address', customerId: null, recipient: 'erin@x.example', dueAt: T0 }),
        message({ id: 'pending', customerId: 'erin', subject: 'Hi', dueAt: T0 }),
        message({ id: 'someone-else', customerId: 'john', recipient: 'john@x.example' }),
      ])
      await store.outbox.record(OTHER, [
        message({ id: 'other', workspaceId: OTHER, customerId: 'erin' }),
      ])
      const before = await store.outbox.lastRev(WS)
      const batch: BatchChanges = {
        fromSeq: await store.processing.cursor(),
        toSeq: await store.processing.cursor(),
        users: [],
        devices: [],
        deletedDevices: [],
        events: [],
        outcomes: [],
        redactedOutbox: [
          {
            workspaceId: WS,
            customerIds: ['erin'],
            recipients: ['erin@x.example', '+15550009999'],
            payload: { erased_by_gdpr_request: 'GDPR1' },
            reason: 'erased by GDPR request GDPR1 before delivery',
            at: T0 + 99,
          },
        ],
      }
      await store.processing.commit(batch)
      const byId = new Map((await store.outbox.list(WS, {}, 10)).map((m) => [m.id, m]))
      for (const id of ['by-user', 'to-address', 'pending']) {
        const m = byId.get(id)!
        assert.deepEqual(
          [m.recipient, m.subject, m.body, m.payload, m.dueAt, m.updatedAt],
          ['', null, '', { erased_by_gdpr_request: 'GDPR1' }, null, T0 + 99],
          id,
        )
        assert.deepEqual([m.channel, m.createdAt, m.template], ['SMS', T0, 'alert-1/SMS'], id)
      }
      assert.equal(byId.get('by-user')!.status, 'sent', 'a final status is kept')
      assert.deepEqual(
        [byId.get('pending')!.status, byId.get('pending')!.reason],
        ['suppressed', 'erased by GDPR request GDPR1 before delivery'],
      )
      assert.equal(byId.get('someone-else')!.body, 'Hi John', 'another user untouched')
      assert.equal((await store.outbox.list(OTHER, {}, 10))[0]!.body, 'Hi John', 'per workspace')
      assert.deepEqual(await store.outbox.claimDue(T0 + 60_000, 1_000, 10), [], 'no delivery left')
      assert.deepEqual(
        (await store.outbox.after(WS, before, 10)).map((m) => m.id).sort(),
        ['by-user', 'pending', 'to-address'],
        'each redaction on the tail',
      )
    })
  })
}
