/**
 * The contract of Store `consent` (store/consent-repo.ts), run by storeContract on every adapter:
 * categories per workspace, a user's status and category choices written field by field, writes
 * for users that do not exist skipped, the email lookup, and the rows leaving with their user —
 * deleted, erased or removed with their category.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { batchChanges } from '../helpers/batches.js'
import type {
  CategoryPreferenceRow,
  Store,
  SubscriptionCategoryRow,
  SubscriptionChange,
  SubscriptionStatusRow,
  SubscriptionUpdate,
  UserRow,
} from '../../src/store/store.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')
const WS = 'CONTRACTWS0000000001'
const OTHER = 'CONTRACTWS0000000002'

const user = (id: string, email: unknown, ws = WS): UserRow => ({
  workspaceId: ws,
  id,
  customerId: `cust-${id}`,
  attributes: email === undefined ? {} : { u_em: email },
  createdAt: T0,
  updatedAt: T0,
})

const category = (name: string, o: Partial<SubscriptionCategoryRow> = {}) => ({
  workspaceId: WS,
  name,
  description: '',
  active: true,
  createdAt: T0,
  updatedAt: T0,
  ...o,
})

const status = (userId: string, o: Partial<SubscriptionStatusRow> = {}): SubscriptionStatusRow => ({
  workspaceId: WS,
  userId,
  channel: 'email',
  unsubscribedAll: false,
  optInStatus: null,
  updatedAt: T0,
  ...o,
})

const pref = (
  userId: string,
  name: string,
  subscribed: boolean,
  at = T0,
): CategoryPreferenceRow => ({
  workspaceId: WS,
  userId,
  channel: 'email',
  category: name,
  subscribed,
  updatedAt: at,
})

const byKey = <T extends { userId: string }>(
  rows: readonly T[],
  key: (r: T) => string = (r) => r.userId,
) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))

export function consentContract(fresh: (t: TestContext) => Promise<Store>): void {
  /** A store with users u1, u2 (email Ada@Example.com, both) and u3 in WS, u9 in OTHER. */
  async function withUsers(t: TestContext): Promise<Store> {
    const store = await fresh(t)
    await store.processing.commit(
      batchChanges({
        toSeq: 1,
        users: [
          user('u1', 'Ada@Example.com'),
          user('u2', 'ada@example.COM'),
          user('u3', 'bob@example.com'),
          user('u4', 42),
          user('u9', 'ada@example.com', OTHER),
        ],
      }),
    )
    return store
  }

  describe('consent (store/consent-repo.ts)', () => {
    it('keeps categories per workspace, oldest first, and updates one in place', async (t) => {
      const store = await fresh(t)
      assert.deepEqual(await store.consent.categories(WS), [])
      await store.consent.putCategory(category('Promotional', { createdAt: T0 + 2 }))
      await store.consent.putCategory(category('Newsletter', { description: 'Weekly' }))
      await store.consent.putCategory(category('Other', { workspaceId: OTHER }))
      assert.deepEqual(
        (await store.consent.categories(WS)).map((c) => c.name),
        ['Newsletter', 'Promotional'],
      )
      const changed = category('Newsletter', {
        description: 'Monthly',
        active: false,
        createdAt: T0 + 99,
        updatedAt: T0 + 5,
      })
      await store.consent.putCategory(changed)
      assert.deepEqual((await store.consent.categories(WS))[0], { ...changed, createdAt: T0 })
      assert.deepEqual(await store.consent.categories(OTHER), [
        category('Other', { workspaceId: OTHER }),
      ])
    })

    it('writes a status and categories, then only the fields an update gives', async (t) => {
      const store = await withUsers(t)
      const first = await store.consent.update([
        {
          workspaceId: WS,
          userId: 'u1',
          channel: 'email',
          at: T0 + 1,
          optInStatus: 'OPT_IN_PENDING',
          categories: { Promotional: true, Newsletter: false },
        },
      ])
      assert.equal(first, 1)
      assert.equal(
        await store.consent.update([
          {
            workspaceId: WS,
            userId: 'u1',
            channel: 'email',
            at: T0 + 2,
            unsubscribedAll: true,
            categories: { Newsletter: true },
          },
        ]),
        1,
      )
      const got = await store.consent.subscriptionsOf(WS, ['u1', 'u2'])
      assert.deepEqual(got.statuses, [
        status('u1', { unsubscribedAll: true, optInStatus: 'OPT_IN_PENDING', updatedAt: T0 + 2 }),
      ])
      assert.deepEqual(
        byKey(got.preferences, (p) => p.category),
        [pref('u1', 'Newsletter', true, T0 + 2), pref('u1', 'Promotional', true, T0 + 1)],
      )
    })

    it('merges two updates of one user in one call, later fields winning', async (t) => {
      const store = await withUsers(t)
      const n = await store.consent.update([
        {
          workspaceId: WS,
          userId: 'u1',
          channel: 'email',
          at: T0,
          optInStatus: 'OPTED_OUT',
          categories: { A: true },
        },
        {
          workspaceId: WS,
          userId: 'u1',
          channel: 'email',
          at: T0 + 1,
          unsubscribedAll: true,
          categories: { A: false, B: true },
        },
        { workspaceId: WS, userId: 'u2', channel: 'email', at: T0, categories: {} },
      ])
      assert.equal(n, 2)
      const got = await store.consent.subscriptionsOf(WS, ['u1', 'u2'])
      assert.deepEqual(byKey(got.statuses), [
        status('u1', { unsubscribedAll: true, optInStatus: 'OPTED_OUT', updatedAt: T0 + 1 }),
        status('u2'),
      ])
      assert.deepEqual(
        byKey(got.preferences, (p) => p.category),
        [pref('u1', 'A', false, T0 + 1), pref('u1', 'B', true, T0 + 1)],
      )
    })

    it('concurrent first writes of one user both apply, neither losing its fields', async (t) => {
      const store = await fresh(t)
      const ids = Array.from({ length: 24 }, (_, i) => `c${String(i).padStart(2, '0')}`)
      await store.processing.commit(
        batchChanges({ toSeq: 1, users: ids.map((id) => user(id, `${id}@example.com`)) }),
      )
      // Each user's first write comes twice at once, each with fields of its own: one the
      // unsubscribe-all flag and a category, the other the opt-in status and another category.
      const writes = ids.flatMap((userId) => [
        store.consent.update([
          {
            workspaceId: WS,
            userId,
            channel: 'email',
            at: T0 + 1,
            unsubscribedAll: true,
            categories: { A: false, Shared: true },
          },
        ]),
        store.consent.update([
          {
            workspaceId: WS,
            userId,
            channel: 'email',
            at: T0 + 1,
            optInStatus: 'DOUBLE_OPTED_IN',
            categories: { B: true, Shared: true },
          },
        ]),
      ])
      const applied = await Promise.all(writes)
      assert.deepEqual(
        applied,
        writes.map(() => 1),
      )
      const got = await store.consent.subscriptionsOf(WS, ids)
      assert.deepEqual(
        byKey(got.statuses),
        ids.map((id) =>
          status(id, {
            unsubscribedAll: true,
            optInStatus: 'DOUBLE_OPTED_IN',
            updatedAt: T0 + 1,
          }),
        ),
      )
      assert.deepEqual(
        byKey(got.preferences, (p) => `${p.userId} ${p.category}`),
        ids.flatMap((id) => [
          pref(id, 'A', false, T0 + 1),
          pref(id, 'B', true, T0 + 1),
          pref(id, 'Shared', true, T0 + 1),
        ]),
      )
    })

    it('writes nothing for a user that does not exist, or exists in another workspace', async (t) => {
      const store = await withUsers(t)
      const n = await store.consent.update([
        { workspaceId: WS, userId: 'nobody', channel: 'email', at: T0, categories: { A: true } },
        { workspaceId: WS, userId: 'u9', channel: 'email', at: T0, categories: { A: true } },
        { workspaceId: WS, userId: 'u3', channel: 'email', at: T0, categories: { A: true } },
      ])
      assert.equal(n, 1)
      assert.deepEqual(await store.consent.subscriptionsOf(WS, ['nobody', 'u9']), {
        statuses: [],
        preferences: [],
      })
      assert.deepEqual(await store.consent.subscriptionsOf(OTHER, ['u9']), {
        statuses: [],
        preferences: [],
      })
    })

    it('finds users by email case-blind, within the workspace, strings only', async (t) => {
      const store = await withUsers(t)
      assert.deepEqual(await store.consent.usersWithEmail(WS, ['ADA@example.com']), [
        { userId: 'u1', email: 'Ada@Example.com' },
        { userId: 'u2', email: 'ada@example.COM' },
      ])
      assert.deepEqual(
        await store.consent.usersWithEmail(WS, ['bob@example.com', 'nobody@example.com']),
        [{ userId: 'u3', email: 'bob@example.com' }],
      )
      assert.deepEqual(await store.consent.usersWithEmail(OTHER, ['ada@example.com']), [
        { userId: 'u9', email: 'ada@example.com' },
      ])
      assert.deepEqual(await store.consent.usersWithEmail(WS, []), [])
    })

    it("removes a category with every user's choice for it", async (t) => {
      const store = await withUsers(t)
      await store.consent.putCategory(category('A'))
      await store.consent.update([
        {
          workspaceId: WS,
          userId: 'u1',
          channel: 'email',
          at: T0,
          categories: { A: true, B: false },
        },
      ])
      assert.equal(await store.consent.removeCategory(WS, 'A'), true)
      assert.equal(await store.consent.removeCategory(WS, 'A'), false)
      assert.deepEqual(await store.consent.categories(WS), [])
      const got = await store.consent.subscriptionsOf(WS, ['u1'])
      assert.deepEqual(got.preferences, [pref('u1', 'B', false)])
    })

    describe('batch changes (SubscriptionChange)', () => {
      /** Commits `changes` as one processor batch after the users of withUsers. */
      const commitChanges = (store: Store, changes: readonly SubscriptionChange[]) =>
        store.processing.commit(
          batchChanges({ fromSeq: 1, toSeq: 2, subscriptionChanges: changes }),
        )
      const carry = (from: string, to: string): SubscriptionChange => ({
        kind: 'carry',
        workspaceId: WS,
        fromUserId: from,
        toUserId: to,
        optedOut: 'OPTED_OUT',
      })
      const set = (
        userId: string,
        at: number,
        o: Partial<SubscriptionUpdate> = {},
        exclusive = false,
      ): SubscriptionChange => ({
        kind: 'set',
        update: { workspaceId: WS, userId, channel: 'email', at, categories: {}, ...o },
        exclusive,
      })
      /** A preference request's update of `userId` at `at`. */
      const upd = (
        userId: string,
        at: number,
        o: Omit<Partial<SubscriptionUpdate>, 'userId' | 'at'>,
      ): SubscriptionUpdate => ({
        workspaceId: WS,
        userId,
        channel: 'email',
        at,
        categories: {},
        ...o,
      })
      const rowsOf = async (store: Store, userId: string) => {
        const got = await store.consent.subscriptionsOf(WS, [userId])
        return {
          statuses: got.statuses,
          preferences: byKey(got.preferences, (p) => p.category),
        }
      }

      it('a carry gives the retained user the merged one’s choices, withdrawals winning', async (t) => {
        const store = await withUsers(t)
        // u1 (merged): unsubscribed from all, opted out, A false, B true, C false.
        // u2 (retained): subscribed, double opt-in, A true, B false, D true.
        await store.consent.update([
          upd('u1', T0 + 5, {
            unsubscribedAll: true,
            optInStatus: 'OPTED_OUT',
            categories: { A: false, B: true, C: false },
          }),
          upd('u2', T0 + 2, {
            unsubscribedAll: false,
            optInStatus: 'DOUBLE_OPTED_IN',
            categories: { A: true, B: false, D: true },
          }),
        ])
        const merged = await rowsOf(store, 'u1')
        await commitChanges(store, [carry('u1', 'u2')])
        assert.deepEqual(await rowsOf(store, 'u2'), {
          statuses: [
            status('u2', { unsubscribedAll: true, optInStatus: 'OPTED_OUT', updatedAt: T0 + 5 }),
          ],
          preferences: [
            pref('u2', 'A', false, T0 + 5), // withdrawn on u1: wins, with u1's time
            pref('u2', 'B', false, T0 + 2), // withdrawn on u2: kept
            pref('u2', 'C', false, T0 + 5), // only u1 set it: copied
            pref('u2', 'D', true, T0 + 2),
          ],
        })
        assert.deepEqual(await rowsOf(store, 'u1'), merged, 'the merged user keeps its rows')
      })

      it('a carry keeps the retained user’s opt-in status unless the merged one opted out, and fills what it lacks', async (t) => {
        const store = await withUsers(t)
        await store.consent.update([
          upd('u1', T0 + 9, { optInStatus: 'DOUBLE_OPTED_IN', categories: { A: true } }),
          upd('u2', T0 + 3, { optInStatus: 'OPT_IN_PENDING', categories: {} }),
          // u3 has no rows at all.
        ])
        await commitChanges(store, [carry('u1', 'u2'), carry('u1', 'u3')])
        assert.deepEqual(await rowsOf(store, 'u2'), {
          statuses: [status('u2', { optInStatus: 'OPT_IN_PENDING', updatedAt: T0 + 3 })],
          preferences: [pref('u2', 'A', true, T0 + 9)],
        })
        assert.deepEqual(await rowsOf(store, 'u3'), {
          statuses: [status('u3', { optInStatus: 'DOUBLE_OPTED_IN', updatedAt: T0 + 9 })],
          preferences: [pref('u3', 'A', true, T0 + 9)],
        })
        // A retained user without a status gets the merged one's; nothing from a user without rows.
        await store.consent.update([upd('u4', T0, {})])
        await store.processing.commit(
          batchChanges({
            fromSeq: 2,
            toSeq: 3,
            subscriptionChanges: [carry('u9', 'u4'), carry('u1', 'u4'), carry('u1', 'nobody')],
          }),
        )
        assert.deepEqual(await rowsOf(store, 'u4'), {
          statuses: [status('u4', { optInStatus: 'DOUBLE_OPTED_IN', updatedAt: T0 + 9 })],
          preferences: [pref('u4', 'A', true, T0 + 9)],
        })
        assert.deepEqual(await rowsOf(store, 'nobody'), { statuses: [], preferences: [] })
      })

      it('a set writes only rows not newer than it, and only defined categories', async (t) => {
        const store = await withUsers(t)
        await store.consent.putCategory(category('A'))
        await store.consent.putCategory(category('B', { active: false }))
        await store.consent.update([
          upd('u1', T0 + 10, { unsubscribedAll: false, categories: { A: true } }),
        ])
        await commitChanges(store, [
          // Older than u1's rows: a request answered after the record was accepted wins.
          set('u1', T0 + 5, { unsubscribedAll: true, categories: { A: false, B: false } }),
          set('u2', T0 + 5, {
            unsubscribedAll: true,
            optInStatus: 'OPT_IN_PENDING',
            categories: { A: false, B: false, Unknown: false },
          }),
          set('nobody', T0 + 5, { unsubscribedAll: true }),
        ])
        assert.deepEqual(await rowsOf(store, 'u1'), {
          statuses: [status('u1', { updatedAt: T0 + 10 })],
          preferences: [pref('u1', 'A', true, T0 + 10), pref('u1', 'B', false, T0 + 5)],
        })
        assert.deepEqual(await rowsOf(store, 'u2'), {
          statuses: [
            status('u2', {
              unsubscribedAll: true,
              optInStatus: 'OPT_IN_PENDING',
              updatedAt: T0 + 5,
            }),
          ],
          preferences: [pref('u2', 'A', false, T0 + 5), pref('u2', 'B', false, T0 + 5)],
        })
        assert.deepEqual(await rowsOf(store, 'nobody'), { statuses: [], preferences: [] })
      })

      it('an exclusive set subscribes the categories it leaves out; changes apply in order', async (t) => {
        const store = await withUsers(t)
        for (const name of ['A', 'B', 'C']) await store.consent.putCategory(category(name))
        await store.consent.update([upd('u1', T0, { categories: { A: false, B: false, C: true } })])
        await commitChanges(store, [
          set('u1', T0 + 1, { categories: { C: false } }),
          set('u1', T0 + 2, { categories: { A: false } }, true),
          set('u2', T0 + 2, { unsubscribedAll: true }),
          carry('u1', 'u2'),
          set('u2', T0 + 3, { unsubscribedAll: false, categories: { A: true } }),
        ])
        assert.deepEqual(await rowsOf(store, 'u1'), {
          statuses: [status('u1', { updatedAt: T0 + 2 })],
          preferences: [
            pref('u1', 'A', false, T0 + 2),
            pref('u1', 'B', true, T0 + 2),
            pref('u1', 'C', true, T0 + 2),
          ],
        })
        // u2 got u1's choices by the carry, then its own later change.
        assert.deepEqual(await rowsOf(store, 'u2'), {
          statuses: [status('u2', { updatedAt: T0 + 3 })],
          preferences: [
            pref('u2', 'A', true, T0 + 3),
            pref('u2', 'B', true, T0 + 2),
            pref('u2', 'C', true, T0 + 2),
          ],
        })
      })
    })

    it("a deleted user's subscription rows go with it, and only its", async (t) => {
      const store = await withUsers(t)
      await store.consent.update(
        ['u1', 'u2'].map((userId) => ({
          workspaceId: WS,
          userId,
          channel: 'email',
          at: T0,
          unsubscribedAll: true,
          categories: { A: false },
        })),
      )
      await store.processing.commit(
        batchChanges({ fromSeq: 1, toSeq: 2, deletedUsers: [{ workspaceId: WS, userId: 'u1' }] }),
      )
      const got = await store.consent.subscriptionsOf(WS, ['u1', 'u2'])
      assert.deepEqual(
        got.statuses.map((s) => s.userId),
        ['u2'],
      )
      assert.deepEqual(
        got.preferences.map((p) => p.userId),
        ['u2'],
      )
      // A user made again under the same id starts with nothing.
      await store.processing.commit(
        batchChanges({ fromSeq: 2, toSeq: 3, users: [user('u1', 'x@y.z')] }),
      )
      assert.deepEqual(await store.consent.subscriptionsOf(WS, ['u1']), {
        statuses: [],
        preferences: [],
      })
    })

    it('keeps subscription rows when the user is updated by a batch', async (t) => {
      const store = await withUsers(t)
      await store.consent.update([
        { workspaceId: WS, userId: 'u3', channel: 'email', at: T0, categories: { A: true } },
      ])
      await store.processing.commit(
        batchChanges({
          fromSeq: 1,
          toSeq: 2,
          users: [{ ...user('u3', 'new@example.com'), updatedAt: T0 + 9 }],
        }),
      )
      assert.deepEqual((await store.consent.subscriptionsOf(WS, ['u3'])).preferences, [
        pref('u3', 'A', true),
      ])
    })
  })
}
