/**
 * Conformance: GDPR / CCPA erasure (spec §7.12) on the SQLite store — the acceptance scenario
 * (test/helpers/gdpr-scenario.ts) with every table of both database files read directly, the
 * request's validation errors and the GDPR page's own gateway strings, every identity type, the
 * pending / done report and its 404.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { WORKSPACE_ID, basicAuth, createTestApp, type TestApp } from '../helpers/app.js'
import {
  DEVICE,
  GDPR,
  TRACK,
  assertRefusal,
  assertRefusals,
  invalid,
  missing,
  type Refusal,
} from '../helpers/data-api.js'
import { ADMIN_TOKEN, gdprScenario } from '../helpers/gdpr-scenario.js'
import { expandBulkRow } from '../../src/families/data/bulk-rows.js'

const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Every row of every table of store.db and log.db, read through connections of their own. */
function sqliteDump(dir: string): () => Promise<string[]> {
  return () => {
    const out: string[] = []
    for (const file of ['store.db', 'log.db']) {
      const db = new Database(join(dir, file), { readonly: true })
      try {
        const tables = db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
          .pluck()
          .all() as string[]
        for (const table of tables) {
          for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
            out.push(`${table}:${JSON.stringify(row)}`)
          }
        }
      } finally {
        db.close()
      }
    }
    return Promise.resolve(out)
  }
}

function without(o: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))
}

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_type: 'erasure',
    submitted_time: '2026-11-01T10:00:00Z',
    identities: [{ identity_type: 'email', identity_value: 'a@example.com' }],
    api_version: '1.0',
    ...overrides,
  }
}

/** POSTs `payload` to the GDPR endpoint (with `headers` over the good ones): the refusal, exactly. */
async function fails(
  app: TestApp,
  payload: unknown,
  expected: Refusal,
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await app.post(GDPR, payload, { headers: { ...app.headers, ...headers } })
  assertRefusal(res, expected, JSON.stringify(headers))
}

