/**
 * The contract of Store `customSegments` (store/custom-segment-repo.ts), run by storeContract on
 * every adapter: rows kept field for field, listed oldest first and by exact name, one name and
 * one definition per workspace (the holder answered, on create and on update), the active-segment
 * limit counting active rows only, concurrent creates never breaking a rule, workspaces apart,
 * and the rows outliving the store.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import type { CustomSegmentRow, Store } from '../../src/store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

const aSegment = (n: number, o: Partial<CustomSegmentRow> = {}): CustomSegmentRow => ({
  workspaceId: WS,
  id: `6388a97a02adb9071ca84c${n.toString(16).padStart(2, '0')}`,
  name: `segment ${n}`,
  type: 'ELASTIC_SEARCH',
  source: 'API',
  includedFilters: JSON.stringify({ filter_operator: 'and', filters: [{ n }] }),
  definitionHash: `hash-${n}`,
  description: `described ${n}`,
  createdAt: T0 + n,
  updatedAt: T0 + n,
  updatedBy: null,
  archivedAt: null,
  ...o,
})

const change = (n: number, o: Partial<Parameters<Store['customSegments']['update']>[2]> = {}) => ({
  includedFilters: JSON.stringify({ filter_operator: 'or', filters: [{ n }] }),
  definitionHash: `hash-${n}`,
  description: `changed ${n}`,
  updatedAt: T0 + 1_000,
  updatedBy: 'admin@example.com',
  ...o,
})

export function customSegmentsContract(
  fresh: (t: TestContext) => Promise<Store>,
  reopened: ((t: TestContext, store: Store) => Promise<Store>) | undefined,
): void {
  describe('custom segments', () => {
    it('keeps a segment field for field, found by id in its workspace only', async (t) => {
      const store = await fresh(t)
      const row = aSegment(1, { updatedBy: 'a@example.com', name: 'Ünïcode “name”' })
      assert.deepEqual(await store.customSegments.create(row, 1_000), { kind: 'created', row })
      assert.deepEqual(await store.customSegments.get(WS, row.id), row)
      assert.equal(await store.customSegments.get(OTHER, row.id), undefined)
      assert.equal(await store.customSegments.get(WS, 'nosuchsegment'), undefined)
    })

    it('lists oldest first, then by id, and by exact name', async (t) => {
      const store = await fresh(t)
      const rows = [aSegment(3, { createdAt: T0 }), aSegment(2, { createdAt: T0 }), aSegment(1)]
      for (const row of rows) await store.customSegments.create(row, 1_000)
      await store.customSegments.create(aSegment(9, { workspaceId: OTHER }), 1_000)
      assert.deepEqual(
        (await store.customSegments.list(WS)).map((r) => r.id),
        [rows[1]?.id, rows[0]?.id, rows[2]?.id],
      )
      assert.deepEqual(await store.customSegments.list(WS, { name: 'segment 2' }), [rows[1]])
      assert.deepEqual(await store.customSegments.list(WS, { name: 'Segment 2' }), [])
      assert.deepEqual(await store.customSegments.list(OTHER), [
        aSegment(9, { workspaceId: OTHER }),
      ])
    })

    it('refuses a second segment with the name or the definition of one, answering it', async (t) => {
      const store = await fresh(t)
      const first = aSegment(1)
      await store.customSegments.create(first, 1_000)
      assert.deepEqual(
        await store.customSegments.create(aSegment(2, { name: first.name }), 1_000),
        { kind: 'name_taken', existing: first },
      )
      assert.deepEqual(
        await store.customSegments.create(
          aSegment(2, { definitionHash: first.definitionHash }),
          1_000,
        ),
        { kind: 'definition_taken', existing: first },
      )
      // Both taken: the name is reported.
      assert.equal(
        (
          await store.customSegments.create(
            aSegment(2, { name: first.name, definitionHash: first.definitionHash }),
            1_000,
          )
        ).kind,
        'name_taken',
      )
      assert.deepEqual(await store.customSegments.list(WS), [first])
      // Another workspace has its own names and definitions.
      const other = aSegment(1, { workspaceId: OTHER })
      assert.deepEqual(await store.customSegments.create(other, 1_000), {
        kind: 'created',
        row: other,
      })
    })

    it('refuses a segment past the active limit; archived segments do not count', async (t) => {
      const store = await fresh(t)
      await store.customSegments.create(aSegment(1), 2)
      await store.customSegments.create(aSegment(2, { archivedAt: T0 }), 2)
      await store.customSegments.create(aSegment(3), 2)
      assert.deepEqual(await store.customSegments.create(aSegment(4), 2), {
        kind: 'limit',
        active: 2,
      })
      // An archived one may still be kept, and another workspace has its own count.
      assert.equal(
        (await store.customSegments.create(aSegment(5, { archivedAt: T0 }), 2)).kind,
        'created',
      )
      assert.equal(
        (await store.customSegments.create(aSegment(4, { workspaceId: OTHER }), 2)).kind,
        'created',
      )
      assert.equal((await store.customSegments.list(WS)).length, 4)
    })

    it('creates concurrently without ever passing the limit or sharing a name', async (t) => {
      const store = await fresh(t)
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.customSegments.create(aSegment(i, { name: i % 2 === 0 ? 'even' : `odd ${i}` }), 4),
        ),
      )
      const created = results.filter((r) => r.kind === 'created').length
      assert.ok(created <= 4 && created >= 1, String(created))
      const rows = await store.customSegments.list(WS)
      assert.equal(rows.length, created)
      assert.ok(rows.filter((r) => r.name === 'even').length <= 1)
    })

    it('updates the definition, and the name when given, keeping the rest', async (t) => {
      const store = await fresh(t)
      const row = aSegment(1)
      await store.customSegments.create(row, 1_000)
      const kept = await store.customSegments.update(WS, row.id, change(7))
      const expected: CustomSegmentRow = {
        ...row,
        includedFilters: change(7).includedFilters,
        definitionHash: 'hash-7',
        description: 'changed 7',
        updatedAt: T0 + 1_000,
        updatedBy: 'admin@example.com',
      }
      assert.deepEqual(kept, { kind: 'updated', row: expected })
      assert.deepEqual(await store.customSegments.get(WS, row.id), expected)
      const renamed = await store.customSegments.update(
        WS,
        row.id,
        change(8, { name: 'renamed', updatedBy: null }),
      )
      assert.equal(renamed.kind === 'updated' ? renamed.row.name : renamed.kind, 'renamed')
      assert.equal((await store.customSegments.get(WS, row.id))?.updatedBy, null)
      assert.deepEqual(await store.customSegments.update(OTHER, row.id, change(9)), {
        kind: 'not_found',
      })
    })

    it('updates a segment to its own name and definition, not to another’s', async (t) => {
      const store = await fresh(t)
      const [a, b] = [aSegment(1), aSegment(2)]
      await store.customSegments.create(a, 1_000)
      await store.customSegments.create(b, 1_000)
      assert.equal(
        (await store.customSegments.update(WS, a.id, change(1, { name: a.name }))).kind,
        'updated',
      )
      assert.deepEqual(await store.customSegments.update(WS, a.id, change(3, { name: b.name })), {
        kind: 'name_taken',
        existing: b,
      })
      assert.deepEqual(await store.customSegments.update(WS, a.id, change(2)), {
        kind: 'definition_taken',
        existing: b,
      })
      assert.equal((await store.customSegments.get(WS, a.id))?.definitionHash, 'hash-1')
    })

    it(
      'keeps segments when the store is reopened',
      { skip: reopened === undefined ? 'the data does not outlive the store' : false },
      async (t) => {
        const store = await fresh(t)
        const row = aSegment(1, { archivedAt: T0 + 5 })
        await store.customSegments.create(row, 1_000)
        const again = await reopened?.(t, store)
        assert.deepEqual(await again?.customSegments.get(WS, row.id), row)
      },
    )
  })
}
