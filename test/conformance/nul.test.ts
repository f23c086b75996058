/**
 * U+0000 (NUL) on both stores: PostgreSQL's text cannot hold it, so a body that carries one is
 * refused before anything is logged (`body_has_nul`), the same on SQLite; a URL that carries one
 * answers below 500; and the text `\u0000` (an escaped backslash) is kept as written.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { API_KEY, WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../helpers/app.js'
import { startPostgres } from '../helpers/postgres.js'

const postgres = await startPostgres()
const ADMIN_TOKEN = 'admin-token-for-the-nul-tests-0001'

const STORES: readonly [string, (t: TestContext) => Promise<TestApp>][] = [
  ['SQLite', (t) => createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN })],
  [
    'PostgreSQL',
    async (t) => {
      if (postgres === undefined) throw new Error('no PostgreSQL')
      const store = await createPostgresStore({
        expandRow: expandBulkRow,
        url: await postgres.freshUrl(),
        durability: 'fsync',
        maxConnections: 4,
      })
      return createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN }, { store })
    },
  ],
]

/** Raw JSON texts, each with one NUL escape somewhere a store would keep it. */
const WITH_NUL = [
  '{"type":"customer","customer_id":"a\\u0000b"}',
  '{"type":"customer","customer_id":"c1","attributes":{"k\\u0000":"v"}}',
  '{"type":"customer","customer_id":"c1","attributes":{"k":"v\\u0000"}}',
  '{"type":"customer","customer_id":"c1","attributes":{"k":["x","\\\\\\u0000"]}}',
  '{"type":"event","customer_id":"c1","actions":[{"action":"Bought\\u0000","attributes":{}}]}',
]

for (const [name, open] of STORES) {
  describe(
    `NUL characters on ${name}`,
    name === 'PostgreSQL' && postgres === undefined ? { skip: 'no PostgreSQL' } : {},
    () => {
      it('refuses a body holding \\u0000 with body_has_nul, logging nothing', async (t) => {
        const app = await open(t)
        for (const text of WITH_NUL) {
          const url = text.includes('"event"')
            ? `/v1/event/${WORKSPACE_ID}`
            : `/v1/customer/${WORKSPACE_ID}`
          const res = await app.app.inject({
            method: 'POST',
            url,
            headers: app.headers,
            payload: text,
          })
          assert.equal(res.statusCode, 400, text)
          const body = JSON.parse(res.body) as { error: { message: string } }
          assert.match(body.error.message, /NUL character/, text)
        }
        const bulk = `{"type":"transition","elements":[{"type":"customer","customer_id":"ok"},${WITH_NUL[2]}]}`
        const res = await app.app.inject({
          method: 'POST',
          url: `/v1/transition/${WORKSPACE_ID}`,
          headers: app.headers,
          payload: bulk,
        })
        assert.equal(res.statusCode, 400)
        await app.drain()
        assert.equal(await app.store.processing.cursor(), 0, 'nothing was logged')
      })

      it('keeps the text \\u0000 after an escaped backslash, and applies it', async (t) => {
        const app = await open(t)
        const res = await app.app.inject({
          method: 'POST',
          url: `/v1/customer/${WORKSPACE_ID}`,
          headers: app.headers,
          payload:
            '{"type":"customer","customer_id":"c\\\\u0000","attributes":{"k\\\\u0000":"v\\\\u0000"}}',
        })
        assert.equal(res.statusCode, 200, res.body)
        const user = await app.getUser('c\\u0000')
        assert.equal(user?.['k\\u0000'], 'v\\u0000')
      })

      it('answers a NUL in the path or query below 500, and keeps serving', async (t) => {
        const app = await open(t)
        const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
        const urls: [string, Record<string, string>][] = [
          ['/inlet/v1/requests/a%00b', app.headers],
          ['/inlet/v1/gdpr/a%00b', app.headers],
          ['/inlet/v1/admin/workspaces/a%00b', admin],
          [`/v1/installInfo?app_id=${WORKSPACE_ID}&unique_id=a%00b`, {}],
        ]
        for (const [url, headers] of urls) {
          const get = await app.app.inject({ method: 'GET', url, headers })
          assert.ok(get.statusCode < 500, `${url} → ${get.statusCode} ${get.body}`)
        }
        const posts: [string, string][] = [
          [`/v1/customer/a%00b`, '{"type":"customer","customer_id":"c1"}'],
          [`/v1/customer/${WORKSPACE_ID}?app_id=a%00b`, '{"type":"customer","customer_id":"c1"}'],
        ]
        for (const [url, payload] of posts) {
          const res = await app.app.inject({ method: 'POST', url, headers: app.headers, payload })
          assert.ok(res.statusCode < 500, `${url} → ${res.statusCode} ${res.body}`)
        }
        const wrongUser = await app.app.inject({
          method: 'POST',
          url: `/v1/customer/${WORKSPACE_ID}`,
          headers: { ...app.headers, authorization: basicAuth(`a\u0000b`, API_KEY) },
          payload: '{"type":"customer","customer_id":"c1"}',
        })
        assert.ok(wrongUser.statusCode < 500, `${wrongUser.statusCode} ${wrongUser.body}`)
        const ok = await app.post(`/v1/customer/${WORKSPACE_ID}`, {
          type: 'customer',
          customer_id: 'after',
        })
        assert.equal(ok.statusCode, 200, ok.body)
        assert.ok(await app.getUser('after'))
      })
    },
  )
}
