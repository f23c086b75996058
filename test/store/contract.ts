/**
 * The Store contract: the one behaviour suite every storage adapter runs (drizzle's shared-tests
 * pattern). `storeContract(name, open)` registers a node:test suite over the whole Store
 * interface — workspaces, the ingest log, processing (cursor, snapshot, atomic commit) and the
 * profile reads — against fresh stores from the adapter's factory, and, where the adapter's data
 * outlives a store, that all of it is there again once the store is reopened (the factory's
 * `reopen` hook). It owns storage semantics only; adapter details (files, pragmas, migrations) are
 * tested beside each adapter.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { batchChanges } from '../helpers/batches.js'
import { bulkRowPayload, parseBulk, withProject } from '../../src/families/data/bulk-rows.js'
import {
  BULK_ROW_KIND,
  StoreConflictError,
  type BatchChanges,
  type DeviceRow,
  type EventChange,
  type EventRow,
  type FeatureKeyRow,
  type GdprRequestRow,
  type LogRecord,
  type MergeRow,
  type NewLogRecord,
  type RecordKind,
  type RecordOutcomeRow,
  type QuotaLeaseRequest,
  type SessionRow,
  type QuotaWindowKey,
  type Store,
  type SuppressionRow,
  type UserMatch,
  type UserRow,
  type Workspace,
} from '../../src/store/store.js'
import { browseContract } from './browse-contract.js'
import { consentContract } from './consent-contract.js'
import { customSegmentsContract } from './custom-segments-contract.js'
import { segmentListsContract } from './segment-lists-contract.js'
import { refusalsContract } from './refusals-contract.js'
import { outboxContract } from './outbox-contract.js'
import { pushContract } from './push-contract.js'
import { fileImportsContract } from './file-imports-contract.js'
import { liveActivitiesContract } from './live-activities-contract.js'
import { cardsContract } from './cards-contract.js'
import { segmentsContract } from './segments-contract.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER_WS = 'CONTRACTWS0000000002'

/** A builder of rows of one kind: a fresh copy of `defaults`, with what a test gives on top. */
const rowsOf =
  <T>(defaults: T) =>
  (overrides: Partial<T> = {}): T => ({ ...structuredClone(defaults), ...overrides })

/** A valid workspace row for store tests (the contract's and each adapter's own). */
export const aWorkspace = rowsOf<Workspace>({
  id: WS,
  name: 'Contract',
  keyHash: 'ab'.repeat(32),
  keySalt: 'cd'.repeat(16),
  state: 'active',
  settings: {},
  createdAt: T0,
  updatedAt: T0,
})

/** A record of one of the processor's kinds (not a Bulk row): read back as it was appended. */
type PlainLogRecord = NewLogRecord & Readonly<{ kind: RecordKind }>

/** A log record of one of the processor's kinds (the contract's and each adapter's tests). */
export const aLogRecord = rowsOf<PlainLogRecord>({
  workspaceId: WS,
  requestId: 'REQAAAAA',
  index: 0,
  kind: 'customer',
  customerId: 'alice',
  receivedAt: T0,
  payload: JSON.stringify({ customer_id: 'alice', attributes: {} }),
  api: 'customer',
})

const aUser = rowsOf<UserRow>({
  workspaceId: WS,
  id: '00000000000000000000000a',
  customerId: 'alice',
  attributes: { name: 'Alice', points: 20, tags: ['a', 'b'], nested: { ok: true } },
  createdAt: T0,
  updatedAt: T0,
})

const aDevice = rowsOf<DeviceRow>({
  workspaceId: WS,
  deviceId: 'device-1',
  userId: '00000000000000000000000a',
  platform: 'ANDROID',
  pushId: 'push-1',
  attributes: { model: 'Pixel' },
  createdAt: T0,
  updatedAt: T0,
})

/** An event row for store tests (the contract's and others'). */
export const anEvent = rowsOf<EventRow>({
  seq: 1,
  workspaceId: WS,
  userId: '00000000000000000000000a',
  name: 'Added to Cart',
  deviceId: 'device-1',
  platform: 'ANDROID',
  appVersion: '1.2.3',
  eventTime: T0,
  userTime: T0 + 3_600_000,
  receivedAt: T0 + 5,
  requestId: 'REQAAAAA',
  attributes: { sku: 'A1', price: 9.5 },
})

const anOutcome = rowsOf<RecordOutcomeRow>({
  seq: 1,
  workspaceId: WS,
  requestId: 'REQAAAAA',
  index: 0,
  kind: 'device',
  outcome: 'skipped',
  reason: 'no user with customer_id bob',
  at: T0,
})

/** A batch moving the cursor from 0 to 1 unless `overrides` say otherwise. */
function changes(overrides: Partial<BatchChanges> = {}): BatchChanges {
  return batchChanges({ toSeq: 1, ...overrides })
}

/** The event change of merge `mergeId`: `fromUserId`'s events before `beforeSeq` go to `toUserId`. */
const mergeChange = (
  mergeId: number,
  fromUserId: string,
  toUserId: string,
  beforeSeq: number,
): EventChange => ({ kind: 'merge', workspaceId: WS, mergeId, fromUserId, toUserId, beforeSeq })

/** The event change undoing merge `mergeId`: what it moved goes from `fromUserId` to `toUserId`. */
const unmergeChange = (mergeId: number, fromUserId: string, toUserId: string): EventChange => ({
  kind: 'unmerge',
  workspaceId: WS,
  mergeId,
  fromUserId,
  toUserId,
})

/** A merge-log row: merge 2 of u-gone into u-keeper, not undone, unless `overrides` say otherwise. */
const aMerge = rowsOf<MergeRow>({
  id: 2,
  workspaceId: WS,
  requestId: 'REQBBBBB',
  retainedUserId: 'u-keeper',
  mergedUserId: 'u-gone',
  at: T0,
  before: '{"any":"json"}',
  undoneAt: null,
})

/** A suppression of an email hash, made by the GDPR request GDPR-1. */
const aSuppression = rowsOf<SuppressionRow>({
  workspaceId: WS,
  hash: 'h1',
  identityType: 'email',
  requestId: 'GDPR-1',
  createdAt: T0,
})

/** The GDPR request GDPR-1, done, as committed at seq 3 with nothing erased. */
const aGdprRequest = rowsOf<GdprRequestRow>({
  workspaceId: WS,
  requestId: 'GDPR-1',
  seq: 3,
  receivedAt: T0,
  doneAt: T0 + 1,
  counts: '{"users":0}',
})

const sortedBy = <T>(rows: readonly T[], key: (row: T) => string): T[] =>
  [...rows].sort((a, b) => key(a).localeCompare(key(b)))

/** How the contract gets stores of one adapter. */
export type StoreFactory = Readonly<{
  /** A fresh, empty store each time. */
  open(): Promise<Store>
  /**
   * Closes `store` and opens its data again (the same SQLite directory, the same PostgreSQL
   * schema), as a restarted process would. Absent where the data does not outlive the store
   * (`:memory:`): the reopening cases are then skipped.
   */
  reopen?(store: Store): Promise<Store>
}>

/**
 * A factory whose stores are opened each at a new place (`place()`: a directory, a database URL)
 * and reopened at theirs.
 */
export function reopenable<P>(
  place: () => P | Promise<P>,
  openAt: (place: P) => Store | Promise<Store>,
): Required<StoreFactory> {
  const places = new WeakMap<Store, P>()
  const open = async (at: P): Promise<Store> => {
    const store = await openAt(at)
    places.set(store, at)
    return store
  }
  return {
    open: async () => open(await place()),
    reopen: async (store) => {
      if (!places.has(store)) throw new Error('not a store of this factory')
      await store.close()
      return open(places.get(store) as P) // has() above
    },
  }
}

