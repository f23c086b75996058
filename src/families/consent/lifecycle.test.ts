/**
 * A user's subscription preferences through the profile's life, on SQLite and on PostgreSQL: shown
 * by Get User under `subscription_preferences` (existing keys unchanged, absent for a user without
 * any, left out when user_fields_to_export does not name it) and gone with the user when Delete
 * Users removes it. (GDPR erasure: test/helpers/gdpr-scenario.ts, on both stores.)
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { expandBulkRow } from '../data/bulk-rows.js'
import { createPostgresStore } from '../../store/postgres/postgres-store.js'
import type { Store } from '../../store/store.js'
import { ADMIN_TOKEN } from '../../../test/helpers/admin.js'
import { WORKSPACE_ID, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { CATEGORIES, OPT_IN, consent } from '../../../test/helpers/consent.js'
import { DELETE, EXPORT, TRACK, customer, userOf } from '../../../test/helpers/data-api.js'
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

async function appOn(t: TestContext, open: (() => Promise<Store>) | undefined): Promise<TestApp> {
  const env = { INLET_ADMIN_TOKEN: ADMIN_TOKEN, INLET_DELETE_BUFFER_SECONDS: '0' }
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