describe('§7.12 GDPR / CCPA erasure', () => {
  it('§7.12 erases a profile by email from every table of SQLite; suppression refuses, then lifts', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inlet-gdpr-'))
    dirs.push(dir)
    const app = await createTestApp(
      t,
      { INLET_ADMIN_TOKEN: ADMIN_TOKEN },
      { store: createSqliteStore({ expandRow: expandBulkRow, dir, durability: 'os' }) },
    )
    await gdprScenario(app, sqliteDump(dir))
  })

  it('§7.12 every identity type finds its users', async (t) => {
    const app = await createTestApp(t, { INLET_DELETE_BUFFER_SECONDS: '0' })
    const people = [
      ['by-id', { first_name: 'A' }, ['ID', 'by-id']],
      ['by-email', { email: 'E@x.com' }, ['email', 'e@X.com']],
      ['by-mobile', { mobile: '+4412345' }, ['mobile', '+4412345']],
      ['by-gaid-attr', { moe_gaid: 'g-attr' }, ['google_advertising_id', 'g-attr']],
      ['by-idfa', { advertising_identifier: 'idfa-1' }, ['advertising_identifier', 'idfa-1']],
      ['by-secondary', { first_name: 'S' }, ['user_secondary_id', '']],
      ['by-gaid-device', { first_name: 'D' }, ['google_advertising_id', 'g-dev']],
    ] as const
    for (const [id, attributes] of people) {
      await app.post(TRACK, { type: 'customer', customer_id: id, attributes })
    }
    await app.drain()
    await app.post(DEVICE, {
      type: 'device',
      customer_id: 'by-gaid-device',
      device_id: 'd-1',
      attributes: { platform: 'ANDROID', push_id: 'p-dev', moe_gaid: 'g-dev' },
    })
    await app.post(TRACK, { type: 'customer', customer_id: 'bystander', attributes: {} })
    await app.drain()
    for (const [id, , [type, given]] of people) {
      const [user] = await app.store.profiles.findUsers(WORKSPACE_ID, {
        customerIds: [id],
        ids: [],
      })
      assert.ok(user, id)
      const value = type === 'user_secondary_id' ? user.id : given
      const res = await app.post(
        GDPR,
        body({ identities: [{ identity_type: type, identity_value: value }] }),
      )
      assert.equal(res.statusCode, 200, res.body)
      await app.drain()
      assert.equal(await app.getUser(id), undefined, `${type} should erase ${id}`)
    }
    assert.ok(await app.getUser('bystander'))
  })

  it('§7.12 an erasure that matches nobody is done with zero counts; an unknown id is a 404', async (t) => {
    const app = await createTestApp(t)
    const res = await app.post(
      GDPR,
      body({ identities: [{ identity_type: 'mobile', identity_value: 12345 }] }),
    )
    assert.equal(res.statusCode, 200)
    const id = res.json<{ request_id: string }>().request_id
    await app.drain()
    const report = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/gdpr/${id}`,
      headers: { authorization: app.headers['authorization'] ?? '' },
    })
    assert.equal(report.statusCode, 200)
    const r = report.json<Record<string, unknown>>()
    assert.equal(r['state'], 'done')
    assert.deepEqual(r['erased'], {
      users: 0,
      devices: 0,
      events: 0,
      merges: 0,
      log_records: 1,
      record_outcomes: 0,
      suppressed_identities: 1,
      outbox_messages: 0,
      cards: 0,
    })
    const missing = await app.app.inject({
      method: 'GET',
      url: '/inlet/v1/gdpr/no-such-request',
      headers: { authorization: app.headers['authorization'] ?? '' },
    })
    assert.equal(missing.statusCode, 404)
    const error = missing.json<{ error: Record<string, unknown> }>().error
    assert.deepEqual(without(error, 'request_id'), {
      attribute: 'request_id',
      message: "No GDPR request with id 'no-such-request' was received by this workspace",
      type: 'Not Found',
    })
    // The query form of the path works too.
    const query = await app.post(`/v1/opengdpr_requests?app_id=${WORKSPACE_ID}`, body())
    assert.equal(query.statusCode, 200)
  })

  it('§7.12 the admin API refuses a bad lift and an unknown workspace', async (t) => {
    const app = await createTestApp(t, { INLET_ADMIN_TOKEN: ADMIN_TOKEN })
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
    const lift = (ws: string, payload: unknown) =>
      app.app.inject({
        method: 'POST',
        url: `/inlet/v1/admin/workspaces/${ws}/suppressions/lift`,
        headers: admin,
        payload: JSON.stringify(payload),
      })
    const bad = await lift(WORKSPACE_ID, { identity_type: 'phone', identity_value: 'x' })
    assert.equal(bad.statusCode, 400)
    assert.equal(
      bad.json<{ error: { message: string } }>().error.message,
      'identity_type should be one of ID, user_secondary_id, email, mobile, google_advertising_id, advertising_identifier (or give request_id)',
    )
    const both = await lift(WORKSPACE_ID, { request_id: 'r', identity_type: 'email' })
    assert.equal(both.statusCode, 400)
    assert.equal(
      (await lift(WORKSPACE_ID, { request_id: 'r' })).json<{ lifted: number }>().lifted,
      0,
    )
    const unknown = await lift('NOSUCHWORKSPACE00000', { request_id: 'r' })
    assert.equal(unknown.statusCode, 404)
    const noToken = await app.app.inject({
      method: 'GET',
      url: `/inlet/v1/admin/workspaces/${WORKSPACE_ID}/suppressions`,
    })
    assert.equal(noToken.statusCode, 401)
  })

  it('§7.12 the documented 400s, exact strings', async (t) => {
    const app = await createTestApp(t)
    for (const key of ['request_type', 'identities', 'submitted_time', 'api_version']) {
      await fails(app, without(body(), key), missing(key, `${key} is not found in the payload`))
    }
    const identity = (identity: Record<string, unknown>) => body({ identities: [identity] })
    await assertRefusals(app, GDPR, [
      [
        body({ request_type: 'access' }),
        invalid('request_type', "request_type should be one of ['erasure']"),
      ],
      [body({ identities: [] }), invalid('identities', 'identities can not be empty Array')],
      [
        body({ identities: 'a@example.com' }),
        missing('identities', 'identities is expected to be Array'),
      ],
      [
        identity({ identity_type: 'phone', identity_value: '1' }),
        invalid(
          'identity_type',
          "identity_type should be one of ['ID', 'user_secondary_id', 'email', 'mobile', 'google_advertising_id', 'advertising_identifier']",
        ),
      ],
      [
        identity({ identity_type: 'email' }),
        missing('identity_value', 'identity_value is not found in the payload'),
      ],
      [
        identity({ identity_type: 'email', identity_value: ' ' }),
        invalid('identity_value', 'identity_value can not be empty'),
      ],
      [
        body({ submitted_time: 'yesterday' }),
        invalid(
          'submitted_time',
          'submitted_time should be an ISO 8601 date-time, e.g. 2018-10-05T15:00:00Z',
        ),
      ],
    ])
    // Nothing was logged for a refused request.
    assert.equal(await app.store.log.lastSeq(), 0)
  })

  it('§7.12 the GDPR page’s own gateway strings (401, 403, 413, 415)', async (t) => {
    const app = await createTestApp(t)
    await fails(
      app,
      body(),
      {
        status: 401,
        type: 'Authentication required',
        message: 'No identity information found.',
      },
      { authorization: '' },
    )
    await fails(
      app,
      body(),
      { status: 415, type: 'Unsupported media type', message: 'Content type is not supported' },
      { 'content-type': 'text/plain' },
    )
    const big = await app.post(GDPR, JSON.stringify(body({ pad: 'x'.repeat(140_000) })))
    assert.equal(big.statusCode, 413)
    assert.deepEqual(
      (({ type, message }) => ({ type, message }))(
        big.json<{ error: { type: string; message: string } }>().error,
      ),
      { type: 'Payload too large', message: 'Payload can not exceed 128KB.' },
    )
    const states = [
      [
        'suspended',
        403,
        'Account Suspended',
        'Your account is suspended. Please contact MoEngage team.',
      ],
      [
        'temporarily_suspended',
        403,
        'Account Temporarily Suspended',
        'Your account is temporarily suspended. Please contact MoEngage team.',
      ],
      [
        'blacklisted',
        403,
        'BlockedClient',
        'Your account is suspended. Please contact MoEngage team.',
      ],
    ] as const
    for (const [state, status, type, message] of states) {
      await app.store.workspaces.update(WORKSPACE_ID, { state, updatedAt: app.clock.now() })
      await fails(app, body(), { status, type, message })
    }
    await app.store.workspaces.update(WORKSPACE_ID, { state: 'active', updatedAt: app.clock.now() })
    const wrongKey = await app.post(GDPR, body(), {
      headers: { ...app.headers, authorization: basicAuth(WORKSPACE_ID, 'wrong') },
    })
    assert.equal(wrongKey.statusCode, 401)
  })
})