/** Registers the contract suite for one adapter; every test closes the stores it opened. */
export function storeContract(name: string, factory: StoreFactory): void {
  async function fresh(t: TestContext): Promise<Store> {
    const store = await factory.open()
    t.after(() => store.close())
    return store
  }
  /** `store` closed and its data opened again (closing a store twice is allowed). */
  async function reopened(t: TestContext, store: Store): Promise<Store> {
    if (factory.reopen === undefined) throw new Error(`${name} has no reopen hook`)
    const again = await factory.reopen(store)
    t.after(() => again.close())
    return again
  }

  describe(`Store contract: ${name}`, () => {
    describe('workspaces', () => {
      it('creates a workspace and finds it by id, every field intact', async (t) => {
        const store = await fresh(t)
        const ws = aWorkspace({ settings: { rateLimit: 10, tags: ['x'] }, state: 'suspended' })
        await store.workspaces.create(ws)
        assert.deepEqual(await store.workspaces.get(WS), ws)
        assert.equal(await store.workspaces.get('NOSUCHWORKSPACE'), undefined)
      })

      it('keeps a workspace without a Data API key', async (t) => {
        const store = await fresh(t)
        await store.workspaces.create(aWorkspace({ keyHash: null, keySalt: null }))
        const ws = await store.workspaces.get(WS)
        assert.equal(ws?.keyHash, null)
        assert.equal(ws?.keySalt, null)
      })

      it('refuses a second workspace with the same id and keeps the first', async (t) => {
        const store = await fresh(t)
        await store.workspaces.create(aWorkspace({ name: 'first' }))
        await assert.rejects(
          store.workspaces.create(aWorkspace({ name: 'second' })),
          StoreConflictError,
        )
        assert.equal((await store.workspaces.get(WS))?.name, 'first')
        assert.equal((await store.workspaces.list()).length, 1)
      })

      it('lists workspaces oldest first', async (t) => {
        const store = await fresh(t)
        assert.deepEqual(await store.workspaces.list(), [])
        await store.workspaces.create(aWorkspace({ id: 'BBBB', createdAt: T0 + 10 }))
        await store.workspaces.create(aWorkspace({ id: 'CCCC', createdAt: T0 }))
        await store.workspaces.create(aWorkspace({ id: 'AAAA', createdAt: T0 + 10 }))
        assert.deepEqual(
          (await store.workspaces.list()).map((w) => w.id),
          ['CCCC', 'AAAA', 'BBBB'],
        )
      })

      it('updates only the patched fields', async (t) => {
        const store = await fresh(t)
        await store.workspaces.create(aWorkspace())
        const renamed = await store.workspaces.update(WS, { name: 'Renamed', updatedAt: T0 + 1 })
        assert.deepEqual(renamed, aWorkspace({ name: 'Renamed', updatedAt: T0 + 1 }))
        const suspended = await store.workspaces.update(WS, {
          state: 'blacklisted',
          settings: { a: 1 },
          keyHash: 'ef'.repeat(32),
          keySalt: '01'.repeat(16),
          updatedAt: T0 + 2,
        })
        assert.deepEqual(
          suspended,
          aWorkspace({
            name: 'Renamed',
            state: 'blacklisted',
            settings: { a: 1 },
            keyHash: 'ef'.repeat(32),
            keySalt: '01'.repeat(16),
            updatedAt: T0 + 2,
          }),
        )
        assert.deepEqual(await store.workspaces.get(WS), suspended)
        const keyless = await store.workspaces.update(WS, {
          keyHash: null,
          keySalt: null,
          updatedAt: T0 + 3,
        })
        assert.equal(keyless?.keyHash, null)
        assert.equal(keyless?.keySalt, null)
      })

      it('keeps a rotated-out key with its expiry, and removes it on null', async (t) => {
        const store = await fresh(t)
        const previousKey = { hash: '12'.repeat(32), salt: '34'.repeat(16), expiresAt: T0 + 60_000 }
        await store.workspaces.create(aWorkspace({ previousKey }))
        assert.deepEqual(await store.workspaces.get(WS), aWorkspace({ previousKey }))
        const other = { hash: '56'.repeat(32), salt: '78'.repeat(16), expiresAt: T0 + 5 }
        const rotated = await store.workspaces.update(WS, { previousKey: other, updatedAt: T0 + 1 })
        assert.deepEqual(rotated, aWorkspace({ previousKey: other, updatedAt: T0 + 1 }))
        const renamed = await store.workspaces.update(WS, { name: 'N', updatedAt: T0 + 2 })
        assert.deepEqual(renamed?.previousKey, other, 'a patch without previousKey keeps it')
        const cleared = await store.workspaces.update(WS, { previousKey: null, updatedAt: T0 + 3 })
        assert.deepEqual(cleared, aWorkspace({ name: 'N', updatedAt: T0 + 3 }))
      })

      it('answers undefined when updating a workspace that does not exist', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.workspaces.update('NOPE', { name: 'x', updatedAt: T0 }), undefined)
        assert.deepEqual(await store.workspaces.list(), [])
      })
    })

    describe('ingest log', () => {
      it('starts empty, with lastSeq 0', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.log.lastSeq(), 0)
        assert.deepEqual(await store.log.readAfter(0, 10), [])
        await store.log.append([])
        assert.equal(await store.log.lastSeq(), 0)
      })

      it('assigns increasing seqs in append order and keeps every field', async (t) => {
        const store = await fresh(t)
        const first = [
          aLogRecord({ requestId: 'REQAAAAA', index: 0 }),
          aLogRecord({ requestId: 'REQAAAAA', index: 1, kind: 'event', customerId: 'bob' }),
        ]
        const second = [
          aLogRecord({
            requestId: 'REQAAAAB',
            index: 0,
            kind: 'invalid',
            customerId: null,
            receivedAt: T0 + 1,
            payload: '{"code":"x","reason":"y","element":[1,"é"]}',
          }),
        ]
        await store.log.append(first)
        await store.log.append(second)
        const records = await store.log.readAfter(0, 10)
        // Every field but the sending API, which only the per-minute counts keep (browse).
        assert.deepEqual(
          records,
          [...first, ...second].map((r, i) => {
            const read: Record<string, unknown> = { ...r, seq: records[i]?.seq }
            delete read['api']
            return read
          }),
        )
        const seqs = records.map((r) => r.seq)
        assert.ok(
          seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? Infinity)),
          seqs.join(', '),
        )
        assert.ok((seqs[0] ?? 0) > 0)
        assert.equal(await store.log.lastSeq(), seqs[2])
      })

      it('pages with readAfter: records after a seq, in order, at most limit', async (t) => {
        const store = await fresh(t)
        await store.log.append(
          Array.from({ length: 5 }, (_, i) => aLogRecord({ index: i, requestId: 'REQPAGED' })),
        )
        const page1 = await store.log.readAfter(0, 2)
        assert.deepEqual(
          page1.map((r) => r.index),
          [0, 1],
        )
        const page2 = await store.log.readAfter(page1[1]?.seq ?? -1, 2)
        assert.deepEqual(
          page2.map((r) => r.index),
          [2, 3],
        )
        const page3 = await store.log.readAfter(page2[1]?.seq ?? -1, 2)
        assert.deepEqual(
          page3.map((r) => r.index),
          [4],
        )
        assert.deepEqual(await store.log.readAfter(page3[0]?.seq ?? -1, 2), [])
        assert.equal(await store.log.lastSeq(), page3[0]?.seq)
      })

      it('appends concurrently without losing or reordering a call', async (t) => {
        const store = await fresh(t)
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.log.append([
              aLogRecord({ requestId: `REQ${i}`, index: 0 }),
              aLogRecord({ requestId: `REQ${i}`, index: 1 }),
            ]),
          ),
        )
        const records = await store.log.readAfter(0, 100)
        assert.equal(records.length, 40)
        // The two records of one call stay adjacent and in order.
        for (let i = 0; i < 40; i += 2) {
          assert.equal(records[i]?.requestId, records[i + 1]?.requestId)
          assert.deepEqual([records[i]?.index, records[i + 1]?.index], [0, 1])
        }
      })

      it('never shows a reader following the log a seq before every lower seq is visible', async (t) => {
        // Many appenders at once (API processes) and one reader reading `seq > cursor` (the
        // processor): if a higher seq could become visible before a lower one, the reader would
        // move its cursor past the lower one and never apply it.
        const store = await fresh(t)
        const calls = 60
        let appended = 0
        const appends = Promise.all(
          Array.from({ length: calls }, async (_, i) => {
            await new Promise((r) => setTimeout(r, i % 7))
            await store.log.append([
              aLogRecord({ requestId: `REQ${i}`, index: 0 }),
              aLogRecord({ requestId: `REQ${i}`, index: 1 }),
            ])
            appended++
          }),
        )
        let cursor = 0
        const seen: number[] = []
        for (let round = 0; round < 10_000 && seen.length < calls * 2; round++) {
          const page = await store.log.readAfter(cursor, 1000)
          for (const r of page) {
            assert.equal(r.seq, cursor + 1, `after ${cursor} the next visible seq is ${r.seq}`)
            cursor = r.seq
            seen.push(r.seq)
          }
          if (page.length === 0 && appended === calls) break
          await new Promise((r) => setImmediate(r))
        }
        await appends
        assert.equal(seen.length, calls * 2)
        assert.equal(await store.log.lastSeq(), cursor)
      })

      describe('Bulk rows (families/data/bulk-rows.ts)', () => {
        // A customer, an event of two actions (two records) and an invalid element: 4 records.
        const body = JSON.stringify({
          type: 'transition',
          elements: [
            { type: 'customer', customer_id: 'erin', attributes: { name: 'Erin' } },
            {
              type: 'event',
              customer_id: 'erin',
              actions: [{ action: 'Viewed' }, { action: 'Bought', attributes: { sku: 'A1' } }],
            },
            { type: 'nonsense' },
          ],
        })
        const expected = parseBulk(JSON.parse(body) as Record<string, unknown>, { strict: false })
        for (const r of expected) withProject(r, 'shop')
        const bulkRow = (requestId: string): NewLogRecord => ({
          workspaceId: WS,
          requestId,
          index: 0,
          kind: BULK_ROW_KIND,
          customerId: null,
          receivedAt: T0 + 5,
          payload: bulkRowPayload(body, { strict: false, project: 'shop' }),
          records: expected.length,
          api: 'bulk',
        })
        /** before, the Bulk row, after: read back as 1 + 4 + 1 records. */
        async function withBulkRow(store: Store): Promise<LogRecord[]> {
          await store.log.append([
            aLogRecord({ requestId: 'REQBEFOR' }),
            bulkRow('REQBULK1'),
            aLogRecord({ requestId: 'REQAFTER' }),
          ])
          return store.log.readAfter(0, 100)
        }

        it('reads a Bulk row as its records, at consecutive seqs between its neighbours', async (t) => {
          const store = await fresh(t)
          const records = await withBulkRow(store)
          assert.equal(expected.length, 4)
          assert.deepEqual(
            records.map((r) => [r.requestId, r.index, r.kind, r.customerId]),
            [
              ['REQBEFOR', 0, 'customer', 'alice'],
              ['REQBULK1', 0, 'customer', 'erin'],
              ['REQBULK1', 1, 'event', 'erin'],
              ['REQBULK1', 2, 'event', 'erin'],
              ['REQBULK1', 3, 'invalid', null],
              ['REQAFTER', 0, 'customer', 'alice'],
            ],
          )
          const first = records[0]?.seq ?? 0
          assert.deepEqual(
            records.map((r) => r.seq),
            [0, 1, 2, 3, 4, 5].map((i) => first + i),
          )
          assert.deepEqual(
            records.slice(1, 5).map((r) => JSON.parse(r.payload) as unknown),
            expected.map((r) => r.payload),
          )
          assert.equal(records[1]?.receivedAt, T0 + 5)
          assert.equal(await store.log.lastSeq(), first + 5)
          assert.deepEqual(
            (await store.log.recordsOfRequest(WS, 'REQBULK1')).map((r) => r.seq),
            [1, 2, 3, 4].map((i) => first + i),
          )
          assert.equal(await store.log.receivedAfter(first), T0 + 5)
          assert.equal(await store.log.receivedAfter(first + 5), undefined)
        })

        it('pages through a Bulk row: at most limit records, none twice, from inside the row', async (t) => {
          const store = await fresh(t)
          const all = await withBulkRow(store)
          const seen: number[] = []
          let cursor = 0
          for (;;) {
            const page = await store.log.readAfter(cursor, 2)
            if (page.length === 0) break
            assert.ok(page.length <= 2)
            seen.push(...page.map((r) => r.seq))
            cursor = page[page.length - 1]?.seq ?? cursor
          }
          assert.deepEqual(
            seen,
            all.map((r) => r.seq),
          )
          // From a cursor in the middle of the row (a processor that stopped at a failing record).
          const mid = all[2]?.seq ?? 0
          assert.deepEqual(
            (await store.log.readAfter(mid, 100)).map((r) => r.seq),
            all.slice(3).map((r) => r.seq),
          )
        })

        it('finds an erased user in a Bulk row and redacts only that record', async (t) => {
          const store = await fresh(t)
          const all = await withBulkRow(store)
          const first = all[0]?.seq ?? 0
          const held = await store.processing.recordsHolding(WS, {
            beforeSeq: first + 100,
            userIds: [],
            customerIds: ['erin'],
            logTokens: ['"A1"'],
            outcomeTokens: [],
          })
          assert.deepEqual(
            held.logSeqs,
            [1, 2, 3].map((i) => first + i),
          )
          const byToken = await store.processing.recordsHolding(WS, {
            beforeSeq: first + 100,
            userIds: [],
            customerIds: [],
            logTokens: ['"A1"'],
            outcomeTokens: [],
          })
          assert.deepEqual(byToken.logSeqs, [first + 3])
          await store.processing.commit(
            changes({
              fromSeq: 0,
              toSeq: first + 5,
              redactedLog: [{ seq: first + 2, payload: '{"erased":true}' }],
            }),
          )
          const after = await store.log.readAfter(0, 100)
          assert.deepEqual(
            after.map((r) => r.seq),
            all.map((r) => r.seq),
          )
          assert.deepEqual(after[2], { ...all[2], payload: '{"erased":true}', customerId: null })
          assert.deepEqual(
            after.filter((_, i) => i !== 2),
            all.filter((_, i) => i !== 2),
          )
        })

        it('compacts Bulk records counting each record, never one not yet applied', async (t) => {
          const store = await fresh(t)
          const all = await withBulkRow(store)
          const first = all[0]?.seq ?? 0
          // Up to a seq inside the row (SQLite keeps the row until all of it is applied).
          const some = await store.log.compact(first + 3, T0 + 10_000)
          assert.deepEqual(
            (await store.log.readAfter(first + 3, 100)).map((r) => r.seq),
            [first + 4, first + 5],
          )
          const rest = await store.log.compact(first + 4, T0 + 10_000)
          assert.equal(some + rest, 5)
          assert.deepEqual(
            (await store.log.readAfter(0, 100)).map((r) => r.requestId),
            ['REQAFTER'],
          )
        })
      })

      it('compacts only records up to the given seq received before the cutoff', async (t) => {
        const store = await fresh(t)
        await store.log.append(
          [0, 1, 2, 3].map((i) => aLogRecord({ index: i, receivedAt: T0 + i * 100 })),
        )
        const seqs = (await store.log.readAfter(0, 10)).map((r) => r.seq)
        // seq <= seqs[2] (applied) and received before T0 + 200 (old): the first two only.
        assert.equal(await store.log.compact(seqs[2] ?? 0, T0 + 200), 2)
        assert.deepEqual(
          (await store.log.readAfter(0, 10)).map((r) => r.index),
          [2, 3],
        )
        // Old enough but not applied yet: kept.
        assert.equal(await store.log.compact(seqs[1] ?? 0, T0 + 10_000), 0)
        assert.equal(await store.log.compact(seqs[3] ?? 0, T0 + 10_000), 2)
        assert.deepEqual(await store.log.readAfter(0, 10), [])
      })

      it('reads the records of one request of one workspace, in order', async (t) => {
        const store = await fresh(t)
        await store.log.append([aLogRecord({ requestId: 'REQAAAAA', index: 0, receivedAt: T0 })])
        await store.log.append([
          aLogRecord({ requestId: 'REQBBBBB', index: 0 }),
          aLogRecord({ requestId: 'REQAAAAA', workspaceId: OTHER_WS, index: 5 }),
        ])
        await store.log.append([aLogRecord({ requestId: 'REQAAAAA', index: 1, receivedAt: T0 })])
        const records = await store.log.recordsOfRequest(WS, 'REQAAAAA')
        assert.deepEqual(
          records.map((r) => [r.workspaceId, r.requestId, r.index]),
          [
            [WS, 'REQAAAAA', 0],
            [WS, 'REQAAAAA', 1],
          ],
        )
        assert.ok((records[0]?.seq ?? 0) < (records[1]?.seq ?? 0))
        assert.deepEqual(await store.log.recordsOfRequest(WS, 'REQNONE'), [])
        assert.deepEqual(await store.log.recordsOfRequest(OTHER_WS, 'REQBBBBB'), [])
        await store.log.compact(await store.log.lastSeq(), T0 + 1)
        assert.deepEqual(await store.log.recordsOfRequest(WS, 'REQAAAAA'), [])
      })

      it('never reuses a seq after compaction', async (t) => {
        const store = await fresh(t)
        await store.log.append([aLogRecord({ index: 0 }), aLogRecord({ index: 1 })])
        const last = await store.log.lastSeq()
        assert.equal(await store.log.compact(last, T0 + 1), 2)
        assert.equal(await store.log.lastSeq(), last)
        await store.log.append([aLogRecord({ index: 2 })])
        const [next] = await store.log.readAfter(0, 10)
        assert.ok((next?.seq ?? 0) > last, `new seq ${next?.seq} after ${last}`)
        assert.equal(await store.log.lastSeq(), next?.seq)
      })

      it('checkpoints between appends and reads, losing and reordering nothing', async (t) => {
        const store = await fresh(t)
        await store.log.checkpoint() // an empty log
        await store.log.append([aLogRecord({ index: 0 }), aLogRecord({ index: 1 })])
        await Promise.all([store.log.append([aLogRecord({ index: 2 })]), store.log.checkpoint()])
        await store.log.checkpoint()
        await store.log.append([aLogRecord({ index: 3 })])
        const read = await store.log.readAfter(0, 10)
        assert.deepEqual(
          read.map((r) => r.index),
          [0, 1, 2, 3],
        )
        assert.equal(await store.log.lastSeq(), read.at(-1)?.seq)
      })
    })

    describe('processing', () => {
      it('starts with the cursor at 0 and an empty snapshot', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.processing.cursor(), 0)
        await store.log.append([aLogRecord()])
        const records = await store.log.readAfter(0, 10)
        assert.deepEqual(
          { eventCounts: [], merges: [], ...(await store.processing.loadSnapshot(records)) },
          { users: [], devices: [], eventCounts: [], merges: [] },
        )
      })

      it('commits a batch: every row written and the cursor moved', async (t) => {
        const store = await fresh(t)
        const user = aUser()
        const device = aDevice()
        const event = anEvent({ seq: 2 })
        const outcome = anOutcome({ seq: 3, index: 2 })
        await store.processing.commit(
          changes({
            fromSeq: 0,
            toSeq: 3,
            users: [user],
            devices: [device],
            events: [event],
            outcomes: [outcome],
          }),
        )
        assert.equal(await store.processing.cursor(), 3)
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: ['alice'], ids: [] }), [
          user,
        ])
        assert.deepEqual(await store.profiles.devicesOfUser(WS, user.id), [device])
        assert.deepEqual(await store.profiles.eventsOfUser(WS, user.id, 10), [event])
        assert.deepEqual(await store.profiles.outcomesOfRequest(WS, 'REQAAAAA'), [outcome])
        await store.processing.commit(changes({ fromSeq: 3, toSeq: 7 }))
        assert.equal(await store.processing.cursor(), 7)
      })

      it('keeps attribute maps as written: quotes, backslashes, control characters, none', async (t) => {
        const store = await fresh(t)
        // Every control character but NUL, as a value and a key, and the characters an array
        // literal escapes; events with attributes and without (NULL) in one batch. (NUL is refused
        // at the HTTP edge, http/nul.ts: PostgreSQL cannot hold it; test/conformance/nul.test.ts.)
        const odd = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')
        const attributes = {
          [`k${odd}"\\`]: `v${odd}"\\{},`,
          nested: { q: '"', list: ['\\', null] },
        }
        const user = aUser({ attributes })
        const device = aDevice({ attributes })
        const events = [
          anEvent({ seq: 1, attributes }),
          anEvent({ seq: 2, attributes: {} }),
          anEvent({ seq: 3, attributes }),
        ]
        await store.processing.commit(
          changes({ toSeq: 3, users: [user], devices: [device], events }),
        )
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: ['alice'], ids: [] }), [
          user,
        ])
        assert.deepEqual(await store.profiles.devicesOfUser(WS, user.id), [device])
        assert.deepEqual(await store.profiles.eventsOfUser(WS, user.id, 10), [...events].reverse())
      })

      it('pages through a workspace’s events by event time, then seq (inlet export)', async (t) => {
        const store = await fresh(t)
        const user = aUser()
        const events = [
          anEvent({ seq: 1, eventTime: T0 + 2000 }),
          anEvent({ seq: 2, eventTime: T0 }),
          anEvent({ seq: 3, eventTime: T0 + 2000 }),
          anEvent({ seq: 4, eventTime: T0 + 1000 }),
          anEvent({ seq: 5, eventTime: T0, workspaceId: OTHER_WS }),
        ]
        await store.processing.commit(changes({ toSeq: 5, users: [user], events }))
        const page = async (afterTime: number, afterSeq: number, limit: number) =>
          (await store.profiles.eventsPage(WS, afterTime, afterSeq, limit)).map((e) => e.seq)
        const start = Number.MIN_SAFE_INTEGER
        assert.deepEqual(await page(start, start, 2), [2, 4])
        assert.deepEqual(await page(T0 + 1000, 4, 2), [1, 3])
        assert.deepEqual(await page(T0 + 2000, 1, 2), [3])
        assert.deepEqual(await page(T0 + 2000, 3, 2), [])
        const [first] = await store.profiles.eventsPage(WS, start, start, 1)
        assert.deepEqual(first, events[1])
        assert.deepEqual(await store.profiles.eventsPage(OTHER_WS, start, start, 10), [events[4]])
      })

      it('pages events of many names in one order, whatever the page size (inlet export)', async (t) => {
        const store = await fresh(t)
        // 60 events of 5 names over 12 times, so that names interleave and tie on a time; the
        // seqs out of time order. Another workspace's events of the same names are never paged.
        const names = ['Opened', 'Paid', 'Shared', 'Viewed', 'Added']
        const events = Array.from({ length: 60 }, (_, i) =>
          anEvent({
            seq: 1 + ((i * 37) % 60),
            name: names[(i * 7) % 5] ?? 'Opened',
            eventTime: T0 + ((i * 13) % 12) * 1000,
          }),
        )
        const others = names.map((name, i) =>
          anEvent({ seq: 61 + i, name, eventTime: T0 + i, workspaceId: OTHER_WS }),
        )
        await store.processing.commit(
          changes({ toSeq: 65, users: [aUser()], events: [...events, ...others] }),
        )
        const order = [...events]
          .sort((a, b) => a.eventTime - b.eventTime || a.seq - b.seq)
          .map((e) => e.seq)
        for (const size of [1, 2, 7, 16, 59, 60, 100]) {
          const seen: number[] = []
          let after: [number, number] = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
          for (;;) {
            const page = await store.profiles.eventsPage(WS, after[0], after[1], size)
            assert.ok(page.length <= size)
            seen.push(...page.map((e) => e.seq))
            const last = page.at(-1)
            if (page.length < size || last === undefined) break
            after = [last.eventTime, last.seq]
          }
          assert.deepEqual(seen, order, `pages of ${size}`)
        }
        assert.deepEqual(await store.profiles.eventsPage(WS, T0 + 11_000, 60, 10), [])
      })

      it('replaces a user and a device written again, and deletes devices', async (t) => {
        const store = await fresh(t)
        await store.processing.commit(
          changes({
            toSeq: 1,
            users: [aUser()],
            devices: [aDevice(), aDevice({ deviceId: 'device-2' })],
          }),
        )
        const updatedUser = aUser({ attributes: { name: 'Alicia' }, updatedAt: T0 + 9 })
        const movedDevice = aDevice({
          pushId: null,
          platform: null,
          attributes: {},
          updatedAt: T0 + 9,
        })
        await store.processing.commit(
          changes({
            fromSeq: 1,
            toSeq: 2,
            users: [updatedUser],
            devices: [movedDevice],
            deletedDevices: [{ workspaceId: WS, deviceId: 'device-2' }],
          }),
        )
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: ['alice'], ids: [] }), [
          updatedUser,
        ])
        assert.deepEqual(await store.profiles.devicesOfUser(WS, updatedUser.id), [movedDevice])
      })

      it('writes an event once per seq, whatever batch repeats it', async (t) => {
        const store = await fresh(t)
        const event = anEvent({ seq: 5 })
        await store.processing.commit(changes({ toSeq: 5, users: [aUser()], events: [event] }))
        await store.processing.commit(
          changes({ fromSeq: 5, toSeq: 6, events: [anEvent({ seq: 5, name: 'Again' })] }),
        )
        assert.deepEqual(await store.profiles.eventsOfUser(WS, event.userId, 10), [event])
      })

      it('refuses a commit from a stale cursor and changes nothing', async (t) => {
        const store = await fresh(t)
        await store.processing.commit(changes({ fromSeq: 0, toSeq: 2, users: [aUser()] }))
        const bob = aUser({ id: '00000000000000000000000b', customerId: 'bob' })
        const stale = changes({
          fromSeq: 0,
          toSeq: 4,
          users: [bob, aUser({ attributes: { overwritten: true } })],
          devices: [aDevice({ userId: bob.id })],
          events: [anEvent({ seq: 3, userId: bob.id })],
          outcomes: [anOutcome({ seq: 4 })],
        })
        await assert.rejects(store.processing.commit(stale), StoreConflictError)
        await assert.rejects(store.processing.commit({ ...stale, fromSeq: 3 }), StoreConflictError)
        assert.equal(await store.processing.cursor(), 2)
        assert.deepEqual(
          await store.profiles.findUsers(WS, { customerIds: ['alice', 'bob'], ids: [] }),
          [aUser()],
        )
        assert.deepEqual(await store.profiles.devicesOfUser(WS, bob.id), [])
        assert.deepEqual(await store.profiles.eventsOfUser(WS, bob.id, 10), [])
        assert.deepEqual(await store.profiles.outcomesOfRequest(WS, 'REQAAAAA'), [])
      })

      it('writes nothing when a commit fails part-way', async (t) => {
        const store = await fresh(t)
        // Two users of one workspace may not share a customer id: the second write fails after
        // the first succeeded, and the whole batch must roll back.
        const failing = changes({
          fromSeq: 0,
          toSeq: 3,
          users: [aUser(), aUser({ id: '00000000000000000000000b' })],
          events: [anEvent({ seq: 1 })],
        })
        await assert.rejects(store.processing.commit(failing))
        assert.equal(await store.processing.cursor(), 0)
        assert.deepEqual(
          await store.profiles.findUsers(WS, {
            customerIds: ['alice'],
            ids: ['00000000000000000000000a', '00000000000000000000000b'],
          }),
          [],
        )
        assert.deepEqual(await store.profiles.eventsOfUser(WS, '00000000000000000000000a', 10), [])
        // The store is still usable, and the batch can be retried.
        await store.processing.commit({ ...failing, users: [aUser()] })
        assert.equal(await store.processing.cursor(), 3)
      })

      it('lets one of two commits from the same cursor win', async (t) => {
        const store = await fresh(t)
        const results = await Promise.allSettled([
          store.processing.commit(changes({ toSeq: 1, users: [aUser()] })),
          store.processing.commit(
            changes({ toSeq: 2, users: [aUser({ id: '00000000000000000000000b' })] }),
          ),
        ])
        const failed = results.filter((r) => r.status === 'rejected')
        assert.equal(failed.length, 1)
        assert.ok(
          failed[0]?.status === 'rejected' && failed[0].reason instanceof StoreConflictError,
        )
        const users = await store.profiles.findUsers(WS, { customerIds: ['alice'], ids: [] })
        assert.equal(users.length, 1)
        assert.equal(await store.processing.cursor(), users[0]?.id.endsWith('a') ? 1 : 2)
      })

      it('loads the users and devices a batch touches', async (t) => {
        const store = await fresh(t)
        const alice = aUser()
        const bob = aUser({ id: '00000000000000000000000b', customerId: 'bob' })
        const otherAlice = aUser({ workspaceId: OTHER_WS, id: '00000000000000000000000c' })
        const aliceDevice = aDevice({ deviceId: 'alice-phone' })
        const bobPhone = aDevice({ deviceId: 'bob-phone', userId: bob.id })
        const bobTablet = aDevice({ deviceId: 'bob-tablet', userId: bob.id, createdAt: T0 + 1 })
        const otherDevice = aDevice({
          workspaceId: OTHER_WS,
          deviceId: 'alice-phone',
          userId: otherAlice.id,
        })
        await store.processing.commit(
          changes({
            users: [alice, bob, otherAlice],
            devices: [aliceDevice, bobPhone, bobTablet, otherDevice],
          }),
        )

        const customerOnly = await store.processing.loadSnapshot([
          { ...aLogRecord({ customerId: 'alice' }), seq: 10 },
          { ...aLogRecord({ customerId: 'nobody' }), seq: 11 },
        ])
        assert.deepEqual(customerOnly.users, [alice])

        // A device record of bob's that names alice's device: bob, that device, and bob's devices.
        const deviceRecord: LogRecord = {
          ...aLogRecord({
            kind: 'device',
            customerId: 'bob',
            payload: JSON.stringify({
              customer_id: 'bob',
              device_id: 'alice-phone',
              attributes: {},
            }),
          }),
          seq: 12,
        }
        const snapshot = await store.processing.loadSnapshot([deviceRecord])
        assert.deepEqual(snapshot.users, [bob])
        assert.deepEqual(
          sortedBy(snapshot.devices, (d) => d.deviceId),
          [aliceDevice, bobPhone, bobTablet],
        )

        // Records of another workspace see only that workspace's rows.
        const other = await store.processing.loadSnapshot([
          { ...aLogRecord({ workspaceId: OTHER_WS, customerId: 'alice' }), seq: 13 },
          { ...aLogRecord({ workspaceId: OTHER_WS, customerId: 'bob' }), seq: 14 },
        ])
        assert.deepEqual(other.users, [otherAlice])
      })

      it('loads a user once however many records name it', async (t) => {
        const store = await fresh(t)
        await store.processing.commit(changes({ users: [aUser()] }))
        const records = [1, 2, 3].map((seq) => ({ ...aLogRecord({ index: seq }), seq }))
        const snapshot = await store.processing.loadSnapshot(records)
        assert.deepEqual(snapshot.users, [aUser()])
      })
    })

    describe('processor lease, retries and dead records', () => {
      it('hands the lease to one owner, renews it for that owner, and refuses others until it expires', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.processing.acquireLease('p1', T0, 1000), true)
        assert.equal(await store.processing.acquireLease('p2', T0 + 10, 1000), false)
        // A renewal moves the expiry: p2 is still refused after the first expiry.
        assert.equal(await store.processing.acquireLease('p1', T0 + 500, 1000), true)
        assert.equal(await store.processing.acquireLease('p2', T0 + 1200, 1000), false)
        // Expired: taken over, and the old owner is then the one refused.
        assert.equal(await store.processing.acquireLease('p2', T0 + 1500, 1000), true)
        assert.equal(await store.processing.acquireLease('p1', T0 + 1600, 1000), false)
      })

      it('gives the lease to exactly one of many owners asking at once', async (t) => {
        const store = await fresh(t)
        const owners = Array.from({ length: 8 }, (_, i) => `p${i}`)
        const got = await Promise.all(
          owners.map((o) => store.processing.acquireLease(o, T0, 60_000)),
        )
        assert.equal(got.filter(Boolean).length, 1)
      })

      it('releases the lease only for its owner', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.processing.acquireLease('p1', T0, 60_000), true)
        await store.processing.releaseLease('p2')
        assert.equal(await store.processing.acquireLease('p2', T0 + 1, 60_000), false)
        await store.processing.releaseLease('p1')
        assert.equal(await store.processing.acquireLease('p2', T0 + 2, 60_000), true)
      })

      it('counts failed attempts per record until the record is acked, then forgets them', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.processing.recordFailure(3, 'boom', T0), 1)
        assert.equal(await store.processing.recordFailure(3, 'boom again', T0 + 1), 2)
        assert.equal(await store.processing.recordFailure(5, 'other', T0 + 2), 1)
        // Acking up to 3 (here as a dead record with its reason) forgets 3's count, not 5's.
        await store.processing.commit(
          changes({
            fromSeq: 0,
            toSeq: 3,
            outcomes: [anOutcome({ seq: 3, outcome: 'dead', reason: 'failed 2 times: boom' })],
          }),
        )
        assert.deepEqual(await store.profiles.outcomesOfRequest(WS, 'REQAAAAA'), [
          anOutcome({ seq: 3, outcome: 'dead', reason: 'failed 2 times: boom' }),
        ])
        assert.equal(await store.processing.recordFailure(3, 'boom', T0 + 3), 1)
        assert.equal(await store.processing.recordFailure(5, 'other', T0 + 4), 2)
      })
    })

    describe('event retention', () => {
      it('removes the events of whole months before the cutoff’s month, and keeps the rest', async (t) => {
        const store = await fresh(t)
        const at = (iso: string): number => Date.parse(iso)
        const times = [
          at('2026-08-31T23:59:59.999Z'),
          at('2026-09-01T00:00:00.000Z'),
          at('2026-09-20T12:00:00.000Z'),
          at('2026-10-02T00:00:00.000Z'),
          at('2026-11-01T09:00:00.000Z'),
        ]
        await store.processing.commit(
          changes({
            toSeq: times.length,
            users: [aUser()],
            events: times.map((eventTime, i) => anEvent({ seq: i + 1, eventTime })),
          }),
        )
        await store.processing.expireEvents(at('2026-09-25T00:00:00Z'))
        const left = async (): Promise<number[]> =>
          (await store.profiles.eventsOfUser(WS, aUser().id, 10)).map((e) => e.seq).sort()
        assert.deepEqual(await left(), [2, 3, 4, 5])
        await store.processing.expireEvents(at('2026-11-01T00:00:00Z'))
        assert.deepEqual(await left(), [5])
        // Events of an expired month can be written again (a late event, a replay).
        await store.processing.commit(
          changes({
            fromSeq: 5,
            toSeq: 6,
            events: [anEvent({ seq: 6, eventTime: times[0] ?? 0 })],
          }),
        )
        assert.deepEqual(await left(), [5, 6])
      })
    })

    describe('merges', () => {
      const mergeRecord = (payload: object): NewLogRecord =>
        aLogRecord({ kind: 'merge', customerId: 'keeper', payload: JSON.stringify(payload) })

      it('loads both users of a merge record, their devices and how many events the merged user has', async (t) => {
        const store = await fresh(t)
        const keeper = aUser({ id: 'u-keeper', customerId: 'keeper' })
        const gone = aUser({ id: 'u-gone', customerId: 'gone' })
        await store.processing.commit(
          changes({
            toSeq: 0,
            users: [keeper, gone],
            devices: [aDevice({ deviceId: 'd-gone', userId: 'u-gone' })],
            events: [
              anEvent({ seq: 5, userId: 'u-gone' }),
              anEvent({ seq: 6, userId: 'u-keeper' }),
            ],
          }),
        )
        await store.log.append([mergeRecord({ merged_user: 'gone', retained_user: 'keeper' })])
        const snapshot = await store.processing.loadSnapshot(await store.log.readAfter(0, 10))
        assert.deepEqual(
          sortedBy(snapshot.users, (u) => u.id),
          [gone, keeper],
        )
        assert.deepEqual(
          snapshot.devices.map((d) => d.deviceId),
          ['d-gone'],
        )
        assert.deepEqual(snapshot.eventCounts, [{ workspaceId: WS, userId: 'u-gone', count: 1 }])
      })

      it('loads a count, not the events, of a merged user with many events', async (t) => {
        const store = await fresh(t)
        const many = 2000
        await store.processing.commit(
          changes({
            toSeq: 0,
            users: [aUser({ id: 'u-keeper', customerId: 'keeper' })],
            events: Array.from({ length: many }, (_, i) =>
              anEvent({ seq: i + 1, userId: 'u-gone', attributes: {} }),
            ),
          }),
        )
        await store.processing.commit(
          changes({
            toSeq: 0,
            users: [aUser({ id: 'u-gone', customerId: 'gone', attributes: {} })],
          }),
        )
        await store.log.append([mergeRecord({ merged_user: 'gone', retained_user: 'keeper' })])
        const snapshot = await store.processing.loadSnapshot(await store.log.readAfter(0, 10))
        assert.deepEqual(snapshot.eventCounts, [{ workspaceId: WS, userId: 'u-gone', count: many }])
        // What a batch holds in memory does not grow with the user's events (one seq each would
        // be tens of kilobytes here).
        const size = JSON.stringify(snapshot).length
        assert.ok(size < 1500, `the snapshot is ${size} bytes`)
      })

      const merge = aMerge()
      const seqsOf = async (store: Store, userId: string): Promise<number[]> =>
        (await store.profiles.eventsOfUser(WS, userId, 100)).map((e) => e.seq).sort((a, b) => a - b)
      /** A fresh store holding u-keeper, u-gone (customer 'gone') and `events`, the cursor at 3. */
      const keeperAndGone = async (t: TestContext, events: EventRow[]): Promise<Store> => {
        const store = await fresh(t)
        await store.processing.commit(
          changes({
            toSeq: 3,
            users: [aUser({ id: 'u-keeper' }), aUser({ id: 'u-gone', customerId: 'gone' })],
            events,
          }),
        )
        return store
      }

      it('moves events by merge in the store, and back by its undo, atomically with the cursor', async (t) => {
        const store = await keeperAndGone(t, [
          anEvent({ seq: 1, userId: 'u-gone' }),
          anEvent({ seq: 2, userId: 'u-keeper' }),
          anEvent({ seq: 3, userId: 'u-gone' }),
        ])
        // The merge record is seq 5; the batch also holds an event of u-gone before it (4), the
        // merge's system events (±5) and an event of u-gone after it (6).
        await store.processing.commit(
          changes({
            fromSeq: 3,
            toSeq: 6,
            events: [
              anEvent({ seq: 4, userId: 'u-gone' }),
              anEvent({ seq: 5, userId: 'u-keeper', name: 'MOE_USER_MERGED' }),
              anEvent({ seq: -5, userId: 'u-gone', name: 'MOE_USER_MERGE_EVENT' }),
              anEvent({ seq: 6, userId: 'u-gone' }),
            ],
            eventChanges: [mergeChange(2, 'u-gone', 'u-keeper', 5)],
            merges: [merge],
          }),
        )
        assert.deepEqual(await seqsOf(store, 'u-keeper'), [1, 2, 3, 4, 5])
        assert.deepEqual(await seqsOf(store, 'u-gone'), [-5, 6])
        assert.deepEqual(await store.profiles.merge(WS, 2), merge)
        assert.equal(await store.profiles.merge(OTHER_WS, 2), undefined)

        // A commit that fails moves nothing back.
        const undo = changes({
          fromSeq: 6,
          toSeq: 7,
          eventChanges: [
            unmergeChange(2, 'u-keeper', 'u-gone'),
            { kind: 'delete', workspaceId: WS, seq: 5 },
            { kind: 'delete', workspaceId: WS, seq: -5 },
          ],
          merges: [{ ...merge, undoneAt: T0 + 5 }],
        })
        await assert.rejects(store.processing.commit({ ...undo, fromSeq: 5 }), StoreConflictError)
        assert.deepEqual(await seqsOf(store, 'u-keeper'), [1, 2, 3, 4, 5])

        await store.processing.commit(undo)
        // Exactly the events the merge moved go back; the retained user keeps its own.
        assert.deepEqual(await seqsOf(store, 'u-keeper'), [2])
        assert.deepEqual(await seqsOf(store, 'u-gone'), [1, 3, 4, 6])
        assert.equal((await store.profiles.merge(WS, 2))?.undoneAt, T0 + 5)
        // The store forgot the list: the same undo again moves nothing.
        await store.processing.commit({ ...undo, fromSeq: 7, toSeq: 8, merges: [] })
        assert.deepEqual(await seqsOf(store, 'u-keeper'), [2])
        assert.deepEqual(await seqsOf(store, 'u-gone'), [1, 3, 4, 6])
      })

      it('applies event changes in order, before removing the events of deleted users', async (t) => {
        const store = await fresh(t)
        const users = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-x', 'u-y'].map((id) =>
          aUser({ id, customerId: id }),
        )
        await store.processing.commit(
          changes({
            toSeq: 7,
            users,
            events: users.map((u, i) => anEvent({ seq: i + 1, userId: u.id })),
          }),
        )
        const merging = (mergeId: number, fromUserId: string, toUserId: string) =>
          mergeChange(mergeId, fromUserId, toUserId, 10)
        await store.processing.commit(
          changes({
            fromSeq: 7,
            toSeq: 10,
            // A chain (a into b, then b into c), one beside it (d into e), and x into y where y is
            // deleted in the same batch: y's events go, those it was given included.
            eventChanges: [
              merging(64, 'u-a', 'u-b'),
              merging(65, 'u-d', 'u-e'),
              merging(66, 'u-b', 'u-c'),
              merging(67, 'u-x', 'u-y'),
            ],
            deletedUsers: [{ workspaceId: WS, userId: 'u-y' }],
          }),
        )
        assert.deepEqual(await seqsOf(store, 'u-c'), [1, 2, 3])
        assert.deepEqual(await seqsOf(store, 'u-e'), [4, 5])
        for (const id of ['u-a', 'u-b', 'u-d', 'u-x', 'u-y']) {
          assert.deepEqual(await seqsOf(store, id), [], id)
        }
        // Undoing the chain's second merge returns only what it moved (a's and b's events).
        await store.processing.commit(
          changes({
            fromSeq: 10,
            toSeq: 11,
            eventChanges: [unmergeChange(66, 'u-c', 'u-b')],
          }),
        )
        assert.deepEqual(await seqsOf(store, 'u-b'), [1, 2])
        assert.deepEqual(await seqsOf(store, 'u-c'), [3])
      })

      it('moves listed events (merges logged before the store kept them) and forgets an erased merge’s list', async (t) => {
        const store = await keeperAndGone(
          t,
          [1, 2, 3].map((seq) => anEvent({ seq, userId: 'u-keeper' })),
        )
        await store.processing.commit(
          changes({
            fromSeq: 3,
            toSeq: 4,
            eventChanges: [{ kind: 'move', workspaceId: WS, seqs: [1, 3], toUserId: 'u-gone' }],
          }),
        )
        assert.deepEqual(await seqsOf(store, 'u-gone'), [1, 3])
        await store.processing.commit(
          changes({
            fromSeq: 4,
            toSeq: 5,
            eventChanges: [mergeChange(2, 'u-gone', 'u-keeper', 5)],
            merges: [merge],
          }),
        )
        // spec §7.12: an erasure removes the merge-log row and the list of what it moved.
        await store.processing.commit(
          changes({ fromSeq: 5, toSeq: 6, deletedMerges: [{ workspaceId: WS, id: 2 }] }),
        )
        await store.processing.commit(
          changes({
            fromSeq: 6,
            toSeq: 7,
            eventChanges: [unmergeChange(2, 'u-keeper', 'u-gone')],
          }),
        )
        assert.deepEqual(await seqsOf(store, 'u-keeper'), [1, 2, 3])
        assert.equal(await store.profiles.merge(WS, 2), undefined)
      })
    })

    describe('identity links', () => {
      it('finds users by identity values, lists their links, replaces and deletes them', async (t) => {
        const store = await fresh(t)
        const ann = aUser({ id: 'u-ann', customerId: 'ann' })
        const bob = aUser({ id: 'u-bob', customerId: null })
        await store.processing.commit(
          changes({
            toSeq: 0,
            users: [ann, bob],
            devices: [aDevice({ deviceId: 'd-bob', userId: 'u-bob' })],
            events: [anEvent({ seq: 9, userId: 'u-bob' })],
            identityLinks: [
              { workspaceId: WS, userId: 'u-ann', links: [{ name: 'u_em', value: 'a@x.io' }] },
              {
                workspaceId: WS,
                userId: 'u-bob',
                links: [
                  { name: 'u_mb', value: '+100' },
                  { name: 'u_em', value: 'b@x.io' },
                ],
              },
            ],
          }),
        )
        const record = (identities: object) =>
          aLogRecord({ customerId: null, payload: JSON.stringify({ attributes: {}, identities }) })
        await store.log.append([record({ u_em: 'a@x.io' }), record({ u_mb: '+100' })])
        const snapshot = await store.processing.loadSnapshot(await store.log.readAfter(0, 10))
        assert.deepEqual(
          sortedBy(snapshot.users, (u) => u.id),
          [ann, bob],
        )
        assert.deepEqual(
          sortedBy(snapshot.identityLinks ?? [], (l) => `${l.userId} ${l.name}`),
          [
            { workspaceId: WS, userId: 'u-ann', name: 'u_em', value: 'a@x.io' },
            { workspaceId: WS, userId: 'u-bob', name: 'u_em', value: 'b@x.io' },
            { workspaceId: WS, userId: 'u-bob', name: 'u_mb', value: '+100' },
          ],
        )
        // A user found by identity may be merged away: its devices and events come with it.
        assert.deepEqual(
          snapshot.devices.map((d) => d.deviceId),
          ['d-bob'],
        )
        assert.deepEqual(snapshot.eventCounts, [{ workspaceId: WS, userId: 'u-bob', count: 1 }])
        // A record without identities loads no links; another workspace's values match nothing.
        await store.log.append([aLogRecord({ customerId: 'ann' })])
        const plain = await store.processing.loadSnapshot(await store.log.readAfter(2, 10))
        assert.equal(plain.identityLinks, undefined)
        await store.log.append([
          aLogRecord({
            workspaceId: OTHER_WS,
            customerId: null,
            payload: JSON.stringify({ identities: { u_em: 'a@x.io' } }),
          }),
        ])
        const other = await store.processing.loadSnapshot(await store.log.readAfter(3, 10))
        assert.deepEqual(other.users, [])

        await store.processing.commit(
          changes({
            fromSeq: 0,
            toSeq: 1,
            identityLinks: [{ workspaceId: WS, userId: 'u-bob', links: [] }],
            deletedUsers: [{ workspaceId: WS, userId: 'u-ann' }],
          }),
        )
        const after = await store.processing.loadSnapshot(await store.log.readAfter(0, 2))
        assert.deepEqual(after.users, [])
        assert.deepEqual(after.identityLinks, [])
      })
    })

    describe('deletions', () => {
      it('schedules deletions, lists those due, and deletes a user with everything of it', async (t) => {
        const store = await fresh(t)
        const gone = aUser({ id: 'u-gone', customerId: 'gone' })
        await store.processing.commit(
          changes({
            toSeq: 1,
            users: [gone],
            devices: [aDevice({ deviceId: 'd-gone', userId: 'u-gone' })],
            events: [anEvent({ seq: 1, userId: 'u-gone' })],
            scheduledDeletions: [
              { workspaceId: WS, userId: 'u-gone', dueAt: T0 + 10, requestId: 'REQAAAAA', seq: 1 },
            ],
          }),
        )
        // A second schedule for the same user keeps the first.
        await store.processing.commit(
          changes({
            fromSeq: 1,
            toSeq: 2,
            scheduledDeletions: [
              { workspaceId: WS, userId: 'u-gone', dueAt: T0 + 99, requestId: 'REQBBBBB', seq: 2 },
            ],
          }),
        )
        assert.deepEqual(await store.processing.dueDeletions(T0 + 9, 10), [])
        assert.deepEqual(await store.processing.dueDeletions(T0 + 10, 10), [
          { workspaceId: WS, userId: 'u-gone', dueAt: T0 + 10, requestId: 'REQAAAAA', seq: 1 },
        ])
        // The same batch deletes the user and creates a new one with its customer id.
        const reborn = aUser({ id: 'u-new', customerId: 'gone' })
        await store.processing.commit(
          changes({
            fromSeq: 2,
            toSeq: 3,
            users: [reborn],
            deletedUsers: [{ workspaceId: WS, userId: 'u-gone' }],
          }),
        )
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: ['gone'], ids: [] }), [
          reborn,
        ])
        assert.deepEqual(await store.profiles.devicesOfUser(WS, 'u-gone'), [])
        assert.deepEqual(await store.profiles.eventsOfUser(WS, 'u-gone', 10), [])
        assert.deepEqual(await store.processing.dueDeletions(T0 + 1000, 10), [])
      })

      it('loads the user of a delete record by its internal id', async (t) => {
        const store = await fresh(t)
        const user = aUser({ id: 'u-1', customerId: 'someone' })
        await store.processing.commit(changes({ toSeq: 0, users: [user] }))
        await store.log.append([
          aLogRecord({
            kind: 'delete',
            customerId: null,
            payload: JSON.stringify({ user_id: 'u-1', due_at: T0 }),
          }),
        ])
        const snapshot = await store.processing.loadSnapshot(await store.log.readAfter(0, 10))
        assert.deepEqual(snapshot.users, [user])
      })
    })

    describe('shared quota counts', () => {
      const key = { workspaceId: WS, quota: 'track_user', windowStart: T0 }
      const lease = (store: Store, limit: number, need: number, want: number, k = key) =>
        store.quotas.lease({ ...k, limit, need, want })

      it('grants what is wanted up to the limit, and counts every grant', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.quotas.used(key), 0)
        assert.deepEqual(await lease(store, 10, 1, 4), { granted: 4, used: 4 })
        assert.deepEqual(await lease(store, 10, 2, 4), { granted: 4, used: 8 })
        assert.deepEqual(await lease(store, 10, 1, 4), { granted: 2, used: 10 }, 'capped')
        assert.deepEqual(await lease(store, 10, 1, 4), { granted: 0, used: 10 })
        assert.equal(await store.quotas.used(key), 10)
      })

      it('grants nothing when fewer than `need` are left, and at least `need` otherwise', async (t) => {
        const store = await fresh(t)
        assert.deepEqual(await lease(store, 10, 7, 1), { granted: 7, used: 7 })
        assert.deepEqual(await lease(store, 10, 4, 9), { granted: 0, used: 7 }, 'all or nothing')
        assert.deepEqual(await lease(store, 10, 3, 0), { granted: 3, used: 10 })
        assert.deepEqual(await lease(store, 5, 0, 5), { granted: 0, used: 10 }, 'a lowered limit')
        assert.deepEqual(await lease(store, 0, 0, 5, { ...key, quota: 'merge' }), {
          granted: 0,
          used: 0,
        })
      })

      it('keeps workspaces, quotas and windows apart', async (t) => {
        const store = await fresh(t)
        await lease(store, 10, 1, 10)
        assert.deepEqual(await lease(store, 10, 1, 3, { ...key, workspaceId: OTHER_WS }), {
          granted: 3,
          used: 3,
        })
        assert.deepEqual(await lease(store, 10, 1, 2, { ...key, quota: 'create_event' }), {
          granted: 2,
          used: 2,
        })
        assert.deepEqual(await lease(store, 10, 1, 5, { ...key, windowStart: T0 + 60_000 }), {
          granted: 5,
          used: 5,
        })
        assert.equal(await store.quotas.used(key), 10)
      })

      it('never grants past the limit to concurrent leases', async (t) => {
        const store = await fresh(t)
        const grants = await Promise.all(
          Array.from({ length: 24 }, (_, i) => lease(store, 50, 1 + (i % 3), 3)),
        )
        const total = grants.reduce((sum, g) => sum + g.granted, 0)
        assert.equal(total, 50)
        assert.equal(await store.quotas.used(key), 50)
        for (const [i, g] of grants.entries()) {
          assert.ok(g.granted === 0 || (g.granted >= 1 + (i % 3) && g.granted <= 3), String(i))
        }
      })

      it('prunes the windows that started before a time', async (t) => {
        const store = await fresh(t)
        await lease(store, 10, 1, 1)
        await lease(store, 10, 1, 1, { ...key, quota: 'merge' })
        await lease(store, 10, 1, 2, { ...key, windowStart: T0 + 60_000 })
        assert.equal(await store.quotas.prune(T0 + 60_000), 2)
        assert.equal(await store.quotas.used(key), 0)
        assert.equal(await store.quotas.used({ ...key, windowStart: T0 + 60_000 }), 2)
        assert.equal(await store.quotas.prune(T0), 0)
      })

      // Windows of several lengths (governance/quotas.ts): the count's span is part of its key.
      const MINUTE = 60_000
      const HOUR = 3_600_000
      const DAY = 86_400_000
      /** A rolling hour's slices (one minute each) are in force for an hour and a minute. */
      const ROLLING_HOUR = HOUR + MINUTE
      const leaseIn = (
        store: Store,
        limit: number,
        need: number,
        want: number,
        k: QuotaWindowKey,
      ) => store.quotas.lease({ ...k, limit, need, want })
      /** A lease in the rolling hour's slice starting at `start`, all slices in force counted. */
      const leaseRolling = (
        store: Store,
        start: number,
        lease: Pick<QuotaLeaseRequest, 'limit' | 'need' | 'want' | 'giveBack'>,
      ) =>
        store.quotas.lease({
          ...key,
          windowMs: ROLLING_HOUR,
          windowStart: start,
          overlapping: true,
          ...lease,
        })

      it('keeps counts of different spans apart; a key without a span is the minute', async (t) => {
        const store = await fresh(t)
        assert.deepEqual(await leaseIn(store, 10, 1, 3, { ...key, windowMs: MINUTE }), {
          granted: 3,
          used: 3,
        })
        assert.deepEqual(await leaseIn(store, 10, 1, 4, { ...key, windowMs: HOUR }), {
          granted: 4,
          used: 4,
        })
        assert.deepEqual(await leaseIn(store, 10, 1, 5, { ...key, windowMs: DAY }), {
          granted: 5,
          used: 5,
        })
        assert.equal(await store.quotas.used(key), 3, 'no span: the minute')
        assert.equal(await store.quotas.used({ ...key, windowMs: HOUR }), 4)
        assert.equal(await store.quotas.used({ ...key, windowMs: DAY }), 5)
        assert.deepEqual(
          await leaseIn(store, 10, 1, 9, key),
          { granted: 7, used: 10 },
          'the minute',
        )
      })

      it('limits the sum of overlapping counts in force, for as long as each is in force', async (t) => {
        const store = await fresh(t)
        const slice = (start: number, limit: number, need: number, want: number) =>
          leaseIn(store, limit, need, want, {
            ...key,
            windowMs: ROLLING_HOUR,
            windowStart: start,
          })
        const rolling = (start: number, limit: number, need: number, want: number) =>
          leaseRolling(store, start, { limit, need, want })
        assert.deepEqual(await rolling(T0, 10, 1, 6), { granted: 6, used: 6 })
        assert.deepEqual(await rolling(T0 + MINUTE, 10, 1, 6), { granted: 4, used: 10 })
        assert.deepEqual(
          await rolling(T0 + HOUR, 10, 1, 1),
          { granted: 0, used: 10 },
          'T0 in force',
        )
        assert.deepEqual(await rolling(T0 + ROLLING_HOUR, 10, 1, 9), { granted: 6, used: 10 })
        assert.equal(await store.quotas.used({ ...key, windowMs: ROLLING_HOUR }), 6, 'one count')
        // Without `overlapping` the count alone is limited (a fixed window's lease).
        assert.deepEqual(await slice(T0 + 2 * MINUTE, 10, 1, 2), { granted: 2, used: 2 })
      })

      it('counts later overlapping counts too, so a late lease cannot pass the limit', async (t) => {
        const store = await fresh(t)
        const rolling = (start: number, want: number) =>
          leaseRolling(store, start, { limit: 10, need: 1, want })
        assert.deepEqual(await rolling(T0 + MINUTE, 7), { granted: 7, used: 7 })
        // A process whose clock is a minute behind leases in the earlier slice: 3 are left.
        assert.deepEqual(await rolling(T0, 9), { granted: 3, used: 10 })
      })

      it('gives back an earlier count’s unspent units before granting', async (t) => {
        const store = await fresh(t)
        const rolling = (start: number, want: number, giveBack?: number) =>
          leaseRolling(store, start, {
            limit: 10,
            need: 1,
            want,
            ...(giveBack === undefined ? {} : { giveBack: { windowStart: T0, units: giveBack } }),
          })
        assert.deepEqual(await rolling(T0, 6), { granted: 6, used: 6 })
        assert.deepEqual(await rolling(T0 + MINUTE, 8, 4), { granted: 8, used: 10 })
        assert.equal(
          await store.quotas.used({ ...key, windowMs: ROLLING_HOUR, windowStart: T0 }),
          2,
        )
        assert.deepEqual(
          await rolling(T0 + 2 * MINUTE, 5, 9),
          { granted: 2, used: 10 },
          'not below 0',
        )
        assert.equal(
          await store.quotas.used({ ...key, windowMs: ROLLING_HOUR, windowStart: T0 }),
          0,
        )
      })

      it('never lets concurrent overlapping leases pass the limit at any moment', async (t) => {
        const store = await fresh(t)
        const starts = [T0, T0 + MINUTE, T0 + 2 * MINUTE]
        const grants = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            // out of time order on purpose: later slices before earlier ones
            leaseRolling(store, starts[(i * 2) % 3] ?? T0, {
              limit: 50,
              need: 1 + (i % 3),
              want: 3,
            }),
          ),
        )
        const total = grants.reduce((sum, g) => sum + g.granted, 0)
        let counted = 0
        for (const start of starts) {
          counted += await store.quotas.used({ ...key, windowMs: ROLLING_HOUR, windowStart: start })
        }
        assert.equal(counted, total)
        assert.ok(total <= 50 && total >= 48, `granted ${total} of 50, all in force together`)
      })

      it('prunes each count when it is no longer in force, whatever its span', async (t) => {
        const store = await fresh(t)
        for (const windowMs of [MINUTE, HOUR, ROLLING_HOUR, DAY]) {
          await leaseIn(store, 10, 1, 1, { ...key, windowMs })
        }
        const left = async () => {
          const spans: number[] = []
          for (const windowMs of [MINUTE, HOUR, ROLLING_HOUR, DAY]) {
            if ((await store.quotas.used({ ...key, windowMs })) > 0) spans.push(windowMs)
          }
          return spans
        }
        assert.equal(await store.quotas.prune(T0 + MINUTE - 1), 0)
        assert.equal(await store.quotas.prune(T0 + MINUTE), 1)
        assert.deepEqual(await left(), [HOUR, ROLLING_HOUR, DAY], 'the hour outlives the minute')
        assert.equal(await store.quotas.prune(T0 + HOUR), 1)
        assert.deepEqual(await left(), [ROLLING_HOUR, DAY])
        assert.equal(await store.quotas.prune(T0 + ROLLING_HOUR), 1)
        assert.equal(await store.quotas.prune(T0 + DAY - 1), 0)
        assert.deepEqual(await left(), [DAY])
        assert.equal(await store.quotas.prune(T0 + DAY), 1)
        assert.deepEqual(await left(), [])
      })
    })

    describe('feature keys', () => {
      const pushKey = (overrides: Partial<FeatureKeyRow> = {}): FeatureKeyRow => ({
        workspaceId: WS,
        feature: 'push',
        hash: 'ab'.repeat(32),
        salt: 'cd'.repeat(16),
        sealed: 'v1.sealed-push-key',
        createdAt: T0,
        rotatedAt: null,
        ...overrides,
      })

      it('keeps a key per workspace and feature, every field intact', async (t) => {
        const store = await fresh(t)
        assert.equal(await store.keys.get(WS, 'push'), undefined)
        assert.deepEqual(await store.keys.list(WS), [])
        const push = pushKey()
        const inform = pushKey({ feature: 'inform', sealed: null, hash: 'ef'.repeat(32) })
        const other = pushKey({ workspaceId: OTHER_WS, hash: '01'.repeat(32) })
        await store.keys.set(push)
        await store.keys.set(inform)
        await store.keys.set(other)
        assert.deepEqual(await store.keys.get(WS, 'push'), push)
        assert.deepEqual(await store.keys.get(WS, 'inform'), inform)
        assert.deepEqual(await store.keys.get(OTHER_WS, 'push'), other)
        assert.equal(await store.keys.get(WS, 'personalize'), undefined)
        assert.deepEqual(await store.keys.list(WS), [inform, push], 'by feature name')
        assert.deepEqual(await store.keys.list(OTHER_WS), [other])
      })

      it('replaces a row whole: a previous key is kept with its expiry, and dropped when absent', async (t) => {
        const store = await fresh(t)
        await store.keys.set(pushKey())
        const rotated = pushKey({
          hash: '12'.repeat(32),
          salt: '34'.repeat(16),
          sealed: 'v1.sealed-new-key',
          rotatedAt: T0 + 1_000,
          previous: {
            hash: 'ab'.repeat(32),
            salt: 'cd'.repeat(16),
            sealed: 'v1.sealed-push-key',
            expiresAt: T0 + 61_000,
          },
        })
        await store.keys.set(rotated)
        assert.deepEqual(await store.keys.get(WS, 'push'), rotated)
        const unsealed = pushKey({
          feature: 'personalize',
          sealed: null,
          previous: { hash: '56'.repeat(32), salt: '78'.repeat(16), sealed: null, expiresAt: T0 },
        })
        await store.keys.set(unsealed)
        assert.deepEqual(await store.keys.get(WS, 'personalize'), unsealed)
        const again = pushKey({ rotatedAt: T0 + 2_000 })
        await store.keys.set(again)
        assert.deepEqual(await store.keys.get(WS, 'push'), again, 'no previous key any more')
      })

      it('deletes one key, previous included, and says whether there was one', async (t) => {
        const store = await fresh(t)
        await store.keys.set(pushKey({ previous: { ...pushKey(), expiresAt: T0 + 5 } }))
        await store.keys.set(pushKey({ feature: 'inform' }))
        await store.keys.set(pushKey({ workspaceId: OTHER_WS }))
        assert.equal(await store.keys.delete(WS, 'push'), true)
        assert.equal(await store.keys.delete(WS, 'push'), false)
        assert.equal(await store.keys.get(WS, 'push'), undefined)
        assert.deepEqual(
          (await store.keys.list(WS)).map((k) => k.feature),
          ['inform'],
        )
        assert.deepEqual(await store.keys.get(OTHER_WS, 'push'), pushKey({ workspaceId: OTHER_WS }))
      })
    })

    describe('dashboard sessions', () => {
      const aSession = rowsOf<SessionRow>({
        tokenHash: 'a1'.repeat(32),
        workspaceId: WS,
        csrf: 'csrf-token-1',
        createdAt: T0,
        expiresAt: T0 + 60_000,
      })

      it('keeps a session by its token hash until it expires, every field intact', async (t) => {
        const store = await fresh(t)
        const session = aSession()
        const operator = aSession({ tokenHash: 'b2'.repeat(32), workspaceId: null, csrf: 'c2' })
        await store.sessions.create(session)
        await store.sessions.create(operator)
        assert.deepEqual(await store.sessions.get(session.tokenHash, T0), session)
        assert.deepEqual(await store.sessions.get(operator.tokenHash, T0 + 59_999), operator)
        assert.equal(await store.sessions.get(session.tokenHash, T0 + 60_000), undefined, 'expired')
        assert.equal(await store.sessions.get('c3'.repeat(32), T0), undefined)
        await assert.rejects(store.sessions.create(session), 'one row per token hash')
      })

      it('ends one session, or every session of one workspace', async (t) => {
        const store = await fresh(t)
        const [a, b, other, operator] = [
          aSession({ tokenHash: 'a1'.repeat(32) }),
          aSession({ tokenHash: 'a2'.repeat(32) }),
          aSession({ tokenHash: 'a3'.repeat(32), workspaceId: OTHER_WS }),
          aSession({ tokenHash: 'a4'.repeat(32), workspaceId: null }),
        ]
        for (const s of [a, b, other, operator]) await store.sessions.create(s)
        await store.sessions.end(a.tokenHash)
        await store.sessions.end(a.tokenHash)
        assert.equal(await store.sessions.get(a.tokenHash, T0), undefined)
        assert.deepEqual(await store.sessions.get(b.tokenHash, T0), b)
        await store.sessions.create(a)
        assert.equal(await store.sessions.endWorkspace(WS), 2)
        for (const s of [a, b]) assert.equal(await store.sessions.get(s.tokenHash, T0), undefined)
        assert.deepEqual(await store.sessions.get(other.tokenHash, T0), other)
        assert.deepEqual(await store.sessions.get(operator.tokenHash, T0), operator)
        assert.equal(await store.sessions.endWorkspace(WS), 0)
      })

      it('sweeps expired sessions, also as a new one is created', async (t) => {
        const store = await fresh(t)
        await store.sessions.create(aSession({ tokenHash: 'a1'.repeat(32), expiresAt: T0 + 10 }))
        await store.sessions.create(aSession({ tokenHash: 'a2'.repeat(32), expiresAt: T0 + 20 }))
        await store.sessions.create(aSession({ tokenHash: 'a3'.repeat(32), expiresAt: T0 + 30 }))
        assert.equal(await store.sessions.sweep(T0 + 10), 1)
        assert.equal(await store.sessions.sweep(T0 + 10), 0)
        await store.sessions.create(
          aSession({ tokenHash: 'a4'.repeat(32), createdAt: T0 + 25, expiresAt: T0 + 99 }),
        )
        assert.equal(await store.sessions.sweep(T0 + 30), 1, 'only a3 was left to sweep')
        assert.equal(await store.sessions.sweep(T0 + 100), 1)
      })
    })

    describe('GDPR erasure (spec §7.12)', () => {
      const erin = aUser({
        id: 'u-erin',
        customerId: 'erin',
        attributes: { u_em: 'Erin@Example.com', u_mb: 919876543210, moe_gaid: 'g-user' },
      })
      const other = aUser({ id: 'u-other', customerId: 'other', attributes: { u_em: 'x@y.z' } })
      const phoneOwner = aUser({ id: 'u-phone', customerId: 'phone', attributes: {} })

      async function seeded(t: TestContext): Promise<Store> {
        const store = await fresh(t)
        await store.processing.commit(
          changes({
            toSeq: 0,
            users: [erin, other, phoneOwner],
            devices: [
              aDevice({ deviceId: 'd-1', userId: 'u-phone', attributes: { moe_gaid: 'g-dev' } }),
              aDevice({ deviceId: 'd-2', userId: 'u-other', attributes: { model: 'x' } }),
            ],
          }),
        )
        return store
      }

      it('matches users by customer id, internal id, user attribute (text, any case) and device attribute', async (t) => {
        const store = await seeded(t)
        const none: UserMatch = {
          customerIds: [],
          userIds: [],
          userAttributes: [],
          deviceAttributes: [],
        }
        const ids = async (m: Partial<UserMatch>): Promise<string[]> =>
          (await store.profiles.matchUsers(WS, { ...none, ...m })).map((u) => u.id)
        assert.deepEqual(await ids({ customerIds: ['erin'] }), ['u-erin'])
        assert.deepEqual(await ids({ userIds: ['u-other'] }), ['u-other'])
        assert.deepEqual(
          await ids({
            userAttributes: [{ key: 'u_em', value: 'erin@example.COM', caseInsensitive: true }],
          }),
          ['u-erin'],
        )
        assert.deepEqual(
          await ids({ userAttributes: [{ key: 'u_em', value: 'erin@example.com' }] }),
          [],
        )
        // A number is matched as its text.
        assert.deepEqual(await ids({ userAttributes: [{ key: 'u_mb', value: '919876543210' }] }), [
          'u-erin',
        ])
        assert.deepEqual(await ids({ deviceAttributes: [{ key: 'moe_gaid', value: 'g-dev' }] }), [
          'u-phone',
        ])
        assert.deepEqual(
          await ids({
            customerIds: ['erin'],
            userAttributes: [{ key: 'moe_gaid', value: 'g-user' }],
            deviceAttributes: [{ key: 'moe_gaid', value: 'g-dev' }],
          }),
          ['u-erin', 'u-phone'],
        )
        assert.deepEqual(
          await store.profiles.matchUsers(OTHER_WS, { ...none, customerIds: ['erin'] }),
          [],
        )
      })

      it('pages through a workspace’s users in internal-id order', async (t) => {
        const store = await seeded(t)
        const ids = async (after: string, limit: number): Promise<string[]> =>
          (await store.profiles.usersPage(WS, after, limit)).map((u) => u.id)
        assert.deepEqual(await ids('', 2), ['u-erin', 'u-other'])
        assert.deepEqual(await ids('u-other', 2), ['u-phone'])
        assert.deepEqual(await ids('u-phone', 2), [])
        assert.deepEqual(await store.profiles.usersPage(OTHER_WS, '', 10), [])
      })

      it('finds merges of users, and log records and outcomes holding their data', async (t) => {
        const store = await seeded(t)
        await store.log.append([
          aLogRecord({ customerId: 'erin', payload: '{"a":1}' }),
          aLogRecord({ customerId: null, index: 1, payload: '{"email":"Erin@Example.com"}' }),
          aLogRecord({ customerId: 'other', index: 2, payload: '{"email":"x@y.z"}' }),
          aLogRecord({ customerId: 'erin', index: 3, payload: '{}' }),
          aLogRecord({ workspaceId: OTHER_WS, customerId: 'erin', index: 4, payload: '{}' }),
        ])
        const merge = aMerge({
          id: 64,
          requestId: 'REQAAAAA',
          retainedUserId: 'u-erin',
          mergedUserId: 'u-phone',
          before: '{}',
        })
        await store.processing.commit(
          changes({
            fromSeq: 0,
            toSeq: 3,
            events: [anEvent({ seq: 1, userId: 'u-erin' }), anEvent({ seq: 2, userId: 'u-erin' })],
            merges: [merge],
            outcomes: [
              anOutcome({ seq: 1, reason: "customer_id 'erin' was trimmed" }),
              anOutcome({ seq: 3, reason: 'nothing personal' }),
            ],
          }),
        )
        assert.deepEqual(await store.profiles.mergesOfUsers(WS, ['u-phone']), [merge])
        assert.deepEqual(await store.profiles.mergesOfUsers(WS, ['u-other']), [])
        assert.deepEqual(
          await store.processing.recordsHolding(WS, {
            beforeSeq: 4,
            userIds: ['u-erin'],
            customerIds: ['erin'],
            logTokens: ['"Erin@Example.com"'],
            outcomeTokens: ["'erin'"],
          }),
          { logSeqs: [1, 2], outcomeSeqs: [1], events: 2, outboxMessages: 0, cards: 0 },
        )
      })

      it('commits an erasure: merges removed, log and outcomes redacted, suppressions and the request kept', async (t) => {
        const store = await seeded(t)
        await store.log.append([
          aLogRecord({ customerId: 'erin', payload: '{"secret":"erin"}' }),
          aLogRecord({ customerId: 'erin', index: 1, payload: '{"secret":"erin"}' }),
        ])
        const merge = aMerge({
          id: 64,
          requestId: 'REQAAAAA',
          retainedUserId: 'u-erin',
          mergedUserId: 'u-phone',
          before: '{"secret":"erin"}',
        })
        await store.processing.commit(
          changes({
            fromSeq: 0,
            toSeq: 1,
            merges: [merge],
            outcomes: [
              anOutcome({ seq: 1, outcome: 'applied', reason: '["erin noted"]' }),
              anOutcome({ seq: 2, outcome: 'skipped', reason: "'erin' skipped" }),
            ],
          }),
        )
        const suppression = aSuppression()
        const gdprRequest = aGdprRequest({ seq: 2, counts: '{"users":1}' })
        assert.equal(await store.profiles.hasSuppressions(WS), false)
        await store.processing.commit(
          changes({
            fromSeq: 1,
            toSeq: 2,
            deletedUsers: [{ workspaceId: WS, userId: 'u-erin' }],
            deletedMerges: [{ workspaceId: WS, id: 64 }],
            redactedLog: [
              { seq: 1, payload: '{"erased":true}' },
              { seq: 2, payload: '{"erased":true}' },
            ],
            redactedOutcomes: [
              { seq: 1, reason: 'erased' },
              { seq: 2, reason: 'erased' },
            ],
            suppressions: [suppression, { ...suppression, hash: 'h2', identityType: 'ID' }],
            gdprRequests: [gdprRequest],
          }),
        )
        assert.equal(await store.profiles.merge(WS, 64), undefined)
        const logged = await store.log.recordsOfRequest(WS, 'REQAAAAA')
        assert.deepEqual(
          logged.map((r) => [r.payload, r.customerId]),
          [
            ['{"erased":true}', null],
            ['{"erased":true}', null],
          ],
        )
        assert.deepEqual(
          (await store.profiles.outcomesOfRequest(WS, 'REQAAAAA')).map((o) => o.reason),
          ['["erased"]', 'erased'],
        )
        assert.deepEqual(await store.profiles.gdprRequest(WS, 'GDPR-1'), gdprRequest)
        assert.equal(await store.profiles.gdprRequest(OTHER_WS, 'GDPR-1'), undefined)
        assert.equal(await store.profiles.hasSuppressions(WS), true)
        assert.equal(await store.profiles.hasSuppressions(OTHER_WS), false)
        assert.deepEqual(
          sortedBy(await store.profiles.suppressed(WS, ['h2', 'h3', 'h1']), (h) => h),
          ['h1', 'h2'],
        )
        assert.deepEqual(await store.profiles.suppressed(OTHER_WS, ['h1']), [])
        assert.equal((await store.profiles.suppressions(WS)).length, 2)
        // A second erasure naming the same identity keeps the first entry.
        await store.processing.commit(
          changes({
            fromSeq: 2,
            toSeq: 3,
            suppressions: [{ ...suppression, requestId: 'GDPR-2', createdAt: T0 + 5 }],
          }),
        )
        assert.deepEqual(
          (await store.profiles.suppressions(WS)).map((x) => [x.hash, x.requestId]),
          [
            ['h1', 'GDPR-1'],
            ['h2', 'GDPR-1'],
          ],
        )
        assert.equal(await store.profiles.liftSuppressions(WS, { hashes: ['h1', 'nope'] }), 1)
        assert.deepEqual(await store.profiles.suppressed(WS, ['h1', 'h2']), ['h2'])
        assert.equal(await store.profiles.liftSuppressions(WS, { requestId: 'GDPR-1' }), 1)
        assert.deepEqual(await store.profiles.suppressions(WS), [])
        assert.equal(await store.profiles.hasSuppressions(WS), false)
      })
    })

    describe('profiles', () => {
      const alice = aUser()
      const bob = aUser({ id: '00000000000000000000000b', customerId: 'bob', attributes: {} })
      const anonymous = aUser({ id: '00000000000000000000000d', customerId: null })
      const otherAlice = aUser({ workspaceId: OTHER_WS, id: '00000000000000000000000c' })

      async function seeded(t: TestContext): Promise<Store> {
        const store = await fresh(t)
        await store.processing.commit(
          changes({
            toSeq: 10,
            users: [alice, bob, anonymous, otherAlice],
            devices: [
              aDevice({ deviceId: 'alice-2', createdAt: T0 + 2 }),
              aDevice({ deviceId: 'alice-1', createdAt: T0 + 1 }),
              aDevice({ deviceId: 'alice-0', createdAt: T0 + 1 }),
              aDevice({ deviceId: 'bob-1', userId: bob.id }),
              aDevice({ workspaceId: OTHER_WS, deviceId: 'x', userId: alice.id }),
            ],
            events: [
              anEvent({ seq: 1, eventTime: T0 + 100, name: 'middle' }),
              anEvent({ seq: 2, eventTime: T0 + 300, name: 'latest', attributes: {} }),
              anEvent({ seq: 3, eventTime: T0, name: 'earliest', userTime: null }),
              anEvent({ seq: 4, eventTime: T0 + 300, name: 'latest, logged later' }),
              anEvent({ seq: 5, userId: bob.id, name: 'bob' }),
              anEvent({ seq: 6, workspaceId: OTHER_WS, name: 'other workspace' }),
            ],
            outcomes: [
              anOutcome({ seq: 7, requestId: 'REQBBBBB', index: 2, outcome: 'dead' }),
              anOutcome({ seq: 8, requestId: 'REQBBBBB', index: 0, outcome: 'applied' }),
              anOutcome({ seq: 9, requestId: 'REQCCCCC', index: 0 }),
            ],
          }),
        )
        return store
      }

      it('finds users by customer id and by internal id, within one workspace', async (t) => {
        const store = await seeded(t)
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: ['bob'], ids: [] }), [
          bob,
        ])
        assert.deepEqual(
          await store.profiles.findUsers(WS, { customerIds: [], ids: [anonymous.id] }),
          [anonymous],
        )
        const both = await store.profiles.findUsers(WS, {
          customerIds: ['alice', 'nobody'],
          ids: [bob.id, 'ffffffffffffffffffffffff'],
        })
        assert.deepEqual(
          sortedBy(both, (u) => u.id),
          [alice, bob],
        )
        assert.deepEqual(
          await store.profiles.findUsers(OTHER_WS, { customerIds: ['alice', 'bob'], ids: [] }),
          [otherAlice],
        )
        assert.deepEqual(
          await store.profiles.findUsers(OTHER_WS, { customerIds: [], ids: [alice.id] }),
          [],
        )
        assert.deepEqual(await store.profiles.findUsers(WS, { customerIds: [], ids: [] }), [])
      })

      it('lists a user’s events newest first, up to the limit', async (t) => {
        const store = await seeded(t)
        const events = await store.profiles.eventsOfUser(WS, alice.id, 10)
        assert.deepEqual(
          events.map((e) => e.name),
          ['latest, logged later', 'latest', 'middle', 'earliest'],
        )
        assert.deepEqual(events[1]?.attributes, {})
        assert.equal(events[3]?.userTime, null)
        assert.deepEqual(events[2], anEvent({ seq: 1, eventTime: T0 + 100, name: 'middle' }))
        assert.deepEqual(
          (await store.profiles.eventsOfUser(WS, alice.id, 2)).map((e) => e.seq),
          [4, 2],
        )
        assert.deepEqual(
          (await store.profiles.eventsOfUser(WS, bob.id, 10)).map((e) => e.name),
          ['bob'],
        )
        assert.deepEqual(await store.profiles.eventsOfUser(WS, anonymous.id, 10), [])
      })

      it('lists a user’s devices oldest first', async (t) => {
        const store = await seeded(t)
        assert.deepEqual(
          (await store.profiles.devicesOfUser(WS, alice.id)).map((d) => d.deviceId),
          ['alice-0', 'alice-1', 'alice-2'],
        )
        assert.deepEqual(
          (await store.profiles.devicesOfUser(WS, bob.id)).map((d) => d.deviceId),
          ['bob-1'],
        )
        assert.deepEqual(
          (await store.profiles.devicesOfUser(OTHER_WS, alice.id)).map((d) => d.deviceId),
          ['x'],
        )
      })

      it('lists the outcomes of a request in record order', async (t) => {
        const store = await seeded(t)
        assert.deepEqual(await store.profiles.outcomesOfRequest(WS, 'REQBBBBB'), [
          anOutcome({ seq: 8, requestId: 'REQBBBBB', index: 0, outcome: 'applied' }),
          anOutcome({ seq: 7, requestId: 'REQBBBBB', index: 2, outcome: 'dead' }),
        ])
        assert.equal((await store.profiles.outcomesOfRequest(WS, 'REQCCCCC')).length, 1)
        assert.deepEqual(await store.profiles.outcomesOfRequest(WS, 'REQNONE'), [])
      })

      it('lists only the given workspace’s outcomes of a request id', async (t) => {
        const store = await seeded(t)
        // Request ids are drawn per request, not per workspace: another workspace may hold one.
        const other = anOutcome({ seq: 11, workspaceId: OTHER_WS, requestId: 'REQBBBBB' })
        await store.processing.commit(changes({ fromSeq: 10, toSeq: 11, outcomes: [other] }))
        assert.deepEqual(
          (await store.profiles.outcomesOfRequest(WS, 'REQBBBBB')).map((o) => o.seq),
          [8, 7],
        )
        assert.deepEqual(await store.profiles.outcomesOfRequest(OTHER_WS, 'REQBBBBB'), [other])
        assert.deepEqual(await store.profiles.outcomesOfRequest(OTHER_WS, 'REQCCCCC'), [])
      })
    })

    describe(
      'reopening',
      { skip: factory.reopen === undefined ? 'the data does not outlive the store' : false },
      () => {
        const ws = aWorkspace({
          settings: { rateLimit: 10, tags: ['x'] },
          previousKey: { hash: 'ef'.repeat(32), salt: '01'.repeat(16), expiresAt: T0 + 60_000 },
        })
        // Key order is part of what Get User exports: attributes come back as written.
        const user = aUser({
          id: 'u-keeper',
          customerId: 'keeper',
          attributes: { zeta: 1, alpha: { y: 2, b: 1 }, __proto__x: 'p', '10': 'ten', '2': 'two' },
        })
        const gone = aUser({ id: 'u-gone', customerId: 'gone', attributes: {} })
        const device = aDevice({ userId: user.id })
        const merge = aMerge({
          id: 3,
          requestId: 'REQMERGE',
          retainedUserId: user.id,
          mergedUserId: gone.id,
        })
        const suppression = aSuppression()
        const gdprRequest = aGdprRequest()
        const deletion = { workspaceId: WS, userId: gone.id, dueAt: T0, requestId: 'R', seq: 3 }
        const window = { workspaceId: WS, quota: 'track_user', windowStart: T0 }
        const session = {
          tokenHash: 'a1'.repeat(32),
          workspaceId: WS,
          csrf: 'csrf',
          createdAt: T0,
          expiresAt: T0 + 1_000,
        }

        /** A store holding a row of every kind, with the cursor at 3. */
        async function filled(t: TestContext): Promise<Store> {
          const store = await fresh(t)
          await store.workspaces.create(ws)
          await store.log.append([0, 1, 2].map((index) => aLogRecord({ index })))
          await store.processing.commit(
            changes({
              toSeq: 3,
              users: [user, gone],
              devices: [device],
              events: [anEvent({ seq: 1, userId: gone.id }), anEvent({ seq: 2, userId: user.id })],
              eventChanges: [mergeChange(merge.id, gone.id, user.id, 3)],
              merges: [merge],
              outcomes: [anOutcome({ seq: 3, index: 2 })],
              scheduledDeletions: [deletion],
              identityLinks: [
                { workspaceId: WS, userId: user.id, links: [{ name: 'u_em', value: 'k@x.io' }] },
              ],
              suppressions: [suppression],
              gdprRequests: [gdprRequest],
            }),
          )
          assert.equal(await store.processing.acquireLease('p1', T0, 60_000), true)
          assert.equal(await store.processing.recordFailure(4, 'boom', T0), 1)
          await store.quotas.lease({ ...window, limit: 10, need: 1, want: 4 })
          await store.sessions.create(session)
          return store
        }

        it('keeps every row, the cursor, the lease, the retry counts, the quota counts and the sessions', async (t) => {
          const again = await reopened(t, await filled(t))
          assert.deepEqual(await again.workspaces.get(WS), ws)
          assert.deepEqual(await again.sessions.get(session.tokenHash, T0), session)
          assert.deepEqual(
            (await again.log.readAfter(0, 10)).map((r) => [r.seq, r.index]),
            [
              [1, 0],
              [2, 1],
              [3, 2],
            ],
          )
          assert.equal(await again.processing.cursor(), 3)
          const [found] = await again.profiles.findUsers(WS, { customerIds: ['keeper'], ids: [] })
          assert.deepEqual(found, user)
          assert.equal(JSON.stringify(found?.attributes), JSON.stringify(user.attributes))
          assert.deepEqual(await again.profiles.devicesOfUser(WS, user.id), [device])
          assert.deepEqual(
            (await again.profiles.eventsOfUser(WS, user.id, 10)).map((e) => e.seq),
            [2, 1],
          )
          assert.deepEqual(await again.profiles.merge(WS, merge.id), merge)
          assert.deepEqual(await again.profiles.outcomesOfRequest(WS, 'REQAAAAA'), [
            anOutcome({ seq: 3, index: 2 }),
          ])
          assert.deepEqual(await again.processing.dueDeletions(T0, 10), [deletion])
          assert.deepEqual(await again.profiles.suppressions(WS), [suppression])
          assert.deepEqual(await again.profiles.gdprRequest(WS, 'GDPR-1'), gdprRequest)
          const snapshot = await again.processing.loadSnapshot([
            {
              ...aLogRecord({ payload: JSON.stringify({ identities: { u_em: 'k@x.io' } }) }),
              customerId: null,
              seq: 4,
            },
          ])
          assert.deepEqual(snapshot.identityLinks, [
            { workspaceId: WS, userId: user.id, name: 'u_em', value: 'k@x.io' },
          ])
          assert.equal(await again.processing.acquireLease('p2', T0 + 1, 60_000), false)
          assert.equal(await again.processing.recordFailure(4, 'boom', T0 + 1), 2)
          assert.equal(await again.quotas.used(window), 4)
        })

        it('undoes a merge made before it was reopened, from the events the store kept', async (t) => {
          const again = await reopened(t, await filled(t))
          await again.processing.commit(
            changes({
              fromSeq: 3,
              toSeq: 4,
              eventChanges: [unmergeChange(merge.id, user.id, gone.id)],
              merges: [{ ...merge, undoneAt: T0 + 1 }],
            }),
          )
          assert.deepEqual(
            (await again.profiles.eventsOfUser(WS, gone.id, 10)).map((e) => e.seq),
            [1],
          )
          assert.equal((await again.profiles.merge(WS, merge.id))?.undoneAt, T0 + 1)
        })

        it('numbers appends after every seq ever assigned, the log compacted or not', async (t) => {
          const store = await fresh(t)
          await store.log.append([0, 1, 2].map((index) => aLogRecord({ index })))
          await store.processing.commit(changes({ toSeq: 3 }))
          assert.equal(await store.log.compact(3, T0 + 1), 3)
          const again = await reopened(t, store)
          assert.equal(await again.log.lastSeq(), 3)
          assert.deepEqual(await again.log.readAfter(0, 10), [])
          await again.log.append([aLogRecord({ index: 3 })])
          assert.deepEqual(
            (await again.log.readAfter(3, 10)).map((r) => [r.seq, r.index]),
            [[4, 3]],
          )
        })
      },
    )
    browseContract(fresh)
    consentContract(fresh)
    outboxContract(fresh, factory.reopen === undefined ? undefined : reopened)
    pushContract(fresh, factory.reopen === undefined ? undefined : reopened)
    fileImportsContract(fresh, factory.reopen === undefined ? undefined : reopened)
    liveActivitiesContract(fresh, factory.reopen === undefined ? undefined : reopened)
    cardsContract(fresh, factory.reopen === undefined ? undefined : reopened)
    segmentsContract(fresh)
    customSegmentsContract(fresh, factory.reopen === undefined ? undefined : reopened)
    segmentListsContract(fresh, factory.reopen === undefined ? undefined : reopened)
    refusalsContract(fresh, factory.reopen === undefined ? undefined : reopened)
  })
}
