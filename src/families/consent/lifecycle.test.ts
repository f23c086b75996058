/**
 * A user's subscription preferences through the profile's life, on SQLite and on PostgreSQL: shown
 * by Get User under `subscription_preferences` (existing keys unchanged, absent for a user without
 * any, left out when user_fields_to_export does not name it) and gone with the user when Delete
 * Users removes it. (GDPR erasure: test/helpers/gdpr-scenario.ts, on both stores.)
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { createIdGenerator } from '../../core/ids.js'
import { createDeletionSweeper } from '../../processor/deletion-sweeper.js'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import type { Store } from '../../store/store.js'
import { ADMIN_TOKEN } from '../../../test/helpers/admin.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { CATEGORIES, OPT_IN, consent } from '../../../test/helpers/consent.js'
import {
  DELETE,
  EXPORT,
  MERGE,
  TRACK,
  customer,
  requestIdOf,
  userOf,
} from '../../../test/helpers/data-api.js'
import { startPostgres } from '../../../test/helpers/postgres.js'

const postgres = await startPostgres()

const stores: [string, (() => Promise<Store>) | undefined][] = [
  ['SQLite', undefined],
  [
    'PostgreSQL',
    postgres === undefined
      ? undefined
      : async () =>
          createPostgresStore({
            expandRow: expandBulkRow,
            url: await postgres.freshUrl(),
            durability: 'os',
            maxConnections: 4,
          }),
  ],
]

async function appOn(
  t: TestContext,
  open: (() => Promise<Store>) | undefined,
  deleteBufferSeconds = '0',
): Promise<TestApp> {
  const env = { INLET_ADMIN_TOKEN: ADMIN_TOKEN, INLET_DELETE_BUFFER_SECONDS: deleteBufferSeconds }
  const app = await createTestApp(t, env, open === undefined ? {} : { store: await open() })
  await app.app.inject({
    method: 'POST',
    url: `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/subscription-categories`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'Promotional' }),
  })
  for (const id of ['ann', 'bob']) await app.post(TRACK, customer(id, { email: `${id}@x.io` }))
  await app.drain()
  return app
}

for (const [name, open] of stores) {
  describe(
    `subscription preferences on the profile (${name})`,
    name === 'PostgreSQL' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
    () => {
      it('Get User shows them beside user_attributes, only for a user that has some', async (t) => {
        const app = await appOn(t, open)
        const res = await consent(app, 'PUT', OPT_IN, {
          user_preferences: {
            customer_id: 'ann',
            categories: { Promotional: true },
            opt_in_status: 'DOUBLE_OPTED_IN',
            channel: 'email',
          },
        })
        assert.equal(res.statusCode, 200, res.body)
        const exported = await app.post(EXPORT, {
          data: {
            identifiers: [
              { identifier_type: 'customer_id', identifier: 'ann' },
              { identifier_type: 'customer_id', identifier: 'bob' },
            ],
          },
        })
        type Exported = {
          user_attributes: Record<string, unknown>
          subscription_preferences?: unknown
        }
        const users = exported.json<{ data: { users: Exported[] } }>().data.users
        const ann = users.find((u) => u.user_attributes['customer_id'] === 'ann')
        const bob = users.find((u) => u.user_attributes['customer_id'] === 'bob')
        assert.deepEqual(ann?.subscription_preferences, {
          email: {
            unsubscribe_all: false,
            opt_in_status: 'DOUBLE_OPTED_IN',
            categories: { Promotional: true },
            updated_at: new Date(app.clock.now()).toISOString(),
          },
        })
        assert.deepEqual(Object.keys(bob ?? {}), ['user_attributes'])
        const only = await app.post(EXPORT, {
          data: {
            identifiers: [{ identifier_type: 'customer_id', identifier: 'ann' }],
            user_fields_to_export: ['email'],
          },
        })
        const [narrow] = only.json<{ data: { users: Exported[] } }>().data.users
        assert.deepEqual(Object.keys(narrow ?? {}), ['user_attributes'])
        const named = await app.post(EXPORT, {
          data: {
            identifiers: [{ identifier_type: 'customer_id', identifier: 'ann' }],
            user_fields_to_export: ['email', 'subscription_preferences'],
          },
        })
        const [wide] = named.json<{ data: { users: Exported[] } }>().data.users
        assert.deepEqual(wide?.user_attributes, {
          email: 'ann@x.io',
          customer_id: 'ann',
          id: wide?.user_attributes['id'],
        })
        assert.ok(wide?.subscription_preferences)
      })

      /** ann's Get User user_attributes, and what its user row stores. */
      async function annAttributes(app: TestApp) {
        const res = await app.post(EXPORT, {
          data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'ann' }] },
        })
        const [exported] = res.json<{
          data: { users: { user_attributes: Record<string, unknown> }[] }
        }>().data.users
        return {
          exported: exported?.user_attributes ?? {},
          stored: (await userOf(app, 'ann')).attributes,
        }
      }
      const LINKED = ['moe_unsubscribe', 'moe_email_optin_status', 'moe_em_unsub_categories']
      const linkedOf = (attributes: Record<string, unknown>) =>
        Object.fromEntries(LINKED.filter((k) => k in attributes).map((k) => [k, attributes[k]]))

      it('the Data API’s moe_unsubscribe, moe_email_optin_status and moe_em_unsub_categories are the preference records, both ways', async (t) => {
        const app = await appOn(t, open)
        const res = await app.post(
          TRACK,
          customer('ann', {
            moe_unsubscribe: 'TRUE',
            moe_email_optin_status: 'double_opted_in',
            moe_em_unsub_categories: ['Promotional', 'Undefined'],
          }),
        )
        await app.drain()
        const ann = await userOf(app, 'ann')
        const rows = await app.store.consent.subscriptionsOf(WORKSPACE_ID, [ann.id])
        assert.deepEqual(
          rows.statuses.map((r) => [r.unsubscribedAll, r.optInStatus]),
          [[true, 'DOUBLE_OPTED_IN']],
        )
        assert.deepEqual(
          rows.preferences.map((r) => [r.category, r.subscribed]),
          [['Promotional', false]],
          'only categories the workspace defines',
        )
        let seen = await annAttributes(app)
        assert.deepEqual(linkedOf(seen.stored), {}, 'not stored as attributes')
        assert.deepEqual(linkedOf(seen.exported), {
          moe_unsubscribe: true,
          moe_email_optin_status: 'DOUBLE_OPTED_IN',
          moe_em_unsub_categories: ['Promotional'],
        })
        assert.equal((await app.inspect(requestIdOf(res))).records[0]?.outcome, 'applied')
        // A preference request changes what Get User shows.
        const link = await consent(app, 'POST', CATEGORIES, {
          channel: 'email',
          user_preferences: [
            { customer_id: 'ann', categories: { Promotional: true }, unsubscribe_all: false },
          ],
        })
        assert.equal(link.statusCode, 200, link.body)
        seen = await annAttributes(app)
        assert.deepEqual(linkedOf(seen.exported), {
          moe_unsubscribe: false,
          moe_email_optin_status: 'DOUBLE_OPTED_IN',
        })
        // Array operations and unset work on the category list and the flag.
        await app.post(
          TRACK,
          customer('ann', { addValueToArrayField: { moe_em_unsub_categories: ['Promotional'] } }),
        )
        await app.drain()
        assert.deepEqual(linkedOf((await annAttributes(app)).exported), {
          moe_unsubscribe: false,
          moe_email_optin_status: 'DOUBLE_OPTED_IN',
          moe_em_unsub_categories: ['Promotional'],
        })
        const unset = [
          { attr: 'moe_em_unsub_categories', type: 'equals' },
          { attr: 'moe_email_optin_status', type: 'equals' },
        ]
        await app.post(TRACK, customer('ann', {}, { unset_attributes: unset }))
        await app.drain()
        assert.deepEqual(linkedOf((await annAttributes(app)).exported), {
          moe_unsubscribe: false,
          moe_email_optin_status: 'DOUBLE_OPTED_IN',
        })
      })

      it('a linked attribute accepted before a preference request does not undo it; nonsense is noted', async (t) => {
        const app = await appOn(t, open)
        const early = await app.post(TRACK, customer('ann', { moe_unsubscribe: true }))
        assert.equal(early.statusCode, 200, early.body)
        app.clock.advance(1_000)
        // Answered after the Track User was accepted, applied before the processor reads it.
        const res = await consent(app, 'PUT', OPT_IN, {
          user_preferences: {
            customer_id: 'ann',
            opt_in_status: 'OPT_IN_PENDING',
            channel: 'email',
          },
        })
        assert.equal(res.statusCode, 200, res.body)
        await consent(app, 'POST', CATEGORIES, {
          channel: 'email',
          user_preferences: [{ customer_id: 'ann', categories: {}, unsubscribe_all: false }],
        })
        await app.drain()
        assert.deepEqual(linkedOf((await annAttributes(app)).exported), {
          moe_unsubscribe: false,
          moe_email_optin_status: 'OPT_IN_PENDING',
        })
        const bad = await app.post(
          TRACK,
          customer('bob', { moe_unsubscribe: 'maybe', moe_email_optin_status: 'YES' }),
        )
        await app.drain()
        const [record] = (await app.inspect(requestIdOf(bad))).records
        assert.equal(record?.outcome, 'applied')
        assert.equal(record?.notes?.length, 2, JSON.stringify(record))
        const bob = await userOf(app, 'bob')
        assert.deepEqual(await app.store.consent.subscriptionsOf(WORKSPACE_ID, [bob.id]), {
          statuses: [],
          preferences: [],
        })
      })

      it('Merge Users gives the retained user the merged one’s preferences, withdrawals winning', async (t) => {
        const app = await appOn(t, open)
        const bulk = await consent(app, 'POST', CATEGORIES, {
          channel: 'email',
          user_preferences: [
            { customer_id: 'ann', categories: { Promotional: false }, unsubscribe_all: false },
            { customer_id: 'bob', categories: { Promotional: true }, unsubscribe_all: false },
          ],
        })
        assert.equal(bulk.statusCode, 200, bulk.body)
        const optIn = await consent(app, 'PUT', OPT_IN, {
          user_preferences: { customer_id: 'ann', opt_in_status: 'OPTED_OUT', channel: 'email' },
        })
        assert.equal(optIn.statusCode, 200, optIn.body)
        const ann = await userOf(app, 'ann')
        const bob = await userOf(app, 'bob')
        const merged = await app.post(MERGE, {
          merge_data: [{ merged_user: 'ann', retained_user: 'bob' }],
        })
        assert.equal(merged.statusCode, 200, merged.body)
        await app.drain()
        const rows = await app.store.consent.subscriptionsOf(WORKSPACE_ID, [bob.id, ann.id])
        const of = (id: string) => ({
          statuses: rows.statuses
            .filter((r) => r.userId === id)
            .map((r) => [r.unsubscribedAll, r.optInStatus]),
          preferences: rows.preferences
            .filter((r) => r.userId === id)
            .map((r) => [r.category, r.subscribed]),
        })
        assert.deepEqual(of(bob.id), {
          statuses: [[false, 'OPTED_OUT']],
          preferences: [['Promotional', false]],
        })
        // The merged user keeps its own (an undo gives them back to it whole).
        assert.deepEqual(of(ann.id), {
          statuses: [[false, 'OPTED_OUT']],
          preferences: [['Promotional', false]],
        })
      })

      it('a merge and the deletion of the merged user in one batch: carried before it goes', async (t) => {
        const app = await appOn(t, open)
        const res = await consent(app, 'PUT', OPT_IN, {
          user_preferences: {
            customer_id: 'ann',
            categories: { Promotional: false },
            opt_in_status: 'OPTED_OUT',
            channel: 'email',
          },
        })
        assert.equal(res.statusCode, 200, res.body)
        const ann = await userOf(app, 'ann')
        const bob = await userOf(app, 'bob')
        // Both accepted before the processor runs: they are applied in one read of the log.
        const merged = await app.post(MERGE, {
          merge_data: [{ merged_user: 'ann', retained_user: 'bob' }],
        })
        assert.equal(merged.statusCode, 200, merged.body)
        const deleted = await app.post(DELETE, { identity_type: 'id', identity_value: ann.id })
        assert.equal(deleted.statusCode, 200, deleted.body)
        await app.drain()
        assert.deepEqual(
          await app.store.profiles.findUsers(WORKSPACE_ID, { customerIds: [], ids: [ann.id] }),
          [],
        )
        const rows = await app.store.consent.subscriptionsOf(WORKSPACE_ID, [bob.id, ann.id])
        assert.deepEqual(
          rows.statuses.map((r) => [r.userId, r.optInStatus]),
          [[bob.id, 'OPTED_OUT']],
        )
        assert.deepEqual(
          rows.preferences.map((r) => [r.userId, r.category, r.subscribed]),
          [[bob.id, 'Promotional', false]],
        )
      })

      it('a buffered deletion, carried out by the sweeper, removes them too', async (t) => {
        const app = await appOn(t, open, '60')
        const res = await consent(app, 'PUT', OPT_IN, {
          user_preferences: { customer_id: 'ann', opt_in_status: 'OPTED_OUT', channel: 'email' },
        })
        assert.equal(res.statusCode, 200, res.body)
        const ann = await userOf(app, 'ann')
        await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'ann' })
        await app.drain()
        const kept = await app.store.consent.subscriptionsOf(WORKSPACE_ID, [ann.id])
        assert.equal(kept.statuses.length, 1, 'kept until the deletion is due')
        app.clock.advance(60_000)
        const sweeper = createDeletionSweeper({
          store: app.store,
          ingest: app.ingest,
          clock: app.clock,
          ids: createIdGenerator(app.clock),
          log: app.log,
        })
        assert.equal(await sweeper.sweep(), 1)
        await app.drain()
        assert.deepEqual(await app.store.consent.subscriptionsOf(WORKSPACE_ID, [ann.id]), {
          statuses: [],
          preferences: [],
        })
      })

      it('Delete Users removes the user’s preference records, and only its', async (t) => {
        const app = await appOn(t, open)
        const bulk = await consent(app, 'POST', CATEGORIES, {
          channel: 'email',
          user_preferences: ['ann', 'bob'].map((id) => ({
            customer_id: id,
            categories: { Promotional: false },
            unsubscribe_all: true,
          })),
        })
        assert.equal(bulk.statusCode, 200, bulk.body)
        const ann = await userOf(app, 'ann')
        const bob = await userOf(app, 'bob')
        const res = await app.post(DELETE, { identity_type: 'customer_id', identity_value: 'ann' })
        assert.equal(res.statusCode, 200, res.body)
        await app.drain()
        const left = await app.store.consent.subscriptionsOf(WORKSPACE_ID, [ann.id, bob.id])
        assert.deepEqual(
          left.statuses.map((s) => s.userId),
          [bob.id],
        )
        assert.deepEqual(
          left.preferences.map((p) => p.userId),
          [bob.id],
        )
      })
    },
  )
}
